"""Left/right label errors of the legs and arms against the renderer's truth, before and after cleaning.

For every rendered clip with truth (sample_videos/, the speed clip and the kin set when rendered, and the
balance clips under ``~/.cache/sprintbal/bench/balance``; pose from the cache, as
``benchmarks/accuracy.py`` gets it) a frame counts as *crossed* for a limb group when its labelled points
are nearer the truth with left and right exchanged than the truth as it is, while the truth's two limbs
are apart (wrists / ankles more than 20 px). Two counts per group: the detector's labels, and the labels
:func:`sprintbal.kinematics.cleaning.clean_track` settles on. Both are taken on the points clean_track
keeps (visibility at least its ``min_visibility``, the main person), since a hidden point's label changes
nothing downstream.

Usage::

    python benchmarks/label_crossings.py [--show N]   # per-clip lines where after > N or after > raw

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy as A

from sprintbal.config import resolve_config
from sprintbal.kinematics import cleaning as C
from sprintbal.pose.landmarks import INDEX

GROUPS = {"legs": ("knee", "ankle", "heel", "foot_index"), "arms": ("elbow", "wrist")}


def crossed_frames(xy: np.ndarray, truth_xy: np.ndarray, names: tuple[str, ...], apart_px: float = 20.0) -> np.ndarray:
    """Frames whose labelled limb points are nearer the left/right-exchanged truth.

    Parameters
    ----------
    xy, truth_xy : ndarray, shape (T, 33, 2)
        Labelled image landmarks (NaN: not counted) and the truth's projections, px.
    names : tuple of str
        Landmark names without ``left_`` / ``right_`` (the second one decides whether the limbs are apart).
    apart_px : float
        Least distance, px, between the truth's two limbs for a frame to count.

    Returns
    -------
    ndarray of bool, shape (min(T, T_truth),)
    """
    left = [INDEX[f"left_{n}"] for n in names]
    right = [INDEX[f"right_{n}"] for n in names]
    n = min(len(xy), len(truth_xy))
    p, q = xy[:n], truth_xy[:n]

    def dist(a: list[int], b: list[int]) -> np.ndarray:
        return np.asarray(np.nansum(np.linalg.norm(p[:, a] - q[:, b], axis=-1), axis=1))

    straight = dist(left, left) + dist(right, right)
    exchanged = dist(left, right) + dist(right, left)
    apart = np.linalg.norm(q[:, left[1]] - q[:, right[1]], axis=-1) > apart_px
    return np.asarray((exchanged < straight) & apart)


def clips() -> list[Path]:
    """Return the rendered clips with truth that are on disk (nothing is rendered here)."""
    out = sorted(A.SAMPLES.glob("*.mp4"))
    speed = A.BENCH_DIR / "sprint_7mps_side_120fps.mp4"
    out += [speed] if speed.is_file() else []
    out += sorted((A.BENCH_DIR / "kin").glob("*.mp4"))
    out += sorted((A.BENCH_DIR / "balance").glob("**/*.mp4"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", type=int, default=4, help="print clips with more crossed frames after cleaning")
    args = ap.parse_args(argv)
    cfg = resolve_config().cleaning
    total = {g: np.zeros(2, dtype=int) for g in GROUPS}
    n_clips = 0
    for clip in clips():
        case = A.evaluate(clip)
        track = A._TRACKS.get(clip)
        if track is None or case.truth is None:
            continue
        n_clips += 1
        xy = np.array(track.xy, dtype=float)
        other = ~C.compute_main_person(xy)  # as clean_track: on the detector's points, then the visibility
        xy[other] = np.nan
        xy[np.asarray(track.visibility) < cfg.min_visibility] = np.nan
        clean = C.clean_track(track, cfg)
        fixed = C.apply_lr_swaps(C.apply_lr_swaps(xy, clean.swapped_legs, C.LEG_PAIRS), clean.swapped_arms, C.ARM_PAIRS)
        truth = case.truth.joints2d
        row = {
            g: (int(crossed_frames(xy, truth, n).sum()), int(crossed_frames(fixed, truth, n).sum()))
            for g, n in GROUPS.items()
        }
        for g, v in row.items():
            total[g] += v
        if any(a > args.show or a > r for r, a in row.values()):
            print(f"{clip.stem[:50]:50s} " + "  ".join(f"{g} {r} -> {a}" for g, (r, a) in row.items()), flush=True)
    print(f"{n_clips} clips; crossed frames, detector -> cleaned: "
          + ", ".join(f"{g} {v[0]} -> {v[1]}" for g, v in total.items()))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
