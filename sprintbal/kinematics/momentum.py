"""Segment angular momentum about the whole-body centre of mass, and group sums.

For segment i (BIOMECHANICS.md section 1)::

    H_i = (r_i - r_com) x m_i (v_i - v_com)  +  I_i,lab w_i
          "remote" term                         "local" term

in kg*m^2/s, lab axes (X forward, Y up, Z right). H_y > 0 turns +Z toward +X
(counter-clockwise seen from above), H_z > 0 turns +X toward +Y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sprintbal.kinematics.body_model import BodyModel, compute_segment_kinematics, compute_segment_lengths
from sprintbal.kinematics.result import SIDE_LEFT, SIDE_RIGHT, GroupMomenta

#: Standard gravity, m/s^2.
G = 9.80665

_LEG_PARTS = ("thigh", "shank", "foot")


def compute_segment_momentum(
    seg_com: np.ndarray,
    seg_vel: np.ndarray,
    inertia_lab: np.ndarray,
    omega: np.ndarray,
    mass: np.ndarray,
    body_com: np.ndarray,
    body_com_vel: np.ndarray,
) -> np.ndarray:
    """Angular momentum of each segment about the whole-body COM.

    Parameters
    ----------
    seg_com : ndarray, shape (T, S, 3)
        Segment COM positions, m.
    seg_vel : ndarray, shape (T, S, 3)
        Segment COM velocities, m/s.
    inertia_lab : ndarray, shape (T, S, 3, 3)
        Inertia tensors about the segment COMs in lab axes, kg m^2.
    omega : ndarray, shape (T, S, 3)
        Segment angular velocities, rad/s.
    mass : ndarray, shape (S,)
        Segment masses, kg.
    body_com : ndarray, shape (T, 3)
        The reference point (whole-body COM), m.
    body_com_vel : ndarray, shape (T, 3)
        Its velocity, m/s.

    Returns
    -------
    ndarray, shape (T, S, 3)
        Remote + local angular momentum, kg*m^2/s. NaN where any input is NaN.
    """
    r = np.asarray(seg_com, float) - np.asarray(body_com, float)[:, None, :]
    v = np.asarray(seg_vel, float) - np.asarray(body_com_vel, float)[:, None, :]
    remote = np.cross(r, np.asarray(mass, float)[None, :, None] * v)
    local = np.einsum("tsij,tsj->tsi", np.asarray(inertia_lab, float), np.asarray(omega, float))
    return np.asarray(remote + local)


@dataclass(frozen=True)
class BodyMomentum:
    """What the kinematics stage keeps of the segment kinematics. Time is axis 0 (T frames).

    Attributes
    ----------
    segment_h : ndarray, shape (T, S, 3)
        Each segment's angular momentum about the whole-body COM, kg*m^2/s (lab axes).
    body_com : ndarray, shape (T, 3)
        Whole-body COM, m.
    body_com_velocity : ndarray, shape (T, 3)
        Its velocity, m/s.
    length_m : ndarray, shape (S,)
        Segment lengths used for the inertias (median over the clip), m.
    """

    segment_h: np.ndarray
    body_com: np.ndarray
    body_com_velocity: np.ndarray
    length_m: np.ndarray


#: Frames whose segment kinematics :func:`compute_body_momentum` holds at once (bounds memory, not results).
MOMENTUM_CHUNK = 2048


def _equal_intervals(t: np.ndarray) -> bool:
    """Whether ``np.gradient(x, t)`` takes its equal-spacing formula (all intervals exactly equal)."""
    d = np.diff(t)
    return bool((d == d[0]).all())


def compute_body_momentum(
    points: np.ndarray, model: BodyModel, t: np.ndarray, chunk: int = MOMENTUM_CHUNK
) -> BodyMomentum:
    """Segment angular momentum about the whole-body COM from lab-frame landmarks, a block of frames at a time.

    The same numbers as :func:`~sprintbal.kinematics.body_model.compute_segment_kinematics` then
    :func:`compute_segment_momentum` on the whole clip, without holding every segment's frames,
    angular velocities and inertias (about 4 KB per frame) at once: each block is computed with one
    neighbouring frame on each side (the central time differences), and every block uses the
    segment lengths of the whole clip.

    Parameters
    ----------
    points : ndarray, shape (T, 33, 3)
        Lab-frame landmarks, m (X forward, Y up, Z right), filtered. NaN where unknown.
    model : BodyModel
        Segment parameters.
    t : ndarray, shape (T,)
        Capture times, s, strictly increasing.
    chunk : int
        Frames per block.

    Returns
    -------
    BodyMomentum
        Segment momenta, whole-body COM and its velocity, segment lengths.
    """
    points = np.asarray(points, dtype=float)
    t = np.asarray(t, dtype=float)
    n = points.shape[0]
    if n <= chunk + 2:
        seg = compute_segment_kinematics(points, model, t)
        h = compute_segment_momentum(
            seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
        )
        return BodyMomentum(h, seg.body_com, seg.body_com_velocity, seg.length_m)
    length_m = compute_segment_lengths(points, model)
    equal = _equal_intervals(t)
    h = np.empty((n, model.n_segments, 3))
    com = np.empty((n, 3))
    vel = np.empty((n, 3))
    a = 0
    while a < n:
        b = min(n, a + chunk)
        lo, hi = a - 1 if a else 0, min(n, b + 1)
        # np.gradient picks its formula by whether the intervals are all equal: a block must pick as the
        # whole clip does (widen it until it does; the whole clip always does)
        while _equal_intervals(t[lo:hi]) != equal:
            b = min(n, b + chunk)
            hi = min(n, b + 1)
            if b == n:
                lo = max(0, lo - chunk)
        seg = compute_segment_kinematics(points[lo:hi], model, t[lo:hi], length_m=length_m)
        i, j = a - lo, b - lo
        h[a:b] = compute_segment_momentum(
            seg.com[i:j], seg.com_velocity[i:j], seg.inertia_lab[i:j], seg.omega[i:j], seg.mass_kg,
            seg.body_com[i:j], seg.body_com_velocity[i:j],
        )  # fmt: skip
        com[a:b] = seg.body_com[i:j]
        vel[a:b] = seg.body_com_velocity[i:j]
        del seg
        a = b
    return BodyMomentum(h, com, vel, length_m)


def segment_groups(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Boolean masks (S,) of the fixed segment groups.

    Parameters
    ----------
    names : tuple of str
        Segment names such as ``"left_thigh"``, ``"trunk"``.

    Returns
    -------
    dict of str to ndarray of bool
        ``left_leg``, ``right_leg``, ``arms``, ``axial`` (trunk + head), ``lower``, ``upper``.
    """
    names_a = list(names)
    left_leg = np.array([n in {f"left_{p}" for p in _LEG_PARTS} for n in names_a])
    right_leg = np.array([n in {f"right_{p}" for p in _LEG_PARTS} for n in names_a])
    axial = np.array([n in ("trunk", "head") for n in names_a])
    lower = left_leg | right_leg
    upper = ~lower
    arms = upper & ~axial
    return {
        "left_leg": left_leg,
        "right_leg": right_leg,
        "arms": arms,
        "axial": axial,
        "lower": lower,
        "upper": upper,
    }


