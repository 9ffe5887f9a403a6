"""Rotational balance: cancellation of segment angular momenta, breakdown events, per-step scores.

Input is the :class:`~sprintbal.kinematics.result.Kinematics` of one clip; output is a
:class:`BalanceAssessment`. Everything here is pure (no files, no printing).

Conventions (lab frame of :mod:`sprintbal.kinematics`: X forward, Y up, Z to the runner's right):

- **vertical axis** = lab Y (index 1). H_y > 0 is counter-clockwise seen from above: the
  runner's right side moving forward, i.e. the body twisting to the left.
- **mediolateral axis** = lab Z (index 2). H_z > 0 takes forward toward up: backward pitch
  (trunk tipping back, swing thigh flexing up); H_z < 0 is forward pitch. Seen from a side camera
  with the runner moving to image right (``info['direction'] == +1``) the runner's right side faces
  the camera (Z = X x Y points out of the image), so H_z > 0 is counter-clockwise on screen; with the
  runner moving to image left Z points into the image and H_z > 0 is clockwise on screen. In
  general: counter-clockwise as seen from the camera iff ``sign(H_z) * direction > 0``. Likewise
  about the vertical axis, ``sign(H_y) * direction > 0`` means the side nearer the camera moves forward.

Measures (per axis; see docs/balance.md and BIOMECHANICS section 1):

- pair cancellation ``C = 1 - |A + B| / (|A| + |B|)`` of the two groups that physically oppose:
  push side vs swing side about the mediolateral axis, lower body vs upper body about the vertical axis;
- segment cancellation ``1 - |sum_i H_i| / sum_i |H_i|`` over all segments (Herr & Popovic);
- both judged magnitude-weighted over a short centred window, over contact phases and over whole
  steps: ``C_W = 1 - sum_W |A + B| / sum_W (|A| + |B|)``, which is the mean of the per-frame C
  weighted by the group magnitude, so nearly-empty flight frames count for little;
- over whole strides: the balance of the opposing pair, and (vertical axis) each arm's share of the
  body's twisting, against the athlete's other strides;
- per swing of each leg (mediolateral axis): when the leg delivered its forward drive within the swing,
  against the same leg's other swings (a lagging swing leg comes through late);
- over whole strides (vertical axis): how far the shoulders travelled forward and back relative to the
  hips, against the athlete's other strides (a trunk twisting further than usual, which a side camera
  sees in the image plane although it cannot see the twist).

An event names what changed against the athlete's own pattern (each segment's departure from its
normal momentum at the same moment of the same foot's other steps) and carries a confidence built
from how well the camera sees its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sprintbal.config import BalanceConfig
from sprintbal.jsonable import to_jsonable
from sprintbal.kinematics.result import (
    AXIS_Y,
    AXIS_Z,
    PHASE_DOUBLE,
    PHASE_FLIGHT,
    PHASE_LEFT,
    PHASE_RIGHT,
    PHASE_UNKNOWN,
    Kinematics,
)
from sprintbal.pose.landmarks import INDEX

#: Version of the ``balance`` section of report.json produced by :meth:`BalanceAssessment.to_dict`.
BALANCE_SCHEMA_VERSION = "1.0"

#: The two axes judged, with their lab index.
AXES: tuple[tuple[str, int], ...] = (("vertical", AXIS_Y), ("mediolateral", AXIS_Z))
#: The opposing group pair per axis, as (first, second) attribute names of GroupMomenta.
PAIRS: dict[str, tuple[str, str]] = {"vertical": ("lower", "upper"), "mediolateral": ("push", "swing")}
#: Coach words for the two groups of each pair, same order as :data:`PAIRS`.
SIDE_LABELS: dict[str, tuple[str, str]] = {
    "vertical": ("lower body", "upper body"),
    "mediolateral": ("push side", "swing side"),
}
#: Plain names of the axes for coaches.
AXIS_WORDS = {
    "vertical": "vertical axis (twisting)",
    "mediolateral": "side-to-side axis (tipping forward and back)",
}
_GROUP_PHRASES = {
    "push side": "the push side (standing leg, arms and trunk)",
    "swing side": "the swing leg",
    "lower body": "the legs (lower body)",
    "upper body": "the arms and trunk (upper body)",
}
_CONTACT_PHASES = (PHASE_LEFT, PHASE_RIGHT, PHASE_DOUBLE)
_FOOT_WORDS = {0: "left", 1: "right"}
_MAD_TO_SD = 1.4826


# --------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceSeries:
    """Per-frame balance measures about one axis. Time is axis 0 (T frames).

    Attributes
    ----------
    axis : {"vertical", "mediolateral"}
        Axis name; ``axis_index`` is its lab index (1 = Y, 2 = Z).
    axis_index : int
        Index into the last dimension of momentum arrays.
    pair : tuple of str
        The opposing groups judged on this axis (``("lower", "upper")`` or ``("push", "swing")``).
    side_labels : tuple of str
        Coach words for the two groups, same order as ``pair``.
    net_si : ndarray, shape (T,)
        Whole-body angular momentum about the axis, kg*m^2/s.
    net_norm : ndarray, shape (T,)
        The same divided by ``Kinematics.norm_factor`` = M*h*sqrt(g*h), dimensionless.
    segment_cancellation : ndarray, shape (T,)
        Per frame ``1 - |sum_i H_i| / sum_i |H_i|`` over all segments, in [0, 1]; NaN where undefined.
    push_swing_cancellation, lower_upper_cancellation : ndarray, shape (T,)
        Per frame ``1 - |A + B| / (|A| + |B|)`` for the two group splits, in [0, 1]; NaN where undefined.
    pair_cancellation_smooth, segment_cancellation_smooth : ndarray, shape (T,)
        Magnitude-weighted over a centred window of ``smooth_window_s``; NaN on frames not judged.
    pair_z, segment_z : ndarray, shape (T,)
        Robust z of the smoothed measures against the clip's own median and MAD at the same moment of
        the other steps (phase-aligned), or of the same phase kind (contact or flight) where steps are
        too few; negative = less cancellation than usual. NaN where not judged.
    net_excess_z : ndarray, shape (T,)
        How far the windowed whole-body momentum exceeds its phase-aligned normal value, in robust
        standard deviations (spread floored at ``mad_floor`` times the clip's median group magnitude);
        0 where it is closer to zero than normal. Vertical-axis values of right-foot steps are mirrored
        (sign-flipped) so that left and right steps share one baseline. NaN where not judged.
    dominant : ndarray of int8, shape (T,)
        Which group the whole-body momentum sides with: 0 = ``side_labels[0]``, 1 = ``side_labels[1]``,
        -1 unknown (zero or undefined momentum).
    direction_sign : ndarray of int8, shape (T,)
        Sign of ``net_si`` (+1, -1, 0 where zero or unknown).
    judged : ndarray of bool, shape (T,)
        Frames the measures were judged on (known phase, confidence and momentum large enough).
    flagged : ndarray of bool, shape (T,)
        Frames inside a reported breakdown event on this axis.
    axis_confidence : float
        ``Kinematics.axis_confidence[axis]`` (0.5 when the kinematics did not give one).
    """

    axis: str
    axis_index: int
    pair: tuple[str, str]
    side_labels: tuple[str, str]
    net_si: np.ndarray
    net_norm: np.ndarray
    segment_cancellation: np.ndarray
    push_swing_cancellation: np.ndarray
    lower_upper_cancellation: np.ndarray
    pair_cancellation_smooth: np.ndarray
    segment_cancellation_smooth: np.ndarray
    pair_z: np.ndarray
    segment_z: np.ndarray
    net_excess_z: np.ndarray
    dominant: np.ndarray
    direction_sign: np.ndarray
    judged: np.ndarray
    flagged: np.ndarray
    axis_confidence: float


@dataclass(frozen=True)
class BreakdownEvent:
    """One span where rotational balance broke down about one axis.

    Attributes
    ----------
    axis : {"vertical", "mediolateral"}
        Axis the breakdown is about.
    start_frame, end_frame : int
        First and last frame of the span (inclusive).
    start_t, end_t : float
        Their times, seconds.
    duration_s : float
        ``end_t - start_t`` plus one frame interval, seconds.
    step_index : int
        Index of the :class:`~sprintbal.kinematics.result.Steps` entry (ground contact plus the
        flight that follows) holding the peak; -1 when none. The step number shown to users is
        ``step_index + 1``.
    step_foot : str
        "left", "right" or "" (no step).
    in_contact : bool
        Whether the peak falls in that step's ground contact (False: in the flight after it).
    peak_frame : int
        Frame where the triggering measure is worst in the span: for an own-pattern cancellation, the
        lowest robust z (furthest below the normal value at that moment of the step); for the absolute
        bound, the lowest cancellation; for ``net_momentum``, the largest excess; for whole-contact and
        stride measures, the frame of lowest pair cancellation in the worst contact or stride; for
        ``swing_timing``, the frame nearest the late swing's drive time. With
        ``require_contact`` the frame-level measures are searched in ground-contact frames only.
    peak_t : float
        Its time, seconds.
    peak_value : float
        Smoothed cancellation at the peak, in [0, 1]: of ``measure`` when it is a cancellation, else of
        the axis' opposing pair.
    peak_z : float
        Robust z of ``measure`` at the peak (NaN when no baseline): negative for cancellations (below
        normal), positive for ``net_momentum`` (excess over normal), ``swing_timing`` (later than
        normal) and ``stride_shoulder_travel`` (more travel than normal).
    peak_net_norm, peak_net_si : float
        Whole-body momentum about the axis at its largest magnitude in the span, dimensionless and
        kg*m^2/s (signed).
    measure : {"pair_cancellation", "segment_cancellation", "net_momentum", "contact_cancellation", \
"stride_group_balance", "stride_part_share", "swing_timing", "stride_shoulder_travel"}
        The measure with the best-supported evidence (how well the camera sees it times its strength;
        among measures seen equally well, the most severe). ``net_momentum``: whole-body momentum
        larger than its normal value at that moment of the step; ``contact_cancellation``: the whole
        contact cancelled less than the athlete's other contacts; ``stride_group_balance``: one group's
        share of the opposing pair over a stride differed from the athlete's other strides;
        ``stride_part_share``: an arm's share of the body's twisting over a stride differed from the
        athlete's other strides; ``swing_timing``: a leg delivered its forward drive later in its swing
        than in its other swings (the event spans that leg's stride: its touchdown to the touchdown that
        ends the late swing); ``stride_shoulder_travel``: the shoulders travelled further forward and back
        relative to the hips over a stride than in the athlete's other strides (the trunk twisted further, or a
        bigger arm swing carried the shoulders: the pose model's shoulders partly follow the arms).
    basis : {"own_pattern", "absolute", "both"}
        Outside the athlete's own pattern in this clip (robust z), below the absolute bound, or both.
    side : str
        The group that overwhelmed: "push side"/"swing side" (mediolateral) or "lower body"/
        "upper body" (vertical).
    opposed_side : str
        The group that failed to offset it.
    rotation_sign : int
        Sign of the excess whole-body momentum over the span (+1 or -1; 0 unknown).
    rotation : str
        Direction in body words (e.g. "pitched forward").
    rotation_camera : str
        Direction as seen from the camera ("" when the running direction is unknown).
    top_segments : tuple of (str, float)
        Segments whose momentum changed most against the athlete's own pattern (their departure from
        the normal value at the same moment of the same foot's other steps, along the whole body's
        departure), with their share of it (summing to 1 over all contributing segments), largest
        first. Without enough steps for a normal value: their raw contributions along the excess.
    top_parts : tuple of (str, float)
        The same for body parts ("right arm", "left leg", "trunk", "head").
    confidence : float
        In [0, 1]: how well the camera sees the evidence (the axis confidence; for
        ``stride_part_share``, ``swing_timing`` and ``stride_shoulder_travel`` the in-plane, i.e. mediolateral,
        axis confidence) x mean frame confidence over the span x strength (0.5 at the threshold, 1 at twice
        the threshold).
    explanation : str
        One plain-language sentence for a coach.
    changed_parts : tuple of (str, float)
        The body parts the explanation names as what changed (those of ``top_parts`` whose momentum over
        the event is at least 15% off their usual, at most two; else the first of ``top_parts``), each
        with its momentum relative to its usual value (``sum |H| / sum |normal|``; 0.69 = 69% of
        usual). Empty when there is no normal pattern to compare with.
    """

    axis: str
    start_frame: int
    end_frame: int
    start_t: float
    end_t: float
    duration_s: float
    step_index: int
    step_foot: str
    in_contact: bool
    peak_frame: int
    peak_t: float
    peak_value: float
    peak_z: float
    peak_net_norm: float
    peak_net_si: float
    measure: str
    basis: str
    side: str
    opposed_side: str
    rotation_sign: int
    rotation: str
    rotation_camera: str
    top_segments: tuple[tuple[str, float], ...]
    top_parts: tuple[tuple[str, float], ...]
    confidence: float
    explanation: str
    changed_parts: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-ready data (NaN becomes None)."""
        d = asdict(self)
        d["step_number"] = self.step_index + 1 if self.step_index >= 0 else None
        d["top_segments"] = [{"name": n, "share": s} for n, s in self.top_segments]
        d["top_parts"] = [{"name": n, "share": s} for n, s in self.top_parts]
        d["changed_parts"] = [{"name": n, "usual_ratio": r} for n, r in self.changed_parts]
        return to_jsonable(d)


@dataclass(frozen=True)
class StepBalance:
    """Balance per ground contact (n entries, aligned with ``Kinematics.steps``).

    A step runs from this contact's touchdown to the next touchdown (for the last contact: to its
    toe-off plus the clip's median flight time, or the clip's end).

    Attributes
    ----------
    foot : ndarray of int8, shape (n,)
        0 left, 1 right.
    start_t, end_t : ndarray, shape (n,)
        Step span, seconds.
    speed_mps : ndarray, shape (n,)
        Step speed from ``Steps.speed_mps``, m/s (NaN unknown).
    cancellation_vertical, cancellation_mediolateral : ndarray, shape (n,)
        Magnitude-weighted pair cancellation over the whole step, in [0, 1].
    contact_cancellation_vertical, contact_cancellation_mediolateral : ndarray, shape (n,)
        The same over the ground contact only.
    segment_cancellation_vertical, segment_cancellation_mediolateral : ndarray, shape (n,)
        Magnitude-weighted segment cancellation over the whole step.
    score_vertical, score_mediolateral : ndarray, shape (n,)
        ``100 * cancellation_<axis>``, 0-100.
    score : ndarray, shape (n,)
        Axis scores averaged with the axis confidences as weights, 0-100.
    n_events : ndarray of int, shape (n,)
        Breakdown events whose peak falls in the step.
    """

    foot: np.ndarray
    start_t: np.ndarray
    end_t: np.ndarray
    speed_mps: np.ndarray
    cancellation_vertical: np.ndarray
    cancellation_mediolateral: np.ndarray
    contact_cancellation_vertical: np.ndarray
    contact_cancellation_mediolateral: np.ndarray
    segment_cancellation_vertical: np.ndarray
    segment_cancellation_mediolateral: np.ndarray
    score_vertical: np.ndarray
    score_mediolateral: np.ndarray
    score: np.ndarray
    n_events: np.ndarray

    @property
    def n(self) -> int:
        """Number of steps."""
        return int(self.foot.shape[0])


