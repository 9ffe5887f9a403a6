"""Body segment parameters (de Leva 1996) on BlazePose landmarks, and segment kinematics.

Segment parameters are de Leva (1996), Table 4, as transcribed in ``BIOMECHANICS.md``
section 3: mass as a fraction of body mass, centre of mass (COM) as a fraction of the
segment length from the proximal (cranial) end, and radii of gyration as fractions of
the segment length about the sagittal (anteroposterior), transverse (mediolateral) and
longitudinal axes of the segment in the anatomical position.

Segments (S = 14) and how their endpoints are built from the 33 BlazePose landmarks:

============  ==========================================  ====================================
segment       proximal end                                distal end
============  ==========================================  ====================================
head          vertex (estimated, see below)               C7 (estimated, see below)
trunk         mid-shoulder                                mid-hip
upper arm     shoulder                                    elbow
forearm       elbow                                       wrist
hand          wrist                                       mid(index, pinky): 3rd metacarpal
thigh         hip                                         knee
shank         knee                                        ankle
foot          heel                                        foot_index (toe tip)
============  ==========================================  ====================================

Head approximation. BlazePose has no head-top and no C7. Along the line from the
mid-shoulder point N to the mid-ear point E (tragion), standing anthropometry puts the
shoulder landmarks (joint centres) at about 0.81 h, the tragion about 0.075 h below the
vertex (0.925 h), C7 about 0.14 h below the vertex (de Leva's vertex-C7 length, 242.9 mm
of 1741 mm) and the vertex at h. Hence ``vertex = N + 1.65 (E - N)`` and
``C7 = N + 0.44 (E - N)``, and the vertex-C7 row of Table 4 applies (COM at 50.02 % of
vertex-C7 from the vertex, i.e. near the ear). This ignores the head's forward lean on
the neck; the head is 7 % of body mass and carries little momentum (BIOMECHANICS.md:
1-2 % of mean |H|).

The hand's distal end: BlazePose's index and pinky landmarks lie on the 2nd and 5th
knuckles, so their midpoint is close to the 3rd metacarpal head of de Leva's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sprintbal.pose.landmarks import INDEX, N_LANDMARKS

Sex = Literal["male", "female"]

#: de Leva (1996) Table 4 as transcribed in BIOMECHANICS.md section 3, per sex:
#: row -> (mass %, COM % from proximal, r_sag %, r_trans %, r_long %).
DE_LEVA: dict[str, dict[str, tuple[float, float, float, float, float]]] = {
    "male": {
        "head_vertex_gonion": (6.94, 59.76, 36.2, 37.6, 31.2),
        "head_vertex_c7": (6.94, 50.02, 30.3, 31.5, 26.1),
        "trunk": (43.46, 43.10, 38.4, 35.8, 19.7),
        "upper_arm": (2.71, 57.72, 28.5, 26.9, 15.8),
        "forearm": (1.62, 45.74, 27.6, 26.5, 12.1),
        "hand": (0.61, 79.00, 62.8, 51.3, 40.1),
        "thigh": (14.16, 40.95, 32.9, 32.9, 14.9),
        "shank": (4.33, 43.95, 25.1, 24.6, 10.2),
        "foot": (1.37, 44.15, 25.7, 24.5, 12.4),
    },
    "female": {
        "head_vertex_gonion": (6.68, 58.94, 33.0, 35.9, 31.8),
        "head_vertex_c7": (6.68, 48.41, 27.1, 29.5, 26.1),
        "trunk": (42.57, 37.82, 37.9, 36.1, 18.2),
        "upper_arm": (2.55, 57.54, 27.8, 26.0, 14.8),
        "forearm": (1.38, 45.59, 26.1, 25.7, 9.4),
        "hand": (0.56, 74.74, 53.1, 45.4, 33.5),
        "thigh": (14.78, 36.12, 36.9, 36.4, 16.2),
        "shank": (4.81, 43.52, 26.7, 26.3, 9.2),
        "foot": (1.29, 40.14, 29.9, 27.9, 13.9),
    },
}

#: Fractions along mid-shoulder -> mid-ear at which the vertex and C7 are placed (see module doc).
HEAD_VERTEX_FRAC = 1.65
HEAD_C7_FRAC = 0.44

#: The segments, in the order of every (.., S, ..) array.
SEGMENT_NAMES: tuple[str, ...] = (
    "head",
    "trunk",
    "left_upper_arm",
    "right_upper_arm",
    "left_forearm",
    "right_forearm",
    "left_hand",
    "right_hand",
    "left_thigh",
    "right_thigh",
    "left_shank",
    "right_shank",
    "left_foot",
    "right_foot",
)

LEG_SEGMENTS = ("thigh", "shank", "foot")
ARM_SEGMENTS = ("upper_arm", "forearm", "hand")


def _w(*terms: tuple[str, float]) -> np.ndarray:
    """Return a (33,) weight vector from (landmark name, weight) terms."""
    w = np.zeros(N_LANDMARKS)
    for name, value in terms:
        w[INDEX[name]] += value
    return w


def _mid(a: str, b: str) -> np.ndarray:
    return _w((a, 0.5), (b, 0.5))


def _endpoint_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return proximal, distal and mediolateral-reference weights, each (S, 33)."""
    n_sh = _mid("left_shoulder", "right_shoulder")
    e_ear = _mid("left_ear", "right_ear")
    vertex = n_sh + HEAD_VERTEX_FRAC * (e_ear - n_sh)
    c7 = n_sh + HEAD_C7_FRAC * (e_ear - n_sh)
    hip_axis = _w(("right_hip", 1.0), ("left_hip", -1.0))
    sh_axis = _w(("right_shoulder", 1.0), ("left_shoulder", -1.0))
    ear_axis = _w(("right_ear", 1.0), ("left_ear", -1.0))
    prox, dist, ml = [], [], []
    for name in SEGMENT_NAMES:
        if name == "head":
            prox.append(vertex)
            dist.append(c7)
            ml.append(ear_axis)
            continue
        if name == "trunk":
            prox.append(n_sh)
            dist.append(_mid("left_hip", "right_hip"))
            ml.append(0.5 * (hip_axis + sh_axis))
            continue
        side, part = name.split("_", 1)
        p = side + "_"
        if part == "upper_arm":
            prox.append(_w((p + "shoulder", 1.0)))
            dist.append(_w((p + "elbow", 1.0)))
        elif part == "forearm":
            prox.append(_w((p + "elbow", 1.0)))
            dist.append(_w((p + "wrist", 1.0)))
        elif part == "hand":
            prox.append(_w((p + "wrist", 1.0)))
            dist.append(_mid(p + "index", p + "pinky"))
        elif part == "thigh":
            prox.append(_w((p + "hip", 1.0)))
            dist.append(_w((p + "knee", 1.0)))
        elif part == "shank":
            prox.append(_w((p + "knee", 1.0)))
            dist.append(_w((p + "ankle", 1.0)))
        elif part == "foot":
            prox.append(_w((p + "heel", 1.0)))
            dist.append(_w((p + "foot_index", 1.0)))
        else:  # pragma: no cover - the table above is exhaustive
            raise ValueError(name)
        ml.append(sh_axis if part in ARM_SEGMENTS else hip_axis)
    return np.array(prox), np.array(dist), np.array(ml)


