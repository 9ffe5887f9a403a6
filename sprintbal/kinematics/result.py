"""Containers produced by the kinematics stage. Time is axis 0 (T frames).

Lab frame: X forward (direction of travel), Y up, Z to the runner's right; see
:mod:`sprintbal.kinematics`. Angular momentum in kg*m^2/s about the whole-body
centre of mass, components along the lab axes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Phase codes in :attr:`Kinematics.phase`.
PHASE_UNKNOWN, PHASE_FLIGHT, PHASE_LEFT, PHASE_RIGHT, PHASE_DOUBLE = -1, 0, 1, 2, 3
#: Side codes in :attr:`Kinematics.push_side` and :attr:`Steps.foot`.
SIDE_UNKNOWN, SIDE_LEFT, SIDE_RIGHT = -1, 0, 1
#: Axis indices into the last dimension of momentum arrays.
AXIS_X, AXIS_Y, AXIS_Z = 0, 1, 2
#: Names of the two axes the balance analysis uses, by index.
AXIS_NAMES = {AXIS_Y: "vertical", AXIS_Z: "mediolateral"}


@dataclass(frozen=True)
class Steps:
    """Ground contacts found in a clip, one entry per contact (n contacts).

    Attributes
    ----------
    foot : ndarray of int8, shape (n,)
        Which foot: 0 left, 1 right.
    touchdown_t, toeoff_t : ndarray, shape (n,)
        Event times in seconds, interpolated between frames; NaN if outside the clip.
    contact_s : ndarray, shape (n,)
        Contact time (toe-off minus touchdown), seconds.
    flight_s : ndarray, shape (n,)
        Flight time from this toe-off to the next touchdown of either foot, seconds; NaN for the last.
    step_s : ndarray, shape (n,)
        Step time from this touchdown to the next touchdown (other foot), seconds; NaN for the last.
    step_length_m : ndarray, shape (n,)
        Forward distance between this foot's contact point and the next contact of the other foot,
        metres; NaN where scale or the next contact is unknown (or on a treadmill).
    speed_mps : ndarray, shape (n,)
        Mean forward speed of the centre of mass over the step, m/s; NaN where unknown.
    timing_uncertainty_s : float
        Frame-rate-limited uncertainty of each event time, seconds (half a frame interval
        combined with the method's own error).
    """

    foot: np.ndarray
    touchdown_t: np.ndarray
    toeoff_t: np.ndarray
    contact_s: np.ndarray
    flight_s: np.ndarray
    step_s: np.ndarray
    step_length_m: np.ndarray
    speed_mps: np.ndarray
    timing_uncertainty_s: float

    def __post_init__(self) -> None:
        n = int(np.asarray(self.foot).shape[0])
        for name in ("touchdown_t", "toeoff_t", "contact_s", "flight_s", "step_s", "step_length_m", "speed_mps"):
            if np.asarray(getattr(self, name)).shape != (n,):
                raise ValueError(f"Steps.{name} must have shape ({n},)")

    @property
    def n(self) -> int:
        """Number of contacts."""
        return int(self.foot.shape[0])

    @classmethod
    def empty(cls, timing_uncertainty_s: float = float("nan")) -> Steps:
        """Return a Steps with no contacts."""
        e = np.zeros(0)
        return cls(np.zeros(0, np.int8), e, e, e, e, e, e, e, timing_uncertainty_s)


@dataclass(frozen=True)
class GroupMomenta:
    """Angular momentum of segment groups about the whole-body COM, kg*m^2/s, shape (T, 3) each.

    Attributes
    ----------
    push : ndarray, shape (T, 3)
        Push side: stance (pushing) leg + both arms + trunk + head.
    swing : ndarray, shape (T, 3)
        Swing side: the swing leg (thigh, shank, foot).
    lower : ndarray, shape (T, 3)
        Both legs.
    upper : ndarray, shape (T, 3)
        Arms + trunk + head.
    total : ndarray, shape (T, 3)
        Whole body (push + swing = lower + upper).
    """

    push: np.ndarray
    swing: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    total: np.ndarray


@dataclass(frozen=True)
class Kinematics:
    """Everything the kinematics stage found in one clip. Time is axis 0 (T frames).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Capture time, seconds.
    points : ndarray, shape (T, 33, 3)
        Cleaned landmarks in the lab frame, metres (X forward, Y up, Z right). NaN where unknown.
    com : ndarray, shape (T, 3)
        Whole-body centre of mass, metres, lab frame.
    com_velocity : ndarray, shape (T, 3)
        Its velocity, m/s.
    phase : ndarray of int8, shape (T,)
        -1 unknown, 0 flight, 1 left foot on the ground, 2 right foot, 3 both.
    push_side : ndarray of int8, shape (T,)
        -1 unknown, 0 left, 1 right: the stance leg, and in flight the leg given by the flight rule.
    segment_names : tuple of str
        The S segments, e.g. ``"left_thigh"``.
    segment_h : ndarray, shape (T, S, 3)
        Each segment's angular momentum about the whole-body COM (remote + local), kg*m^2/s.
    groups : GroupMomenta
        Group sums, kg*m^2/s.
    norm_factor : float
        M * h * sqrt(g * h), kg*m^2/s: divide any momentum by it for the dimensionless form.
    frame_confidence : ndarray, shape (T,)
        In [0, 1]: how well the landmarks behind each frame were seen.
    axis_confidence : dict of str to float
        In [0, 1] per axis name ("vertical", "mediolateral"): how far momentum about that axis
        can be trusted from this camera view.
    steps : Steps
        Ground contacts.
    is_running : bool
        Whether the clip shows running (False for walking, jumping, standing).
    running_reason : str
        One sentence on why ``is_running`` is what it is.
    info : dict
        Scalars for the report: scale (m per px), direction, treadmill flag, cut-off (Hz),
        cleaning counts, depth method, flight rule.
    """

    t: np.ndarray
    points: np.ndarray
    com: np.ndarray
    com_velocity: np.ndarray
    phase: np.ndarray
    push_side: np.ndarray
    segment_names: tuple[str, ...]
    segment_h: np.ndarray
    groups: GroupMomenta
    norm_factor: float
    frame_confidence: np.ndarray
    axis_confidence: dict[str, float]
    steps: Steps
    is_running: bool
    running_reason: str
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = int(np.asarray(self.t).shape[0])
        s = len(self.segment_names)
        expected = {
            "points": (n, 33, 3),
            "com": (n, 3),
            "com_velocity": (n, 3),
            "phase": (n,),
            "push_side": (n,),
            "segment_h": (n, s, 3),
            "frame_confidence": (n,),
        }
        for name, shape in expected.items():
            if np.asarray(getattr(self, name)).shape != shape:
                raise ValueError(
                    f"Kinematics.{name} has shape {np.asarray(getattr(self, name)).shape}, expected {shape}"
                )
        for name in ("push", "swing", "lower", "upper", "total"):
            if getattr(self.groups, name).shape != (n, 3):
                raise ValueError(f"GroupMomenta.{name} must have shape ({n}, 3)")