@dataclass(frozen=True)
class SpeedTrend:
    """Whether balance held as speed rose within the clip.

    Attributes
    ----------
    basis : {"speed", "step", "none"}
        Step score regressed on step speed, on step number (speed unknown or steady), or not at all.
    n : int
        Steps used.
    slope : float
        Score points per m/s (basis "speed") or per step (basis "step"); NaN for "none".
    r : float
        Pearson correlation; NaN when undefined.
    change : float
        Fitted change of the score over the range of the regressor, score points.
    verdict : {"held", "faded", "improved", "unknown"}
        Plain verdict.
    sentence : str
        One sentence for a coach.
    """

    basis: str
    n: int
    slope: float
    r: float
    change: float
    verdict: str
    sentence: str


@dataclass(frozen=True)
class BalanceAssessment:
    """The balance analysis of one clip.

    Attributes
    ----------
    assessed : bool
        False when the clip does not show running (no events are then reported).
    status : str
        One sentence: why it was or was not assessed.
    series : dict of str to BalanceSeries
        Per-axis per-frame measures, keys "vertical" and "mediolateral".
    events : tuple of BreakdownEvent
        Breakdowns in time order.
    steps : StepBalance
        Per-step table.
    score, score_vertical, score_mediolateral : float
        Clip scores, 0-100 (mean of the step scores; NaN when unknown).
    left_score, right_score : float
        Mean step score of left-foot and right-foot contacts, 0-100.
    asymmetry_pct : float
        ``100 * (left - right) / mean(left, right)``: positive when left-foot steps balance better.
    trend : SpeedTrend
        Did balance hold as speed rose.
    direction : int
        Running direction in the image (+1 to image right, -1 to image left, 0 unknown).
    norm_factor : float
        M*h*sqrt(g*h), kg*m^2/s, used for every ``_norm`` value.
    duration_s : float
        Clip duration, seconds.
    findings : str
        One plain-language paragraph.
    config : BalanceConfig
        Thresholds used.
    uncertain_events : tuple of BreakdownEvent
        Breakdowns found but with confidence below ``config.min_event_confidence`` (not in ``events``).
    """

    assessed: bool
    status: str
    series: dict[str, BalanceSeries]
    events: tuple[BreakdownEvent, ...]
    steps: StepBalance
    score: float
    score_vertical: float
    score_mediolateral: float
    left_score: float
    right_score: float
    asymmetry_pct: float
    trend: SpeedTrend
    direction: int
    norm_factor: float
    duration_s: float
    findings: str
    config: BalanceConfig = field(default_factory=BalanceConfig)
    uncertain_events: tuple[BreakdownEvent, ...] = ()

    def to_dict(self, include_series: bool = False) -> dict[str, Any]:
        """Return the ``balance`` section of report.json (strict-JSON-ready: NaN becomes None).

        Parameters
        ----------
        include_series : bool
            Also include the per-frame series (large; off by default).

        Returns
        -------
        dict
            Layout described by ``sprintbal/report/balance.schema.json``.
        """
        s = self.steps
        steps = []
        for k in range(s.n):
            steps.append(
                {
                    "step": k + 1,
                    "foot": _FOOT_WORDS.get(int(s.foot[k]), "unknown"),
                    "start_s": s.start_t[k],
                    "end_s": s.end_t[k],
                    "speed_mps": s.speed_mps[k],
                    "score": s.score[k],
                    "score_vertical": s.score_vertical[k],
                    "score_mediolateral": s.score_mediolateral[k],
                    "cancellation_vertical": s.cancellation_vertical[k],
                    "cancellation_mediolateral": s.cancellation_mediolateral[k],
                    "contact_cancellation_vertical": s.contact_cancellation_vertical[k],
                    "contact_cancellation_mediolateral": s.contact_cancellation_mediolateral[k],
                    "segment_cancellation_vertical": s.segment_cancellation_vertical[k],
                    "segment_cancellation_mediolateral": s.segment_cancellation_mediolateral[k],
                    "n_events": int(s.n_events[k]),
                }
            )
        axes: dict[str, Any] = {}
        for name, ser in self.series.items():
            contact = ser.judged
            axes[name] = {
                "lab_axis": "Y" if ser.axis_index == AXIS_Y else "Z",
                "pair": list(ser.pair),
                "side_labels": list(ser.side_labels),
                "axis_confidence": ser.axis_confidence,
                "median_pair_cancellation": _nanmedian(ser.pair_cancellation_smooth[contact]),
                "median_segment_cancellation": _nanmedian(ser.segment_cancellation_smooth[contact]),
                "max_abs_net_norm": _nanmax(np.abs(ser.net_norm)),
                "max_abs_net_kgm2s": _nanmax(np.abs(ser.net_si)),
                "judged_fraction": float(np.mean(ser.judged)) if ser.judged.size else 0.0,
                "n_events": sum(1 for e in self.events if e.axis == name),
            }
            if include_series:
                axes[name]["series"] = {
                    "net_norm": ser.net_norm,
                    "segment_cancellation": ser.segment_cancellation,
                    "pair_cancellation_smooth": ser.pair_cancellation_smooth,
                    "segment_cancellation_smooth": ser.segment_cancellation_smooth,
                    "pair_z": ser.pair_z,
                    "net_excess_z": ser.net_excess_z,
                    "dominant": ser.dominant,
                    "flagged": ser.flagged,
                }
        out = {
            "schema_version": BALANCE_SCHEMA_VERSION,
            "assessed": self.assessed,
            "status": self.status,
            "conventions": {
                "vertical": "lab Y; H > 0 counter-clockwise seen from above (runner's right side moving forward)",
                "mediolateral": "lab Z; H > 0 forward-toward-up (backward pitch); H < 0 forward pitch",
                "camera": "counter-clockwise as seen from the camera iff sign(H_z) * direction > 0; "
                "direction +1 = runner moving to image right",
                "cancellation": "1 - |A + B| / (|A| + |B|), magnitude-weighted over windows; 1 = fully offset",
                "score": "100 x magnitude-weighted pair cancellation over the step; overall = "
                "axis scores weighted by axis confidence",
                "normalisation": "net_norm = H / (M * h * sqrt(g * h)), dimensionless",
                "asymmetry_pct": "100 * (left - right) / mean(left, right); positive = left-foot steps better",
            },
            "direction": self.direction,
            "norm_factor_kgm2s": self.norm_factor,
            "duration_s": self.duration_s,
            "scores": {
                "overall": self.score,
                "vertical": self.score_vertical,
                "mediolateral": self.score_mediolateral,
                "left_foot": self.left_score,
                "right_foot": self.right_score,
                "asymmetry_pct": self.asymmetry_pct,
            },
            "trend": asdict(self.trend),
            "axes": axes,
            "steps": steps,
            "events": [e.to_dict() for e in self.events],
            "uncertain_events": [e.to_dict() for e in self.uncertain_events],
            "findings": self.findings,
            "thresholds": asdict(self.config),
        }
        return to_jsonable(out)


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


def _nanmedian(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _nanmax(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.max(x)) if x.size else float("nan")


def _nanmean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.mean(x)) if x.size else float("nan")


def compute_pair_cancellation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-frame cancellation of two momentum series, ``1 - |a + b| / (|a| + |b|)``.

    Parameters
    ----------
    a, b : ndarray, shape (T,)
        Angular momentum of two groups about one axis (any consistent unit).

    Returns
    -------
    ndarray, shape (T,)
        In [0, 1]; 1 when they are equal and opposite, 0 when one is zero or both share a sign.
        NaN where either is not finite or both are zero.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    den = np.abs(a) + np.abs(b)
    num = np.abs(a + b)
    out = np.full(a.shape, np.nan)
    ok = np.isfinite(den) & (den > 0)
    out[ok] = 1.0 - num[ok] / den[ok]
    return out


