"""Issue-4 kinematics figures pooled over every rendered clip with truth that is on disk.

The issue's targets are checked on seven side-view 120 fps clips (``benchmarks/accuracy.py --speed-clip
--kin-set``); one clip's figures move by up to 0.03 (swing r) when the same video is merely re-encoded (see
docs/kinematics.md, fifth round), so seven clips say little about a change of 0.01-0.02. This script scores
the same figures on all rendered clips with truth found on disk (sample_videos/, the speed clip, the kin set
and the balance clips under ``~/.cache/sprintbal/bench/balance``, 60 fps, side, side-left and oblique views;
nothing is rendered here: ``accuracy.py --speed-clip --kin-set`` and ``accuracy.py --balance`` with ``--heldout`` or
``--draw N`` render them; pose comes from the cache as ``accuracy.py`` gets it), and prints per view and frame
rate: mean and median ML r of each group, how many clips meet r >= 0.9 with nRMSE <= 20% of the truth's range,
and how many clips have touchdown and toe-off median errors within one frame.

Usage::

    python benchmarks/kin_pooled.py [--per-clip]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy as A
import label_crossings as LC

GROUPS = A.TARGET_GROUPS


def view_of(name: str) -> str:
    """Return the camera view a rendered clip's name says (side, side_left or oblique)."""
    if "oblique" in name:
        return "oblique"
    return "side_left" if "side_left" in name else "side"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-clip", action="store_true", help="also print one line per clip")
    args = ap.parse_args(argv)
    rows = []
    for clip in LC.clips():
        case = A.evaluate(clip)
        if A._TRACKS.get(clip) is None or case.truth is None:
            continue
        row = A._summary_row(case)
        if row is None:
            continue
        row["view"] = view_of(clip.stem)
        rows.append(row)
        if args.per_clip:
            cells = " ".join(f"{g} {row[g][0]:.3f}/{100 * row[g][1]:.0f}%" for g in GROUPS)
            print(f"{clip.stem[:48]:48s} {row['fps']:4.0f} TD {row['td']:.2f} TO {row['to']:.2f} {cells}", flush=True)
    print(f"\n{len(rows)} clips. ML r: mean / median per group; met: r >= 0.9 and nRMSE <= 20% of range; "
          "events: clips with TD and TO median |error| <= 1 frame")
    print(f"{'view':10s} {'fps':>4s} {'n':>4s} " + " ".join(f"{g:>22s}" for g in GROUPS) + f" {'events':>8s}")
    keys = [*sorted({(r["view"], round(r["fps"])) for r in rows}), ("all", 0)]
    for view, fps in keys:
        sub = [r for r in rows if view == "all" or (r["view"] == view and round(r["fps"]) == fps)]
        cells = []
        for g in GROUPS:
            r = np.array([x[g][0] for x in sub])
            e = np.array([x[g][1] for x in sub])
            met = int(np.sum((r >= 0.9) & (e <= 0.2)))
            cells.append(f"{np.nanmean(r):.3f}/{np.nanmedian(r):.3f} {met:3d}/{len(sub):<3d}")
        ev = sum(1 for x in sub if x["td"] <= 1 and x["to"] <= 1)
        cols = " ".join(f"{c:>22s}" for c in cells)
        print(f"{view:10s} {fps or '':>4} {len(sub):4d} {cols} {ev:4d}/{len(sub):<3d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