@dataclass(frozen=True)
class BodyModel:
    """Segment parameters of one runner (S segments).

    Attributes
    ----------
    names : tuple of str
        Segment names (see :data:`SEGMENT_NAMES`).
    mass_kg : ndarray, shape (S,)
        Segment masses, kg (de Leva fractions renormalised to sum exactly to the body mass).
    com_frac : ndarray, shape (S,)
        COM position as a fraction of the segment length from the proximal end.
    radii : ndarray, shape (S, 3)
        Radii of gyration as fractions of the segment length about the segment's
        sagittal (anteroposterior), transverse (mediolateral) and longitudinal axes.
    proximal, distal : ndarray, shape (S, 33)
        Landmark weights (each row sums to 1) giving each segment's endpoints as
        ``weights @ landmarks``.
    ml_reference : ndarray, shape (S, 33)
        Landmark weights (each row sums to 0) giving each segment's mediolateral
        reference direction, pointing to the runner's right: hips for the legs,
        shoulders for the arms, their mean for the trunk, ears for the head.
    sex : str
        Which de Leva table.
    body_mass_kg : float
        Total body mass, kg.
    """

    names: tuple[str, ...]
    mass_kg: np.ndarray
    com_frac: np.ndarray
    radii: np.ndarray
    proximal: np.ndarray
    distal: np.ndarray
    ml_reference: np.ndarray
    sex: str
    body_mass_kg: float

    @property
    def n_segments(self) -> int:
        """Number of segments S."""
        return len(self.names)


