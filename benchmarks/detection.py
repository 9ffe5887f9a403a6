"""Detection rate: sprintbal's pose stage against a bare OpenCV + MediaPipe loop, per clip.

Usage: python benchmarks/detection.py [CLIP ...]   (default: every clip in ../shared/footage)

Prints, for each clip, the share of frames in which a person was found by (a) a bare loop
(cv2 decode, ``mp.solutions.pose.Pose`` with sprintbal's default settings) and (b)
``sprintbal.pipeline.analyze(..., until="pose")``, and the difference in points.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = REPO.parent / "shared" / "footage"


def bare_loop_rate(clip: Path) -> tuple[float, int]:
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(str(clip))
    found = n = 0
    with mp.solutions.pose.Pose(
        static_image_mode=False, model_complexity=1, min_detection_confidence=0.5, min_tracking_confidence=0.5
    ) as pose:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            res = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            n += 1
            found += res.pose_landmarks is not None
    cap.release()
    return (found / n if n else 0.0), n


def sprintbal_rate(clip: Path) -> tuple[float, int]:
    from sprintbal.config import resolve_config
    from sprintbal.pipeline import analyze

    result = analyze(clip, resolve_config(), cache=None, until="pose")
    return result.track.detection_rate, result.track.n_frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path)
    args = parser.parse_args()
    clips = args.clips or sorted(FOOTAGE.glob("*.mp4"))
    if not clips:
        print("no clips given and ../shared/footage is absent")
        return 1
    print(f"{'clip':<42} {'frames':>6} {'bare %':>7} {'sprintbal %':>11} {'diff pts':>8} {'s':>6}")
    for clip in clips:
        t0 = time.perf_counter()
        bare, n = bare_loop_rate(clip)
        ours, m = sprintbal_rate(clip)
        print(
            f"{clip.name:<42} {m:>6d} {100 * bare:>7.1f} {100 * ours:>11.1f} {100 * (ours - bare):>+8.1f}"
            f" {time.perf_counter() - t0:>6.1f}"
            + ("" if n == m else f"  (bare loop decoded {n} frames)")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
