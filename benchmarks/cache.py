"""Pose cache: time of a first and a second ``sprintbal analyze`` of the same clip.

Usage: python benchmarks/cache.py [CLIP]   (default: ../shared/footage/treadmill_male_side_gaitlab.mp4)

Runs the full analysis twice with a fresh cache folder (the second run reads the cached
landmarks instead of running the pose model) and prints both wall times and their ratio.
Asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "footage" / "treadmill_male_side_gaitlab.mp4"


def main() -> int:
    from sprintbal.config import resolve_config
    from sprintbal.pipeline import analyze
    from sprintbal.pose.cache import PoseCache
    from sprintbal.report.outputs import write_outputs

    clip = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not clip.is_file():
        print(f"clip not found: {clip}")
        return 1
    cfg = resolve_config()
    with tempfile.TemporaryDirectory() as tmp:
        cache = PoseCache(Path(tmp) / "cache")
        times = []
        for run in (1, 2):
            t0 = time.perf_counter()
            result = analyze(clip, cfg, cache=cache)
            write_outputs(result, Path(tmp) / f"out{run}")
            times.append(time.perf_counter() - t0)
            print(f"run {run}: {times[-1]:7.2f} s  (pose from cache: {result.pose_cached})")
    print(f"clip {clip.name}: second run {times[0] / times[1]:.1f}x faster than the first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
