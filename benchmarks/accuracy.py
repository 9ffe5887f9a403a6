"""Pose accuracy on synthetic clips with a known answer.

Runs BlazePose on each clip (``sprintbal.pipeline.analyze(..., until="pose")`` with the
default configuration and the user's pose cache when importable, else -- or with ``--pose local`` --
a bare loop over the legacy ``mp.solutions.pose`` API, model complexity 1, video mode), compares with
the truth projections, and prints one block per clip, one line per metric. Metrics come from
:data:`METRICS`, a list of ``(name, function)``; a metric function takes a :class:`Case` and returns
a float or a string. Later stages append metrics by adding functions to the list.

Kinematics metrics (pipeline pose path only; see the comment above :data:`MOMENTUM_GROUPS`): event
timing (touchdown TD, toe-off TO: matched/true+extra, median and 90th percentile |error| in ms/frames,
median signed bias), cadence error, and per group and axis the momentum agreement "r/gain/nRMSE" with
nRMSE = RMSE / RMS(truth) (``--range``: / range(truth)). ML = mediolateral axis (pitch, lab Z),
V = vertical axis (yaw, lab Y), for depth methods prior and world. Also: the share of frames whose push side
equals the truth's, and ML agreement against the truth's joints low-passed at the pipeline's own cut-off
(filter loss separated from estimation error).

Usage::

    python benchmarks/accuracy.py [CLIP.mp4 ...] [--deepmimic] [--speed-clip] [--kin-set] [--kin-pitch DEG]
                                   [--no-samples] [--pose auto|pipeline|local] [--range] [--model FILE.task]
    python benchmarks/accuracy.py --balance   # balance-event table (benchmarks/balance_synth.py --video)
    python benchmarks/accuracy.py --balance --heldout   # the same on held-out clips (other seeds, onsets, ...)

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.pose.landmarks import INDEX
from sprintbal.synth.truth import SynthTruth, load_truth, truth_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
MOCAP = ROOT.parent / "shared" / "mocap" / "deepmimic_run"

GROUPS: dict[str, tuple[str, ...]] = {
    "head": ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right"),
    "arms": ("left_elbow", "right_elbow", "left_wrist", "right_wrist"),
    "trunk": ("left_shoulder", "right_shoulder", "left_hip", "right_hip"),
    "legs": ("left_knee", "right_knee", "left_ankle", "right_ankle"),
    "feet": ("left_heel", "right_heel", "left_foot_index", "right_foot_index"),
}


@dataclass
class Case:
    """One clip: its truth and the pose estimate (pixels, NaN where not detected)."""

    clip: Path
    truth: SynthTruth
    xy: np.ndarray  # (T, 33, 2)
    detected: np.ndarray  # (T,)
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def body_height_px(self) -> np.ndarray:
        """Per-frame body height in pixels: truth head top (approx.) to the lower foot."""
        j = self.truth.joints2d
        top = np.minimum(j[:, INDEX["left_eye"], 1], j[:, INDEX["right_eye"], 1])
        feet = np.max(j[:, [INDEX["left_heel"], INDEX["right_heel"], INDEX["left_foot_index"],
                            INDEX["right_foot_index"]], 1], axis=1)
        return (feet - top) / (1.0 - 0.064)  # eyes sit ~6.4% of height below the vertex

    def errors(self, names: tuple[str, ...]) -> np.ndarray:
        """Pixel errors (T, len(names)) against the truth projections (NaN where undetected)."""
        idx = [INDEX[n] for n in names]
        return np.linalg.norm(self.xy[:, idx] - self.truth.joints2d[:, idx], axis=-1)


#: Pose tracks of the clips run through the pipeline (for the kinematics metrics).
_TRACKS: dict[Path, Any] = {}

#: ``[pose]`` overrides for the pipeline path (``--model``: a MediaPipe Tasks ``.task`` file).
_POSE_OVERRIDES: dict[str, Any] = {}


def run_pose(clip: Path, method: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """BlazePose on every frame: image landmarks (T, 33, 2) px, detection flags (T,), and which path ran.

    ``method``: ``"pipeline"`` (``sprintbal.pipeline.analyze(..., until="pose")``, default settings),
    ``"local"`` (a bare legacy ``mp.solutions.pose`` loop, complexity 1, video mode), or ``"auto"``
    (the pipeline when it is importable, else the local loop).
    """
    if method in ("auto", "pipeline"):
        try:
            from sprintbal.config import resolve_config
            from sprintbal.pipeline import analyze
        except ImportError:
            if method == "pipeline":
                raise
        else:
            from sprintbal.pose.cache import PoseCache

            cfg = resolve_config(overrides={"pose": dict(_POSE_OVERRIDES)})
            res = analyze(clip, cfg, cache=PoseCache(), until="pose")
            _TRACKS[clip] = res.track
            return np.asarray(res.track.xy), np.asarray(res.track.detected), "pipeline"
    import av
    import mediapipe as mp

    xs: list[np.ndarray] = []
    det: list[bool] = []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                                min_detection_confidence=0.5, min_tracking_confidence=0.5) as pose, \
            av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            r = pose.process(rgb)
            if r.pose_landmarks is None:
                xs.append(np.full((33, 2), np.nan))
                det.append(False)
            else:
                lm = r.pose_landmarks.landmark
                xs.append(np.array([[p.x * w, p.y * h] for p in lm]))
                det.append(True)
    return np.stack(xs), np.array(det), "local"


# --------------------------------------------------------------------------- metrics


def m_frames(c: Case) -> str:
    return str(c.truth.n_frames)


def m_detection(c: Case) -> str:
    return f"{100 * np.mean(c.detected):.1f}%"


def m_median_px(c: Case) -> str:
    names = tuple(n for g in GROUPS.values() for n in g)
    return f"{np.nanmedian(c.errors(names)):.1f}"


def _group_pct(group: str) -> Callable[[Case], str]:
    def f(c: Case) -> str:
        e = c.errors(GROUPS[group]) / c.body_height_px()[:, None]
        return f"{100 * np.nanmedian(e):.1f}"

    f.__name__ = f"m_{group}_pct"
    return f


def m_all_pct(c: Case) -> str:
    names = tuple(n for g in GROUPS.values() for n in g)
    e = c.errors(names) / c.body_height_px()[:, None]
    return f"{100 * np.nanmedian(e):.2f}"


def m_swaps(c: Case) -> str:
    """Share of detected frames where left/right knees are closer to the swapped truth."""
    lk, rk = INDEX["left_knee"], INDEX["right_knee"]
    j = c.truth.joints2d
    d_ok = np.linalg.norm(c.xy[:, lk] - j[:, lk], axis=-1) + np.linalg.norm(c.xy[:, rk] - j[:, rk], axis=-1)
    d_sw = np.linalg.norm(c.xy[:, lk] - j[:, rk], axis=-1) + np.linalg.norm(c.xy[:, rk] - j[:, lk], axis=-1)
    ok = c.detected
    return f"{100 * np.mean(d_sw[ok] < d_ok[ok]):.0f}%" if ok.any() else "-"


def m_fps(c: Case) -> str:
    return f"{c.truth.n_frames / max(c.seconds, 1e-9):.0f}"


#: (column name, function) pairs; later stages append theirs.
METRICS: list[tuple[str, Callable[[Case], Any]]] = [
    ("frames", m_frames),
    ("detected", m_detection),
    ("med px", m_median_px),
    ("med %h", m_all_pct),
    *[(f"{g} %h", _group_pct(g)) for g in GROUPS],
    ("L/R swap", m_swaps),
    ("pose fps", m_fps),
    ("pose", lambda c: c.extra.get("pose", "?")),
]


# --------------------------------------------------------------- kinematics metrics
#
# The pipeline's kinematics stage (``compute_kinematics``, body height/mass/sex set to the truth's)
# on the clip's pose track, once per depth method, against:
# - the truth touchdown/toe-off times (each true event inside the clip matched to the nearest
#   detected event of the same foot within half a step; unmatched ones counted as missed);
# - the truth cadence (the generator's ``step_freq_hz``; else the mean true step time);
# - TRUE group angular momenta: the same de Leva body model and momentum code run on the truth 3D
#   joints, with the truth contacts deciding push/swing (``compute_push_side`` with the configured
#   flight rule); attached to the truth with ``attach_momenta``.
# Momentum agreement per group and axis (ML = mediolateral Z = pitch; V = vertical Y = yaw): the
# truth is interpolated to the pipeline's frame times, frames where either is NaN are left out; r
# (Pearson), gain (least-squares slope of estimate on truth through the origin) and nRMSE
# = RMSE / RMS(truth) (the stricter normalisation; RMSE / range(truth) is printed with --range).

MOMENTUM_GROUPS = ("push", "swing", "lower", "upper", "total")
AXES = {"ML": 2, "V": 1}
NRMSE_BY = {"by": "rms"}


def _kin_config(truth: SynthTruth, depth: str) -> Any:
    from sprintbal.config import resolve_config

    return resolve_config(overrides={
        "body": {"height_m": float(truth.height_m), "mass_kg": float(truth.mass_kg), "sex": "male"},
        "kinematics": {"depth_method": depth},
    })


def kinematics(c: Case, depth: str = "prior") -> Any:
    """Return the pipeline's Kinematics for the clip (memoised per depth method); None without a track."""
    key = f"kin_{depth}"
    if key not in c.extra:
        track = _TRACKS.get(c.clip)
        if track is None:
            c.extra[key] = None
        else:
            from sprintbal.kinematics.compute import compute_kinematics

            c.extra[key] = compute_kinematics(track, _kin_config(c.truth, depth))
    return c.extra[key]


