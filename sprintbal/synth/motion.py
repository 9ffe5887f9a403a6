"""A 3D parametric sprint motion with a known answer (pure numpy).

Lab frame (metres): X forward (direction of travel), Y up, Z to the runner's right;
the ground is the plane Y = 0. Joints are named and ordered as BlazePose's 33
landmarks (:mod:`sprintbal.pose.landmarks`).

How the motion is built
-----------------------
- The pelvis centre (mid-hip) moves forward at constant ``speed_mps`` and bobs
  vertically once per step (lowest at mid-stance). The pelvis turns about the
  vertical axis with the legs; the thorax (shoulders) counter-rotates.
- Stance: the foot's toe tip (``*_foot_index``) is planted at a fixed point on the
  ground from touchdown to toe-off (the foot rolls about it: the heel rises as the
  ankle plantarflexes toward toe-off), and the hip and knee are solved by 2-link
  inverse kinematics from the hip joint to the ankle, knee forward. The stance foot
  therefore does not slide: its toe tip is exactly still and exactly at Y = 0.
- Swing: thigh angle, knee flexion and ankle angle follow cubic Hermite curves whose
  values and rates match the stance solution at toe-off and at the next touchdown,
  so joint paths are continuous with continuous velocity.
- Arms swing in opposition to the legs (shoulder flexion/extension with the elbow
  closing in front and opening behind); head points come from a head model that
  follows the thorax partly.
- Perturbations modify arms, trunk yaw or the swing leg only inside their window,
  with smooth onset and offset; the stance legs and foot contacts never change.

The motion is kinematic (no dynamics): whole-body angular momentum is not conserved in
flight the way a real body's is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from sprintbal.errors import ConfigError
from sprintbal.pose.landmarks import INDEX, N_LANDMARKS

PerturbationKind = Literal[
    "arm_drop_left",
    "arm_drop_right",
    "arm_drop_both",
    "swing_leg_lag_left",
    "swing_leg_lag_right",
    "trunk_over_rotation",
]
PERTURBATION_KINDS: tuple[str, ...] = get_args(PerturbationKind)

#: Leg/foot order used by every (T, 2) array here: 0 left, 1 right (as ``SIDE_LEFT``/``SIDE_RIGHT``).
SIDES: tuple[str, str] = ("left", "right")


@dataclass(frozen=True)
class SprintParams:
    """Parameters of the synthetic sprint.

    Attributes
    ----------
    speed_mps : float
        Forward speed of the pelvis, m/s (constant).
    step_freq_hz : float
        Steps per second (a stride is two steps).
    contact_fraction : float
        Ground-contact share of a step (0.45 at 8 m/s and 4.4 Hz gives 0.102 s contacts).
    height_m : float
        Standing height, metres; every segment length scales with it.
    mass_kg : float
        Body mass (carried in the truth for momentum computations).
    arm_drive : float
        Scale of the shoulder swing amplitude (1 = typical sprint arm action).
    trunk_yaw_amp_deg : float
        Amplitude of the thorax (shoulder line) rotation about the vertical axis.
    pelvis_yaw_amp_deg : float
        Amplitude of the pelvis rotation about the vertical axis (opposite to the thorax).
    trunk_lean_deg : float
        Forward lean of the trunk from vertical (the mean, when it pitches).
    trunk_pitch_amp_deg : float
        Amplitude of the trunk's forward-backward pitch once per step, degrees: most upright at each
        touchdown, most inclined half a step later (the DeepMimic run's hip-to-shoulder line swings 18-30
        degrees this way, the jog 6.6-12.3). 0 (default): a constant lean.
    vertical_osc_m : float
        Peak-to-peak vertical oscillation of the pelvis, metres.
    touchdown_ahead : float
        Share of the stance distance (speed * contact time) in front of the pelvis at touchdown.
    duration_s : float
        Default clip duration, seconds.
    start_x : float
        Pelvis X at t = 0, metres.
    first_touchdown_s : float
        Time of the first right-foot touchdown, seconds (the left lands half a stride later).
    lane_z : float
        Z of the runner's line, metres.
    """

    speed_mps: float = 8.0
    step_freq_hz: float = 4.4
    contact_fraction: float = 0.45
    height_m: float = 1.80
    mass_kg: float = 75.0
    arm_drive: float = 1.0
    trunk_yaw_amp_deg: float = 10.0
    pelvis_yaw_amp_deg: float = 8.0
    trunk_lean_deg: float = 8.0
    trunk_pitch_amp_deg: float = 0.0
    vertical_osc_m: float = 0.05
    touchdown_ahead: float = 0.50
    duration_s: float = 3.0
    start_x: float = 0.0
    first_touchdown_s: float = 0.05
    lane_z: float = 0.0

    def __post_init__(self) -> None:
        checks = (
            ("speed_mps", 2.0, 13.0),
            ("step_freq_hz", 2.0, 6.0),
            ("contact_fraction", 0.2, 0.7),
            ("height_m", 1.2, 2.3),
            ("mass_kg", 30.0, 200.0),
            ("arm_drive", 0.0, 2.0),
            ("trunk_yaw_amp_deg", 0.0, 40.0),
            ("pelvis_yaw_amp_deg", 0.0, 30.0),
            ("trunk_lean_deg", -10.0, 45.0),
            ("trunk_pitch_amp_deg", 0.0, 15.0),
            ("vertical_osc_m", 0.0, 0.15),
            ("touchdown_ahead", 0.1, 0.7),
            ("duration_s", 0.05, 120.0),
        )
        for name, lo, hi in checks:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
                raise ConfigError(f"synthetic sprint {name} must be between {lo:g} and {hi:g}, got {value}")

    @property
    def stride_period_s(self) -> float:
        """Time of one stride (two steps), seconds."""
        return 2.0 / self.step_freq_hz

    @property
    def contact_s(self) -> float:
        """Ground-contact time of one step, seconds."""
        return self.contact_fraction / self.step_freq_hz

    @property
    def step_length_m(self) -> float:
        """Forward distance per step, metres."""
        return self.speed_mps / self.step_freq_hz


@dataclass(frozen=True)
class Perturbation:
    """A smooth, windowed change of the motion that upsets rotational balance.

    Attributes
    ----------
    kind : str
        One of :data:`PERTURBATION_KINDS`: ``arm_drop_*`` (arm swing shrinks and the elbow
        opens; from strength 1 on the arm stops driving: held still relative to the thorax),
        ``swing_leg_lag_*`` (that leg's recovery is delayed within each swing),
        ``trunk_over_rotation`` (thorax yaw amplitude grows).
    start_s, end_s : float
        Window, seconds; the change is zero outside it and ramps in and out inside it.
    strength : float
        0 (no change) to 1 (full effect); up to 1.2 allowed.
    """

    kind: str
    start_s: float
    end_s: float
    strength: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in PERTURBATION_KINDS:
            raise ConfigError(f"unknown perturbation {self.kind!r}; choose one of {', '.join(PERTURBATION_KINDS)}")
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s)) or self.end_s <= self.start_s:
            raise ConfigError(
                f"perturbation {self.kind} window must have end > start, got {self.start_s}..{self.end_s}"
            )
        if not 0.0 <= self.strength <= 1.2:
            raise ConfigError(f"perturbation {self.kind} strength must be between 0 and 1.2, got {self.strength}")

    def envelope(self, t: np.ndarray) -> np.ndarray:
        """Return the effect's weight in [0, 1] at times ``t`` (zero outside the window).

        Parameters
        ----------
        t : ndarray, shape (T,)
            Times, seconds.

        Returns
        -------
        ndarray, shape (T,)
            Smoothstep ramp over ``min(0.1 s, window / 4)`` at each end, 1 in between.
        """
        t = np.asarray(t, dtype=float)
        ramp = min(0.1, (self.end_s - self.start_s) / 4.0)
        up = _smoothstep((t - self.start_s) / ramp)
        down = _smoothstep((self.end_s - t) / ramp)
        return np.minimum(up, down)

    def to_dict(self) -> dict[str, float | str]:
        """Return the perturbation as plain data."""
        return {"kind": self.kind, "start_s": self.start_s, "end_s": self.end_s, "strength": self.strength}


def parse_perturbation(spec: str) -> Perturbation:
    """Parse ``KIND:START:END[:STRENGTH]`` (seconds; strength 0..1.2, default 1).

    Parameters
    ----------
    spec : str
        E.g. ``"arm_drop_left:1.0:2.0:0.8"``.

    Returns
    -------
    Perturbation

    Raises
    ------
    ConfigError
        One line naming the problem.
    """
    parts = spec.strip().split(":")
    if len(parts) not in (3, 4):
        raise ConfigError(f"perturbation {spec!r} must be KIND:START:END[:STRENGTH]")
    kind = parts[0].strip()
    if kind not in PERTURBATION_KINDS:
        raise ConfigError(f"unknown perturbation {kind!r} in {spec!r}; choose one of {', '.join(PERTURBATION_KINDS)}")
    try:
        nums = [float(p) for p in parts[1:]]
    except ValueError:
        raise ConfigError(f"perturbation {spec!r}: START, END and STRENGTH must be numbers") from None
    if not all(math.isfinite(v) for v in nums):
        raise ConfigError(f"perturbation {spec!r}: START, END and STRENGTH must be finite")
    strength = nums[2] if len(nums) == 3 else 1.0
    return Perturbation(kind, nums[0], nums[1], strength)


@dataclass(frozen=True)
class Motion3D:
    """A motion with its known answer. Time is axis 0 (T frames).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times, seconds.
    joints : ndarray, shape (T, 33, 3)
        BlazePose-named joints in the lab frame, metres (X forward, Y up, Z right).
    contact : ndarray of bool, shape (T, 2)
        Whether each foot (0 left, 1 right) is on the ground.
    touchdown_t : tuple of two ndarrays
        Touchdown times per foot (left, right), seconds, within ``[t[0], t[-1]]``.
    toeoff_t : tuple of two ndarrays
        Toe-off times per foot (left, right), seconds, within ``[t[0], t[-1]]``.
    height_m : float
        Standing height of the body, metres.
    source : str
        ``"parametric"``, ``"csv"`` or ``"deepmimic"``.
    extras : dict of str to ndarray
        Optional per-frame curves, e.g. ``pelvis_yaw_deg`` (T,), ``thorax_yaw_deg`` (T,),
        ``knee_flexion_deg`` (T, 2), ``thigh_angle_deg`` (T, 2).
    """

    t: np.ndarray
    joints: np.ndarray
    contact: np.ndarray
    touchdown_t: tuple[np.ndarray, np.ndarray]
    toeoff_t: tuple[np.ndarray, np.ndarray]
    height_m: float
    source: str = "parametric"
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = int(np.asarray(self.t).shape[0])
        if np.asarray(self.joints).shape != (n, N_LANDMARKS, 3):
            raise ValueError(f"Motion3D.joints has shape {np.asarray(self.joints).shape}, expected {(n, 33, 3)}")
        if np.asarray(self.contact).shape != (n, 2):
            raise ValueError(f"Motion3D.contact has shape {np.asarray(self.contact).shape}, expected {(n, 2)}")


# --------------------------------------------------------------------------- body dimensions


@dataclass(frozen=True)
class BodyDims:
    """Segment lengths and offsets (metres) scaled from standing height (Winter/Drillis proportions)."""

    height: float
    thigh: float
    shank: float
    hip_half_width: float
    shoulder_half_width: float
    trunk: float
    upper_arm: float
    forearm: float
    hand: float
    toe_ahead: float  # toe tip ahead of the ankle joint, foot flat
    ankle_height: float  # ankle joint above the sole
    heel_back: float  # heel landmark behind the ankle
    heel_height: float  # heel landmark above the sole
    foot_track_half: float  # lateral offset of the foot line from the body's line
    neck: float  # mid-shoulder to ear midpoint

    @classmethod
    def from_height(cls, h: float) -> BodyDims:
        """Return the dimensions of a body ``h`` metres tall."""
        return cls(
            height=h,
            thigh=0.245 * h,
            shank=0.246 * h,
            hip_half_width=0.052 * h,
            shoulder_half_width=0.106 * h,
            trunk=0.288 * h,
            upper_arm=0.186 * h,
            forearm=0.146 * h,
            hand=0.108 * h,
            toe_ahead=0.122 * h,
            ankle_height=0.039 * h,
            heel_back=0.030 * h,
            heel_height=0.011 * h,
            foot_track_half=0.035 * h,
            neck=0.110 * h,
        )


#: Head landmarks in the head frame (forward, up, right) per metre of height, origin at the ear midpoint.
_HEAD_POINTS: dict[str, tuple[float, float, float]] = {
    "nose": (0.060, -0.012, 0.0),
    "left_eye_inner": (0.049, 0.008, -0.010),
    "left_eye": (0.046, 0.009, -0.019),
    "left_eye_outer": (0.040, 0.009, -0.027),
    "right_eye_inner": (0.049, 0.008, 0.010),
    "right_eye": (0.046, 0.009, 0.019),
    "right_eye_outer": (0.040, 0.009, 0.027),
    "left_ear": (0.0, 0.0, -0.042),
    "right_ear": (0.0, 0.0, 0.042),
    "mouth_left": (0.053, -0.037, -0.014),
    "mouth_right": (0.053, -0.037, 0.014),
}


#: Stance foot pitch (heel up, degrees) at 0, 35, 70 and 100% of the contact: forefoot landing, roll, push-off.
_PITCH_KEYS_DEG: tuple[float, float, float, float] = (8.0, 5.0, 16.0, 55.0)
#: Highest mean pelvis height as a share of the standing hip height.
_HIP_HEIGHT_CAP = 0.98
#: Extra dorsiflexion at 85% of the swing, degrees.
_LATE_SWING_DORSI_DEG = 6.0

# --------------------------------------------------------------------------- helpers


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _hermite(knots: Sequence[float], values: Sequence[float], slopes: Sequence[float], s: np.ndarray) -> np.ndarray:
    """Piecewise cubic Hermite curve through (knots, values) with given slopes, evaluated at s."""
    k = np.asarray(knots, float)
    v = np.asarray(values, float)
    m = np.asarray(slopes, float)
    s = np.asarray(s, float)
    i = np.clip(np.searchsorted(k, s, side="right") - 1, 0, len(k) - 2)
    h = k[i + 1] - k[i]
    u = (s - k[i]) / h
    h00 = 2 * u**3 - 3 * u**2 + 1
    h10 = u**3 - 2 * u**2 + u
    h01 = -2 * u**3 + 3 * u**2
    h11 = u**3 - u**2
    return h00 * v[i] + h10 * h * m[i] + h01 * v[i + 1] + h11 * h * m[i + 1]


def _catmull(knots: Sequence[float], values: Sequence[float], fixed: dict[int, float]) -> list[float]:
    """Slopes: given where fixed, else the centred difference of the neighbours (0 at free ends)."""
    out = []
    n = len(knots)
    for j in range(n):
        if j in fixed:
            out.append(fixed[j])
        elif 0 < j < n - 1:
            out.append((values[j + 1] - values[j - 1]) / (knots[j + 1] - knots[j - 1]))
        else:
            out.append(0.0)
    return out


def rot_y(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices about the vertical axis, shape (..., 3, 3); positive takes +Z toward +X."""
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(c), np.ones_like(c)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def ik_two_link(hip: np.ndarray, end: np.ndarray, l1: float, l2: float, pole: np.ndarray) -> np.ndarray:
    """Middle joint of a 2-link chain from ``hip`` to ``end``, bent toward ``pole``.

    Parameters
    ----------
    hip, end : ndarray, shape (..., 3)
        Chain root and end positions.
    l1, l2 : float
        Link lengths.
    pole : ndarray, shape (..., 3) or (3,)
        Direction the middle joint points to (e.g. forward for a knee).

    Returns
    -------
    ndarray, shape (..., 3)
        The middle joint. If the end is out of reach the chain is straightened toward it.
    """
    d_vec = end - hip
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    d = np.clip(d, abs(l1 - l2) + 1e-9, l1 + l2 - 1e-12)
    u = d_vec / d
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = np.sqrt(np.maximum(l1 * l1 - a * a, 0.0))
    p = np.broadcast_to(pole, d_vec.shape)
    p = p - np.sum(p * u, axis=-1, keepdims=True) * u
    p = p / np.linalg.norm(p, axis=-1, keepdims=True)
    return hip + a * u + h * p


def _ik_2d(hip: np.ndarray, ankle: np.ndarray, l1: float, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Thigh and shank angles (from straight down, positive forward) of a planar leg, knee forward."""
    dx = ankle[..., 0] - hip[..., 0]
    dy = ankle[..., 1] - hip[..., 1]
    d = np.sqrt(dx * dx + dy * dy)
    if np.any(d > l1 + l2):
        raise ConfigError("synthetic sprint stance is too long for the leg: lower the speed or contact fraction")
    beta = math.pi / 2 + np.arctan2(dy, dx)  # direction of hip->ankle from straight down, positive forward
    cos_a = np.clip((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d), -1, 1)
    alpha = np.arccos(cos_a)  # thigh deviation from the hip->ankle line, knee forward
    thigh = beta + alpha
    kx = hip[..., 0] + l1 * np.sin(thigh)
    ky = hip[..., 1] - l1 * np.cos(thigh)
    shank = np.arctan2(ankle[..., 0] - kx, -(ankle[..., 1] - ky))
    return thigh, shank


def _rot2(angle: np.ndarray, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    c, s = np.cos(angle), np.sin(angle)
    return x * c - y * s, x * s + y * c


# --------------------------------------------------------------------------- the motion


class _Gait:
    """Everything that depends only on the parameters (shared by both legs and all times)."""

    def __init__(self, p: SprintParams) -> None:
        self.p = p
        self.b = BodyDims.from_height(p.height_m)
        self.P = p.stride_period_s
        self.tc = p.contact_s
        self.ts = self.P - self.tc
        self.d_stance = p.speed_mps * self.tc
        # Foot pitch (heel up, radians) over stance progress s in [0, 1]: forefoot landing, roll, push-off.
        self.pitch_knots = (0.0, 0.35, 0.7, 1.0)
        self.pitch_vals = tuple(np.radians(v) for v in _PITCH_KEYS_DEG)
        self.pitch_slopes = _catmull(self.pitch_knots, self.pitch_vals, {})
        self.pitch_slopes[0] = (self.pitch_vals[1] - self.pitch_vals[0]) / 0.35
        self.pitch_slopes[-1] = 2.2 * (self.pitch_vals[3] - self.pitch_vals[2]) / 0.3
        b = self.b
        self.l1, self.l2 = b.thigh, b.shank
        # Mean pelvis height: 98% of standing hip height, lowered so the stance leg reaches at touchdown and
        # toe-off with the hip-ankle distance at most 98% of the leg length.
        nominal = _HIP_HEIGHT_CAP * (b.thigh + b.shank + b.ankle_height)
        amp = p.vertical_osc_m / 2
        limit = 0.98 * (b.thigh + b.shank) - b.hip_half_width * math.sin(math.radians(p.pelvis_yaw_amp_deg))
        bound = nominal
        for s_edge in (0.0, 1.0):
            ax, ay = self._stance_ankle_rel(np.array([s_edge]))
            # pelvis X minus ankle X at this instant
            dx = float(ax[0])
            phase = 2 * math.pi * p.step_freq_hz * (s_edge - 0.5) * self.tc
            y_rel = -amp * math.cos(phase)
            if abs(dx) >= limit:
                raise ConfigError(
                    "synthetic sprint stance is too long for the leg: lower speed_mps, contact_fraction or "
                    "touchdown_ahead"
                )
            bound = min(bound, float(ay[0]) + math.sqrt(limit * limit - dx * dx) - y_rel)
        self.y_mean = bound
        self.thigh_peak = math.radians(min(80.0, 30.0 + 5.0 * p.speed_mps))
        self.knee_peak = math.radians(min(140.0, 70.0 + 7.0 * p.speed_mps))

    def _stance_ankle_rel(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ankle X relative to the pelvis centre and ankle height, over stance progress s (no yaw)."""
        pitch = self.pitch(s)
        toe_rel_x = self.d_stance * (self.p.touchdown_ahead - s)
        rx, ry = _rot2(-pitch, self.b.toe_ahead, -self.b.ankle_height)
        return toe_rel_x - rx, -ry

    def pitch(self, s: np.ndarray) -> np.ndarray:
        return _hermite(self.pitch_knots, self.pitch_vals, self.pitch_slopes, s)

    def pelvis(self, t: np.ndarray) -> np.ndarray:
        """Pelvis centre (mid-hip), shape (T, 3)."""
        p = self.p
        x = p.start_x + p.speed_mps * t
        t_mid = p.first_touchdown_s + self.tc / 2
        y = self.y_mean - p.vertical_osc_m / 2 * np.cos(2 * np.pi * p.step_freq_hz * (t - t_mid))
        return np.stack([x, y, np.full_like(t, p.lane_z)], -1)

    def stride_phase(self, t: np.ndarray) -> np.ndarray:
        """Right-leg stride phase in [0, 1): 0 at right touchdown."""
        return np.mod((t - self.p.first_touchdown_s) / self.P, 1.0)

    def swing_cycle(self, t: np.ndarray) -> np.ndarray:
        """Right-leg swing cycle: cos of the stride phase relative to the right thigh's fundamental peak.

        The thigh is furthest back at toe-off (phase tc/P) and furthest forward at 60% of the swing; the
        fundamental of that curve peaks half-way between the peak and the trough shifted by half a cycle.
        """
        c = self.tc / self.P
        peak = 0.5 * ((c + 0.6 * (1.0 - c)) + (c + 0.5))
        return np.cos(2 * np.pi * (self.stride_phase(t) - peak))


#: Lab unit vectors: forward (+X), up (+Y) and to the runner's right (+Z).
_FORWARD = np.array([1.0, 0.0, 0.0])
_UP = np.array([0.0, 1.0, 0.0])
_RIGHT = np.array([0.0, 0.0, 1.0])


def _side_sign(side: int) -> float:
    """Return +1 for the right side (1) and -1 for the left side (0): the sign of its Z offset."""
    return 1.0 if side == 1 else -1.0


def _perturbation_weights(t: np.ndarray, perturbations: Sequence[Perturbation]) -> dict[str, np.ndarray]:
    """Return each perturbation kind's weight over time.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Times, seconds.
    perturbations : sequence of Perturbation
        Windowed changes; several of one kind combine by their maximum.

    Returns
    -------
    dict of str to ndarray, shape (T,)
        Every kind of :data:`PERTURBATION_KINDS` (zeros where absent): strength times envelope.
    """
    env = {k: np.zeros(t.shape[0]) for k in PERTURBATION_KINDS}
    for pert in perturbations:
        env[pert.kind] = np.maximum(env[pert.kind], pert.strength * pert.envelope(t))
    return env


@dataclass(frozen=True)
class _Trunk:
    """Pelvis and thorax over time (lab metres, radians).

    Attributes
    ----------
    pelvis : ndarray, shape (T, 3)
        Pelvis centre (mid-hip).
    cycle : ndarray, shape (T,)
        Right-leg swing cycle (:meth:`_Gait.swing_cycle`).
    pelvis_yaw, thorax_yaw : ndarray, shape (T,)
        Rotations about the vertical axis, radians.
    thorax_rot : ndarray, shape (T, 3, 3)
        Thorax rotation (:func:`rot_y` of ``thorax_yaw``).
    hips, shoulders : dict of str to ndarray, shape (T, 3)
        Hip and shoulder joints by side name.
    mid_shoulder : ndarray, shape (T, 3)
        Mid-point of the shoulders.
    lean : ndarray, shape (T,)
        Forward trunk lean, radians.
    """

    pelvis: np.ndarray
    cycle: np.ndarray
    pelvis_yaw: np.ndarray
    thorax_yaw: np.ndarray
    thorax_rot: np.ndarray
    hips: dict[str, np.ndarray]
    shoulders: dict[str, np.ndarray]
    mid_shoulder: np.ndarray
    lean: np.ndarray


def _trunk_motion(g: _Gait, t: np.ndarray, env: dict[str, np.ndarray]) -> _Trunk:
    """Pelvis bob and yaw, counter-rotating thorax (grown by ``trunk_over_rotation``), hips and shoulders.

    Parameters
    ----------
    g : _Gait
        Gait constants.
    t : ndarray, shape (T,)
        Times, seconds.
    env : dict of str to ndarray
        Perturbation weights (:func:`_perturbation_weights`).

    Returns
    -------
    _Trunk
    """
    p, b = g.p, g.b
    pelvis = g.pelvis(t)
    cyc = g.swing_cycle(t)
    psi_p = np.radians(p.pelvis_yaw_amp_deg) * cyc
    trunk_amp = np.radians(p.trunk_yaw_amp_deg) * (1.0 + 1.5 * env["trunk_over_rotation"])
    psi_t = -trunk_amp * cyc
    rp, rt = rot_y(psi_p), rot_y(psi_t)
    hip_off = rp @ _RIGHT * b.hip_half_width  # (T, 3): right hip minus pelvis centre
    step_phase = np.mod((t - p.first_touchdown_s) * p.step_freq_hz, 1.0)
    lean = math.radians(p.trunk_lean_deg) - math.radians(p.trunk_pitch_amp_deg) * np.cos(2 * np.pi * step_phase)
    up_t = np.stack([np.sin(lean), np.cos(lean), np.zeros_like(lean)], -1)
    mid_sh = pelvis + b.trunk * up_t
    sh_off = rt @ _RIGHT * b.shoulder_half_width
    return _Trunk(
        pelvis=pelvis,
        cycle=cyc,
        pelvis_yaw=psi_p,
        thorax_yaw=psi_t,
        thorax_rot=rt,
        hips={"left": pelvis - hip_off, "right": pelvis + hip_off},
        shoulders={"left": mid_sh - sh_off, "right": mid_sh + sh_off},
        mid_shoulder=mid_sh,
        lean=lean,
    )


def _stance_state(g: _Gait, tt: np.ndarray, side: int, t_first: float) -> dict[str, np.ndarray]:
    """Solve a stance leg: toe planted, ankle from the foot pitch, hip and knee by planar IK.

    Parameters
    ----------
    g : _Gait
        Gait constants.
    tt : ndarray, shape (N,)
        Times inside (or at the edges of) the leg's contacts, seconds.
    side : int
        0 left, 1 right.
    t_first : float
        The leg's first touchdown time, seconds (contacts repeat every stride).

    Returns
    -------
    dict of str to ndarray
        ``toe``, ``ankle``, ``hip`` (N, 3) lab metres; ``thigh``, ``shank`` (N,) angles from straight
        down, + forward, radians; ``foot`` (N,) foot angle (minus the heel-up pitch), radians.
    """
    p, b = g.p, g.b
    k = np.floor((tt - t_first) / g.P + 1e-9)
    t_td = t_first + k * g.P
    s = (tt - t_td) / g.tc
    sign = _side_sign(side)
    toe = np.stack(
        [
            p.start_x + p.speed_mps * t_td + g.d_stance * p.touchdown_ahead,
            np.zeros_like(tt),
            np.full_like(tt, p.lane_z + sign * b.foot_track_half),
        ],
        -1,
    )
    pitch = g.pitch(s)
    rx, ry = _rot2(-pitch, b.toe_ahead, -b.ankle_height)
    ankle = toe - np.stack([rx, ry, np.zeros_like(rx)], -1)
    hip = g.pelvis(tt) + sign * (rot_y(np.radians(p.pelvis_yaw_amp_deg) * g.swing_cycle(tt)) @ _RIGHT) * (
        b.hip_half_width
    )
    th, sh = _ik_2d(hip, ankle, g.l1, g.l2)
    return {"toe": toe, "ankle": ankle, "hip": hip, "thigh": th, "shank": sh, "foot": -pitch}


def _swing_ends(g: _Gait, side: int, t_first: float) -> dict[str, tuple[float, float, float, float]]:
    """Stance values and rates the swing curves must meet at toe-off (s=0) and the next touchdown (s=1).

    Parameters
    ----------
    g : _Gait
        Gait constants.
    side : int
        0 left, 1 right.
    t_first : float
        The leg's first touchdown time, seconds.

    Returns
    -------
    dict of str to (v0, d0, v1, d1)
        For ``thigh``, ``shank``, ``foot``, ``knee`` (thigh minus shank) and ``ankle`` (foot minus shank):
        value and rate per unit swing progress at toe-off, then at touchdown (finite differences).
    """
    eps = 1e-5
    t_to = t_first + g.tc  # toe-off of contact 0
    t_td = t_first + g.P  # touchdown of contact 1
    a = _stance_state(g, np.array([t_to - eps, t_to - 2 * eps]), side, t_first)
    c = _stance_state(g, np.array([t_td, t_td + eps]), side, t_first)

    def bounds(key: str) -> tuple[float, float, float, float]:
        v0 = float(a[key][0])
        d0 = (float(a[key][0]) - float(a[key][1])) / eps * g.ts
        v1 = float(c[key][0])
        d1 = (float(c[key][1]) - float(c[key][0])) / eps * g.ts
        return v0, d0, v1, d1

    th0, dth0, th1, dth1 = bounds("thigh")
    sh0, dsh0, sh1, dsh1 = bounds("shank")
    ft0, dft0, ft1, dft1 = bounds("foot")
    return {
        "thigh": (th0, dth0, th1, dth1),
        "shank": (sh0, dsh0, sh1, dsh1),
        "foot": (ft0, dft0, ft1, dft1),
        "knee": (th0 - sh0, dth0 - dsh0, th1 - sh1, dth1 - dsh1),
        "ankle": (ft0 - sh0, dft0 - dsh0, ft1 - sh1, dft1 - dsh1),
    }


def _swing_state(
    g: _Gait, hip: np.ndarray, s: np.ndarray, lag: np.ndarray, side: int, t_first: float
) -> dict[str, np.ndarray]:
    """Solve a swing leg: thigh, knee and ankle angles on Hermite curves matched to the stance ends.

    Parameters
    ----------
    g : _Gait
        Gait constants.
    hip : ndarray, shape (N, 3)
        Hip joint at the swing frames, lab metres.
    s : ndarray, shape (N,)
        Swing progress, 0 at toe-off and 1 at the next touchdown.
    lag : ndarray, shape (N,)
        ``swing_leg_lag`` weight of this leg (delays the recovery within the swing).
    side : int
        0 left, 1 right.
    t_first : float
        The leg's first touchdown time, seconds.

    Returns
    -------
    dict of str to ndarray
        ``ankle`` (N, 3) lab metres; ``foot`` (N,) foot angle, ``thigh`` (N,) from straight down,
        ``knee`` (N,) flexion, radians.
    """
    p, b = g.p, g.b
    ends = _swing_ends(g, side, t_first)
    th0, dth0, th1, dth1 = ends["thigh"]
    kn0, dkn0, kn1, dkn1 = ends["knee"]
    an0, dan0, an1, dan1 = ends["ankle"]
    s_w = s - 0.25 * np.minimum(lag, 1.2) * np.sin(np.pi * s) ** 2
    tk = (0.0, 0.6, 1.0)
    tv = (th0, g.thigh_peak, th1)
    thigh = _hermite(tk, tv, [dth0, 0.0, dth1], s_w)
    kk = (0.0, 0.33, 0.75, 1.0)
    kv = (kn0, g.knee_peak, 0.5 * (g.knee_peak + kn1) * 0.75, kn1)
    knee = _hermite(kk, kv, _catmull(kk, kv, {0: dkn0, 1: 0.0, 3: dkn1}), s_w)
    # late swing: toes up (dorsiflexed) before the forefoot strike, so the toe approaches from above
    ak = (0.0, 0.45, 0.85, 1.0)
    av = (an0, math.radians(-2.0), an1 + math.radians(_LATE_SWING_DORSI_DEG), an1)
    ank = _hermite(ak, av, _catmull(ak, av, {0: dan0, 3: dan1}), s_w)
    shank = thigh - knee
    ax = hip[:, 0] + g.l1 * np.sin(thigh) + g.l2 * np.sin(shank)
    ay = hip[:, 1] - g.l1 * np.cos(thigh) - g.l2 * np.cos(shank)
    ankle = np.stack([ax, ay, np.full_like(ax, p.lane_z + _side_sign(side) * b.foot_track_half)], -1)
    return {"ankle": ankle, "foot": shank + ank, "thigh": thigh, "knee": knee}


def _event_times(g: _Gait, t: np.ndarray, t_first: float) -> tuple[np.ndarray, np.ndarray]:
    """Touchdown and toe-off times of one leg within ``[t[0], t[-1]]`` (empty arrays when ``t`` is empty)."""
    if not t.shape[0]:
        return np.zeros(0), np.zeros(0)
    k0 = math.floor((t[0] - t_first) / g.P) - 1
    k1 = math.ceil((t[-1] - t_first) / g.P) + 1
    ks = np.arange(k0, k1 + 1)
    tds = t_first + ks * g.P
    tos = tds + g.tc
    return tds[(tds >= t[0]) & (tds <= t[-1])], tos[(tos >= t[0]) & (tos <= t[-1])]


@dataclass(frozen=True)
class _Leg:
    """One leg over time.

    Attributes
    ----------
    joints : dict of str to ndarray, shape (T, 3)
        ``hip``, ``knee``, ``ankle``, ``heel``, ``foot_index`` (toe tip), lab metres.
    contact : ndarray of bool, shape (T,)
        Foot on the ground.
    thigh_deg, knee_deg, ankle_deg : ndarray, shape (T,)
        Thigh from vertical (+ forward), knee flexion, ankle angle (+ dorsiflexion), degrees.
    touchdown_t, toeoff_t : ndarray
        Event times within the clip, seconds.
    """

    joints: dict[str, np.ndarray]
    contact: np.ndarray
    thigh_deg: np.ndarray
    knee_deg: np.ndarray
    ankle_deg: np.ndarray
    touchdown_t: np.ndarray
    toeoff_t: np.ndarray


def _leg_motion(g: _Gait, t: np.ndarray, side: int, hip: np.ndarray, lag: np.ndarray) -> _Leg:
    """Solve one leg through its stances and swings, then place the knee, heel and toe.

    Parameters
    ----------
    g : _Gait
        Gait constants.
    t : ndarray, shape (T,)
        Times, seconds.
    side : int
        0 left (lands half a stride after the right), 1 right.
    hip : ndarray, shape (T, 3)
        This leg's hip joint, lab metres.
    lag : ndarray, shape (T,)
        ``swing_leg_lag`` weight of this leg.

    Returns
    -------
    _Leg
    """
    b = g.b
    n = t.shape[0]
    t_first = g.p.first_touchdown_s + (0.0 if side == 1 else g.P / 2)
    k = np.floor((t - t_first) / g.P + 1e-9)
    tau = np.maximum(t - t_first - k * g.P, 0.0)
    in_stance = tau < g.tc
    ankle = np.zeros((n, 3))
    foot_ang = np.zeros(n)
    toe_fixed = np.zeros((n, 3))
    thigh_deg = np.zeros(n)
    knee_deg = np.zeros(n)

    # Stance: toe planted, ankle from the foot pitch, hip/knee by IK.
    if np.any(in_stance):
        st = _stance_state(g, t[in_stance], side, t_first)
        ankle[in_stance] = st["ankle"]
        foot_ang[in_stance] = st["foot"]
        toe_fixed[in_stance] = st["toe"]
        thigh_deg[in_stance] = np.degrees(st["thigh"])
        knee_deg[in_stance] = np.degrees(st["thigh"] - st["shank"])

    # Swing: Hermite curves matched to stance at toe-off (s=0) and next touchdown (s=1).
    sw = ~in_stance
    if np.any(sw):
        s = (tau[sw] - g.tc) / g.ts
        swing = _swing_state(g, hip[sw], s, lag[sw], side, t_first)
        ankle[sw] = swing["ankle"]
        foot_ang[sw] = swing["foot"]
        thigh_deg[sw] = np.degrees(swing["thigh"])
        knee_deg[sw] = np.degrees(swing["knee"])

    knee_pt = ik_two_link(hip, ankle, g.l1, g.l2, _FORWARD)
    # ankle angle: foot axis relative to the shank's perpendicular; + dorsiflexion, - plantarflexion
    shank_abs = np.arctan2(ankle[:, 0] - knee_pt[:, 0], -(ankle[:, 1] - knee_pt[:, 1]))
    fx, fy = _rot2(foot_ang, b.toe_ahead, -b.ankle_height)
    toe = ankle + np.stack([fx, fy, np.zeros_like(fx)], -1)
    toe[in_stance] = toe_fixed[in_stance]  # exactly planted (no round-off drift)
    hx, hy = _rot2(foot_ang, -b.heel_back, -b.heel_height)
    heel = ankle + np.stack([hx, hy, np.zeros_like(hx)], -1)
    touchdown_t, toeoff_t = _event_times(g, t, t_first)
    return _Leg(
        joints={"hip": hip, "knee": knee_pt, "ankle": ankle, "heel": heel, "foot_index": toe},
        contact=in_stance,
        thigh_deg=thigh_deg,
        knee_deg=knee_deg,
        ankle_deg=np.degrees(foot_ang - shank_abs),
        touchdown_t=touchdown_t,
        toeoff_t=toeoff_t,
    )


def _arm_motion(
    g: _Gait, side: int, trunk: _Trunk, env: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Swing one arm in opposition to the legs (shrunk and opened by ``arm_drop_*``).

    The right arm is furthest back when the right thigh is furthest forward.

    Parameters
    ----------
    g : _Gait
        Gait constants.
    side : int
        0 left, 1 right.
    trunk : _Trunk
        Thorax orientation, shoulders and swing cycle.
    env : dict of str to ndarray
        Perturbation weights.

    Returns
    -------
    joints : dict of str to ndarray, shape (T, 3)
        ``shoulder``, ``elbow``, ``wrist``, ``index``, ``pinky``, ``thumb``, lab metres.
    shoulder_deg, elbow_deg : ndarray, shape (T,)
        Shoulder angle (+ forward) and elbow flexion, degrees.
    """
    p, b = g.p, g.b
    name = SIDES[side]
    sign = _side_sign(side)
    rt_fwd = trunk.thorax_rot @ _FORWARD  # (T, 3) thorax forward
    rt_right = trunk.thorax_rot @ _RIGHT
    up = _UP
    # 1 (strength >= 1): the arm stops driving, held still relative to the thorax (elbow opened to ~40 deg)
    drop = np.minimum(env[f"arm_drop_{name}"] + env["arm_drop_both"], 1.0)
    c_arm = -sign * trunk.cycle  # right arm: -cyc (back when right thigh forward); left arm: +cyc
    amp = np.radians(55.0) * p.arm_drive * (1.0 - drop)
    alpha = np.radians(5.0) + amp * c_arm
    eps_el = np.radians(90.0 * (1.0 - 0.55 * drop) + 25.0 * (1.0 - drop) * c_arm)
    abd = math.radians(8.0)
    side_vec = sign * rt_right
    ua = (np.sin(alpha)[:, None] * rt_fwd - np.cos(alpha)[:, None] * up) * math.cos(abd) + side_vec * math.sin(abd)
    ua /= np.linalg.norm(ua, axis=-1, keepdims=True)
    fa_ang = alpha + eps_el
    inward = -side_vec * (0.35 * np.clip(np.sin(fa_ang), 0, None))[:, None]
    fa = np.sin(fa_ang)[:, None] * rt_fwd - np.cos(fa_ang)[:, None] * up + inward
    fa /= np.linalg.norm(fa, axis=-1, keepdims=True)
    # "thumb side" of the hand: perpendicular to the forearm in its sagittal plane, toward flexion
    th_dir = np.cos(fa_ang)[:, None] * rt_fwd + np.sin(fa_ang)[:, None] * up
    sh_pt = trunk.shoulders[name]
    elbow = sh_pt + b.upper_arm * ua
    wrist = elbow + b.forearm * fa
    hsz = b.height
    joints = {
        "shoulder": sh_pt,
        "elbow": elbow,
        "wrist": wrist,
        "index": wrist + 0.045 * hsz * fa + 0.008 * hsz * th_dir,
        "pinky": wrist + 0.038 * hsz * fa - 0.012 * hsz * th_dir,
        "thumb": wrist + 0.024 * hsz * fa + 0.020 * hsz * th_dir - 0.006 * hsz * side_vec,
    }
    return joints, np.degrees(alpha), np.degrees(eps_el)


def _head_points(b: BodyDims, trunk: _Trunk) -> dict[str, np.ndarray]:
    """Head landmarks: ear midpoint above the shoulders, turning with 30% of the thorax yaw, looking ahead.

    Parameters
    ----------
    b : BodyDims
        Body dimensions.
    trunk : _Trunk
        Mid-shoulder, lean and thorax yaw.

    Returns
    -------
    dict of str to ndarray, shape (T, 3)
        The landmarks of :data:`_HEAD_POINTS`, lab metres.
    """
    neck_dir = np.stack([np.sin(0.5 * trunk.lean), np.cos(0.5 * trunk.lean), np.zeros_like(trunk.lean)], -1)
    ear_mid = trunk.mid_shoulder + b.neck * neck_dir
    rh = rot_y(0.3 * trunk.thorax_yaw)
    hf, hr = rh @ _FORWARD, rh @ _RIGHT
    return {nm: ear_mid + b.height * (fo * hf + uo * _UP + ro * hr) for nm, (fo, uo, ro) in _HEAD_POINTS.items()}


def compute_sprint_motion(
    params: SprintParams, t: np.ndarray, perturbations: Sequence[Perturbation] = ()
) -> Motion3D:
    """Compute the parametric sprint at times ``t``.

    Parameters
    ----------
    params : SprintParams
        Gait and body parameters.
    t : ndarray, shape (T,)
        Times, seconds (any spacing; sorted).
    perturbations : sequence of Perturbation
        Windowed changes to arms, trunk or swing leg.

    Returns
    -------
    Motion3D
        Joints (T, 33, 3) in lab metres, contacts, touchdown and toe-off times, and extras
        ``pelvis_yaw_deg``, ``thorax_yaw_deg`` (T,), ``thigh_angle_deg`` (from vertical, + forward),
        ``knee_flexion_deg``, ``ankle_angle_deg`` (+ dorsiflexion), ``shoulder_angle_deg`` (+ forward),
        ``elbow_flexion_deg`` (T, 2: left, right).

    Raises
    ------
    ConfigError
        If the parameters make a stance the leg cannot reach.
    """
    t = np.asarray(t, dtype=float)
    if t.ndim != 1:
        raise ValueError("t must be one-dimensional")
    g = _Gait(params)
    n = t.shape[0]
    joints = np.zeros((n, N_LANDMARKS, 3))
    env = _perturbation_weights(t, perturbations)
    trunk = _trunk_motion(g, t, env)
    legs = [_leg_motion(g, t, side, trunk.hips[name], env[f"swing_leg_lag_{name}"]) for side, name in enumerate(SIDES)]
    arms = [_arm_motion(g, side, trunk, env) for side in range(2)]
    for name, leg, (arm, _, _) in zip(SIDES, legs, arms, strict=True):
        for part, xyz in (leg.joints | arm).items():
            joints[:, INDEX[f"{name}_{part}"]] = xyz
    for nm, xyz in _head_points(g.b, trunk).items():
        joints[:, INDEX[nm]] = xyz

    extras = {
        "pelvis_yaw_deg": np.degrees(trunk.pelvis_yaw),
        "thorax_yaw_deg": np.degrees(trunk.thorax_yaw),
        "thigh_angle_deg": np.stack([leg.thigh_deg for leg in legs], -1),
        "knee_flexion_deg": np.stack([leg.knee_deg for leg in legs], -1),
        "ankle_angle_deg": np.stack([leg.ankle_deg for leg in legs], -1),
        "shoulder_angle_deg": np.stack([arm[1] for arm in arms], -1),
        "elbow_flexion_deg": np.stack([arm[2] for arm in arms], -1),
    }
    return Motion3D(
        t=t,
        joints=joints,
        contact=np.stack([leg.contact for leg in legs], -1),
        touchdown_t=(legs[0].touchdown_t, legs[1].touchdown_t),
        toeoff_t=(legs[0].toeoff_t, legs[1].toeoff_t),
        height_m=params.height_m,
        source="parametric",
        extras=extras,
    )
