"""Segment angular momentum about the whole-body centre of mass, and group sums.

For segment i (BIOMECHANICS.md section 1)::

    H_i = (r_i - r_com) x m_i (v_i - v_com)  +  I_i,lab w_i
          "remote" term                         "local" term

in kg*m^2/s, lab axes (X forward, Y up, Z right). H_y > 0 turns +Z toward +X
(counter-clockwise seen from above), H_z > 0 turns +X toward +Y.
"""

from __future__ import annotations

import math

import numpy as np

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