def true_momenta(truth: SynthTruth, flight_rule: str = "last_off") -> SynthTruth:
    """Return the truth with its true group momenta (computed now if the truth file predates them)."""
    from sprintbal.synth.truth import compute_true_momenta

    if truth.momenta and all(k in truth.momenta for k in MOMENTUM_GROUPS) and flight_rule == "last_off":
        return truth
    return compute_true_momenta(truth, flight_rule)


def agreement(est: np.ndarray, true: np.ndarray, by: str = "rms") -> tuple[float, float, float, int]:
    """(r, gain, nRMSE, frames) of an estimate against the truth over frames where both are finite."""
    ok = np.isfinite(est) & np.isfinite(true)
    e, y = est[ok], true[ok]
    if e.size < 3 or np.std(y) == 0:
        return float("nan"), float("nan"), float("nan"), int(e.size)
    r = float(np.corrcoef(e, y)[0, 1])
    gain = float(np.sum(e * y) / np.sum(y * y))
    denom = float(np.sqrt(np.mean(y * y))) if by == "rms" else float(np.ptp(y))
    return r, gain, float(np.sqrt(np.mean((e - y) ** 2)) / denom), int(e.size)


def momentum_agreement(c: Case, group: str, axis: str, depth: str) -> tuple[float, float, float, int]:
    k = kinematics(c, depth)
    if k is None:
        return float("nan"), float("nan"), float("nan"), 0
    if "truth_momenta" not in c.extra:
        c.extra["truth_momenta"] = true_momenta(c.truth, str(k.info.get("flight_push_rule", "last_off"))).momenta
    ax = AXES[axis]
    y = c.extra["truth_momenta"][group][:, ax]
    ok = np.isfinite(y)
    yt = np.interp(k.t, c.truth.t[ok], y[ok], left=np.nan, right=np.nan)
    return agreement(np.asarray(getattr(k.groups, group))[:, ax], yt, NRMSE_BY["by"])


