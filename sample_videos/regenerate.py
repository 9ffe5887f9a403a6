"""Regenerate the synthetic sample clips and their truth files (deterministic: fixed seeds).

Run from the repository root::

    python sample_videos/regenerate.py

Each clip ``NAME.mp4`` gets ``NAME.truth.npz`` beside it (format: sprintbal/synth/truth.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sprintbal.synth.generate import generate_clip
from sprintbal.synth.motion import SprintParams, parse_perturbation

HERE = Path(__file__).resolve().parent

#: name -> (generate_clip keyword arguments)
CLIPS: dict[str, dict] = {
    "sprint_balanced_side_60fps.mp4": dict(
        params=SprintParams(duration_s=3.0), view="side", fps=60, size=(1280, 720),
        noise_sigma=2.0, motion_blur=3, seed=1,
    ),
    "sprint_breakdown_armdrop_side_60fps.mp4": dict(
        params=SprintParams(duration_s=3.5), view="side", fps=60, size=(1280, 720),
        perturbations=(parse_perturbation("arm_drop_left:1.6:2.1:1.0"),),
        noise_sigma=2.0, motion_blur=3, seed=2,
    ),
    "sprint_balanced_side_120fps.mp4": dict(
        params=SprintParams(duration_s=2.0), view="side", fps=120, size=(1280, 720),
        noise_sigma=2.0, motion_blur=2, seed=3,
    ),
    "sprint_breakdown_trunk_oblique_60fps.mp4": dict(
        params=SprintParams(duration_s=2.0), view="oblique", fps=60, size=(960, 540),
        perturbations=(parse_perturbation("trunk_over_rotation:0.8:1.6:1.0"),),
        noise_sigma=2.0, motion_blur=3, seed=4,
    ),
}


def main(names: list[str]) -> int:
    """Regenerate the clips named (all if none); print one line per clip."""
    for name, kwargs in CLIPS.items():
        if names and name not in names:
            continue
        t0 = time.perf_counter()
        out = HERE / name
        truth = generate_clip(out, **kwargs)
        for p in (out, out.with_name(out.stem + ".truth.npz")):
            os.chmod(p, 0o644)
        print(f"{name}: {truth.n_frames} frames, {out.stat().st_size / 1e6:.2f} MB, "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
