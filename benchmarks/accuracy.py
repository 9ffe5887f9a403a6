"""Pose accuracy on synthetic clips with a known answer.

Runs BlazePose on each clip (``sprintbal.pipeline.analyze(..., until="pose")`` with the
default configuration when importable, else -- or with ``--pose local`` -- a bare loop over
the legacy ``mp.solutions.pose`` API, model complexity 1, video mode), compares with the
truth projections, and prints one row per clip. Columns come from :data:`METRICS`, a
list of ``(name, function)``; a metric function takes a :class:`Case` and returns a float
or a string. Later stages append metrics (event timing error, cadence error, momentum agreement, breakdown
precision/recall) by adding functions to the list.

Usage::

    python benchmarks/accuracy.py [CLIP.mp4 ...] [--deepmimic] [--no-samples]
                                   [--pose auto|pipeline|local]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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
            res = analyze(clip, resolve_config(), until="pose")
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
    """Render a fresh DeepMimic run clip through the motion CSV path (None if the mocap is absent)."""
    if not (MOCAP / "humanoid3d_run.txt").is_file():
        return None
    from sprintbal.synth.deepmimic import export_motion_csv
    from sprintbal.synth.generate import generate_clip

    csv_path = export_motion_csv(MOCAP, out_dir / "deepmimic_run.csv", duration_s=3.0)
    clip = out_dir / "deepmimic_run_side_60fps.mp4"
    generate_clip(clip, view="side", fps=60, size=(960, 540), motion_csv=csv_path)
    return clip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--deepmimic", action="store_true", help="also render and score a DeepMimic clip")
    ap.add_argument("--no-samples", action="store_true", help="skip sample_videos/")
    ap.add_argument("--pose", choices=("auto", "pipeline", "local"), default="auto",
                    help="pose path: the sprintbal pipeline, a bare MediaPipe loop, or auto")
    args = ap.parse_args(argv)
    clips = list(args.clips)
    if not args.no_samples and not clips:
        clips += sorted(SAMPLES.glob("*.mp4"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.deepmimic:
            dm = deepmimic_clip(Path(tmp))
            if dm is None:
                print("DeepMimic mocap not found; skipped", file=sys.stderr)
            else:
                clips.append(dm)
        names = [n for n, _ in METRICS]
        width = max([len(c.name) for c in clips] + [4])
        print(f"{'clip':<{width}}  " + "  ".join(f"{n:>9}" for n in names))
        for clip in clips:
            case = evaluate(clip, args.pose)
            vals = [str(f(case)) for _, f in METRICS]
            print(f"{clip.name:<{width}}  " + "  ".join(f"{v:>9}" for v in vals), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