def _m_momentum(group: str, axis: str, depth: str) -> Callable[[Case], str]:
    def f(c: Case) -> str:
        r, g, e, _ = momentum_agreement(c, group, axis, depth)
        return f"{r:.2f}/{g:.2f}/{100 * e:.0f}%" if np.isfinite(r) else "-"

    f.__name__ = f"m_{axis}_{group}_{depth}"
    return f


def event_errors(c: Case, kind: str, feet: tuple[int, ...] = (0, 1), steps: Any = None) -> tuple[np.ndarray, int, int]:
    """Signed errors (s) of the matched events of ``kind`` ("td"/"to"), true count, detected count.

    ``feet``: which feet (0 left, 1 right); ``steps``: a Steps table to score instead of the pipeline's.
    """
    k = kinematics(c, "prior")
    if k is None:
        return np.array([]), 0, 0
    st = k.steps if steps is None else steps
    t0, t1 = float(k.t[0]), float(k.t[-1])
    half_step = 0.5 / float(c.truth.params["step_freq_hz"]) if c.truth.params else 0.1
    errs: list[float] = []
    n_true = n_det = 0
    for foot in feet:
        true_t = (c.truth.touchdown_t if kind == "td" else c.truth.toeoff_t)[foot]
        true_t = true_t[(true_t > t0) & (true_t < t1)]
        det = (st.touchdown_t if kind == "td" else st.toeoff_t)[st.foot == foot]
        det = det[np.isfinite(det)]
        n_true += true_t.size
        n_det += det.size
        for tt in true_t:
            if det.size:
                d = det - tt
                j = int(np.argmin(np.abs(d)))
                if abs(d[j]) < half_step:
                    errs.append(float(d[j]))
    return np.array(errs), n_true, n_det