def _segment_terms(seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``|sum_i H_i|`` and ``sum_i |H_i|`` per frame over finite segments (NaN if none)."""
    seg = np.asarray(seg, dtype=float)
    if seg.ndim != 2 or seg.shape[1] == 0:
        nan = np.full(seg.shape[0], np.nan)
        return nan, nan.copy()
    fin = np.isfinite(seg)
    any_fin = fin.any(axis=1)
    z = np.where(fin, seg, 0.0)
    num = np.abs(z.sum(axis=1))
    den = np.abs(z).sum(axis=1)
    num[~any_fin] = np.nan
    den[~any_fin] = np.nan
    return num, den


def compute_segment_cancellation(seg: np.ndarray) -> np.ndarray:
    """Per-frame segment-level cancellation ``1 - |sum_i H_i| / sum_i |H_i|`` (Herr & Popovic 2008).

    Parameters
    ----------
    seg : ndarray, shape (T, S)
        Each segment's angular momentum about one axis; NaN segments are left out.

    Returns
    -------
    ndarray, shape (T,)
        In [0, 1]; NaN where no segment is finite or all are zero.
    """
    num, den = _segment_terms(seg)
    out = np.full(num.shape, np.nan)
    ok = np.isfinite(den) & (den > 0)
    out[ok] = 1.0 - num[ok] / den[ok]
    return out


def _moving_sum(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving sum over ``width`` (odd) frames, zero-padded at the ends."""
    if width <= 1 or x.size == 0:
        return x.astype(float).copy()
    kernel = np.ones(width)
    half = width // 2  # "full" then slice: mode="same" returns max(T, width) samples when the clip is short
    return np.convolve(x, kernel, mode="full")[half : half + x.size]


def compute_windowed_cancellation(
    num: np.ndarray, den: np.ndarray, use: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude-weighted cancellation over a centred window: ``1 - sum_W num / sum_W den``.

    Parameters
    ----------
    num : ndarray, shape (T,)
        ``|A + B|`` (or ``|sum H_i|``) per frame.
    den : ndarray, shape (T,)
        ``|A| + |B|`` (or ``sum |H_i|``) per frame.
    use : ndarray of bool, shape (T,)
        Frames allowed into the windows.
    width : int
        Window width in frames (odd).

    Returns
    -------
    c : ndarray, shape (T,)
        Windowed cancellation, NaN where the window holds no usable magnitude.
    mean_den : ndarray, shape (T,)
        Mean ``den`` of the usable frames in each window (for the magnitude gate).
    """
    ok = use & np.isfinite(num) & np.isfinite(den)
    n_s = _moving_sum(np.where(ok, num, 0.0), width)
    d_s = _moving_sum(np.where(ok, den, 0.0), width)
    cnt = _moving_sum(ok.astype(float), width)
    c = np.full(num.shape, np.nan)
    mean_den = np.full(num.shape, np.nan)
    good = (d_s > 0) & (cnt > 0.5)
    c[good] = np.clip(1.0 - n_s[good] / d_s[good], 0.0, 1.0)
    mean_den[good] = d_s[good] / cnt[good]
    return c, mean_den


def _weighted_c(num: np.ndarray, den: np.ndarray, mask: np.ndarray) -> float:
    """``1 - sum num / sum den`` over the frames of ``mask`` where both are finite, clipped to [0, 1].

    ``mask`` is a bool array (T,) or increasing frame indices (the same sums, in the same order); NaN
    when the frames hold no magnitude.
    """
    if mask.dtype != bool:
        num, den = num[mask], den[mask]
        m = np.isfinite(num) & np.isfinite(den)
    else:
        m = mask & np.isfinite(num) & np.isfinite(den)
    d = float(den[m].sum()) if m.any() else 0.0
    if d <= 0:
        return float("nan")
    c = 1.0 - float(num[m].sum()) / d
    return 0.0 if c < 0.0 else (1.0 if c > 1.0 else c)  # np.clip's result, without its overhead per call


def _center_scale(v: np.ndarray, tail: str, floor: float) -> tuple[float, float]:
    """Median and robust spread of ``v``: the largest of 1.4826 x MAD, the quantile spread and ``floor``.

    The quantile spread is ``(median - P25) / 0.6745`` for ``tail == "lower"`` (cancellation: only drops
    matter, and its lower tail is long because it is bounded above by 1) or the interquartile range /
    1.349 for ``"both"``; both equal the standard deviation for normal data and, like the quartiles
    they use, tolerate up to a quarter of abnormal values (a breakdown in the baseline itself).
    """
    ordered = np.sort(np.asarray(v, dtype=float)).tolist()
    if not ordered or ordered[-1] != ordered[-1]:  # empty or NaN (sorted last): numpy's own rules
        m = float(np.median(v))
        mad = _MAD_TO_SD * float(np.median(np.abs(v - m)))
        p25, p75 = (float(q) for q in np.percentile(v, [25.0, 75.0]))
    else:  # the same arithmetic as np.median and np.percentile (linear), on one sorted copy
        m = _sorted_median(ordered)
        mad = _MAD_TO_SD * _sorted_median(sorted([abs(x - m) for x in ordered]))
        p25, p75 = _sorted_quantile(ordered, 0.25), _sorted_quantile(ordered, 0.75)
    q = (m - p25) / 0.6745 if tail == "lower" else (p75 - p25) / 1.349
    return m, max(mad, q, floor, 1e-9)


def _sorted_median(ordered: list[float]) -> float:
    """``np.median`` of sorted finite values: the middle value or the mean of the middle two."""
    h = len(ordered) // 2
    return ordered[h] if len(ordered) % 2 else (ordered[h - 1] + ordered[h]) / 2.0


def _sorted_quantile(ordered: list[float], q: float) -> float:
    """``np.percentile(..., 100 * q)`` (method "linear") of sorted finite values, step for step."""
    virtual = (len(ordered) - 1) * q
    if virtual >= len(ordered) - 1:
        return ordered[-1]
    i = math.floor(virtual)
    gamma = virtual - i
    lo, hi = ordered[i], ordered[i + 1]
    diff = hi - lo
    return hi - diff * (1 - gamma) if gamma >= 0.5 else lo + diff * gamma


def compute_gait_bins(
    t: np.ndarray, step_start: np.ndarray, step_end: np.ndarray, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Place each frame in the gait cycle: its step and its bin of the step's time fraction.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds.
    step_start, step_end : ndarray, shape (n,)
        Step spans (touchdown to next touchdown), seconds; NaN unknown.
    n_bins : int
        Bins per step (0: no phase alignment).

    Returns
    -------
    step_of : ndarray of int, shape (T,)
        Index of the step holding each frame, -1 none.
    bin_of : ndarray of int, shape (T,)
        ``floor(n_bins * (t - start) / (end - start))``, -1 outside every step.
    """
    t = np.asarray(t, dtype=float)
    step_of = np.full(t.shape, -1, dtype=int)
    bin_of = np.full(t.shape, -1, dtype=int)
    if n_bins <= 0:
        return step_of, bin_of
    # frames of step k: t in [a - 1e-9, b - 1e-9), found by bisection (t increasing), so the work is linear
    # in the clip rather than steps x frames; later steps overwrite earlier ones where spans overlap
    a_all = np.asarray(step_start, dtype=float)
    b_all = np.asarray(step_end, dtype=float)
    good = np.flatnonzero(np.isfinite(a_all) & np.isfinite(b_all) & (b_all > a_all))
    starts = np.searchsorted(t, a_all - 1e-9, side="left")
    ends = np.searchsorted(t, b_all - 1e-9, side="left")
    if good.size and np.all(starts[good][1:] >= ends[good][:-1]):
        # the usual case, steps in time order without overlap: every frame at once
        k_of = np.searchsorted(starts[good], np.arange(t.size), side="right") - 1
        inside = (k_of >= 0) & (np.arange(t.size) < ends[good][np.maximum(k_of, 0)])
        k = good[k_of[inside]]
        step_of[inside] = k
        frac = (t[inside] - a_all[k]) / (b_all[k] - a_all[k])
        bin_of[inside] = np.clip(np.floor(n_bins * frac).astype(int), 0, n_bins - 1)
        return step_of, bin_of
    for k in range(a_all.shape[0]):
        a, b = float(step_start[k]), float(step_end[k])
        if not (np.isfinite(a) and np.isfinite(b)) or b <= a:
            continue
        i0, i1 = int(starts[k]), int(ends[k])
        step_of[i0:i1] = k
        bin_of[i0:i1] = np.clip(np.floor(n_bins * (t[i0:i1] - a) / (b - a)).astype(int), 0, n_bins - 1)
    return step_of, bin_of


def compute_baseline(
    x: np.ndarray,
    kind: np.ndarray,
    bin_of: np.ndarray,
    step_of: np.ndarray,
    n_bins: int,
    mad_floor: float,
    min_frames: int,
    min_bin_samples: int,
    tail: str = "lower",
) -> tuple[np.ndarray, np.ndarray]:
    """Return the athlete's own normal value and spread for every frame, robustly, from this clip.

    Phase-aligned where possible: frames at the same fraction of the step over all steps (the frame's
    own bin, or when that is too sparse the bin and its two neighbours, circularly), when they hold at
    least ``min_bin_samples`` finite values from at least three different steps. Otherwise frames of
    the same phase kind (contact or flight), when there are at least ``min_frames`` of them.

    Parameters
    ----------
    x : ndarray, shape (T,)
        Values (NaN = not judged).
    kind : ndarray of int, shape (T,)
        1 contact, 0 flight, -1 none.
    bin_of, step_of : ndarray of int, shape (T,)
        From :func:`compute_gait_bins`.
    n_bins : int
        Bins per step.
    mad_floor : float
        Smallest spread used, same unit as ``x``.
    min_frames : int
        Fewest values of a phase kind for the fallback baseline.
    min_bin_samples : int
        Fewest values in a bin neighbourhood for the phase-aligned baseline.
    tail : {"lower", "both"}
        Which quantile spread guards the MAD against long tails (see :func:`_center_scale`).

    Returns
    -------
    median : ndarray, shape (T,)
        Normal value per frame (NaN where no baseline).
    scale : ndarray, shape (T,)
        ``max(1.4826 * MAD, quantile spread, mad_floor)`` per frame (NaN where no baseline).
    """
    x = np.asarray(x, dtype=float)
    med = np.full(x.shape, np.nan)
    scale = np.full(x.shape, np.nan)
    fin = np.isfinite(x)
    for k in np.unique(kind):
        if k < 0:
            continue
        sel = (kind == k) & fin
        if int(sel.sum()) < max(1, min_frames):
            continue
        m, sd = _center_scale(x[sel], tail, mad_floor)
        tgt = kind == k
        med[tgt] = m
        scale[tgt] = sd
    if n_bins > 0:
        # each bin's frames (judged ones; and those with a value) as index lists, from one stable sort each
        live = kind >= 0
        members, targets = _bin_members(np.where(live & fin, bin_of, -1), n_bins), _bin_members(
            np.where(live, bin_of, -1), n_bins
        )
        for b in range(n_bins):
            sel = members[b]
            if sel.size < max(1, min_bin_samples) or np.unique(step_of[sel]).size < 3:
                hood = sorted({(b - 1) % n_bins, b, (b + 1) % n_bins})
                sel = np.concatenate([members[h] for h in hood])
                if sel.size < max(1, min_bin_samples) or np.unique(step_of[sel]).size < 3:
                    continue
            m, sd = _center_scale(x[sel], tail, mad_floor)
            med[targets[b]] = m
            scale[targets[b]] = sd
    return med, scale


def _bin_members(key: np.ndarray, n_bins: int) -> list[np.ndarray]:
    """Frame indices holding each of the values 0..n_bins-1 of ``key`` (increasing; other values ignored)."""
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(n_bins + 1), side="left")
    return [order[bounds[b] : bounds[b + 1]] for b in range(n_bins)]


def find_spans(flag: np.ndarray) -> list[tuple[int, int]]:
    """Return (start, end) inclusive index pairs of runs of True in ``flag``."""
    f = np.asarray(flag, dtype=bool)
    if f.size == 0:
        return []
    d = np.diff(np.concatenate(([0], f.astype(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def merge_spans(spans: Sequence[tuple[int, int]], t: np.ndarray, max_gap_s: float) -> list[tuple[int, int]]:
    """Merge spans whose gap (time from one's last frame to the next's first, minus one frame) is short.

    Parameters
    ----------
    spans : sequence of (int, int)
        Sorted inclusive index spans.
    t : ndarray, shape (T,)
        Frame times, seconds.
    max_gap_s : float
        Largest gap to bridge, seconds.

    Returns
    -------
    list of (int, int)
        Merged spans.
    """
    out: list[tuple[int, int]] = []
    dt = _frame_interval(t)
    for s, e in spans:
        if out and (t[s] - t[out[-1][1]] - dt) <= max_gap_s + 1e-9:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _frame_interval(t: np.ndarray) -> float:
    t = np.asarray(t, dtype=float)
    if t.size < 2:
        return 1.0 / 30.0
    d = np.diff(t)
    d = d[np.isfinite(d) & (d > 0)]
    return float(np.median(d)) if d.size else 1.0 / 30.0


def segment_part(name: str) -> str:
    """Return the coach-level body part of a segment name ("right arm", "left leg", "trunk", "head").

    Parameters
    ----------
    name : str
        A segment name such as ``"left_thigh"`` or ``"right_forearm"``.

    Returns
    -------
    str
        Body part.
    """
    n = name.lower()
    side = ""
    if n.startswith(("left", "l_")) or "_left" in n:
        side = "left "
    elif n.startswith(("right", "r_")) or "_right" in n:
        side = "right "
    if any(k in n for k in ("thigh", "shank", "foot", "calf", "leg", "toe", "knee", "ankle")):
        return f"{side}leg"
    if any(k in n for k in ("arm", "hand", "wrist", "elbow")):
        return f"{side}arm"
    if "head" in n or "neck" in n:
        return "head"
    return "trunk"


def rotation_words(axis: str, sign: int, direction: int) -> tuple[str, str]:
    """Describe a rotation in body words and as seen from the camera.

    Parameters
    ----------
    axis : {"vertical", "mediolateral"}
        Axis of the rotation.
    sign : int
        Sign of the angular momentum about the lab axis (+1, -1; 0 unknown).
    direction : int
        Running direction in the image: +1 to image right, -1 to image left, 0 unknown.

    Returns
    -------
    body : str
        E.g. "pitched forward" (mediolateral, H_z < 0) or "twisted to the left (right side moving
        forward, counter-clockwise seen from above)" (vertical, H_y > 0). "" when sign is 0.
    camera : str
        "counter-clockwise as seen from the camera" etc.; "" when the direction or sign is unknown.

    Notes
    -----
    With the runner moving to image right the lab axes are X = image right, Y = image up, so
    Z = X x Y points out of the image toward the camera: the runner's right side faces the camera and
    a positive rotation about Z is counter-clockwise on screen. Moving to image left, X = image left
    and Z points into the image, so the same rotation is clockwise on screen. Hence counter-clockwise
    on screen iff ``sign * direction > 0``; about the vertical axis the same product says whether the
    side nearer the camera (right side when direction is +1) moves forward.
    """
    if sign == 0:
        return "", ""
    if axis == "mediolateral":
        body = "tipped backward (trunk back, legs swinging up in front)" if sign > 0 else "pitched forward"
    else:
        body = (
            "twisted to the left (right side moving forward, counter-clockwise seen from above)"
            if sign > 0
            else "twisted to the right (left side moving forward, clockwise seen from above)"
        )
    if direction not in (1, -1):
        return body, ""
    positive = sign * direction > 0
    if axis == "mediolateral":
        camera = "counter-clockwise as seen from the camera" if positive else "clockwise as seen from the camera"
    else:
        camera = (
            "the side nearer the camera moving forward"
            if positive
            else "the side farther from the camera moving forward"
        )
    return body, camera


def _direction_of(kin: Kinematics) -> int:
    d = kin.info.get("direction") if isinstance(kin.info, dict) else None
    try:
        v = float(d)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    if not math.isfinite(v) or v == 0:
        return 0
    return 1 if v > 0 else -1


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def _step_windows(kin: Kinematics) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per-contact (start, end, toeoff) times; a step ends at the next touchdown."""
    s = kin.steps
    n = s.n
    td = np.asarray(s.touchdown_t, dtype=float)
    to = np.asarray(s.toeoff_t, dtype=float)
    t_end = float(kin.t[-1]) if kin.t.size else float("nan")
    flights = np.asarray(s.flight_s, dtype=float)
    med_flight = _nanmedian(flights)
    start = td.copy()
    end = np.full(n, np.nan)
    for k in range(n):
        nxt = td[k + 1 :]
        nxt = nxt[np.isfinite(nxt) & (nxt > td[k])] if np.isfinite(td[k]) else nxt[:0]
        if nxt.size:
            end[k] = float(nxt.min())
        elif np.isfinite(to[k]):
            end[k] = min(to[k] + (med_flight if np.isfinite(med_flight) else 0.0), t_end)
        elif np.isfinite(td[k]):
            end[k] = t_end
    return start, end, to


def _locate_step(t: float, start: np.ndarray, end: np.ndarray) -> int:
    for k in range(start.shape[0]):
        if np.isfinite(start[k]) and np.isfinite(end[k]) and start[k] <= t < end[k] + 1e-9:
            return k
    return -1


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def _axis_series(
    kin: Kinematics,
    axis: str,
    ax: int,
    cfg: BalanceConfig,
    valid: np.ndarray,
    kind: np.ndarray,
    width: int,
    bin_of: np.ndarray,
    step_of: np.ndarray,
) -> tuple[BalanceSeries, dict[str, np.ndarray]]:
    """Compute one axis' series, plus the working arrays event detection needs."""
    g = kin.groups
    first, second = PAIRS[axis]
    a = np.asarray(getattr(g, first)[:, ax], dtype=float)
    b = np.asarray(getattr(g, second)[:, ax], dtype=float)
    total = np.asarray(g.total[:, ax], dtype=float)
    nf = float(kin.norm_factor) if np.isfinite(kin.norm_factor) and kin.norm_factor > 0 else float("nan")
    net_norm = total / nf

    num_p, den_p = np.abs(a + b), np.abs(a) + np.abs(b)
    seg = np.asarray(kin.segment_h[:, :, ax], dtype=float) if kin.segment_h.ndim == 3 else np.zeros((total.size, 0))
    num_s, den_s = _segment_terms(seg)
    have_seg = bool(np.isfinite(den_s).any())

    use = valid & np.isfinite(num_p) & np.isfinite(den_p)
    c_pair, md_pair = compute_windowed_cancellation(num_p, den_p, use, width)
    use_s = valid & np.isfinite(num_s) & np.isfinite(den_s)
    c_seg, md_seg = compute_windowed_cancellation(num_s, den_s, use_s, width)

    # Magnitude gate: C is meaningless when both groups are tiny.
    ref_p = _nanmedian(den_p[use])
    ref_s = _nanmedian(den_s[use_s])
    gate_p = use & (md_pair >= cfg.min_magnitude_fraction * ref_p) if np.isfinite(ref_p) else np.zeros_like(use)
    gate_s = use_s & (md_seg >= cfg.min_magnitude_fraction * ref_s) if np.isfinite(ref_s) else np.zeros_like(use)
    c_pair = np.where(gate_p, c_pair, np.nan)
    c_seg = np.where(gate_s, c_seg, np.nan)
    # Per-frame (raw) values under the same gate, used to pin down an event's extent.
    raw_p = compute_pair_cancellation(a, b)
    raw_p = (
        np.where(use & (den_p >= cfg.min_magnitude_fraction * ref_p), raw_p, np.nan)
        if np.isfinite(ref_p)
        else raw_p * np.nan
    )
    raw_s = compute_segment_cancellation(seg)
    raw_s = (
        np.where(use_s & (den_s >= cfg.min_magnitude_fraction * ref_s), raw_s, np.nan)
        if np.isfinite(ref_s)
        else raw_s * np.nan
    )

    base = (kind, bin_of, step_of, int(cfg.phase_bins), cfg.mad_floor, int(cfg.min_baseline_frames))
    med_p, sc_p = compute_baseline(c_pair, *base, int(cfg.min_bin_samples))
    med_s, sc_s = compute_baseline(c_seg, *base, int(cfg.min_bin_samples))
    # With three or more steps the normal pattern is known step by step: frames outside every step
    # (clip edges, where filtering and differentiation are least reliable) are not judged against it.
    outside = (step_of < 0) & (np.unique(step_of[step_of >= 0]).size >= 3) & (int(cfg.phase_bins) > 0)
    for arr in (med_p, sc_p, med_s, sc_s):
        arr[outside] = np.nan
    z_pair = (c_pair - med_p) / sc_p
    z_seg = (c_seg - med_s) / sc_s
    # The same baseline applied to raw (unsmoothed) frame values.
    zr_pair = (raw_p - med_p) / sc_p
    zr_seg = (raw_s - med_s) / sc_s

    # Excess whole-body momentum against its own phase-aligned normal value. Left and right steps are
    # mirror images: mirroring the body (Z -> -Z) flips momentum about the vertical axis and keeps it
    # about the mediolateral axis, so vertical-axis values of right-foot steps are sign-flipped first.
    mirror = np.ones(total.shape)
    if axis == "vertical":
        feet = np.asarray(kin.steps.foot)
        side = np.where(step_of >= 0, feet[np.clip(step_of, 0, max(feet.size - 1, 0))] if feet.size else -1, -1)
        side = np.where(side >= 0, side, np.asarray(kin.push_side))
        mirror = np.where(side == 0, 1.0, np.where(side == 1, -1.0, np.nan))
    m_net = total * mirror
    use_n = use & np.isfinite(m_net)
    n_s = _moving_sum(np.where(use_n, m_net, 0.0), width)
    n_c = _moving_sum(use_n.astype(float), width)
    net_s = np.where(gate_p & (n_c > 0.5), n_s / np.maximum(n_c, 1e-12), np.nan)
    net_floor = cfg.mad_floor * ref_p if np.isfinite(ref_p) else float("nan")
    med_n, sc_n = compute_baseline(
        net_s, kind, bin_of, step_of, int(cfg.phase_bins), net_floor, int(cfg.min_baseline_frames),
        int(cfg.min_bin_samples), "both",
    )  # fmt: skip
    med_n[outside] = np.nan
    sc_n[outside] = np.nan
    z_net = (net_s - med_n) / sc_n
    raw_net = np.where(gate_p, m_net, np.nan)
    zr_net = (raw_net - med_n) / sc_n
    with np.errstate(invalid="ignore"):
        # only departures away from zero count: the body turned more than usual
        x_net = np.where(np.abs(net_s) > np.abs(med_n), np.abs(z_net), 0.0)
        xr_net = np.where(np.abs(raw_net) > np.abs(med_n), np.abs(zr_net), 0.0)
    x_net = np.where(np.isfinite(z_net), x_net, np.nan)
    xr_net = np.where(np.isfinite(zr_net), xr_net, np.nan)

    # Dominant group: the one whose sign the net takes (larger one if both share it).
    dominant = np.full(total.shape, -1, dtype=np.int8)
    sa, sb, st = np.sign(a), np.sign(b), np.sign(total)
    fin = np.isfinite(a) & np.isfinite(b) & np.isfinite(total) & (st != 0)
    only_a = fin & (sa == st) & (sb != st)
    only_b = fin & (sb == st) & (sa != st)
    both = fin & (sa == st) & (sb == st)
    dominant[only_a] = 0
    dominant[only_b] = 1
    dominant[both & (np.abs(a) >= np.abs(b))] = 0
    dominant[both & (np.abs(a) < np.abs(b))] = 1
    direction_sign = np.where(np.isfinite(total), np.sign(total), 0).astype(np.int8)

    ac = kin.axis_confidence.get(axis, 0.5) if isinstance(kin.axis_confidence, dict) else 0.5
    ac = float(ac) if ac is not None and np.isfinite(ac) else 0.5
    judged = np.isfinite(c_pair) | np.isfinite(c_seg)
    ser = BalanceSeries(
        axis=axis,
        axis_index=ax,
        pair=(first, second),
        side_labels=SIDE_LABELS[axis],
        net_si=total,
        net_norm=net_norm,
        segment_cancellation=compute_segment_cancellation(seg),
        push_swing_cancellation=compute_pair_cancellation(g.push[:, ax], g.swing[:, ax]),
        lower_upper_cancellation=compute_pair_cancellation(g.lower[:, ax], g.upper[:, ax]),
        pair_cancellation_smooth=c_pair,
        segment_cancellation_smooth=c_seg,
        pair_z=z_pair,
        segment_z=z_seg,
        net_excess_z=x_net,
        dominant=dominant,
        direction_sign=direction_sign,
        judged=judged,
        flagged=np.zeros(total.shape, dtype=bool),
        axis_confidence=float(np.clip(ac, 0.0, 1.0)),
    )
    # The absolute bound judges whole ground contacts: magnitude-weighted (segment) cancellation over
    # each contact, so a one-frame dip of a noisy estimate cannot trip it. In flight whole-body momentum
    # cannot change, and flight cancellation is low even in normal running (section 1: 10th pct 0-0.18).
    contact_c = np.full(total.shape, np.nan)
    t = np.asarray(kin.t, dtype=float)
    td = np.asarray(kin.steps.touchdown_t, dtype=float)
    to = np.asarray(kin.steps.toeoff_t, dtype=float)
    in_contact_phase = np.isin(kin.phase, _CONTACT_PHASES)
    # Each contact is also compared with the athlete's other contacts (median and spread of the
    # per-contact pair and segment cancellations): robust at low frame rates, where a contact is 3-4
    # frames and a frame-level, phase-aligned comparison is under-sampled.
    contact_z = np.full(total.shape, np.nan)
    per_contact: list[tuple[np.ndarray, float, float]] = []
    for k in range(kin.steps.n):
        if not (np.isfinite(td[k]) and np.isfinite(to[k])):
            continue
        # the contact's frames as indices (t is increasing), not a mask of the whole clip per contact
        i0 = int(np.searchsorted(t, td[k] - 1e-9, side="left"))
        i1 = int(np.searchsorted(t, to[k] + 1e-9, side="right"))
        m = i0 + np.flatnonzero(in_contact_phase[i0:i1])
        c_k = _weighted_c(num_s, den_s, m[use_s[m]]) if have_seg else _weighted_c(num_p, den_p, m[use[m]])
        contact_c[m] = c_k
        per_contact.append((m, _weighted_c(num_p, den_p, m[use[m]]), _weighted_c(num_s, den_s, m[use_s[m]])))
    for j in (1, 2):
        vals = np.array([pc[j] for pc in per_contact], dtype=float)
        fin_v = vals[np.isfinite(vals)]
        if fin_v.size < int(cfg.min_contacts_baseline):
            continue
        med_c, sc_c = _center_scale(fin_v, "lower", cfg.mad_floor)
        for (m, *_), v in zip(per_contact, vals, strict=True):
            if np.isfinite(v):
                zc = (v - med_c) / sc_c
                contact_z[m] = np.fmin(contact_z[m], zc) if np.isfinite(contact_z[m]).any() else zc
    stride_z, stride_larger = compute_stride_z(t, np.asarray(kin.steps.touchdown_t, dtype=float), a, b, use, cfg)
    limbs = tuple(PART_GROUPS.get(axis, {}))
    part_z, part_idx, part_ratio = compute_part_share_z(
        t, np.asarray(kin.steps.touchdown_t, dtype=float), seg, kin.segment_names, use_s, limbs, cfg
    )
    swing = compute_swing_frames(kin, ax, use, cfg) if axis == "mediolateral" else _no_swings(t.shape[0])
    shoulder_z = shoulder_ratio = np.full(t.shape[0], np.nan)
    pts = np.asarray(kin.points, dtype=float)
    if axis == "vertical" and pts.ndim == 3 and pts.shape[0] == t.shape[0] and pts.shape[1] > max(_HIP_POINTS):
        # the trunk's twist about the vertical axis, seen as the shoulders' forward and back travel
        shoulder_z, shoulder_ratio = compute_shoulder_travel_z(
            t, np.asarray(kin.steps.touchdown_t, dtype=float), pts[:, list(_SHOULDER_POINTS), 0],
            pts[:, list(_HIP_POINTS), 0].mean(axis=1), valid, cfg,
        )  # fmt: skip
    work = {
        **swing,
        "shoulder_z": shoulder_z,
        "shoulder_ratio": shoulder_ratio,
        "contact_c": contact_c,
        "contact_z": contact_z,
        "stride_z": stride_z,
        "stride_larger": stride_larger,
        "part_z": part_z,
        "part_idx": part_idx,
        "part_ratio": part_ratio,
        "a": a,
        "b": b,
        "seg": seg,
        "have_seg": np.array(have_seg),
        "num_p": num_p,
        "den_p": den_p,
        "num_s": num_s,
        "den_s": den_s,
        "use": use,
        "use_s": use_s,
        "zr_pair": zr_pair,
        "zr_seg": zr_seg,
        "raw_s": raw_s,
        "raw_p": raw_p,
        "xr_net": xr_net,
    }
    return ser, work


def compute_stride_z(
    t: np.ndarray,
    touchdown_t: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    use: np.ndarray,
    cfg: BalanceConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Compare the balance of the two opposing groups over each stride with the athlete's other strides.

    A stride runs from one touchdown to the touchdown after next, so it holds one left and one right
    step (left/right differences cancel); strides overlap by one step. Per stride the group balance
    ``log(sum |A| / sum |B|)`` is compared with the clip's other strides (leave-one-out): robust z
    (median, spread as in :func:`_center_scale` with both tails, floored at ``cfg.stride_ratio_floor``).
    Either group may overwhelm the other, so both tails count. Summing a whole stride averages out the frame-to-frame
    noise of a video estimate, which at the frame level is as large as a breakdown's effect, and a
    ratio is immune to the gain a camera view puts on a whole group (benchmarks/balance_synth.py
    ``--video``). Strides that reach into the first or last ``cfg.edge_margin_s`` are not judged; with
    fewer than ``cfg.min_strides_baseline`` judged strides none is.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds, increasing.
    touchdown_t : ndarray, shape (n,)
        Touchdown times, seconds (any order; NaN ignored).
    a, b : ndarray, shape (T,)
        The axis' opposing pair (lower/upper body about the vertical axis, push/swing side about the
        mediolateral axis), kg*m^2/s.
    use : ndarray of bool, shape (T,)
        Frames usable for the measure.
    cfg : BalanceConfig

    Returns
    -------
    z : ndarray, shape (T,)
        Per frame, ``-max |z|`` over the judged strides holding the frame (negative, like a
        cancellation z, so ``< -robust_z`` is abnormal); NaN where no stride is judged.
    larger : ndarray of int8, shape (T,)
        Which group is larger than usual in that stride: 0 ``a``, 1 ``b``, -1 none judged.
    """
    n_t = t.shape[0]
    out = np.full(n_t, np.nan)
    larger = np.full(n_t, -1, dtype=np.int8)
    min_n = int(cfg.min_strides_baseline)
    if min_n <= 0 or n_t == 0:
        return out, larger
    ok = use & np.isfinite(a) & np.isfinite(b)
    spans: list[tuple[int, int]] = []  # each stride's frames t[i0:i1] (t is increasing)
    vals: list[float] = []
    for m in _judged_strides(t, touchdown_t, cfg):
        idx = np.flatnonzero(m)
        if idx.size == 0:
            continue
        i0, i1 = int(idx[0]), int(idx[-1]) + 1
        sel = ok[i0:i1]
        sa, sb = float(np.abs(a[i0:i1][sel]).sum()), float(np.abs(b[i0:i1][sel]).sum())
        if sa > 0 and sb > 0:
            spans.append((i0, i1))
            vals.append(float(np.log(sa / sb)))
    if len(vals) < max(min_n, 1):
        return out, larger
    v = np.asarray(vals)
    for i, ((i0, i1), vk) in enumerate(zip(spans, v, strict=True)):
        # each stride against the OTHER strides (leave-one-out): with 10-13 strides a breakdown stride in
        # its own baseline pulls the median and widens the quartiles toward itself (masking)
        med, sc = _center_scale(np.delete(v, i), "both", cfg.stride_ratio_floor)
        zk = -abs(vk - med) / sc
        lower = ~(out[i0:i1] <= zk)  # frames where this stride is the most abnormal so far
        out[i0:i1][lower] = zk
        larger[i0:i1][lower] = 0 if vk > med else 1
    return out, larger


#: Limbs judged by the stride-part comparison per axis, with the group of the axis' opposing pair
#: (:data:`PAIRS` order) each belongs to. Only the vertical axis, whose pair (lower vs upper body) is made
#: of body parts; about the mediolateral axis a leg is push side in one step and swing side in the next,
#: and the arms, which cancel each other there, carry ~2% of the momentum. Only the arms: they are what
#: offsets the legs about the vertical axis (arms vs legs r -0.99, 40% of the yaw momentum; BIOMECHANICS
#: section 1), and their swing is seen in the image plane. The legs' shares on video carry the leg-label
#: and contact-timing errors of side views (docs/balance.md: 3 false events, 1 wrongly named limb, no
#: breakdown the other rules missed); trunk and head carry 3-4% of the yaw momentum, 74% of the trunk's
#: being its own spin about its long axis, which needs depth a side camera does not see.
PART_GROUPS: dict[str, dict[str, int]] = {
    "vertical": {"left arm": 1, "right arm": 1},
}


def _judged_strides(t: np.ndarray, touchdown_t: np.ndarray, cfg: BalanceConfig) -> list[np.ndarray]:
    """Frame masks of the strides (touchdown to the touchdown after next) clear of the clip edges."""
    td = np.sort(touchdown_t[np.isfinite(touchdown_t)])
    if t.shape[0] == 0 or td.size < 3:
        return []
    lo, hi = float(t[0]) + cfg.edge_margin_s - 1e-9, float(t[-1]) - cfg.edge_margin_s + 1e-9
    out = []
    for k in range(td.size - 2):
        s0, s1 = float(td[k]), float(td[k + 2])
        if s0 >= lo and s1 <= hi:
            out.append((t >= s0 - 1e-9) & (t < s1 - 1e-9))
    return out


def compute_part_share_z(
    t: np.ndarray,
    touchdown_t: np.ndarray,
    seg: np.ndarray,
    names: Sequence[str],
    use: np.ndarray,
    parts: Sequence[str],
    cfg: BalanceConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compare each limb's share of the body's rotation over a stride with the athlete's other strides.

    Per stride (as in :func:`compute_stride_z`) and limb, the share is ``sum_t |H_limb| / sum_t sum_i |H_i|``
    (``H_limb`` = the sum over the limb's segments, ``i`` over all segments), and its log is compared with
    the clip's other strides (leave-one-out robust z, both tails, spread floored at
    ``cfg.stride_ratio_floor``). Only limbs carrying at least ``cfg.min_part_share`` of the momentum over the
    judged strides are judged. Why: a limb's momentum about the vertical axis is, to first order, its fixed
    sideways lever times its forward velocity, which a side camera sees as well as pitch, so an arm that
    stops swinging shows clearly, while the small whole-body residual does not; a share is immune to speed
    and to a gain on the whole body.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds.
    touchdown_t : ndarray, shape (n,)
        Touchdown times, seconds (any order; NaN ignored).
    seg : ndarray, shape (T, S)
        Each segment's momentum about the axis, kg*m^2/s.
    names : sequence of str
        The S segment names (:func:`segment_part` maps them to body parts).
    use : ndarray of bool, shape (T,)
        Frames usable for the measure.
    parts : sequence of str
        Body parts to judge (e.g. "left arm").
    cfg : BalanceConfig

    Returns
    -------
    z : ndarray, shape (T,)
        Per frame, ``-max |z|`` over the judged strides holding the frame and the judged limbs (negative,
        like a cancellation z); NaN where none is judged.
    part : ndarray of int8, shape (T,)
        Index into ``parts`` of the limb behind ``z``; -1 none.
    ratio : ndarray, shape (T,)
        That limb's share over the stride divided by its usual share (the other strides' median): below 1
        when it did less than usual, above 1 when more. NaN where none.
    """
    n_t = t.shape[0]
    z_out = np.full(n_t, np.nan)
    p_out = np.full(n_t, -1, dtype=np.int8)
    r_out = np.full(n_t, np.nan)
    min_n = int(cfg.min_strides_baseline)
    if min_n <= 0 or seg.ndim != 2 or seg.shape[1] != len(names) or not parts:
        return z_out, p_out, r_out
    masks = _judged_strides(t, touchdown_t, cfg)
    ok = use & np.all(np.isfinite(seg), axis=1)
    cols = [[i for i, nm in enumerate(names) if segment_part(nm) == p] for p in parts]
    absall = np.abs(np.where(ok[:, None], seg, 0.0)).sum(axis=1)
    limb = np.stack([np.abs(np.where(ok, seg[:, c].sum(axis=1), 0.0)) if c else np.zeros(n_t) for c in cols], axis=1)
    tot = np.array([float(absall[m].sum()) for m in masks])
    sums = np.array([limb[m].sum(axis=0) for m in masks]).reshape(len(masks), len(parts))
    keep = tot > 0
    if int(keep.sum()) < max(min_n, 1):
        return z_out, p_out, r_out
    masks = [m for m, k in zip(masks, keep, strict=True) if k]
    tot, sums = tot[keep], sums[keep]
    clip_share = sums.sum(axis=0) / tot.sum()
    for j in range(len(parts)):
        if clip_share[j] < cfg.min_part_share or not (sums[:, j] > 0).all():
            continue
        v = np.log(sums[:, j] / tot)
        for i, m in enumerate(masks):
            med, sc = _center_scale(np.delete(v, i), "both", cfg.stride_ratio_floor)
            zk = -abs(v[i] - med) / sc
            worse = m & ~(z_out <= zk)  # frames where this stride and limb are the most abnormal so far
            z_out[worse] = zk
            p_out[worse] = j
            r_out[worse] = math.exp(v[i] - med)
    return z_out, p_out, r_out


#: Landmark indices of the shoulders and hips, left then right.
_SHOULDER_POINTS = (INDEX["left_shoulder"], INDEX["right_shoulder"])
_HIP_POINTS = (INDEX["left_hip"], INDEX["right_hip"])


def compute_shoulder_travel_z(
    t: np.ndarray,
    touchdown_t: np.ndarray,
    shoulder_x: np.ndarray,
    hip_x: np.ndarray,
    use: np.ndarray,
    cfg: BalanceConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Compare how far the shoulders travel forward and back relative to the hips over each stride.

    The thorax counter-rotates against the pelvis about the vertical axis, so each shoulder moves forward
    and back relative to the hips by about ``shoulder half-width x sin(thorax yaw)``: a trunk that twists
    further than usual carries the shoulders further, and a side camera sees that travel in the image plane
    although it cannot see the twist itself. Per stride (as in :func:`compute_stride_z`) the travel is the
    range (max - min) of each shoulder's forward position relative to the hip midpoint, averaged over the two
    shoulders; its log is compared with the clip's other strides (leave-one-out robust z, both tails, spread
    floored at ``cfg.shoulder_travel_floor``). Only MORE travel than usual counts (over-rotation): less
    travel comes with arms that stop swinging (the pose model's shoulders partly follow the arms), which
    the other rules judge. A stride needs nine in ten of its frames usable.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds, increasing.
    touchdown_t : ndarray, shape (n,)
        Touchdown times, seconds (any order; NaN ignored).
    shoulder_x : ndarray, shape (T, 2)
        Forward (lab X) position of the left and right shoulder, metres.
    hip_x : ndarray, shape (T,)
        Forward (lab X) position of the hip midpoint, metres.
    use : ndarray of bool, shape (T,)
        Frames usable for the measure.
    cfg : BalanceConfig
        ``judge_shoulder_travel`` (False switches the comparison off), ``shoulder_travel_floor``,
        ``min_strides_baseline``, ``edge_margin_s``.

    Returns
    -------
    z : ndarray, shape (T,)
        Per frame, ``-max(z, 0)`` over the judged strides holding the frame (negative, like a cancellation
        z, so ``< -robust_z`` is abnormal; 0 where every such stride travelled less than usual); NaN where
        no stride is judged.
    ratio : ndarray, shape (T,)
        Travel divided by the usual travel (the other strides' median) of the judged stride holding the frame
        that travelled furthest against its usual; NaN where none.
    """
    n_t = t.shape[0]
    z_out = np.full(n_t, np.nan)
    r_out = np.full(n_t, np.nan)
    min_n = int(cfg.min_strides_baseline)
    if not cfg.judge_shoulder_travel or min_n <= 0 or shoulder_x.shape != (n_t, 2) or hip_x.shape != (n_t,):
        return z_out, r_out
    rel = shoulder_x - hip_x[:, None]
    ok = use & np.all(np.isfinite(rel), axis=1)
    masks: list[np.ndarray] = []
    travel: list[float] = []
    for m in _judged_strides(t, touchdown_t, cfg):
        good = m & ok
        n_m = int(m.sum())
        if n_m < 4 or good.sum() < 0.9 * n_m:
            continue
        r = rel[good]
        v = float(np.mean(r.max(axis=0) - r.min(axis=0)))
        if v > 0:
            masks.append(m)
            travel.append(v)
    if len(travel) < max(min_n, 1):
        return z_out, r_out
    lv = np.log(np.asarray(travel))
    z_most = np.full(n_t, np.nan)  # signed z of the stride with the most travel against usual, per frame
    for i, m in enumerate(masks):
        med, sc = _center_scale(np.delete(lv, i), "both", cfg.shoulder_travel_floor)
        zk = (lv[i] - med) / sc
        worse = m & ~(z_most >= zk)  # frames where this stride travelled furthest (against usual) so far
        z_most[worse] = zk
        r_out[worse] = math.exp(lv[i] - med)
    z_out = np.where(np.isfinite(z_most), -np.clip(z_most, 0.0, None), np.nan)
    return z_out, r_out


@dataclass(frozen=True)
class SwingTiming:
    """When one swing of one leg delivered its forward drive, against that leg's other swings.

    Attributes
    ----------
    foot : int
        The swinging leg: 0 left, 1 right.
    start_t, end_t : float
        The swing: that foot's toe-off and its next touchdown, seconds.
    stride_start_t : float
        The touchdown of the ground contact that ended at ``start_t`` (same foot), seconds; NaN when
        unknown. ``stride_start_t`` to ``end_t`` is that leg's stride (touchdown to touchdown).
    drive_t : float
        Time after toe-off, seconds, by which the leg had delivered ``cfg.swing_drive_fraction`` of its
        forward (flexion, H_z > 0) momentum over the swing: the time integral of ``max(H_leg, 0)``.
    after_shift_s, before_shift_s : float
        ``drive_t`` minus the median of the same leg's other swings (positive: later after toe-off), and
        how much closer to the next touchdown than usual it came (positive: closer), seconds.
    z : float
        Robust z of lateness: the smaller of the two shifts' robust z (each against the same leg's other
        swings, leave-one-out); positive when the drive came late measured from both ends of the swing.
        NaN when the swing was not judged.
    """

    foot: int
    start_t: float
    end_t: float
    stride_start_t: float
    drive_t: float
    after_shift_s: float
    before_shift_s: float
    z: float


def compute_swing_timing(
    t: np.ndarray,
    foot: np.ndarray,
    touchdown_t: np.ndarray,
    toeoff_t: np.ndarray,
    leg_h: np.ndarray,
    use: np.ndarray,
    cfg: BalanceConfig,
) -> tuple[SwingTiming, ...]:
    """Time each swing's forward drive and compare it with the same leg's other swings.

    A swing runs from a foot's toe-off to that foot's next touchdown. Its drive time is when the leg's
    mediolateral momentum, counted only while it swings the leg forward (``H > 0``: the thigh flexing,
    the shank swinging through), reaches ``cfg.swing_drive_fraction`` of its total over the swing
    (interpolated between frames). A leg whose recovery lags delivers that drive late and then catches
    up before its touchdown, so the drive comes both later after toe-off and closer to the touchdown
    than in the leg's other swings; a toe-off or touchdown timed wrongly moves only one of the two. The
    swing's z is the smaller of the two robust z (leave-one-out against the same leg's other judged
    swings, median and interquartile spread as :func:`_center_scale` with both tails, spread floored at
    ``cfg.swing_timing_floor_s``). Timing, not amplitude: a gain error of the pose on a whole leg (a
    side view's far leg) moves a quantile time not at all.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds, increasing.
    foot, touchdown_t, toeoff_t : ndarray, shape (n,)
        The steps table: foot (0 left, 1 right), touchdown and toe-off times (seconds, NaN unknown).
    leg_h : ndarray, shape (T, 2)
        Each leg's (thigh + shank + foot) angular momentum about the mediolateral axis, kg*m^2/s, left
        then right; positive = the leg swinging forward (counter-clockwise with the runner moving to +X).
    use : ndarray of bool, shape (T,)
        Frames usable for the measure.
    cfg : BalanceConfig
        ``swing_drive_fraction``, ``swing_timing_floor_s``, ``min_swings_baseline`` (0 switches the
        comparison off), ``edge_margin_s``.

    Returns
    -------
    tuple of SwingTiming
        Every swing clear of the clip edges with enough usable frames, in time order per leg (left
        first); ``z`` is NaN for a leg with fewer than ``min_swings_baseline`` such swings.
    """
    n_t = t.shape[0]
    min_n = int(cfg.min_swings_baseline)
    q = float(cfg.swing_drive_fraction)
    if min_n <= 0 or n_t < 2 or leg_h.shape != (n_t, 2) or not 0.0 < q < 1.0:
        return ()
    lo, hi = float(t[0]) + cfg.edge_margin_s - 1e-9, float(t[-1]) - cfg.edge_margin_s + 1e-9
    foot = np.asarray(foot)
    out: list[SwingTiming] = []
    for side in (0, 1):
        mine = foot == side
        td = np.sort(touchdown_t[mine & np.isfinite(touchdown_t)])
        to = np.sort(toeoff_t[mine & np.isfinite(toeoff_t)])
        h = leg_h[:, side]
        found: list[tuple[float, float, float]] = []
        contact_of: dict[float, float] = {}
        for a in to:
            later = td[td > a]
            if not later.size or a < lo or later[0] > hi:
                continue
            b = float(later[0])
            i0, i1 = (int(i) for i in np.searchsorted(t, [a - 1e-9, b + 1e-9], side="left"))
            tt, hh, ok = t[i0:i1], h[i0:i1], use[i0:i1] & np.isfinite(h[i0:i1])
            # a swing with gaps cannot be timed: at least 4 frames, nine in ten of them usable
            if tt.size < 4 or ok.sum() < 0.9 * tt.size:
                continue
            drive = np.where(ok, np.clip(hh, 0.0, None), 0.0)
            cum = np.concatenate(([0.0], np.cumsum(0.5 * (drive[1:] + drive[:-1]) * np.diff(tt))))
            if cum[-1] <= 0:
                continue
            found.append((float(a), b, float(np.interp(q * cum[-1], cum, tt)) - float(a)))
            earlier = td[td < a]
            contact_of[float(a)] = float(earlier[-1]) if earlier.size else float("nan")
        if not found:
            continue
        after = np.array([d for _, _, d in found])
        before = np.array([b - a - d for a, b, d in found])
        judged = len(found) >= max(min_n, 2)
        for i, (a, b, d) in enumerate(found):
            z = sh_a = sh_b = float("nan")
            if judged:
                med_a, sc_a = _center_scale(np.delete(after, i), "both", cfg.swing_timing_floor_s)
                med_b, sc_b = _center_scale(np.delete(before, i), "both", cfg.swing_timing_floor_s)
                sh_a, sh_b = after[i] - med_a, med_b - before[i]
                z = min(sh_a / sc_a, sh_b / sc_b)
            out.append(SwingTiming(side, a, b, contact_of[a], d, sh_a, sh_b, z))
    return tuple(out)


#: Segments of each leg, left then right, for the swing-timing comparison.
_LEG_SEGMENTS = (("left_thigh", "left_shank", "left_foot"), ("right_thigh", "right_shank", "right_foot"))


def _no_swings(n: int) -> dict[str, np.ndarray]:
    nan = np.full(n, np.nan)
    return {
        "swing_z": nan.copy(),
        "swing_foot": np.full(n, -1, dtype=np.int8),
        "swing_start": nan.copy(),
        "swing_end": nan.copy(),
        "swing_drive": nan.copy(),
        "swing_after": nan.copy(),
        "swing_before": nan.copy(),
    }


def compute_swing_frames(kin: Kinematics, ax: int, use: np.ndarray, cfg: BalanceConfig) -> dict[str, np.ndarray]:
    """Spread each judged swing's timing over its frames (see :func:`compute_swing_timing`).

    Parameters
    ----------
    kin : Kinematics
        Segment momenta (``left_thigh`` ... ``right_foot``) and the steps table.
    ax : int
        Lab axis index of the momentum (2: mediolateral).
    use : ndarray of bool, shape (T,)
        Frames usable for the measure.
    cfg : BalanceConfig

    Returns
    -------
    dict of str to ndarray, each shape (T,)
        ``swing_z``: ``-z`` of the most abnormal judged swing whose stride (the leg's touchdown before the
        swing to the touchdown that ends it, the unit of the other stride rules) holds the frame (negative
        when late, like a cancellation z, so ``< -robust_z`` is abnormal), NaN elsewhere; for that swing
        ``swing_foot`` (0 left, 1 right, -1 none), ``swing_start`` and ``swing_end`` (toe-off and
        touchdown, s), ``swing_drive`` (absolute time of the drive, s), ``swing_after`` and
        ``swing_before`` (the shifts of :class:`SwingTiming`, s).
    """
    t = np.asarray(kin.t, dtype=float)
    out = _no_swings(t.shape[0])
    names = list(kin.segment_names)
    if kin.segment_h.ndim != 3 or not all(nm in names for leg in _LEG_SEGMENTS for nm in leg):
        return out
    legs = np.stack(
        [kin.segment_h[:, [names.index(nm) for nm in leg], ax].astype(float).sum(axis=1) for leg in _LEG_SEGMENTS],
        axis=1,
    )
    st = kin.steps
    swings = compute_swing_timing(
        t, np.asarray(st.foot), np.asarray(st.touchdown_t, float), np.asarray(st.toeoff_t, float), legs, use, cfg
    )
    z_out = out["swing_z"]
    for sw in swings:
        if not np.isfinite(sw.z):
            continue
        first = sw.stride_start_t if np.isfinite(sw.stride_start_t) else sw.start_t
        i0, i1 = (int(i) for i in np.searchsorted(t, [first - 1e-9, sw.end_t + 1e-9], side="left"))
        worse = i0 + np.flatnonzero(~(z_out[i0:i1] <= -sw.z))
        z_out[worse] = -sw.z
        out["swing_foot"][worse] = sw.foot
        out["swing_start"][worse] = sw.start_t
        out["swing_end"][worse] = sw.end_t
        out["swing_drive"][worse] = sw.start_t + sw.drive_t
        out["swing_after"][worse] = sw.after_shift_s
        out["swing_before"][worse] = sw.before_shift_s
    return out


def _detect(
    kin: Kinematics,
    ser: BalanceSeries,
    work: dict[str, np.ndarray],
    cfg: BalanceConfig,
    direction: int,
    step_start: np.ndarray,
    step_end: np.ndarray,
    step_toeoff: np.ndarray,
    edge: np.ndarray,
) -> list[BreakdownEvent]:
    t = np.asarray(kin.t, dtype=float)
    dt = _frame_interval(t)
    rz = float(cfg.robust_z)
    minc = float(cfg.min_cancellation)
    have_seg = bool(work["have_seg"])
    contact = np.isin(kin.phase, _CONTACT_PHASES)
    contact_c = work["contact_c"]
    with np.errstate(invalid="ignore"):
        rel_p = ser.pair_z < -rz
        rel_s = ser.segment_z < -rz
        rel_n = ser.net_excess_z > rz
        abs_c = (contact_c < minc) & ser.judged
        rel_c = (work["contact_z"] < -rz) & ser.judged
        rel_st = (work["stride_z"] < -rz) & ser.judged
        rel_pt = (work["part_z"] < -rz) & ser.judged
        rel_sw = work["swing_z"] < -rz
        rel_sh = (work["shoulder_z"] < -rz) & ser.judged
        rel_c = rel_c | rel_st | rel_pt | rel_sw | rel_sh
        frame_level = rel_p | rel_s | rel_n
        raw_frame = (work["zr_pair"] < -rz) | (work["zr_seg"] < -rz) | (work["xr_net"] > rz)
        if cfg.require_contact:
            # Whole-body momentum changes only through the ground: in flight it is fixed, so a frame-level
            # drop of cancellation there means both groups turned less (not a failure to offset) or, on
            # video, a limb the pose model lost (legs crossing in a side view). Frame-level measures count
            # as evidence only in ground-contact frames; contact, stride and part measures already judge
            # whole contacts and strides.
            frame_level &= contact
            raw_frame &= contact
        flag = (frame_level | rel_c | abs_c) & ~edge
        raw_abs = abs_c & ((work["raw_s"] < minc) if have_seg else (work["raw_p"] < minc))
        raw_flag = (raw_frame | raw_abs | rel_c) & ~edge
    spans = merge_spans(find_spans(flag), t, float(cfg.merge_gap_s))
    events: list[BreakdownEvent] = []
    for s0, e0 in spans:
        core = np.flatnonzero(raw_flag[s0 : e0 + 1])
        s, e = (s0 + int(core[0]), s0 + int(core[-1])) if core.size else (s0, e0)
        duration = float(t[e] - t[s]) + dt
        if duration < float(cfg.min_duration_s) - 1e-9:
            continue
        if cfg.require_contact and not contact[s : e + 1].any():
            continue
        events.append(_make_event(kin, ser, work, cfg, direction, s, e, duration, step_start, step_end, step_toeoff))
    return events


def _strength(severity: float) -> float:
    """0.5 at the threshold (severity 0), 1 at twice the threshold (severity 1) and beyond."""
    return 0.5 + 0.5 * float(np.clip(severity if np.isfinite(severity) else 0.0, 0.0, 1.0))


def _in_plane_confidence(kin: Kinematics, ser: BalanceSeries) -> float:
    """How well in-plane (forward and vertical) motion is seen: the mediolateral axis confidence."""
    ac = kin.axis_confidence.get("mediolateral") if isinstance(kin.axis_confidence, dict) else None
    try:
        v = float(ac)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ser.axis_confidence
    return float(np.clip(v, 0.0, 1.0)) if math.isfinite(v) else ser.axis_confidence


def _ratio_words(r: float) -> str:
    """'62% less' / '40% more' for a ratio to the usual value."""
    return f"{100.0 * (1.0 - r):.0f}% less" if r < 1.0 else f"{100.0 * (r - 1.0):.0f}% more"


def _usual_words(r: float) -> str:
    """'38% of its usual momentum' for a ratio to the usual value ('changed' when unknown)."""
    return f"{100.0 * r:.0f}% of its usual momentum" if np.isfinite(r) else "changed"


def compute_departures(
    h: np.ndarray,
    t: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
    foot: np.ndarray,
    n_bins: int,
    frames: np.ndarray,
    min_steps: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Each column's normal value at the same moment of the same foot's other steps, and the departure from it.

    Parameters
    ----------
    h : ndarray, shape (T, K)
        Momenta about one axis (segments or body parts), kg*m^2/s.
    t : ndarray, shape (T,)
        Frame times, seconds.
    step_start, step_end : ndarray, shape (n,)
        Step spans (touchdown to next touchdown), seconds.
    foot : ndarray of int, shape (n,)
        Foot of each step (0 left, 1 right).
    n_bins : int
        Bins per step (:func:`compute_gait_bins`).
    frames : ndarray of int, shape (F,)
        The frames to explain (e.g. an event's span).
    min_steps : int
        Fewest other steps of the same foot a normal value needs (the bin, else the bin and its two neighbours).

    Returns
    -------
    normal : ndarray, shape (F, K)
        Median over the same foot's steps that do not hold any of ``frames``, at the same fraction of the
        step; NaN where too few.
    departure : ndarray, shape (F, K)
        ``h[frames] - normal``.

    Notes
    -----
    The same foot, because a limb's momentum at a given moment of a left step is not that of a right step
    (about the vertical axis it is close to its mirror image). Steps holding any of ``frames`` are left out
    so that a breakdown is never part of its own normal.
    """
    h = np.asarray(h, dtype=float)
    frames = np.asarray(frames, dtype=int)
    normal = np.full((frames.size, h.shape[1]), np.nan)
    if n_bins <= 0 or frames.size == 0:
        return normal, h[frames] - normal
    step_of, bin_of = compute_gait_bins(t, step_start, step_end, n_bins)
    foot = np.asarray(foot)
    own = np.zeros(foot.size, dtype=bool)
    own[[int(k) for k in step_of[frames] if 0 <= k < foot.size]] = True
    # per frame: the foot of its step if that step is another one (not holding any of ``frames``), else -1;
    # computed once, so each (foot, bin) normal costs one pass over the frames
    in_step = (step_of >= 0) & (step_of < foot.size)
    other_foot = np.full(step_of.shape, -1)
    other_foot[in_step] = np.where(own[step_of[in_step]], -1, foot[step_of[in_step]])
    other_foot[~np.all(np.isfinite(h), axis=1)] = -1
    cache: dict[tuple[int, int], np.ndarray] = {}
    for r, i in enumerate(frames):
        k = int(step_of[i])
        if k < 0 or k >= foot.size:
            continue
        key = (int(foot[k]), int(bin_of[i]))
        if key not in cache:
            med = np.full(h.shape[1], np.nan)
            same = other_foot == key[0]
            for hood in ([key[1]], [(key[1] - 1) % n_bins, key[1], (key[1] + 1) % n_bins]):
                in_hood = np.zeros(n_bins, dtype=bool)
                in_hood[hood] = True
                sel = same & in_hood[bin_of]  # bin_of is -1 only where ``same`` is False
                if np.unique(step_of[sel]).size >= min_steps:
                    med = np.median(h[sel], axis=0)
                    break
            cache[key] = med
        normal[r] = cache[key]
    return normal, h[frames] - normal


def _attribution(
    kin: Kinematics, seg: np.ndarray, s: int, e: int, step_start: np.ndarray, step_end: np.ndarray, n_bins: int
) -> tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...], dict[str, float]] | None:
    """Segments and body parts that changed most against the athlete's own pattern over frames ``s..e``.

    Each one's departure from its normal value (:func:`compute_departures`) is taken along the whole
    body's departure frame by frame (``sum_t d_i(t) * sign(sum_j d_j(t))``); the positive contributions
    are shared out (segments with at least 5%, parts with at least 10%, three at most). Also returns each
    part's momentum over the span relative to its normal (``sum |H| / sum |normal|``). None when fewer
    than half the frames have a normal value.
    """
    frames = np.arange(s, e + 1)
    names = kin.segment_names
    labels = [segment_part(n) for n in names]
    parts = list(dict.fromkeys(labels))
    cols = [[i for i, lab in enumerate(labels) if lab == p] for p in parts]
    hp = np.stack([seg[:, c].sum(axis=1) for c in cols], axis=1)
    t = np.asarray(kin.t, dtype=float)
    foot = np.asarray(kin.steps.foot)
    _, d_seg = compute_departures(seg, t, step_start, step_end, foot, n_bins, frames)
    n_part, d_part = compute_departures(hp, t, step_start, step_end, foot, n_bins, frames)
    ok = np.all(np.isfinite(d_seg), axis=1) & np.all(np.isfinite(d_part), axis=1)
    if int(ok.sum()) * 2 < frames.size or not ok.any():
        return None
    direction = np.sign(d_seg[ok].sum(axis=1))

    def shares(d: np.ndarray, labels_: Sequence[str], min_share: float) -> tuple[tuple[str, float], ...]:
        contrib = np.clip((d[ok] * direction[:, None]).sum(axis=0), 0.0, None)
        tot = float(contrib.sum())
        if tot <= 0:
            return ()
        order = np.argsort(-contrib)
        return tuple(
            (labels_[i], round(float(contrib[i] / tot), 3)) for i in order[:3] if contrib[i] / tot >= min_share
        )

    top_segments = shares(d_seg, names, 0.05)
    top_parts = shares(d_part, parts, 0.1)
    hpf = hp[frames][ok]
    den = np.abs(n_part[ok]).sum(axis=0)
    ratio = {p: float(np.abs(hpf[:, j]).sum() / den[j]) for j, p in enumerate(parts) if den[j] > 0}
    return top_segments, top_parts, ratio


#: Smallest change of a body part's momentum against its usual value that an explanation names (15%).
_NOTABLE_CHANGE = 0.15


def _make_event(
    kin: Kinematics,
    ser: BalanceSeries,
    work: dict[str, np.ndarray],
    cfg: BalanceConfig,
    direction: int,
    s: int,
    e: int,
    duration: float,
    step_start: np.ndarray,
    step_end: np.ndarray,
    step_toeoff: np.ndarray,
) -> BreakdownEvent:
    t = np.asarray(kin.t, dtype=float)
    rz = float(cfg.robust_z)
    minc = float(cfg.min_cancellation)
    sl = slice(s, e + 1)
    have_seg = bool(work["have_seg"])

    # Frame-level measures are evidence only where they were judged (in ground contact when
    # ``cfg.require_contact``, see :func:`_detect`), so the measure, peak and strength never come from a
    # flight frame that did not count.
    if cfg.require_contact:
        contact_frames = np.isin(kin.phase, _CONTACT_PHASES)
        pair_z = np.where(contact_frames, ser.pair_z, np.nan)
        seg_z = np.where(contact_frames, ser.segment_z, np.nan)
        net_x = np.where(contact_frames, ser.net_excess_z, np.nan)
    else:
        pair_z, seg_z, net_x = ser.pair_z, ser.segment_z, ser.net_excess_z

    # Which measure triggered most strongly: severity 0 at the threshold, 1 at twice the threshold.
    def sev_rel(z: np.ndarray) -> float:
        v = z[sl][np.isfinite(z[sl])]
        return float(((-v - rz) / rz).max()) if v.size else -np.inf

    cc = work["contact_c"][sl]
    av = cc[np.isfinite(cc)]
    sev_abs = float(((minc - av) / max(minc, 1e-9)).max()) if av.size and minc > 0 else -np.inf
    xn = net_x[sl][np.isfinite(net_x[sl])]
    sev_net = float(((xn - rz) / rz).max()) if xn.size else -np.inf
    cand = {
        ("pair_cancellation", "own_pattern"): sev_rel(pair_z),
        ("segment_cancellation", "own_pattern"): sev_rel(seg_z),
        ("net_momentum", "own_pattern"): sev_net,
        ("contact_cancellation", "own_pattern"): sev_rel(work["contact_z"]),
        ("stride_group_balance", "own_pattern"): sev_rel(work["stride_z"]),
        ("stride_part_share", "own_pattern"): sev_rel(work["part_z"]),
        ("swing_timing", "own_pattern"): sev_rel(work["swing_z"]),
        ("stride_shoulder_travel", "own_pattern"): sev_rel(work["shoulder_z"]),
        ("segment_cancellation" if have_seg else "pair_cancellation", "absolute"): sev_abs,
    }
    # How well the camera sees each measure's evidence: the axis confidence, except for a limb's share of
    # the vertical-axis momentum, which is its fixed sideways lever times its forward velocity, i.e. in-plane
    # motion seen as well as pitch (the mediolateral axis confidence); likewise a swing's timing, which comes
    # from the leg's forward swing in the image plane, and the shoulders' forward and back travel.
    limb_conf = _in_plane_confidence(kin, ser)
    in_plane = ("stride_part_share", "swing_timing", "stride_shoulder_travel")
    seen = {m: (limb_conf if m in in_plane else ser.axis_confidence) for (m, _) in cand}

    def support(kv: tuple[tuple[str, str], float]) -> tuple[float, float]:
        (m, _), sev = kv
        return seen[m] * _strength(sev), sev

    # The measure with the best-supported evidence (strength times how well it is seen); among measures
    # seen equally well this is the most severe one.
    fired = [kv for kv in cand.items() if kv[1] >= 0]
    (measure, basis), severity = max(fired, key=support) if fired else max(cand.items(), key=lambda kv: kv[1])
    rel_hit = max(v for (_, b), v in cand.items() if b == "own_pattern") >= 0
    if (basis == "own_pattern" and sev_abs >= 0) or (basis == "absolute" and rel_hit):
        basis = "both"
    if measure in ("contact_cancellation", "stride_group_balance", "stride_part_share", "stride_shoulder_travel"):
        zkey = {
            "contact_cancellation": "contact_z", "stride_group_balance": "stride_z",
            "stride_shoulder_travel": "shoulder_z",
        }.get(measure, "part_z")  # fmt: skip
        czs = work[zkey][sl]
        # the worst contact/stride in the span, and within it the frame of lowest pair cancellation
        worst = np.isfinite(czs) & (czs <= np.nanmin(czs) + 1e-9) if np.isfinite(czs).any() else np.isfinite(czs)
        pv = np.where(worst, ser.pair_cancellation_smooth[sl], np.nan)
        if np.isfinite(pv).any():
            peak = s + int(np.nanargmin(pv))
        elif np.isfinite(czs).any():
            peak = s + int(np.nanargmin(czs))
        else:
            peak = (s + e) // 2
        peak_value = float(ser.pair_cancellation_smooth[peak])
        # more shoulder travel than normal is a positive z, like a late swing
        peak_z = float(work[zkey][peak]) * (-1.0 if measure == "stride_shoulder_travel" else 1.0)
    elif measure == "swing_timing":
        # the frame nearest the drive time of the latest-driving swing in the span
        zsw = work["swing_z"][sl]
        k = int(np.nanargmin(zsw)) if np.isfinite(zsw).any() else (e - s) // 2
        drive_t = work["swing_drive"][s + k]
        peak = int(np.clip(np.searchsorted(t, drive_t), s, e)) if np.isfinite(drive_t) else s + k
        peak_value = float(ser.pair_cancellation_smooth[peak])
        peak_z = -float(work["swing_z"][s + k])
    elif measure == "net_momentum":
        xs = net_x[sl]
        peak = s + int(np.nanargmax(xs)) if np.isfinite(xs).any() else (s + e) // 2
        peak_value = float(ser.pair_cancellation_smooth[peak])
        peak_z = float(ser.net_excess_z[peak])
    else:
        series = ser.pair_cancellation_smooth if measure == "pair_cancellation" else ser.segment_cancellation_smooth
        zser = pair_z if measure == "pair_cancellation" else seg_z
        vals = series[sl]
        zs = zser[sl]
        if basis != "absolute" and np.isfinite(zs).any():
            # own pattern: worst against the athlete's normal value at that moment of the step (the lowest
            # cancellation itself may be a normal moment of the step, with an unremarkable z)
            peak = s + int(np.nanargmin(zs))
        else:
            peak = s + int(np.nanargmin(vals)) if np.isfinite(vals).any() else (s + e) // 2
        peak_value = float(series[peak])
        peak_z = float((ser.pair_z if measure == "pair_cancellation" else ser.segment_z)[peak])

    net = ser.net_si[sl]
    if np.isfinite(net).any():
        k = int(np.nanargmax(np.abs(net)))
        peak_net_si = float(net[k])
        peak_net_norm = float(ser.net_norm[s + k])
    else:
        peak_net_si = peak_net_norm = float("nan")
    net_sum = float(np.nansum(net))
    sign = int(np.sign(net_sum)) if np.isfinite(net_sum) else 0

    # Which group overwhelmed: the larger contribution along the excess direction.
    a, b = work["a"][sl], work["b"][sl]
    ca = float(np.nansum(a)) * sign
    cb = float(np.nansum(b)) * sign
    side_i = 0 if ca >= cb else 1
    if measure == "stride_group_balance" and work["stride_larger"][peak] >= 0:
        # the group whose share of the pair grew over the stride(s) overwhelmed the other
        side_i = int(work["stride_larger"][peak])
    limb, limb_ratio = "", float("nan")
    if measure == "stride_part_share" and work["part_idx"][peak] >= 0:
        # a limb whose share fell left its group short (the other group overwhelmed); one whose share grew
        # made its own group overwhelm the other
        limb = tuple(PART_GROUPS[ser.axis])[int(work["part_idx"][peak])]
        limb_ratio = float(work["part_ratio"][peak])
        group = PART_GROUPS[ser.axis][limb]
        side_i = group if limb_ratio > 1.0 else 1 - group
    shoulder_ratio = float("nan")
    if measure == "stride_shoulder_travel":
        shoulder_ratio = float(work["shoulder_ratio"][peak])
        side_i = 1  # the trunk twisted further than usual: the upper body overwhelmed the lower body
    leg, late_ms, near_ms = "", float("nan"), float("nan")
    if measure == "swing_timing":
        k = s + int(np.nanargmin(work["swing_z"][sl]))
        leg = f"{_FOOT_WORDS.get(int(work['swing_foot'][k]), '')} leg".strip()
        late_ms = 1000.0 * float(work["swing_after"][k])
        near_ms = 1000.0 * float(work["swing_before"][k])
        side_i = 0  # the swing side lagged, so the push side overwhelmed it
    side = ser.side_labels[side_i]
    opposed = ser.side_labels[1 - side_i]

    # What changed: each segment's departure from its own normal momentum at the same moment of the same
    # foot's other steps, taken along the whole body's departure frame by frame.
    top_segments: tuple[tuple[str, float], ...] = ()
    top_parts: tuple[tuple[str, float], ...] = ()
    part_ratio: dict[str, float] = {}
    seg = work["seg"]
    attr = None
    if have_seg and seg.shape[1] == len(kin.segment_names):
        attr = _attribution(kin, seg, s, e, step_start, step_end, int(cfg.phase_bins))
    if attr is not None:
        top_segments, top_parts, part_ratio = attr
    elif have_seg and sign != 0 and seg.shape[1] == len(kin.segment_names):
        # no normal pattern to compare with (too few steps): the segments' raw contributions along the excess
        contrib = np.nansum(seg[sl], axis=0) * sign
        pos = np.clip(contrib, 0.0, None)
        tot = float(pos.sum())
        if tot > 0:
            order = np.argsort(-pos)
            top_segments = tuple(
                (kin.segment_names[i], round(float(pos[i] / tot), 3)) for i in order[:3] if pos[i] / tot >= 0.05
            )
            parts: dict[str, float] = {}
            for i, name in enumerate(kin.segment_names):
                p = segment_part(name)
                parts[p] = parts.get(p, 0.0) + float(contrib[i])
            ppos = {p: v for p, v in parts.items() if v > 0}
            ptot = sum(ppos.values())
            if ptot > 0:
                top_parts = tuple(
                    (p, round(v / ptot, 3))
                    for p, v in sorted(ppos.items(), key=lambda kv: -kv[1])[:3]
                    if v / ptot >= 0.1
                )

    # Confidence: how well the evidence is seen x how well the frames were seen x strength.
    fc = np.asarray(kin.frame_confidence[sl], dtype=float)
    mean_fc = float(np.nanmean(fc)) if np.isfinite(fc).any() else 0.0
    confidence = float(np.clip(seen[measure] * np.clip(mean_fc, 0.0, 1.0) * _strength(severity), 0.0, 1.0))

    step_index = _locate_step(float(t[peak]), step_start, step_end)
    step_foot = ""
    in_contact = False
    if step_index >= 0:
        step_foot = _FOOT_WORDS.get(int(kin.steps.foot[step_index]), "")
        to = step_toeoff[step_index]
        in_contact = bool(np.isfinite(to) and t[peak] <= to + 1e-9)
    body, camera = rotation_words(ser.axis, sign, direction)

    where = f"At {t[s]:.2f}-{t[e]:.2f} s"
    if step_index >= 0:
        what = f"{step_foot} foot contact" if in_contact else f"flight after the {step_foot} foot contact"
        where += f" (step {step_index + 1}, {what})"
    sentence = f"{where} {_GROUP_PHRASES[side]} overwhelmed {_GROUP_PHRASES[opposed]} about the {AXIS_WORDS[ser.axis]}"
    if body:
        sentence += f": the body {body}"
        if camera:
            sentence += f", {camera}"
    if limb and np.isfinite(limb_ratio):
        sentence += (
            f". Over this stride the {limb} did {_ratio_words(limb_ratio)} of the twisting than in the athlete's "
            "other strides"
        )
    if leg and np.isfinite(late_ms):
        sentence += (
            f". The {leg} came through late in its swing: its forward drive came {late_ms:.0f} ms later after "
            f"toe-off than in its other swings"
        )
        if np.isfinite(near_ms) and near_ms >= 1.0:
            sentence += f" and {near_ms:.0f} ms closer to its next touchdown"
    shoulders = np.isfinite(shoulder_ratio)
    if shoulders:
        sentence += (
            f". Over this stride the shoulders travelled {100.0 * (shoulder_ratio - 1.0):.0f}% further forward and "
            "back relative to the hips than in the athlete's other strides: the trunk twisted further than usual "
            "(or a bigger arm swing pulled the shoulders with it)"
        )
    changed_parts: tuple[tuple[str, float], ...] = ()
    if top_parts and attr is not None:
        # name the parts that really departed from their usual momentum (by 15% or more), the largest first;
        # a big segment 8% off its usual can outweigh a small one 30% off in kg*m^2/s but tells a coach nothing
        notable = [p for p, _ in top_parts if abs(part_ratio.get(p, float("nan")) - 1.0) >= _NOTABLE_CHANGE]
        changed_parts = tuple(
            (p, round(part_ratio.get(p, float("nan")), 3)) for p in (notable or [top_parts[0][0]])[:2]
        )
        changed = [f"{p} ({_usual_words(r)})" for p, r in changed_parts]
        lead = "; what" if limb or leg or shoulders else ". What"
        sentence += f"{lead} changed against the athlete's own steps: mostly the {_join(changed)}"
    elif top_parts and not limb and not shoulders:
        sentence += f", driven mostly by the {_join([p for p, _ in top_parts[:2]])}"
    sentence += "."
    if limb and ser.axis_confidence < 0.5 and limb_conf >= 0.5:
        sentence += f" The {limb}'s forward and back swing, which shows this, is seen well from this camera."
    elif shoulders and ser.axis_confidence < 0.5 and limb_conf >= 0.5:
        sentence += " The shoulders' forward and back travel, which shows this, is seen well from this camera."
    elif ser.axis == "vertical" and ser.axis_confidence < 0.5:
        sentence += " Twisting is hard to see from a side camera, so treat this one with caution."
    elif confidence < 0.3:
        sentence += " The body was poorly seen here, so treat this one with caution."

    return BreakdownEvent(
        axis=ser.axis,
        start_frame=int(s),
        end_frame=int(e),
        start_t=float(t[s]),
        end_t=float(t[e]),
        duration_s=float(duration),
        step_index=int(step_index),
        step_foot=step_foot,
        in_contact=in_contact,
        peak_frame=int(peak),
        peak_t=float(t[peak]),
        peak_value=peak_value,
        peak_z=peak_z,
        peak_net_norm=peak_net_norm,
        peak_net_si=peak_net_si,
        measure=measure,
        basis=basis,
        side=side,
        opposed_side=opposed,
        rotation_sign=sign,
        rotation=body,
        rotation_camera=camera,
        top_segments=top_segments,
        top_parts=top_parts,
        confidence=confidence,
        explanation=sentence,
        changed_parts=changed_parts,
    )


def compute_speed_trend(
    score: np.ndarray, speed: np.ndarray, min_abs_r: float, min_change: float, min_steps: int = 4
) -> SpeedTrend:
    """Judge whether the step score held as speed rose (or over the clip when speed is unknown).

    Parameters
    ----------
    score : ndarray, shape (n,)
        Step scores, 0-100 (NaN unknown).
    speed : ndarray, shape (n,)
        Step speeds, m/s (NaN unknown).
    min_abs_r : float
        Smallest |r| that counts as a trend.
    min_change : float
        Smallest fitted change over the regressor's range, score points, that counts as a trend.
    min_steps : int
        Fewest steps with a score needed.

    Returns
    -------
    SpeedTrend
        Basis "speed" when at least ``min_steps`` steps have a speed and speed spans >= 0.3 m/s,
        else "step" (score against step number), else "none".
    """
    score = np.asarray(score, dtype=float)
    speed = np.asarray(speed, dtype=float)
    idx = np.arange(1, score.size + 1, dtype=float)
    ok_sc = np.isfinite(score)
    ok_sp = ok_sc & np.isfinite(speed)
    if int(ok_sp.sum()) >= min_steps and float(np.ptp(speed[ok_sp])) >= 0.3:
        basis, x, y = "speed", speed[ok_sp], score[ok_sp]
    elif int(ok_sc.sum()) >= min_steps:
        basis, x, y = "step", idx[ok_sc], score[ok_sc]
    else:
        n = int(ok_sc.sum())
        return SpeedTrend(
            "none", n, float("nan"), float("nan"), float("nan"), "unknown",
            "Too few steps were measured to tell whether balance held as speed rose.",
        )  # fmt: skip
    slope = float(np.polyfit(x, y, 1)[0])
    sx, sy = float(np.std(x)), float(np.std(y))
    r = float(np.corrcoef(x, y)[0, 1]) if sx > 0 and sy > 0 else 0.0
    change = slope * float(np.ptp(x))
    verdict = ("faded" if change < 0 else "improved") if abs(r) >= min_abs_r and abs(change) >= min_change else "held"
    shown = round(change) + 0  # whole points as printed; + 0 turns -0 into 0
    if basis == "speed":
        order = np.argsort(idx[ok_sp])
        xs = x[order]
        rising = (
            xs.size >= 2 and float(np.corrcoef(np.arange(xs.size), xs)[0, 1]) > 0 if float(np.std(xs)) > 0 else False
        )
        lo, hi = float(x.min()), float(x.max())
        as_what = "as speed rose" if rising else "at the faster steps"
        if verdict == "held":
            sentence = (
                f"Balance held {as_what} ({lo:.1f} to {hi:.1f} m/s): the step score changed by "
                f"{shown:+d} points across that range."
            )
        else:
            sentence = (
                f"Balance {verdict} {as_what}: from {lo:.1f} to {hi:.1f} m/s the step score "
                f"{'fell' if change < 0 else 'rose'} by {abs(change):.0f} points."
            )
    else:
        lead = "Step speed was unknown or steady, so balance was followed from step to step instead"
        if verdict == "held":
            sentence = f"{lead}: it held over the clip (score change {shown:+d} points from first to last step)."
        else:
            sentence = (
                f"{lead}: it {verdict} over the clip, the step score "
                f"{'falling' if change < 0 else 'rising'} by {abs(change):.0f} points from first to last step."
            )
    return SpeedTrend(basis, int(x.size), slope, r, change, verdict, sentence)


def assess_balance(kin: Kinematics, cfg: BalanceConfig) -> BalanceAssessment:
    """Find where rotational balance breaks down in one clip and summarise it for a coach.

    Parameters
    ----------
    kin : Kinematics
        Kinematics of the clip (group and segment angular momenta, phases, steps, confidences).
    cfg : BalanceConfig
        Thresholds.

    Returns
    -------
    BalanceAssessment
        Per-axis series, breakdown events, per-step scores, clip scores and findings.
        No events when ``kin.is_running`` is False (the status says so). Never raises on
        all-NaN or very short input.

    Notes
    -----
    A frame is judged when its phase is known, its confidence is at least
    ``cfg.min_frame_confidence`` and the windowed group magnitude is at least
    ``cfg.min_magnitude_fraction`` of the clip's median. A frame is abnormal when the windowed pair or
    segment cancellation lies more than ``cfg.robust_z`` robust standard deviations below the clip's
    own median at the same moment of the other steps (``cfg.phase_bins`` per step; where too few steps,
    the same phase kind, contact or flight; spread floored at ``cfg.mad_floor``), or
    the windowed segment cancellation of a ground-contact frame is below ``cfg.min_cancellation``.
    Abnormal runs closer than ``cfg.merge_gap_s`` are merged, trimmed to the first and last frame
    that is abnormal on its own (unsmoothed), and kept when they last at least ``cfg.min_duration_s`` and (with
    ``cfg.require_contact``) include a ground-contact frame.
    """
    t = np.asarray(kin.t, dtype=float)
    n_t = int(t.shape[0])
    dt = _frame_interval(t)
    duration = float(t[-1] - t[0]) + dt if n_t else 0.0
    direction = _direction_of(kin)
    width = max(1, round(float(cfg.smooth_window_s) / dt))
    width = width + 1 if width % 2 == 0 else width

    phase = np.asarray(kin.phase)
    conf = np.asarray(kin.frame_confidence, dtype=float)
    with np.errstate(invalid="ignore"):
        valid = (phase != PHASE_UNKNOWN) & np.isfinite(conf) & (conf >= cfg.min_frame_confidence) & np.isfinite(t)
    # Frames near the clip's ends, where zero-lag filtering and differentiation are least reliable, are
    # not judged for breakdowns (they still count in the step scores).
    edge = np.zeros(n_t, dtype=bool)
    if n_t:
        edge = (t < t[0] + cfg.edge_margin_s - 1e-9) | (t > t[-1] - cfg.edge_margin_s + 1e-9)
    kind = np.where(np.isin(phase, _CONTACT_PHASES), 1, np.where(phase == PHASE_FLIGHT, 0, -1))
    kind = np.where(valid, kind, -1)

    step_start, step_end, step_toeoff = _step_windows(kin)
    step_of, bin_of = compute_gait_bins(t, step_start, step_end, int(cfg.phase_bins))
    series: dict[str, BalanceSeries] = {}
    works: dict[str, dict[str, np.ndarray]] = {}
    for axis, ax in AXES:
        series[axis], works[axis] = _axis_series(kin, axis, ax, cfg, valid, kind, width, bin_of, step_of)

    assessed = bool(kin.is_running) and n_t >= 2
    events: list[BreakdownEvent] = []
    if not kin.is_running:
        status = f"Not assessed: the clip does not show running ({kin.running_reason.rstrip('.')})."
    elif n_t < 2:
        status = "Not assessed: the clip is too short."
    elif not any(bool(s.judged.any()) for s in series.values()):
        status = "Assessed, but no frame could be judged (unknown phase, low confidence or no momentum)."
    else:
        status = "Assessed."
    if assessed:
        for axis, _ in AXES:
            events += _detect(kin, series[axis], works[axis], cfg, direction, step_start, step_end, step_toeoff, edge)
    events.sort(key=lambda ev: (ev.start_t, ev.axis))
    uncertain = [ev for ev in events if ev.confidence < cfg.min_event_confidence]
    events = [ev for ev in events if ev.confidence >= cfg.min_event_confidence]
    for axis, ser in series.items():
        for ev in events:
            if ev.axis == axis:
                ser.flagged[ev.start_frame : ev.end_frame + 1] = True

    steps = _step_table(kin, series, works, step_start, step_end, step_toeoff, events)
    score_v = _nanmean(steps.score_vertical)
    score_m = _nanmean(steps.score_mediolateral)
    score = _nanmean(steps.score)
    if steps.n == 0 or not np.isfinite(score):
        # No usable steps: fall back to all judged frames.
        score_v = _frames_score(works["vertical"])
        score_m = _frames_score(works["mediolateral"])
        score = _combine_scores(
            np.array([score_v]), np.array([score_m]), series["vertical"].axis_confidence,
            series["mediolateral"].axis_confidence,
        )[0]  # fmt: skip
    left = _nanmean(steps.score[steps.foot == 0])
    right = _nanmean(steps.score[steps.foot == 1])
    asym = (
        100.0 * (left - right) / ((left + right) / 2.0)
        if np.isfinite(left + right) and left + right > 0
        else float("nan")
    )
    trend = compute_speed_trend(steps.score, steps.speed_mps, cfg.trend_min_abs_r, cfg.trend_min_change)
    findings = _findings(
        kin, assessed, status, series, events, steps, score, score_v, score_m, left, right, asym, trend, uncertain
    )
    return BalanceAssessment(
        assessed=assessed,
        status=status,
        series=series,
        events=tuple(events),
        steps=steps,
        score=float(score),
        score_vertical=float(score_v),
        score_mediolateral=float(score_m),
        left_score=left,
        right_score=right,
        asymmetry_pct=float(asym),
        trend=trend,
        direction=direction,
        norm_factor=float(kin.norm_factor),
        duration_s=duration,
        findings=findings,
        config=cfg,
        uncertain_events=tuple(uncertain),
    )


def _frames_score(work: dict[str, np.ndarray]) -> float:
    return 100.0 * _weighted_c(work["num_p"], work["den_p"], work["use"])


def _combine_scores(sv: np.ndarray, sm: np.ndarray, wv: float, wm: float) -> np.ndarray:
    """Average the axis scores with the axis confidences as weights (equal weights if both are 0)."""
    if wv + wm <= 0:
        wv = wm = 1.0
    out = np.full(sv.shape, np.nan)
    for i in range(sv.shape[0]):
        num = den = 0.0
        for s, w in ((sv[i], wv), (sm[i], wm)):
            if np.isfinite(s) and w > 0:
                num += w * s
                den += w
        if den > 0:
            out[i] = num / den
    return out


def _step_table(
    kin: Kinematics,
    series: dict[str, BalanceSeries],
    works: dict[str, dict[str, np.ndarray]],
    start: np.ndarray,
    end: np.ndarray,
    toeoff: np.ndarray,
    events: Sequence[BreakdownEvent],
) -> StepBalance:
    t = np.asarray(kin.t, dtype=float)
    n = kin.steps.n
    res: dict[str, np.ndarray] = {}
    for axis in ("vertical", "mediolateral"):
        w = works[axis]
        c = np.full(n, np.nan)
        cc = np.full(n, np.nan)
        cs = np.full(n, np.nan)
        use, use_s = w["use"], w["use_s"]
        for k in range(n):
            if not (np.isfinite(start[k]) and np.isfinite(end[k])):
                continue
            # the step's frames as indices (t is increasing): the same frames as the masks over the clip
            in_step = np.arange(*np.searchsorted(t, [start[k] - 1e-9, end[k] - 1e-9], side="left"))
            c[k] = _weighted_c(w["num_p"], w["den_p"], in_step[use[in_step]])
            cs[k] = _weighted_c(w["num_s"], w["den_s"], in_step[use_s[in_step]])
            if np.isfinite(toeoff[k]):
                i0 = int(np.searchsorted(t, start[k] - 1e-9, side="left"))
                in_contact = np.arange(i0, int(np.searchsorted(t, toeoff[k] + 1e-9, side="right")))
                cc[k] = _weighted_c(w["num_p"], w["den_p"], in_contact[use[in_contact]])
        res[f"c_{axis}"], res[f"cc_{axis}"], res[f"cs_{axis}"] = c, cc, cs
    sv = 100.0 * res["c_vertical"]
    sm = 100.0 * res["c_mediolateral"]
    score = _combine_scores(sv, sm, series["vertical"].axis_confidence, series["mediolateral"].axis_confidence)
    n_events = np.zeros(n, dtype=int)
    for ev in events:
        if 0 <= ev.step_index < n:
            n_events[ev.step_index] += 1
    return StepBalance(
        foot=np.asarray(kin.steps.foot, dtype=np.int8).copy(),
        start_t=start,
        end_t=end,
        speed_mps=np.asarray(kin.steps.speed_mps, dtype=float).copy(),
        cancellation_vertical=res["c_vertical"],
        cancellation_mediolateral=res["c_mediolateral"],
        contact_cancellation_vertical=res["cc_vertical"],
        contact_cancellation_mediolateral=res["cc_mediolateral"],
        segment_cancellation_vertical=res["cs_vertical"],
        segment_cancellation_mediolateral=res["cs_mediolateral"],
        score_vertical=sv,
        score_mediolateral=sm,
        score=score,
        n_events=n_events,
    )


def _findings(
    kin: Kinematics,
    assessed: bool,
    status: str,
    series: dict[str, BalanceSeries],
    events: Sequence[BreakdownEvent],
    steps: StepBalance,
    score: float,
    score_v: float,
    score_m: float,
    left: float,
    right: float,
    asym: float,
    trend: SpeedTrend,
    uncertain: Sequence[BreakdownEvent] = (),
) -> str:
    if not kin.is_running:
        reason = kin.running_reason.strip().rstrip(".")
        return "No balance breakdowns are reported because this clip does not look like running" + (
            f" ({reason})." if reason else "."
        )
    if not assessed:
        return status
    parts: list[str] = []
    n_steps = int(np.isfinite(steps.score).sum())
    if np.isfinite(score):
        sv = f"{score_v:.0f}" if np.isfinite(score_v) else "unknown"
        sm = f"{score_m:.0f}" if np.isfinite(score_m) else "unknown"
        over = f"over {n_steps} measured steps" if n_steps else "over the clip"
        parts.append(
            f"Rotational balance scored {score:.0f} out of 100 {over} (100 means the push side and swing side, "
            f"and the upper and lower body, cancelled each other's rotation completely): "
            f"{sm} for tipping forward and back, {sv} for twisting."
        )
    else:
        parts.append("Rotational balance could not be scored: too little of the body's motion was seen well enough.")
    if series["vertical"].axis_confidence < 0.5:
        parts.append("Twisting is hard to judge from a side camera, so weigh that part less.")
    if not events:
        parts.append("No breakdowns were found: the rotations stayed within this athlete's own normal pattern.")
    else:
        best = max(events, key=lambda ev: ev.confidence)
        n_ml = sum(1 for ev in events if ev.axis == "mediolateral")
        n_v = len(events) - n_ml
        count = f"{len(events)} breakdown{'s were' if len(events) > 1 else ' was'} found"
        detail = []
        if n_ml:
            detail.append(f"{n_ml} in tipping forward and back")
        if n_v:
            detail.append(f"{n_v} in twisting")
        parts.append(f"{count} ({_join(detail)}). The clearest: {best.explanation}")
    if uncertain:
        n_u = len(uncertain)
        twist = sum(1 for ev in uncertain if ev.axis == "vertical")
        why = (
            "mostly in twisting, which a side camera sees poorly"
            if twist * 2 >= n_u
            else "the body was not seen well enough there"
        )
        parts.append(f"{n_u} more possible breakdown{'s were' if n_u > 1 else ' was'} too uncertain to report ({why}).")
    if np.isfinite(left) and np.isfinite(right):
        better = "left" if left > right else "right"
        sym = "about even" if abs(asym) < 5 else f"the {better}-foot steps were better balanced by {abs(asym):.0f}%"
        parts.append(f"Left-foot steps scored {left:.0f} and right-foot steps {right:.0f}: {sym}.")
    parts.append(trend.sentence)
    return " ".join(parts)
