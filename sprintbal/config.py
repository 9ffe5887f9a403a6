"""Analysis configuration, resolved once: defaults <- TOML file <- command-line flags.

Every stage reads its own frozen section. The sections mirror the TOML tables::

    [pose]        model, capture_fps, ...
    [cleaning]    visibility threshold, Hampel filter, gap filling, low-pass cut-off
    [body]        height_m, mass_kg, sex
    [kinematics]  depth method, push-side rule in flight
    [balance]     breakdown thresholds

Units are SI unless a field name says otherwise (``_s`` seconds, ``_hz`` hertz,
``_m`` metres, ``_kg`` kilograms).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sprintbal.errors import ConfigError


@dataclass(frozen=True)
class PoseConfig:
    """Pose-estimation options.

    Attributes
    ----------
    model_path : Path or None
        A MediaPipe Tasks ``PoseLandmarker`` ``.task`` file; None uses the bundled
        BlazePose *full* model through the legacy ``mp.solutions.pose`` API.
    model_complexity : int
        Legacy API model complexity (1 = BlazePose full, the only one bundled).
    min_detection_confidence : float
        Person-detection threshold in [0, 1].
    min_tracking_confidence : float
        Landmark-tracking threshold in [0, 1].
    capture_fps : float or None
        Real capture frame rate of a slow-motion export (e.g. 240 for a 240 fps
        capture saved for 30 fps playback). None: the file's timestamps are real time.
    max_side_px : int or None
        Frames whose longer side exceeds this are downscaled before the model
        (landmarks are reported in original pixels). None: never downscale.
    """

    model_path: Path | None = None
    model_complexity: int = 1
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    capture_fps: float | None = None
    max_side_px: int | None = 1920

    def cache_key(self) -> dict[str, Any]:
        """Return the options that change pose results (used by the pose cache)."""
        return {
            "model": str(self.model_path) if self.model_path else f"blazepose_full_legacy_c{self.model_complexity}",
            "min_detection_confidence": self.min_detection_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "capture_fps": self.capture_fps,
            "max_side_px": self.max_side_px,
        }


@dataclass(frozen=True)
class CleaningConfig:
    """Landmark-track cleaning options (see :mod:`sprintbal.kinematics.cleaning`).

    Attributes
    ----------
    min_visibility : float
        Landmarks with visibility below this become NaN before filtering.
    hampel_window_s : float
        Half-width of the Hampel outlier window, seconds.
    hampel_n_sigmas : float
        Outlier threshold in robust standard deviations (1.4826 * MAD).
    max_gap_s : float
        Longest gap (seconds) filled by interpolation; longer gaps stay NaN.
    cutoff_hz : float or None
        Zero-lag Butterworth low-pass cut-off in Hz of real capture time. None:
        chosen from the data by Winter's residual analysis.
    default_cutoff_hz : float
        Cut-off used when the residual analysis cannot decide.
    fix_swaps : bool
        Detect and undo left/right leg and arm swaps.
    """

    min_visibility: float = 0.3
    hampel_window_s: float = 0.1
    hampel_n_sigmas: float = 3.0
    max_gap_s: float = 0.15
    cutoff_hz: float | None = None
    default_cutoff_hz: float = 10.0
    fix_swaps: bool = True


@dataclass(frozen=True)
class BodyConfig:
    """The runner's body.

    Attributes
    ----------
    height_m : float
        Standing height, metres; sets the pixel-to-metre scale.
    mass_kg : float
        Body mass, kilograms; scales every segment mass.
    sex : {"male", "female"}
        Which de Leva (1996) table to use.
    """

    height_m: float = 1.75
    mass_kg: float = 70.0
    sex: Literal["male", "female"] = "male"


@dataclass(frozen=True)
class KinematicsConfig:
    """Kinematics options.

    Attributes
    ----------
    depth_method : {"prior", "world"}
        Sideways (mediolateral) offset of each landmark: "prior" uses fixed
        anthropometric left/right offsets; "world" uses MediaPipe world depth.
    flight_push_rule : {"last_off", "next_on"}
        Push side during flight: the leg that last left the ground ("last_off")
        or the leg that lands next ("next_on").
    push_blend : bool
        At each push/swing switch, share the two legs between the push and swing groups by the
        probability that the frame lies after the (uncertain) event time, with the uncertainty taken
        from the scatter of this clip's touchdown times and never above the steps' stated timing
        uncertainty (:func:`~sprintbal.kinematics.events.compute_blend_sigma`); False: switch a whole
        leg at the frame.
    """

    depth_method: Literal["prior", "world"] = "prior"
    flight_push_rule: Literal["last_off", "next_on"] = "last_off"
    push_blend: bool = True


@dataclass(frozen=True)
class BalanceConfig:
    """Breakdown-detection thresholds (see :mod:`sprintbal.balance`).

    Attributes
    ----------
    min_duration_s : float
        A breakdown must last at least this long.
    robust_z : float
        Deviation from the athlete's own pattern in this clip, in robust standard
        deviations, that counts as outside the normal pattern.
    min_cancellation : float
        Absolute bound: segment-level cancellation below this is a breakdown
        whatever the clip's own pattern.
    smooth_window_s : float
        Width of the centred, magnitude-weighted window over which cancellation is
        judged frame by frame, seconds (about a third of a sprint contact).
    merge_gap_s : float
        Breakdown spans separated by at most this many seconds become one event.
    mad_floor : float
        Smallest robust spread (cancellation units) used for the robust z, so that a
        very regular clip does not turn measurement noise into breakdowns.
    min_frame_confidence : float
        Frames whose ``Kinematics.frame_confidence`` is below this are not judged.
    min_magnitude_fraction : float
        Frames whose (smoothed) group momentum magnitude is below this fraction of the
        clip's median are not judged (cancellation is meaningless when both groups are tiny).
    min_baseline_frames : int
        Fewest judged frames of one phase kind (contact or flight) needed for the
        athlete's own baseline; with fewer only the absolute bound applies.
    phase_bins : int
        Bins per step (touchdown to next touchdown) for the phase-aligned baseline: each
        frame is compared with the same moment of the other steps. 0: contact/flight only.
    min_bin_samples : int
        Fewest judged frames (from at least three steps) in a bin and its two neighbours
        for the phase-aligned baseline; with fewer the contact/flight baseline is used.
    min_contacts_baseline : int
        Fewest ground contacts needed to compare each contact with the athlete's other contacts.
    min_strides_baseline : int
        Fewest strides (two consecutive steps, overlapping by one) needed to compare each stride's
        group balance with the athlete's other strides; 0 switches the stride comparison off.
    stride_ratio_floor : float
        Smallest robust spread of a stride's group balance ``log(sum |A| / sum |B|)`` (natural log
        units; 0.05 = a 5% change of one group's size against the other); also of a limb's share in
        the stride-part comparison.
    min_part_share : float
        The stride-part comparison judges a limb's share of the axis' segment momentum only when the
        limb carries at least this fraction of it over the clip; 0 judges every limb, values above
        0.5 none.
    min_swings_baseline : int
        Fewest swings of a leg (toe-off to that foot's next touchdown) needed to compare each swing's
        timing with that leg's other swings; 0 switches the swing-timing comparison off.
    swing_drive_fraction : float
        The swing-timing comparison times a swing by when the leg has delivered this fraction of its
        forward (flexion) momentum over the swing; in (0, 1).
    swing_timing_floor_s : float
        Smallest robust spread of a swing's drive time, seconds.
    judge_shoulder_travel : bool
        Compare how far the shoulders travel forward and back relative to the hips over each stride
        with the athlete's other strides (a trunk twisting further than usual); False switches it off.
    shoulder_travel_floor : float
        Smallest robust spread of a stride's ``log`` shoulder travel (natural log units; 0.05 = a 5%
        change of the travel).
    require_contact : bool
        Whole-body momentum can only change through ground contact: frame-level measures
        (cancellation, excess turning) count as evidence only in ground-contact frames, and only
        breakdowns that include at least one ground-contact frame are kept.
    edge_margin_s : float
        Frames this close to the clip's first or last frame are not judged for breakdowns
        (filter and derivative edge effects); they still count in the scores.
    min_event_confidence : float
        Breakdowns whose confidence is below this are not reported as events; they are kept
        apart as uncertain (e.g. twisting seen from a single side camera).
    trend_min_abs_r : float
        Smallest |correlation| of step score with speed (or step number) that counts as a trend.
    trend_min_change : float
        Smallest change of the fitted step score over the clip's speed (or step) range,
        in score points, that counts as a trend.
    """

    min_duration_s: float = 0.08
    robust_z: float = 3.0
    min_cancellation: float = 0.3
    smooth_window_s: float = 0.04
    merge_gap_s: float = 0.04
    mad_floor: float = 0.05
    min_frame_confidence: float = 0.3
    min_magnitude_fraction: float = 0.1
    min_baseline_frames: int = 10
    phase_bins: int = 20
    min_bin_samples: int = 6
    min_contacts_baseline: int = 4
    min_strides_baseline: int = 10
    stride_ratio_floor: float = 0.05
    min_part_share: float = 0.1
    min_swings_baseline: int = 5
    swing_drive_fraction: float = 0.35
    swing_timing_floor_s: float = 0.007
    judge_shoulder_travel: bool = True
    shoulder_travel_floor: float = 0.05
    require_contact: bool = True
    edge_margin_s: float = 0.1
    min_event_confidence: float = 0.25
    trend_min_abs_r: float = 0.5
    trend_min_change: float = 5.0


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything that determines an analysis' results, resolved once."""

    pose: PoseConfig = field(default_factory=PoseConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    body: BodyConfig = field(default_factory=BodyConfig)
    kinematics: KinematicsConfig = field(default_factory=KinematicsConfig)
    balance: BalanceConfig = field(default_factory=BalanceConfig)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as plain JSON-serialisable data."""
        return _jsonable(dataclasses.asdict(self))


_SECTIONS: dict[str, type] = {
    "pose": PoseConfig,
    "cleaning": CleaningConfig,
    "body": BodyConfig,
    "kinematics": KinematicsConfig,
    "balance": BalanceConfig,
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _coerce(section: str, cls: type, values: dict[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"unknown option [{section}] {key}")
        if key.endswith("_path") and value is not None:
            value = Path(value)
        kwargs[key] = value
    try:
        obj = cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"invalid [{section}] options: {exc}") from exc
    _validate(section, obj)
    return obj


def _validate(section: str, obj: Any) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)) and not value >= 0:
            raise ConfigError(f"[{section}] {f.name} must be a non-negative number, got {value}")
    if isinstance(obj, BodyConfig):
        if obj.sex not in ("male", "female"):
            raise ConfigError(f"[body] sex must be 'male' or 'female', got {obj.sex!r}")
        if not 0.5 <= obj.height_m <= 2.6:
            raise ConfigError(f"[body] height_m must be between 0.5 and 2.6 m, got {obj.height_m}")
        if not 10 <= obj.mass_kg <= 300:
            raise ConfigError(f"[body] mass_kg must be between 10 and 300 kg, got {obj.mass_kg}")
    if isinstance(obj, BalanceConfig) and not 0.0 < obj.swing_drive_fraction < 1.0:
        raise ConfigError(f"[balance] swing_drive_fraction must be between 0 and 1, got {obj.swing_drive_fraction}")
    if isinstance(obj, PoseConfig) and obj.capture_fps is not None and obj.capture_fps <= 0:
        raise ConfigError(f"[pose] capture_fps must be positive, got {obj.capture_fps}")
    if isinstance(obj, KinematicsConfig):
        if obj.depth_method not in ("prior", "world"):
            raise ConfigError(f"[kinematics] depth_method must be 'prior' or 'world', got {obj.depth_method!r}")
        if obj.flight_push_rule not in ("last_off", "next_on"):
            raise ConfigError(
                f"[kinematics] flight_push_rule must be 'last_off' or 'next_on', got {obj.flight_push_rule!r}"
            )


def resolve_config(
    toml_path: Path | None = None, overrides: dict[str, dict[str, Any]] | None = None
) -> AnalysisConfig:
    """Resolve the analysis configuration once: defaults <- TOML file <- overrides.

    Parameters
    ----------
    toml_path : Path or None
        A TOML file with any of the tables ``[pose]``, ``[cleaning]``, ``[body]``,
        ``[kinematics]``, ``[balance]``.
    overrides : dict or None
        ``{section: {option: value}}`` from command-line flags; None values are ignored.

    Returns
    -------
    AnalysisConfig
        The frozen configuration.

    Raises
    ------
    ConfigError
        On an unreadable file, an unknown table or option, or an invalid value.
    """
    merged: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    if toml_path is not None:
        try:
            data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {toml_path}: {exc.strerror or exc}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config {toml_path} is not valid TOML: {exc}") from exc
        for section, values in data.items():
            if section not in _SECTIONS or not isinstance(values, dict):
                raise ConfigError(f"unknown table [{section}] in {toml_path}")
            merged[section].update(values)
    for section, values in (overrides or {}).items():
        if section not in _SECTIONS:
            raise ConfigError(f"unknown config section {section}")
        merged[section].update({k: v for k, v in values.items() if v is not None})
    parts = {name: _coerce(name, cls, merged[name]) for name, cls in _SECTIONS.items()}
    return AnalysisConfig(**parts)