def _m_event(kind: str, stat: str) -> Callable[[Case], str]:
    def f(c: Case) -> str:
        e, n_true, n_det = event_errors(c, kind)
        if stat == "n":
            return f"{e.size}/{n_true}+{max(0, n_det - e.size)}"
        if not e.size:
            return "-"
        a = np.abs(e)
        v = float(np.median(a) if stat == "med" else np.percentile(a, 90))
        return f"{1000 * v:.1f}/{v * c.truth.fps:.2f}"

    f.__name__ = f"m_{kind}_{stat}"
    return f


def m_event_bias(c: Case) -> str:
    out = []
    for kind in ("td", "to"):
        e, _, _ = event_errors(c, kind)
        out.append(f"{1000 * float(np.median(e)):+.1f}" if e.size else "-")
    return "/".join(out)


def m_td_by_foot(c: Case) -> str:
    """Touchdown error per foot, near (camera side) then far, mean / SD in ms.

    First through the pose, then through the same event code on the truth's own joints (noise-free: the
    method's bias on this renderer).
    """
    k = kinematics(c, "prior")
    if k is None:
        return "-"
    from sprintbal.kinematics.events import compute_gait_events

    near = 1 if float(k.info.get("direction", 1.0)) > 0 else 0  # running image-right shows the right side
    truth_steps = compute_gait_events(c.truth.joints3d[..., :2].copy(), c.truth.t, False, None).steps
    out = []
    for steps in (None, truth_steps):
        part = []
        for foot in (near, 1 - near):
            e, _, _ = event_errors(c, "td", (foot,), steps)
            part.append(f"{1000 * e.mean():+.1f}/{1000 * e.std(ddof=1):.1f}" if e.size > 1 else "-")
        out.append(" ".join(part))
    return f"{out[0]} | truth joints {out[1]} ({'right' if near else 'left'} near)"


def true_cadence(truth: SynthTruth) -> float:
    """Return the true cadence, steps/min: the generator's step frequency, else the mean true step time."""
    if truth.params and "step_freq_hz" in truth.params:
        return 60.0 * float(truth.params["step_freq_hz"])
    td = np.sort(np.concatenate(truth.touchdown_t))
    return 60.0 / float(np.mean(np.diff(td)))


def m_cadence_err(c: Case) -> str:
    k = kinematics(c, "prior")
    if k is None:
        return "-"
    est = float(k.info.get("cadence_spm", np.nan))
    return f"{100 * (est / true_cadence(c.truth) - 1):+.2f}%"