def _row(name: str) -> str:
    if name == "head":
        return "head_vertex_c7"
    if name == "trunk":
        return "trunk"
    return name.split("_", 1)[1]


def compute_body_model(sex: Sex, mass_kg: float) -> BodyModel:
    """Build the de Leva (1996) body model of a runner.

    Parameters
    ----------
    sex : {"male", "female"}
        Which table.
    mass_kg : float
        Body mass, kg.

    Returns
    -------
    BodyModel
        S = 14 segments. Masses are the table's fractions renormalised to sum to 1
        (the transcribed female table sums to 99.99 %), times ``mass_kg``.
    """
    if sex not in DE_LEVA:
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    table = DE_LEVA[sex]
    rows = np.array([table[_row(n)] for n in SEGMENT_NAMES], dtype=float)
    frac = rows[:, 0] / rows[:, 0].sum()
    prox, dist, ml = _endpoint_weights()
    return BodyModel(
        names=SEGMENT_NAMES,
        mass_kg=frac * float(mass_kg),
        com_frac=rows[:, 1] / 100.0,
        radii=rows[:, 2:5] / 100.0,
        proximal=prox,
        distal=dist,
        ml_reference=ml,
        sex=sex,
        body_mass_kg=float(mass_kg),
    )


@dataclass(frozen=True)
class Segments:
    """Segment kinematics in the lab frame (X forward, Y up, Z right). T frames, S segments.

    Attributes
    ----------
    names : tuple of str
        Segment names.
    mass_kg : ndarray, shape (S,)
        Segment masses, kg.
    proximal, distal : ndarray, shape (T, S, 3)
        Segment endpoints, m.
    length_m : ndarray, shape (S,)
        Segment length used for the inertia (median over frames), m.
    com : ndarray, shape (T, S, 3)
        Segment COM, m.
    com_velocity : ndarray, shape (T, S, 3)
        Segment COM velocity, m/s.
    rotation : ndarray, shape (T, S, 3, 3)
        Segment frames: columns are the segment's anteroposterior (sagittal) axis, its
        long axis (distal -> proximal) and its mediolateral (transverse) axis, in lab
        coordinates; right-handed (col0 = col1 x col2).
    omega : ndarray, shape (T, S, 3)
        Angular velocity in lab axes, rad/s.
    inertia_lab : ndarray, shape (T, S, 3, 3)
        Inertia tensor about the segment COM in lab axes, kg m^2.
    body_com : ndarray, shape (T, 3)
        Whole-body COM, m.
    body_com_velocity : ndarray, shape (T, 3)
        Whole-body COM velocity, m/s.
    """

    names: tuple[str, ...]
    mass_kg: np.ndarray
    proximal: np.ndarray
    distal: np.ndarray
    length_m: np.ndarray
    com: np.ndarray
    com_velocity: np.ndarray
    rotation: np.ndarray
    omega: np.ndarray
    inertia_lab: np.ndarray
    body_com: np.ndarray
    body_com_velocity: np.ndarray