def compute_group_momenta(
    segment_h: np.ndarray,
    names: tuple[str, ...],
    push_side: np.ndarray,
    left_weight: np.ndarray | None = None,
) -> GroupMomenta:
    """Sum segment momenta into the push / swing / lower / upper / total groups.

    Parameters
    ----------
    segment_h : ndarray, shape (T, S, 3)
        Segment angular momentum about the whole-body COM, kg*m^2/s.
    names : tuple of str
        Segment names.
    push_side : ndarray of int, shape (T,)
        0 left, 1 right, -1 unknown: the stance (pushing) leg.
    left_weight : ndarray, shape (T,), optional
        Probability in [0, 1] that the left leg is the push leg (NaN = unknown), e.g. from
        :func:`~sprintbal.kinematics.events.compute_push_weight`; replaces ``push_side`` when given.
        The push group then holds ``w`` of the left leg and ``1 - w`` of the right, the swing group
        the rest (the expected group momenta when the switch time is uncertain).

    Returns
    -------
    GroupMomenta
        push = stance leg + both arms + trunk + head; swing = the other leg; lower = both
        legs; upper = arms + trunk + head; total = all. push and swing are NaN where the
        push side is unknown; push + swing = lower + upper = total elsewhere.
    """
    h = np.asarray(segment_h, float)
    side = np.asarray(push_side)
    g = segment_groups(names)

    def gsum(mask: np.ndarray) -> np.ndarray:
        return np.asarray(h[:, mask, :].sum(axis=1))

    left = gsum(g["left_leg"])
    right = gsum(g["right_leg"])
    upper = gsum(g["upper"])
    lower = left + right
    total = h.sum(axis=1)
    if left_weight is None:
        w = np.where(side == SIDE_LEFT, 1.0, np.where(side == SIDE_RIGHT, 0.0, np.nan))
    else:
        w = np.clip(np.asarray(left_weight, dtype=float), 0.0, 1.0)
    w = w[:, None]
    with np.errstate(invalid="ignore"):
        stance = np.where(w >= 1.0, left, np.where(w <= 0.0, right, w * left + (1.0 - w) * right))
        swing = np.where(w >= 1.0, right, np.where(w <= 0.0, left, (1.0 - w) * left + w * right))
    return GroupMomenta(push=stance + upper, swing=swing, lower=lower, upper=upper, total=total)


def normalisation_factor(mass_kg: float, height_m: float, g: float = G) -> float:
    """Return the momentum scale M * h * sqrt(g * h), kg*m^2/s.

    Parameters
    ----------
    mass_kg : float
        Body mass M, kg.
    height_m : float
        Standing height h, m.
    g : float
        Gravity, m/s^2.

    Returns
    -------
    float
        Divide any angular momentum by this for the dimensionless form (as biorbd's gait tools).
    """
    return float(mass_kg * height_m * math.sqrt(g * height_m))