METRICS += [
    ("TD n/true+extra", _m_event("td", "n")),
    ("TD med|e| ms/fr", _m_event("td", "med")),
    ("TD p90|e| ms/fr", _m_event("td", "p90")),
    ("TO n/true+extra", _m_event("to", "n")),
    ("TO med|e| ms/fr", _m_event("to", "med")),
    ("TO p90|e| ms/fr", _m_event("to", "p90")),
    ("bias TD/TO ms", m_event_bias),
    ("TD near far ms m/sd", m_td_by_foot),
    ("cadence err", m_cadence_err),
    ("running", lambda c: str(getattr(kinematics(c), "is_running", "-"))),
    *[(f"ML {g} (prior) r/gain/nRMSE", _m_momentum(g, "ML", "prior")) for g in MOMENTUM_GROUPS],
    *[(f"V {g} ({d}) r/gain/nRMSE", _m_momentum(g, "V", d)) for d in ("prior", "world") for g in MOMENTUM_GROUPS],
]


def m_push_side_agree(c: Case) -> str:
    """Share of frames where the pipeline's push side equals the truth's (both known)."""
    k = kinematics(c, "prior")
    if k is None:
        return "-"
    from sprintbal.kinematics.events import compute_push_side

    true_side = compute_push_side(c.truth.contact, c.truth.t, str(k.info.get("flight_push_rule", "last_off")))
    if true_side.shape != k.push_side.shape:
        return "-"
    both = (true_side >= 0) & (np.asarray(k.push_side) >= 0)
    return f"{100 * float(np.mean(true_side[both] == np.asarray(k.push_side)[both])):.1f}%" if both.any() else "-"


def _m_momentum_filtered(group: str) -> Callable[[Case], str]:
    """ML agreement against the truth whose 3D joints are low-passed at the pipeline's own cut-off.

    Separates the loss of the analysis low-pass (which the truth does not have) from estimation error.
    """

    def f(c: Case) -> str:
        k = kinematics(c, "prior")
        if k is None or not np.isfinite(float(k.info.get("cutoff_hz", np.nan))):
            return "-"
        if "truth_momenta_lp" not in c.extra:
            import dataclasses

            from sprintbal.kinematics.cleaning import compute_lowpass
            from sprintbal.synth.truth import compute_true_momenta

            j = compute_lowpass(c.truth.joints3d, c.truth.t, float(k.info["cutoff_hz"]))
            tr = dataclasses.replace(c.truth, joints3d=j, momenta=None)
            c.extra["truth_momenta_lp"] = compute_true_momenta(
                tr, str(k.info.get("flight_push_rule", "last_off"))).momenta
        y = c.extra["truth_momenta_lp"][group][:, AXES["ML"]]
        ok = np.isfinite(y)
        yt = np.interp(k.t, c.truth.t[ok], y[ok], left=np.nan, right=np.nan)
        r, g, e, _ = agreement(np.asarray(getattr(k.groups, group))[:, AXES["ML"]], yt, NRMSE_BY["by"])
        return f"{r:.2f}/{g:.2f}/{100 * e:.0f}%" if np.isfinite(r) else "-"

    f.__name__ = f"m_ML_{group}_lp"
    return f


METRICS += [
    ("push side = truth", m_push_side_agree),
    *[(f"ML {g} vs low-passed truth", _m_momentum_filtered(g)) for g in MOMENTUM_GROUPS],
]


#: The issue-4 targets the summary table checks (side view, 120 fps): event median |error| <= 1 frame,
#: cadence within 1%, and each ML group r >= 0.9 with nRMSE <= 20% of the truth's range (the usual
#: biomechanics normalisation, peak-to-peak; the RMS-normalised figure is printed beside it).
TARGET_GROUPS = ("push", "swing", "lower", "upper")


