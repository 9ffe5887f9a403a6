"""The sideways (lab Z, mediolateral) coordinate of each landmark, and per-axis confidence.

A side-view camera measures forward (X) and vertical (Y) motion; the runner's
sideways offsets (Z, to the runner's right) are nearly invisible to it. Momentum
about the mediolateral axis (pitch, H_z) needs only X and Y; momentum about the
vertical axis (yaw, H_y = sum m (z v_x - x v_z) + local terms) needs each segment's
Z. Two ways to supply it (BIOMECHANICS.md section 2):

- ``"prior"``: fixed anthropometric offsets, right limbs +Z, left limbs -Z, scaled by
  standing height (:data:`PRIOR_Z_FRAC`). In running the sideways offsets are nearly
  fixed by anatomy while the forward velocities, which are observed, carry the signal.
- ``"world"``: MediaPipe's world landmarks rotated into the lab frame: lab up is world
  -y, lab Z (runner's right) the clip's median horizontal right-hip minus left-hip
  direction, lab X = Y x Z; scaled from MediaPipe's generic metres to the runner's
  pixel-derived metres by the ratio of leg and trunk lengths. For a side view lab Z is
  MediaPipe's z (depth) up to sign. Only Z is taken from the world landmarks; X and Y
  stay the pixel-derived ones.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sprintbal.pose.landmarks import INDEX, LANDMARK_NAMES, N_LANDMARKS

DepthMethod = Literal["prior", "world"]
View = Literal["side", "oblique", "front", "unknown"]

#: Sideways half-offset |Z| of each landmark as a fraction of standing height h (sign: right +,
#: left -). Reasoning, for h = 1.75 m:
#:
#: - shoulders 0.10 h (0.175 m): biacromial breadth is about 0.23 h (0.40 m in men); the shoulder
#:   joint centre lies about 3 cm medial to the acromion;
#: - elbows 0.14 h (0.245 m), wrists and hand points 0.12 h (0.21 m): in running the elbows swing
#:   outside the shoulder line (they must clear the trunk) and the hands come back toward the
#:   body; the measured run in BIOMECHANICS.md section 2 has arm-segment COMs 0.17-0.29 m from the
#:   midline, and putting the arms at the shoulder half-width there under-read arm yaw momentum
#:   (gain 0.68). The DeepMimic run and jog (benchmarks/deepmimic_signs.py) have mean elbow
#:   offsets of 0.19-0.20 h and wrists 0.15-0.17 h; the values here sit between those and the
#:   shoulder line rather than fitting one retargeted character;
#: - hips 0.05 h (0.0875 m): hip joint centres are about 0.17-0.18 m apart in adults (the
#:   0.095 h half *breadth* of the hips is the lateral skin surface at the trochanters, not the
#:   joints BlazePose's hip landmarks approximate);
#: - knees 0.045 h, ankles and heels 0.035 h, toes 0.04 h: running feet land close to the
#:   midline (step width of a few centimetres to ~0.1 m), slightly toed out;
#: - face points: eyes 0.009/0.018/0.026 h (inner/centre/outer; interpupillary ~0.063 m), mouth
#:   corners 0.014 h, ears 0.043 h (head breadth ~0.15 m). Only the ears enter the body model (the
#:   head's mediolateral reference and, symmetrically, its endpoints).
PRIOR_Z_FRAC: dict[str, float] = {
    "nose": 0.0,
    "eye_inner": 0.009,
    "eye": 0.018,
    "eye_outer": 0.026,
    "ear": 0.043,
    "mouth": 0.014,
    "shoulder": 0.10,
    "elbow": 0.14,
    "wrist": 0.12,
    "pinky": 0.12,
    "index": 0.12,
    "thumb": 0.12,
    "hip": 0.05,
    "knee": 0.045,
    "ankle": 0.035,
    "heel": 0.035,
    "foot_index": 0.04,
}

_LEN_PAIRS = tuple(
    (INDEX[f"{s}_{a}"], INDEX[f"{s}_{b}"])
    for s in ("left", "right")
    for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))
)


def prior_z_offsets(height_m: float) -> np.ndarray:
    """Return the anthropometric sideways offset of each landmark.

    Parameters
    ----------
    height_m : float
        Standing height, m.

    Returns
    -------
    ndarray, shape (33,)
        Z in metres (to the runner's right): right landmarks positive, left negative, nose 0.
    """
    z = np.zeros(N_LANDMARKS)
    for i, name in enumerate(LANDMARK_NAMES):
        if name == "nose":
            continue
        if name.startswith(("left_", "right_")):
            side, base = name.split("_", 1)
        else:  # mouth_left / mouth_right
            base, side = name.rsplit("_", 1)
        z[i] = (1.0 if side == "right" else -1.0) * PRIOR_Z_FRAC[base] * height_m
    return z


def compute_world_lateral_axis(world: np.ndarray) -> np.ndarray:
    """Return the clip's lab Z (runner's right) direction in MediaPipe world axes.

    Parameters
    ----------
    world : ndarray, shape (T, 33, 3)
        MediaPipe world landmarks (x right, y down, z away from the camera), m.

    Returns
    -------
    ndarray, shape (3,)
        Unit vector with no y component: the mean of each frame's horizontal unit
        right-hip minus left-hip direction; NaN when no frame has both hips.
    """
    w = np.asarray(world, dtype=float)
    a = w[:, INDEX["right_hip"]] - w[:, INDEX["left_hip"]]
    a[:, 1] = 0.0
    n = np.linalg.norm(a, axis=-1)
    ok = np.isfinite(n) & (n > 1e-9)
    if not np.any(ok):
        return np.full(3, np.nan)
    mean = (a[ok] / n[ok, None]).mean(axis=0)
    nm = float(np.linalg.norm(mean))
    if nm < 1e-6:
        return np.full(3, np.nan)
    return np.asarray(mean / nm)


def compute_world_to_lab_scale(sag: np.ndarray, world: np.ndarray, lateral_axis: np.ndarray | None = None) -> float:
    """Factor taking MediaPipe's world metres to the runner's pixel-derived metres.

    Ratio of trunk + thigh + shank lengths, summed over both sides, both measured in the
    sagittal plane: the median over frames of the sagittal landmarks' lengths over the
    median of the world landmarks' lengths with their lateral component removed.

    Parameters
    ----------
    sag : ndarray, shape (T, 33, 2)
        Sagittal landmarks, m.
    world : ndarray, shape (T, 33, 3)
        World landmarks, m.
    lateral_axis : ndarray, shape (3,), optional
        Lab Z in world axes (default :func:`compute_world_lateral_axis`).

    Returns
    -------
    float
        The factor, NaN when unavailable.
    """
    world = np.asarray(world, dtype=float)
    axis = compute_world_lateral_axis(world) if lateral_axis is None else np.asarray(lateral_axis, dtype=float)
    if np.all(np.isfinite(axis)):
        world = world - np.einsum("tkd,d->tk", world, axis)[..., None] * axis
    s_tot = 0.0
    w_tot = 0.0
    for i, j in _LEN_PAIRS:
        ls = np.linalg.norm(sag[:, i] - sag[:, j], axis=-1)
        lw = np.linalg.norm(world[:, i] - world[:, j], axis=-1)
        ls = ls[np.isfinite(ls)]
        lw = lw[np.isfinite(lw)]
        if ls.size == 0 or lw.size == 0:
            return float("nan")
        s_tot += float(np.median(ls))
        w_tot += float(np.median(lw))
    return s_tot / w_tot if w_tot > 0 else float("nan")


def compute_lab_points(
    sag: np.ndarray,
    world: np.ndarray | None,
    height_m: float,
    method: DepthMethod = "prior",
) -> np.ndarray:
    """3D landmarks in the lab frame: pixel-derived X, Y plus a sideways Z.

    Parameters
    ----------
    sag : ndarray, shape (T, 33, 2)
        Sagittal landmarks, m: X forward, Y up.
    world : ndarray, shape (T, 33, 3) or None
        MediaPipe world landmarks, m (needed for ``"world"``).
    height_m : float
        Standing height, m (sets the prior offsets).
    method : {"prior", "world"}
        Where Z comes from (see module docstring).

    Returns
    -------
    ndarray, shape (T, 33, 3)
        (X forward, Y up, Z right), m. With ``"prior"`` Z is NaN where X is. With
        ``"world"`` Z is NaN where the world landmark is unknown; if the clip has no usable
        world landmarks at all, it falls back to the prior.
    """
    sag = np.asarray(sag, dtype=float)
    n = sag.shape[0]
    out = np.empty((n, N_LANDMARKS, 3))
    out[..., :2] = sag
    prior = np.broadcast_to(prior_z_offsets(height_m), (n, N_LANDMARKS))
    z = np.where(np.isfinite(sag[..., 0]), prior, np.nan)
    if method == "world":
        if world is None:
            raise ValueError("depth method 'world' needs world landmarks")
        w = np.asarray(world, dtype=float)
        axis = compute_world_lateral_axis(w)
        scale = compute_world_to_lab_scale(sag, w, axis)
        if np.all(np.isfinite(axis)) and np.isfinite(scale):
            z = scale * np.einsum("tkd,d->tk", w, axis)
    elif method != "prior":
        raise ValueError(f"unknown depth method {method!r}")
    out[..., 2] = z
    return out


def compute_side_consistency(world: np.ndarray, direction: int) -> float:
    """Share of frames whose world depth agrees with the left/right labels and the running direction.

    Seen from the side, a runner moving toward image +x (``direction`` +1) shows the camera their
    right side, so the right hip should be nearer the camera (smaller MediaPipe z) than the left;
    moving toward -x, the left. A share well below 0.5 means the labels are swapped in most frames
    (MediaPipe's near/far leg confusion) or the depth is unreliable.

    Parameters
    ----------
    world : ndarray, shape (T, 33, 3)
        World landmarks (z away from the camera), m.
    direction : int
        +1 or -1 (:class:`sprintbal.kinematics.scene.Scene`).

    Returns
    -------
    float
        In [0, 1]; NaN when no frame has both hips or the direction is unknown.
    """
    w = np.asarray(world, dtype=float)
    dz = w[:, INDEX["right_hip"], 2] - w[:, INDEX["left_hip"], 2]
    ok = np.isfinite(dz) & (dz != 0)
    if not np.any(ok) or direction not in (1, -1):
        return float("nan")
    return float(np.mean(np.sign(dz[ok]) == -direction))


def compute_view(world: np.ndarray) -> tuple[View, float]:
    """Which way the camera looks at the runner, from MediaPipe world landmarks.

    Parameters
    ----------
    world : ndarray, shape (T, 33, 3)
        World landmarks (z away from the camera), m.

    Returns
    -------
    view : {"side", "oblique", "front", "unknown"}
        ``"side"`` when the hips' left-right axis is within 30 degrees of the camera's
        optical axis, ``"front"`` (or rear) when within 30 degrees of the image plane.
    angle_deg : float
        Angle between the horizontal hip axis and the image plane, degrees (90 = pure side view).
    """
    axis = compute_world_lateral_axis(world)
    if not np.all(np.isfinite(axis)):
        return "unknown", float("nan")
    ang = float(np.degrees(np.arcsin(min(1.0, abs(float(axis[2]))))))
    if ang >= 60.0:
        return "side", ang
    if ang <= 30.0:
        return "front", ang
    return "oblique", ang


#: Base confidence per view: (mediolateral / pitch, vertical / yaw by prior, vertical / yaw by world).
_AXIS_BASE: dict[str, tuple[float, float, float]] = {
    "side": (0.9, 0.3, 0.2),
    "oblique": (0.6, 0.3, 0.3),
    "front": (0.3, 0.2, 0.2),
    "unknown": (0.5, 0.2, 0.1),
}


def compute_axis_confidence(view: str, method: str, seen_fraction: float = 1.0) -> dict[str, float]:
    """How far momentum about each axis can be trusted from this camera view.

    Parameters
    ----------
    view : {"side", "oblique", "front", "unknown"}
        Camera view (:func:`compute_view`).
    method : {"prior", "world"}
        Depth method.
    seen_fraction : float
        Fraction in [0, 1] of the needed landmarks that were really observed (multiplies both).

    Returns
    -------
    dict of str to float
        ``{"mediolateral": c_pitch, "vertical": c_yaw}`` in [0, 1].

    Notes
    -----
    From a side view, pitch momentum (about the mediolateral axis) needs only forward and
    vertical positions, which the camera sees: high. Yaw momentum (about the vertical axis)
    needs each segment's sideways offset, i.e. depth for a side camera, which MediaPipe
    estimates least accurately (its model card puts metric depth out of scope); fixed
    anatomical offsets recover the legs' and arms' yaw momentum separately (r >= 0.98 on a
    measured run) but not the small whole-body residual that decides yaw balance (r 0.83,
    nRMSE 1.65; BIOMECHANICS.md section 2): low. A front or rear view swaps the problem:
    forward motion is then in depth, and both axes need it.
    """
    base = _AXIS_BASE.get(view, _AXIS_BASE["unknown"])
    yaw = base[2] if method == "world" else base[1]
    f = float(np.clip(seen_fraction, 0.0, 1.0)) if np.isfinite(seen_fraction) else 0.0
    return {"mediolateral": round(base[0] * f, 3), "vertical": round(yaw * f, 3)}
