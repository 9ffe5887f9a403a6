"""Cleaning, scene and gait-event accuracy on synthetic clips with a known answer.

For each clip with a ``.truth.npz`` beside it: BlazePose (``sprintbal.pose.estimator.estimate_track``,
default PoseConfig; tracks cached in ``--cache``), then ``clean_track`` -> ``compute_scene`` ->
``compute_sagittal_points`` (filtered and unfiltered) -> ``compute_gait_events``. Prints per clip:
scale against the true metres per pixel at the runner (mid-hip depth / focal length), direction and
treadmill flags, leg-label errors before and after swap correction (frames whose leg labels are
closer to the truth crossed than straight, counted where the legs are > 20 px apart), touchdown and
toe-off errors (each detected event against the nearest true one), cadence against the truth's step
frequency, and the running verdict.

Usage::

    python benchmarks/kinematics_events.py [DIR_OR_CLIP ...] [--cache DIR]

Defaults to ``sample_videos/``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from sprintbal.config import CleaningConfig, PoseConfig
from sprintbal.kinematics.cleaning import clean_track
from sprintbal.kinematics.events import compute_gait_events
from sprintbal.kinematics.scene import compute_sagittal_points, compute_scene
from sprintbal.pose.landmarks import LEG_PAIRS
from sprintbal.pose.track import PoseTrack
from sprintbal.synth.truth import load_truth, truth_path

REPO = Path(__file__).resolve().parents[1]


def get_track(clip: Path, cache: Path) -> PoseTrack:
    """Return the clip's pose track, from the cache when present."""
    cached = cache / (clip.stem + ".npz")
    if cached.exists():
        return PoseTrack.load(cached)
    from sprintbal.pose.estimator import estimate_track
    from sprintbal.video import probe

    track = estimate_track(clip, probe(clip), PoseConfig())
    cache.mkdir(parents=True, exist_ok=True)
    track.save(cached)
    return track


def label_errors(xy: np.ndarray, truth2d: np.ndarray) -> tuple[int, int]:
    """Return (frames whose leg labels are crossed against the truth, frames where legs are apart)."""
    left = [p[0] for p in LEG_PAIRS[1:]]
    right = [p[1] for p in LEG_PAIRS[1:]]

    def d(a: list[int], b: list[int]) -> np.ndarray:
        return np.linalg.norm(xy[:, a] - truth2d[:, b], axis=-1)

    same = np.nansum(d(left, left) + d(right, right), axis=1)
    cross = np.nansum(d(left, right) + d(right, left), axis=1)
    sep = np.nanmean(np.linalg.norm(truth2d[:, left] - truth2d[:, right], axis=-1), axis=1)
    clear = sep > 20
    return int(((cross < same) & clear).sum()), int(clear.sum())


def event_errors(ev, truth, period: float) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """Signed errors (s) of detected touchdowns and toe-offs against the nearest true event."""
    st = ev.steps
    out: dict[str, list[float]] = {"td": [], "to": []}
    for f in (0, 1):
        for kind, arr, tt in (("td", st.touchdown_t, truth.touchdown_t[f]), ("to", st.toeoff_t, truth.toeoff_t[f])):
            tt = np.concatenate([tt, tt[-1:] + 2 * period, tt[:1] - 2 * period])
            out[kind] += [float(g - tt[np.argmin(np.abs(tt - g))]) for g in arr[(st.foot == f) & np.isfinite(arr)]]
    return {k: np.array(v) for k, v in out.items()}


def main(argv: list[str]) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/sprintbal_kin_tracks"))
    args = ap.parse_args(argv)
    paths = args.paths or [REPO / "sample_videos"]
    clips = sorted(p for path in paths for p in (path.glob("*.mp4") if path.is_dir() else [path]))
    for clip in clips:
        if clip.name.startswith(".") or not truth_path(clip).exists():
            continue
        truth = load_truth(truth_path(clip))
        track = get_track(clip, args.cache)
        clean = clean_track(track, CleaningConfig())
        scene = compute_scene(clean, truth.height_m)
        hip = 0.5 * (truth.joints3d[:, 23] + truth.joints3d[:, 24])
        depth = np.einsum("tij,tj->ti", truth.camera_R, hip - truth.camera_C)[:, 2]
        m_true = float(np.median(depth / truth.camera_K[0, 0]))
        raw_err, clear = label_errors(track.xy, truth.joints2d)
        cl_err, _ = label_errors(clean.xy, truth.joints2d)
        period = 1.0 / truth.params["step_freq_hz"] if truth.params else float("nan")
        print(f"== {clip.name}: {truth.n_frames} frames at {truth.fps:g} fps, view {truth.view}, camera {truth.follow}")
        print(
            f"  scale {1000 * scene.m_per_px:.3f} mm/px vs true {1000 * m_true:.3f} "
            f"({100 * (scene.m_per_px / m_true - 1):+.1f}%); direction {scene.direction:+d}; "
            f"treadmill {scene.treadmill}; "
            f"cut-off {clean.cutoff_hz:.1f} Hz ({clean.cutoff_source})"
        )
        print(f"  leg-label errors {raw_err}/{clear} raw -> {cl_err}/{clear} cleaned; counts {clean.counts}")
        for name, unf in (("filtered", False), ("unfiltered", True)):
            sag = compute_sagittal_points(clean, scene, unfiltered=unf)
            ev = compute_gait_events(sag, clean.t, scene.treadmill, clean.observed)
            err = event_errors(ev, truth, period)
            n_true = sum(len(x) for x in truth.touchdown_t)
            figs = " ".join(
                f"{k}: median {1000 * np.median(v):+.1f} ms, median|e| {1000 * np.median(np.abs(v)):.1f}, "
                f"max|e| {1000 * np.max(np.abs(v)):.1f};"
                for k, v in err.items()
                if v.size
            )
            print(
                f"  events from {name} points: {ev.steps.n} contacts ({n_true} true touchdowns); {figs} "
                f"cadence {ev.cadence_spm:.1f} +- {ev.cadence_uncertainty_spm:.1f} vs {60 / period:.1f}; "
                f"running {ev.is_running}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