def _summary_row(c: Case) -> dict[str, Any] | None:
    k = kinematics(c, "prior")
    if k is None:
        return None
    dt = float(np.median(np.diff(k.t)))
    row: dict[str, Any] = {"clip": c.clip.stem, "fps": 1.0 / dt}
    for kind in ("td", "to"):
        e, _, _ = event_errors(c, kind)
        row[kind] = float(np.median(np.abs(e))) / dt if e.size else float("nan")
    row["cad"] = 100 * (float(k.info.get("cadence_spm", np.nan)) / true_cadence(c.truth) - 1)
    for g in TARGET_GROUPS:
        by = NRMSE_BY["by"]
        NRMSE_BY["by"] = "range"
        r, _, e_rng, _ = momentum_agreement(c, g, "ML", "prior")
        NRMSE_BY["by"] = "rms"
        _, _, e_rms, _ = momentum_agreement(c, g, "ML", "prior")
        NRMSE_BY["by"] = by
        row[g] = (r, e_rng, e_rms)
    return row


def print_summary(cases: list[Case]) -> None:
    """One line per clip (events in frames, ML r and nRMSE by range / by RMS per group) and the target check."""
    rows = [r for r in (_summary_row(c) for c in cases) if r is not None]
    if not rows:
        return
    print("\n== summary: events (median |error|, frames), cadence error, "
          "ML group r and nRMSE (% of range / % of RMS)")
    print(f"{'clip':34s} {'fps':>4s} {'TD':>5s} {'TO':>5s} {'cad%':>6s} "
          + " ".join(f"{g:>17s}" for g in TARGET_GROUPS))
    for r in rows:
        cells = " ".join(f"{r[g][0]:5.2f} {100 * r[g][1]:4.0f}/{100 * r[g][2]:4.0f}%" for g in TARGET_GROUPS)
        print(f"{r['clip'][:34]:34s} {r['fps']:4.0f} {r['td']:5.2f} {r['to']:5.2f} {r['cad']:+6.2f} {cells}")
    side120 = [r for r in rows if abs(r["fps"] - 120) < 1 and "side" in r["clip"]]
    # the parametric sprints as rendered (rigid trunk) are the set; the pitching-trunk variants and the
    # real DeepMimic stride (a 3.6 m/s run) are checked on their own lines
    sets = {
        "": [r for r in side120 if "_pitch" not in r["clip"] and "deepmimic" not in r["clip"]],
        " (trunk pitching, --kin-pitch)": [r for r in side120 if "_pitch" in r["clip"]],
        " (real DeepMimic run, --deepmimic)": [r for r in side120 if "deepmimic" in r["clip"]],
    }
    for label, subset in sets.items():
        if not subset:
            continue
        fails = []
        for r in subset:
            if not (r["td"] <= 1 and r["to"] <= 1):
                fails.append(f"{r['clip']}: events")
            if not abs(r["cad"]) <= 1:
                fails.append(f"{r['clip']}: cadence")
            fails += [f"{r['clip']}: {g} r {r[g][0]:.2f} nRMSE {100 * r[g][1]:.0f}%" for g in TARGET_GROUPS
                      if not (r[g][0] >= 0.9 and r[g][1] <= 0.2)]
        print(f"issue-4 targets on {len(subset)} side-view 120 fps clips{label}: "
              + ("all met" if not fails else f"{len(fails)} miss(es): " + "; ".join(fails)))


def evaluate(clip: Path, method: str = "auto") -> Case:
    """Run pose on ``clip`` and pair it with its truth file."""
    truth = load_truth(truth_path(clip))
    t0 = time.perf_counter()
    xy, det, how = run_pose(clip, method)
    secs = time.perf_counter() - t0
    n = min(xy.shape[0], truth.n_frames)
    if xy.shape[0] != truth.n_frames:
        print(f"warning: {clip.name}: {xy.shape[0]} decoded frames, truth has {truth.n_frames}", file=sys.stderr)
    import dataclasses

    tr = dataclasses.replace(
        truth, t=truth.t[:n], joints3d=truth.joints3d[:n], joints2d=truth.joints2d[:n], contact=truth.contact[:n],
        camera_R=truth.camera_R[:n], camera_C=truth.camera_C[:n])
    return Case(clip, tr, xy[:n], det[:n], secs, {"pose": how})