def compute_time_derivative(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Differentiate along axis 0 by central differences on (possibly non-uniform) times.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Samples (NaN propagates to the neighbouring frames only).
    t : ndarray, shape (T,)
        Strictly increasing times, s.

    Returns
    -------
    ndarray, shape (T, ...)
        dx/dt (second-order central differences inside, first-order at the ends);
        all NaN when T < 2.
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(t, dtype=float)
    if x.shape[0] < 2:
        return np.full_like(x, np.nan)
    if x.ndim < 2 or x[0].size <= _DERIVATIVE_COLUMNS:
        return np.gradient(x, t, axis=0, edge_order=1)
    # a block of columns at a time: np.gradient's temporaries stay small on long clips (same values)
    flat = x.reshape(x.shape[0], -1)
    out = np.empty(flat.shape)
    for c0 in range(0, flat.shape[1], _DERIVATIVE_COLUMNS):
        out[:, c0 : c0 + _DERIVATIVE_COLUMNS] = np.gradient(
            flat[:, c0 : c0 + _DERIVATIVE_COLUMNS], t, axis=0, edge_order=1
        )
    return out.reshape(x.shape)


#: Columns differentiated together by :func:`compute_time_derivative` (bounds its temporary memory).
_DERIVATIVE_COLUMNS = 32


def _unit(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n, n[..., 0]


def compute_segment_frames(proximal: np.ndarray, distal: np.ndarray, ml_ref: np.ndarray) -> np.ndarray:
    """Build right-handed segment frames from endpoints and a mediolateral reference.

    Parameters
    ----------
    proximal, distal : ndarray, shape (..., 3)
        Segment endpoints, m.
    ml_ref : ndarray, shape (..., 3)
        A direction toward the runner's right (need not be unit or perpendicular).

    Returns
    -------
    ndarray, shape (..., 3, 3)
        Columns: anteroposterior axis (long x mediolateral), long axis (distal -> proximal),
        mediolateral axis (the reference made perpendicular to the long axis). Where the
        reference is within ~6 degrees of the long axis, lab Z is used instead, then lab X.
        NaN where the endpoints are unknown or coincide.
    """
    e_long, _ = _unit(proximal - distal)

    def perp(ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = np.broadcast_to(ref, e_long.shape)
        p = ref - np.sum(ref * e_long, axis=-1, keepdims=True) * e_long
        _, rn = _unit(ref)
        u, pn = _unit(p)
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = pn > 0.1 * rn
        return u, ok

    e_ml, ok = perp(ml_ref)
    for fallback in (np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])):
        bad = ~ok
        if not np.any(bad & np.all(np.isfinite(e_long), axis=-1)):
            break
        alt, alt_ok = perp(fallback)
        e_ml = np.where(bad[..., None], alt, e_ml)
        ok = ok | alt_ok
    e_ap = np.cross(e_long, e_ml)
    return np.stack([e_ap, e_long, e_ml], axis=-1)


def compute_angular_velocity(rotation: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Angular velocity from a time series of rotation matrices.

    Parameters
    ----------
    rotation : ndarray, shape (T, ..., 3, 3)
        Frames (columns = body axes in lab coordinates).
    t : ndarray, shape (T,)
        Times, s.

    Returns
    -------
    ndarray, shape (T, ..., 3)
        omega in lab axes, rad/s: the axial vector of the skew-symmetric part of
        dR/dt R^T (R differentiated by central differences).
    """
    rdot = compute_time_derivative(rotation, t)
    w = rdot @ np.swapaxes(rotation, -1, -2)
    del rdot  # long clips: no (T, ..., 3, 3) temporaries beyond w
    # axial vector of the skew part 0.5 * (w - w^T), taken element by element
    return np.stack(
        [0.5 * (w[..., 2, 1] - w[..., 1, 2]), 0.5 * (w[..., 0, 2] - w[..., 2, 0]), 0.5 * (w[..., 1, 0] - w[..., 0, 1])],
        axis=-1,
    )


def _column_median(x: np.ndarray) -> np.ndarray:
    """Median over axis 0 of a (T, S) array ignoring NaN; NaN for all-NaN columns."""
    out = np.full(x.shape[1], np.nan)
    for j in range(x.shape[1]):
        col = x[:, j]
        col = col[np.isfinite(col)]
        if col.size:
            out[j] = float(np.median(col))
    return out


def _combine(weights: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Return ``weights @ points`` per frame, (T, S, 3), NaN only where a landmark with a non-zero weight is NaN.

    (A plain product would spread one unknown landmark, e.g. a thumb, into every segment: 0 * NaN = NaN.)
    """
    bad = ~np.all(np.isfinite(points), axis=-1)  # (T, 33)
    out = np.einsum("sk,tkd->tsd", weights, np.where(bad[..., None], 0.0, points))
    unknown = (bad.astype(float) @ (weights != 0).T.astype(float)) > 0  # (T, S)
    out[unknown] = np.nan
    return np.asarray(out)


def compute_segment_lengths(points: np.ndarray, model: BodyModel, chunk: int = 4096) -> np.ndarray:
    """Median length of each segment over the clip (``Segments.length_m``), a block of frames at a time.

    Parameters
    ----------
    points : ndarray, shape (T, 33, 3)
        Landmarks in the lab frame, metres. NaN where unknown.
    model : BodyModel
        Segment endpoints.
    chunk : int
        Frames handled at once (bounds temporary memory only).

    Returns
    -------
    ndarray, shape (S,)
        Median over the frames where the segment is known, m (NaN if never known).
    """
    points = np.asarray(points, dtype=float)
    seg_len = np.empty((points.shape[0], model.n_segments))
    for a in range(0, points.shape[0], chunk):
        block = points[a : a + chunk]
        ends = _combine(model.proximal, block) - _combine(model.distal, block)
        seg_len[a : a + chunk] = np.linalg.norm(ends, axis=-1)
    return _column_median(seg_len)


def compute_segment_kinematics(
    points: np.ndarray,
    model: BodyModel,
    t: np.ndarray,
    length: Literal["median", "frame"] = "median",
    length_m: np.ndarray | None = None,
) -> Segments:
    """Segment COMs, velocities, frames, angular velocities and inertias from 3D landmarks.

    Parameters
    ----------
    points : ndarray, shape (T, 33, 3)
        Landmarks in the lab frame (X forward, Y up, Z right), metres, already
        filtered (velocities are differences of these positions). NaN where unknown.
    model : BodyModel
        Segment parameters.
    t : ndarray, shape (T,)
        Capture times, s (may be non-uniform).
    length : {"median", "frame"}
        Segment length for the inertia ``I = m (r L)^2``: the median over frames
        (default: segments are rigid, landmark noise is not) or each frame's own.
    length_m : ndarray, shape (S,), optional
        The segment lengths to use for ``"median"`` (e.g. :func:`compute_segment_lengths` of the
        whole clip when ``points`` is a part of it); default: the median over ``points``' frames.

    Returns
    -------
    Segments
        All kinematics in lab axes.

    Notes
    -----
    Each segment's frame has its long axis along the segment and its mediolateral
    axis from a body reference toward the runner's right (hips for the legs,
    shoulders for the arms, both for the trunk, ears for the head), not from lab Z, so
    that a body turning about the vertical axis turns every segment frame with it.
    The spin of a limb about its own long axis is not observable from joint-centre
    landmarks: the long-axis component of omega is that of the reference (pelvis or
    shoulder girdle), an approximation weighted by the small longitudinal radius of
    gyration. For the trunk the long-axis spin is its twist between the shoulder and hip
    lines, which is observed only as well as the landmarks' Z (depth) is.
    """
    points = np.asarray(points, dtype=float)
    t = np.asarray(t, dtype=float)
    prox = _combine(model.proximal, points)
    dist = _combine(model.distal, points)
    ml = _combine(model.ml_reference, points)
    com = prox + model.com_frac[None, :, None] * (dist - prox)
    com_vel = compute_time_derivative(com, t)
    rot = compute_segment_frames(prox, dist, ml)
    omega = compute_angular_velocity(rot, t)
    seg_len = np.linalg.norm(prox - dist, axis=-1)  # (T, S)
    length_m = _column_median(seg_len) if length_m is None else np.asarray(length_m, dtype=float)
    use_len = seg_len if length == "frame" else np.broadcast_to(length_m, seg_len.shape)
    # radii order (sag = AP, trans = ML, long) -> frame columns (AP, long, ML)
    r = model.radii[:, [0, 2, 1]]
    diag = model.mass_kg[None, :, None] * (r[None, :, :] * use_len[..., None]) ** 2  # (T, S, 3)
    inertia = np.einsum("tsij,tsj,tskj->tsik", rot, diag, rot)
    m = model.mass_kg
    total = m.sum()
    body_com = np.einsum("s,tsd->td", m, com) / total
    body_vel = np.einsum("s,tsd->td", m, com_vel) / total
    return Segments(
        names=model.names,
        mass_kg=m,
        proximal=prox,
        distal=dist,
        length_m=length_m,
        com=com,
        com_velocity=com_vel,
        rotation=rot,
        omega=omega,
        inertia_lab=inertia,
        body_com=body_com,
        body_com_velocity=body_vel,
    )


def compute_body_inertia(segments: Segments, frame: int) -> np.ndarray:
    """Whole-body inertia tensor about the whole-body COM at one frame (parallel-axis sum).

    Parameters
    ----------
    segments : Segments
        Segment kinematics.
    frame : int
        Frame index.

    Returns
    -------
    ndarray, shape (3, 3)
        kg m^2, lab axes.
    """
    d = segments.com[frame] - segments.body_com[frame]  # (S, 3)
    m = segments.mass_kg
    eye = np.eye(3)
    par = m[:, None, None] * (np.sum(d * d, axis=-1)[:, None, None] * eye - d[:, :, None] * d[:, None, :])
    return np.asarray(np.sum(segments.inertia_lab[frame] + par, axis=0))
