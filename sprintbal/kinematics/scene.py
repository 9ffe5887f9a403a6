"""Scene geometry from a cleaned track: pixel scale, running direction, treadmill, ground line.

Scale from the runner's apparent size: the summed lengths of shank (knee-ankle), thigh (hip-knee)
and trunk side (hip-shoulder), each the median over frames and both sides of its unfiltered length
(the low-pass shortens segments at low frame rates; high percentiles are inflated by landmark noise;
a side view keeps these segments close to the image plane), divided by their share of standing height.
Shares from Drillis & Contini (1966) as drawn in Winter, *Biomechanics and Motor Control of Human
Movement*, Fig. 4.1: knee-ankle 0.246 H (0.285 - 0.039), hip-knee 0.245 H (0.530 - 0.285),
hip-shoulder 0.288 H (0.818 - 0.530); sum 0.779 H. MediaPipe's landmarks are not anatomical joint
centres, so expect a few percent of bias.

The sagittal frame (:func:`compute_sagittal_points`): X forward in metres (direction-normalised), Y up
in metres, origin on the ground line under the first valid mid-hip position.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sprintbal.kinematics.cleaning import CleanTrack
from sprintbal.pose.landmarks import INDEX

#: Share of standing height of the knee-ankle + hip-knee + hip-shoulder chain (Drillis & Contini 1966).
CHAIN_HEIGHT_RATIO = 0.779
#: Segments of the scale chain, (proximal, distal) landmark names without side prefix.
_CHAIN = (("knee", "ankle"), ("hip", "knee"), ("shoulder", "hip"))
_PERCENTILE = 95.0
#: Percentile of unfiltered segment lengths used for the scale (noise inflates high percentiles).
_LEN_PERCENTILE = 50.0


@dataclass(frozen=True)
class Scene:
    """Camera-scene facts of one clip.

    Attributes
    ----------
    m_per_px : float
        Metres per image pixel at the runner's depth.
    direction : int
        +1 if the runner moves (faces) toward image +x, -1 toward image -x.
    treadmill : bool
        The runner's hips stay roughly still in the frame while the legs cycle (treadmill, or a camera
        travelling or panning with the runner: the pose alone cannot tell these apart).
    scale_source : str
        ``"height"`` (apparent height and the given standing height) or ``"world"`` (MediaPipe world
        landmark segment lengths).
    ground_y_px : float
        Image row (pixels, y down) of the ground line at image column ``ground_x_px``.
    ground_slope : float
        Ground line slope in image pixels of y per pixel of x (camera roll).
    ground_x_px : float
        Image column of the first valid mid-hip position (origin of the sagittal frame).
    m_per_px_height, m_per_px_world : float
        Both scale estimates (NaN when unavailable).
    confidence : float
        In [0, 1]: how consistent the scene estimates are.
    notes : tuple of str
        One sentence per caveat.
    """

    m_per_px: float
    direction: int
    treadmill: bool
    scale_source: str
    ground_y_px: float
    ground_slope: float = 0.0
    ground_x_px: float = 0.0
    m_per_px_height: float = float("nan")
    m_per_px_world: float = float("nan")
    confidence: float = 1.0
    notes: tuple[str, ...] = ()

    def ground_at(self, x_px: np.ndarray) -> np.ndarray:
        """Return the ground row (pixels) at image columns ``x_px``."""
        return self.ground_y_px + self.ground_slope * (np.asarray(x_px, dtype=float) - self.ground_x_px)


def _seg_lengths(p: np.ndarray) -> np.ndarray:
    """Per-frame lengths of the chain segments, both sides, shape (T, 3, 2)."""
    out = np.full((p.shape[0], len(_CHAIN), 2), np.nan)
    for k, (a, b) in enumerate(_CHAIN):
        for s, side in enumerate(("left", "right")):
            out[:, k, s] = np.linalg.norm(p[:, INDEX[f"{side}_{a}"]] - p[:, INDEX[f"{side}_{b}"]], axis=-1)
    return out


def _chain_length(lengths: np.ndarray, q: float) -> float:
    """Sum over segments of the q-th percentile (pooled sides, finite frames) of their lengths."""
    total = 0.0
    for k in range(lengths.shape[1]):
        v = lengths[:, k, :].ravel()
        v = v[np.isfinite(v)]
        if v.size < 3:
            return float("nan")
        total += float(np.percentile(v, q))
    return total


def compute_scale(xy: np.ndarray, height_m: float) -> float:
    """Metres per pixel from apparent segment lengths and standing height.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks, pixels.
    height_m : float
        Standing height, metres.

    Returns
    -------
    float
        Metres per pixel (NaN if the chain segments are not seen in at least 3 frames).
    """
    px = _chain_length(_seg_lengths(np.asarray(xy, dtype=float)), _LEN_PERCENTILE)
    if not np.isfinite(px) or px <= 0:
        return float("nan")
    return CHAIN_HEIGHT_RATIO * float(height_m) / px


def compute_world_scale(xy: np.ndarray, world: np.ndarray) -> float:
    """Metres per pixel from MediaPipe world landmarks: world chain length over pixel chain length.

    World segment lengths are 3-D (median over frames); pixel lengths are the high percentile of the
    projection. The result is in MediaPipe's metres (its generic body size), not the runner's.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks, pixels.
    world : ndarray, shape (T, 33, 3)
        World landmarks, metres.

    Returns
    -------
    float
        Metres per pixel, NaN when unavailable.
    """
    px = _chain_length(_seg_lengths(np.asarray(xy, dtype=float)), _LEN_PERCENTILE)
    wm = _chain_length(_seg_lengths(np.asarray(world, dtype=float)), 50.0)
    if not (np.isfinite(px) and np.isfinite(wm)) or px <= 0:
        return float("nan")
    return wm / px


def _mid(p: np.ndarray, name: str) -> np.ndarray:
    return 0.5 * (p[:, INDEX[f"left_{name}"]] + p[:, INDEX[f"right_{name}"]])


def _nan_slope(t: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(t) & np.isfinite(y)
    if ok.sum() < 3 or np.ptp(t[ok]) <= 0:
        return float("nan")
    return float(np.polyfit(t[ok], y[ok], 1)[0])


def compute_facing(xy: np.ndarray) -> float:
    """Which way the runner faces in the image, from nose vs ears and toes vs heels.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks, pixels.

    Returns
    -------
    float
        In [-1, 1]: mean sign of (nose - mid-ear) x and (toe - heel) x over frames; +1 faces image +x.
    """
    p = np.asarray(xy, dtype=float)
    votes: list[np.ndarray] = []
    head = p[:, INDEX["nose"], 0] - _mid(p, "ear")[:, 0]
    votes.append(np.sign(head[np.isfinite(head)]))
    for side in ("left", "right"):
        foot = p[:, INDEX[f"{side}_foot_index"], 0] - p[:, INDEX[f"{side}_heel"], 0]
        votes.append(np.sign(foot[np.isfinite(foot)]))
    allv = np.concatenate(votes)
    return float(np.mean(allv)) if allv.size else 0.0


def compute_scene(clean: CleanTrack, height_m: float, *, scale_source: str = "height") -> Scene:
    """Estimate scale, direction, treadmill and ground line of a clip.

    Direction: the sign of the mid-hip image x velocity (linear fit over the clip) when the runner
    travels; on a treadmill (hips travel less than 0.75 leg lengths over the clip while the ankles swing
    more than 0.3 leg lengths relative to the hips) from which way the face and toes point. Ground: the
    lowest foot point (max image y of heels and toes) per frame; the ground row is its 95th percentile
    within bins along x, and a line fitted through the bins gives the slope (camera roll) when the runner
    crosses enough of the frame.

    Parameters
    ----------
    clean : CleanTrack
        Cleaned landmarks.
    height_m : float
        Standing height of the runner, metres.
    scale_source : {"height", "world"}
        Which scale to use; "height" falls back to "world" when the chain is not seen.

    Returns
    -------
    Scene
        Scale, direction, treadmill flag, ground line, notes.
    """
    p = np.asarray(clean.xy, dtype=float)
    t = np.asarray(clean.t, dtype=float)
    notes: list[str] = []
    # segment lengths from the unfiltered points: the low-pass shortens them at low frame rates
    p_len = clean.xy_unfiltered if clean.xy_unfiltered.shape == p.shape else p
    s_h = compute_scale(p_len, height_m)
    s_w = compute_world_scale(p_len, clean.world)
    source = scale_source
    if source == "height" and not np.isfinite(s_h) and np.isfinite(s_w):
        source = "world"
        notes.append("Scale from MediaPipe world landmarks: the leg/trunk chain was not seen often enough.")
    scale = s_h if source == "height" else s_w
    if source == "world" and not np.isfinite(s_w) and np.isfinite(s_h):
        source, scale = "height", s_h
        notes.append("World landmarks unavailable; scale from apparent height.")
    if np.isfinite(s_h) and np.isfinite(s_w):
        rel = abs(s_w / s_h - 1.0)
        notes.append(f"Scale from height and from world landmarks differ by {100 * rel:.0f}%.")
    if not np.isfinite(scale):
        notes.append("No scale: the runner's legs and trunk were never seen.")

    hip = _mid(p, "hip")
    _mid(p, "ankle")
    legs = np.concatenate(
        [np.linalg.norm(p[:, INDEX[f"{s}_hip"]] - p[:, INDEX[f"{s}_ankle"]], axis=-1) for s in ("left", "right")]
    )
    leg_px = float(np.median(legs[np.isfinite(legs)])) if np.isfinite(legs).any() else float("nan")
    vx = _nan_slope(t, hip[:, 0])
    duration = float(np.ptp(t[np.isfinite(hip[:, 0])])) if np.isfinite(hip[:, 0]).any() else 0.0
    travel = abs(vx) * duration if np.isfinite(vx) else 0.0
    rel_ankle = p[:, INDEX["left_ankle"], 0] - hip[:, 0]
    ra = rel_ankle[np.isfinite(rel_ankle)]
    swing = float(np.percentile(ra, 95) - np.percentile(ra, 5)) if ra.size else 0.0
    treadmill = bool(np.isfinite(leg_px) and travel < 0.75 * leg_px and swing > 0.3 * leg_px)
    facing = compute_facing(p)
    if treadmill or not np.isfinite(vx) or travel < 0.75 * (leg_px if np.isfinite(leg_px) else 0.0):
        direction = 1 if facing >= 0 else -1
        if treadmill:
            notes.append(
                "Hips stay in frame while the legs cycle: treated as a treadmill (or a camera travelling or "
                "panning with the runner)."
            )
        if abs(facing) < 0.5:
            notes.append("Facing direction is ambiguous (nose/ears and toes/heels disagree).")
    else:
        direction = 1 if vx > 0 else -1
        if facing * direction < -0.3:
            notes.append("The runner appears to face against the direction of travel; direction from hip motion.")

    # ground line
    foot_pts = np.stack([p[:, INDEX[n]] for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index")], 1)
    fy = foot_pts[..., 1]
    low_k = np.argmax(np.where(np.isfinite(fy), fy, -np.inf), axis=1)
    low = foot_pts[np.arange(p.shape[0]), low_k]  # (T, 2) lowest foot point per frame
    ok = np.isfinite(low).all(axis=1)
    first_hip = np.flatnonzero(np.isfinite(hip).all(axis=1))
    x0 = float(hip[first_hip[0], 0]) if first_hip.size else 0.0
    slope = 0.0
    if ok.sum() >= 3:
        lx, ly = low[ok, 0], low[ok, 1]
        span = float(np.ptp(lx))
        g0 = float(np.percentile(ly, _PERCENTILE))
        if not treadmill and np.isfinite(leg_px) and span > 3 * leg_px:
            edges = np.linspace(lx.min(), lx.max(), 7)
            bx, by = [], []
            for a, b in itertools.pairwise(edges):
                sel = (lx >= a) & (lx <= b)
                if sel.sum() >= 3:
                    bx.append(float(np.median(lx[sel])))
                    by.append(float(np.percentile(ly[sel], _PERCENTILE)))
            if len(bx) >= 3:
                slope, icpt = np.polyfit(bx, by, 1)
                slope = float(slope)
                if abs(slope) > 0.15:
                    notes.append(f"Ground line tilts by {np.degrees(np.arctan(slope)):.1f} degrees in the image.")
                g0 = float(icpt + slope * x0)
        ground = g0
    else:
        ground = float("nan")
        notes.append("Ground line unknown: feet never seen.")
    conf = 1.0
    if np.isfinite(s_h) and np.isfinite(s_w):
        conf *= float(np.clip(1.0 - abs(s_w / s_h - 1.0), 0.0, 1.0))
    if not np.isfinite(scale):
        conf = 0.0
    return Scene(
        m_per_px=float(scale),
        direction=int(direction),
        treadmill=treadmill,
        scale_source=source,
        ground_y_px=float(ground),
        ground_slope=float(slope),
        ground_x_px=x0,
        m_per_px_height=float(s_h),
        m_per_px_world=float(s_w),
        confidence=conf,
        notes=tuple(notes),
    )


def compute_sagittal_points(clean: CleanTrack, scene: Scene, *, unfiltered: bool = False) -> np.ndarray:
    """Landmarks in the sagittal plane, metres: X forward (direction-normalised), Y up.

    The origin is on the ground line under the first valid mid-hip position, so a runner crossing the
    image right-to-left gets the same coordinates as one crossing left-to-right.

    Parameters
    ----------
    clean : CleanTrack
        Cleaned landmarks (pixels, y down).
    scene : Scene
        Scale, direction and ground line.
    unfiltered : bool
        Use ``clean.xy_unfiltered`` (before the low-pass) instead of ``clean.xy``.

    Returns
    -------
    ndarray, shape (T, 33, 2)
        (X forward, Y up) in metres; NaN where unknown.
    """
    p = np.asarray(clean.xy_unfiltered if unfiltered and clean.xy_unfiltered.shape == clean.xy.shape else clean.xy,
                   dtype=float)
    x = p[..., 0]
    y = p[..., 1]
    if np.isfinite(scene.ground_y_px):
        ground = scene.ground_at(x)
    else:
        ground = np.full_like(y, float(np.max(y[np.isfinite(y)])) if np.isfinite(y).any() else np.nan)
    out = np.empty_like(p)
    out[..., 0] = scene.direction * (x - scene.ground_x_px) * scene.m_per_px
    out[..., 1] = (ground - y) * scene.m_per_px
    return out