def deepmimic_clip(out_dir: Path) -> Path | None:
    """Render (once; reused when present) the real DeepMimic running stride as a side-view 120 fps clip.

    Real motion capture (a 3.6 m/s run, 30 Hz source spline-interpolated, 45 kg character scored with the
    male de Leva table) rather than the parametric sprint: trunk pitch, pelvis tilt and arm action are a
    real person's. Its contact times come from the interpolated soles, so event errors here carry the
    30 Hz source's rounding too. None if the mocap is absent.
    """
    if not (MOCAP / "humanoid3d_run.txt").is_file():
        return None
    clip = out_dir / "deepmimic_run_side_120fps.mp4"
    if not (clip.is_file() and truth_path(clip).is_file()):
        from sprintbal.synth.deepmimic import export_motion_csv
        from sprintbal.synth.generate import generate_clip

        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path = export_motion_csv(MOCAP, out_dir / "deepmimic_run.csv", duration_s=3.0)
        generate_clip(clip, view="side", fps=120, size=(1280, 720), motion_csv=csv_path, noise_sigma=1.0,
                      motion_blur=1, seed=31)
    return clip


BENCH_DIR = Path.home() / ".cache" / "sprintbal" / "bench"


def speed_clip(out_dir: Path = BENCH_DIR) -> Path:
    """Render (once; reused when present) a 3 s, 120 fps side-view clip at 7 m/s, 4.1 steps/s.

    The sample clips are all 8 m/s / 4.4 steps/s; this one checks that the figures are not tuned to
    them. Deterministic (seed 11), but a changed renderer only shows after the file is deleted.
    """
    clip = out_dir / "sprint_7mps_side_120fps.mp4"
    if not (clip.is_file() and truth_path(clip).is_file()):
        from sprintbal.synth.generate import generate_clip
        from sprintbal.synth.motion import SprintParams

        out_dir.mkdir(parents=True, exist_ok=True)
        generate_clip(clip, params=SprintParams(speed_mps=7.0, step_freq_hz=4.1, contact_fraction=0.48,
                                                duration_s=3.0),
                      view="side", fps=120, size=(1280, 720), noise_sigma=2.0, motion_blur=2, seed=11)
    return clip


#: Held-out kinematics set (``--kin-set``): side-view clips at other speeds, step frequencies, contact
#: shares, noise, blur and seeds than the sample clips, mostly at 120 fps (the issue's condition) plus one
#: each at 240 and 30 fps. Name -> (speed m/s, steps/s, contact share, view, fps, noise, blur, seed).
KIN_SET: dict[str, tuple[float, float, float, str, int, float, int, int]] = {
    "kin_7.5mps_side_120fps_s21": (7.5, 4.3, 0.46, "side", 120, 1.0, 1, 21),
    "kin_8.5mps_side_120fps_s22": (8.5, 4.5, 0.42, "side", 120, 2.0, 2, 22),
    "kin_9mps_side_120fps_s23": (9.0, 4.7, 0.40, "side", 120, 0.0, 1, 23),
    "kin_6.5mps_side_120fps_s24": (6.5, 3.9, 0.50, "side", 120, 2.0, 2, 24),
    "kin_8mps_side_left_120fps_s25": (8.0, 4.4, 0.45, "side_left", 120, 1.0, 1, 25),
    "kin_8mps_side_240fps_s26": (8.0, 4.4, 0.45, "side", 240, 1.0, 2, 26),
    "kin_8mps_side_30fps_s27": (8.0, 4.4, 0.45, "side", 30, 1.0, 1, 27),
}


def kin_set_clips(out_dir: Path = BENCH_DIR / "kin", pitch_deg: float = 0.0) -> list[Path]:
    """Render (once; reused when present) the clips of :data:`KIN_SET`, 3 s each, 1280x720.

    With ``pitch_deg`` > 0 only the 120 fps clips, with a trunk that pitches by that amplitude once per step
    (``SprintParams.trunk_pitch_amp_deg``; the set's own trunk keeps a constant lean), named ``*_pitchN``.
    """
    clips = []
    for name, (speed, freq, cf, view, fps, noise, blur, seed) in KIN_SET.items():
        if pitch_deg > 0 and fps != 120:
            continue
        clip = out_dir / (f"{name}_pitch{pitch_deg:g}.mp4" if pitch_deg > 0 else f"{name}.mp4")
        if not (clip.is_file() and truth_path(clip).is_file()):
            from sprintbal.synth.generate import generate_clip
            from sprintbal.synth.motion import SprintParams

            out_dir.mkdir(parents=True, exist_ok=True)
            generate_clip(clip, params=SprintParams(speed_mps=speed, step_freq_hz=freq, contact_fraction=cf,
                                                    duration_s=3.0, trunk_pitch_amp_deg=pitch_deg),
                          view=view, fps=fps, size=(1280, 720), noise_sigma=noise, motion_blur=blur, seed=seed)
        clips.append(clip)
    return clips


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--balance" in argv:
        # the balance table has options of its own (--heldout, --set NAME=VALUE, ...): pass them through
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from balance_synth import video_main

        return video_main(["--video", *(a for a in argv if a != "--balance")])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--deepmimic", action="store_true",
                    help=f"also score the real DeepMimic running stride, rendered once into {BENCH_DIR / 'dm'}")
    ap.add_argument("--no-samples", action="store_true", help="skip sample_videos/")
    ap.add_argument("--pose", choices=("auto", "pipeline", "local"), default="auto",
                    help="pose path: the sprintbal pipeline, a bare MediaPipe loop, or auto")
    ap.add_argument("--speed-clip", action="store_true",
                    help=f"also score a 7 m/s, 120 fps side clip rendered once into {BENCH_DIR}")
    ap.add_argument("--range", action="store_true", help="nRMSE = RMSE / range(truth) instead of / RMS(truth)")
    ap.add_argument("--kin-set", action="store_true",
                    help=f"also score the held-out kinematics clips (KIN_SET), rendered once into {BENCH_DIR / 'kin'}")
    ap.add_argument("--kin-pitch", type=float, default=0.0, metavar="DEG",
                    help="also score the five 120 fps KIN_SET clips re-rendered with a trunk pitching DEG degrees "
                         f"once per step (rendered once into {BENCH_DIR / 'kinpitch'})")
    ap.add_argument("--balance", action="store_true",
                    help="only the balance-event table: rendered clips with injected breakdowns through the "
                         "whole pipeline (benchmarks/balance_synth.py --video; clips cached outside the repo)")
    ap.add_argument("--model", type=Path, default=None,
                    help="MediaPipe Tasks PoseLandmarker .task file for the pipeline path (e.g. "
                         "../shared/models/pose_landmarker_heavy.task; default: the bundled BlazePose full)")
    args = ap.parse_args(argv)
    if args.model is not None:
        if not args.model.is_file():
            ap.error(f"--model: no such file: {args.model}")
        _POSE_OVERRIDES["model_path"] = args.model
    clips = list(args.clips)
    if not args.no_samples and not clips:
        clips += sorted(SAMPLES.glob("*.mp4"))
    if args.speed_clip:
        clips.append(speed_clip())
    if args.kin_set:
        clips += kin_set_clips()
    if args.kin_pitch > 0:
        clips += kin_set_clips(BENCH_DIR / "kinpitch", pitch_deg=args.kin_pitch)
    if args.deepmimic:
        dm = deepmimic_clip(BENCH_DIR / "dm")
        if dm is None:
            print("DeepMimic mocap not found; skipped", file=sys.stderr)
        else:
            clips.append(dm)
    NRMSE_BY["by"] = "range" if args.range else "rms"
    names = [n for n, _ in METRICS]
    width = max(len(n) for n in names)
    cases = []
    for clip in clips:
        case = evaluate(clip, args.pose)
        cases.append(case)
        print(f"== {clip.name}", flush=True)
        for name, f in METRICS:
            print(f"  {name:<{width}}  {f(case)}", flush=True)
    print_summary(cases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
