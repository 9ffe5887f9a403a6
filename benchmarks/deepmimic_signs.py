"""Sign structure of segment angular momentum on a real running stride (DeepMimic humanoid3d_run).

BIOMECHANICS.md section 1 reports, on a real run: yaw (vertical axis) -- stance and swing legs
have the SAME sign, arms opposite to the legs; pitch (mediolateral axis) -- stance and swing legs
OPPOSITE. This script takes the BlazePose-named joints of ../shared/mocap/deepmimic_run from
sprintbal.synth.deepmimic (forward kinematics; head, hand and foot points approximated from the body
shapes), computes de Leva momenta with sprintbal, and prints the correlations, with true Z and with the
prior depth, and how far the prior-depth group momenta follow the true-Z ones.

The clips are one stride each (run: 25 frames at 30 Hz; jog: 26) and do not close into a seamless
loop (the feet jump about 0.2 m at the wrap), so each is used once, without tiling; derivatives at
the two end frames are one-sided and those frames are left out.

Run: python benchmarks/deepmimic_signs.py [--mocap ../shared/mocap/deepmimic_run]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sprintbal.kinematics.body_model import compute_body_model, compute_segment_kinematics
from sprintbal.kinematics.depth import compute_lab_points
from sprintbal.kinematics.events import compute_push_side
from sprintbal.kinematics.momentum import compute_group_momenta, compute_segment_momentum, segment_groups
from sprintbal.pose.landmarks import INDEX
from sprintbal.synth.deepmimic import deepmimic_landmarks, load_deepmimic


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mocap", type=Path, default=Path(__file__).resolve().parents[2] / "shared/mocap/deepmimic_run")
    args = ap.parse_args()
    for clip in ("humanoid3d_run.txt", "humanoid3d_jog.txt"):
        print(f"== {clip}")
        skel, frames = load_deepmimic(args.mocap, clip)
        analyse(deepmimic_landmarks(skel, frames), float(frames[0, 0]))


def analyse(pts: np.ndarray, dt: float) -> None:
    """Print the sign structure of one clip's joints (F, 33, 3) sampled every ``dt`` seconds."""
    t = np.arange(pts.shape[0]) * dt
    advance = pts[-1, INDEX["left_hip"]] - pts[0, INDEX["left_hip"]]
    fwd = advance / np.linalg.norm(advance)
    if abs(fwd[0]) < 0.95:
        print("warning: the run is not along +X; signs below assume X forward")
    # contacts: the foot's lowest point (heel or toe) below 2.5 cm (the ground is y = 0)
    low = np.minimum(pts[:, [INDEX["left_heel"], INDEX["right_heel"]], 1],
                     pts[:, [INDEX["left_foot_index"], INDEX["right_foot_index"]], 1])  # fmt: skip
    contact = low < 0.025
    push = compute_push_side(contact, t, "last_off")
    height = float(pts[:, INDEX["nose"], 1].max() - low.min() + 0.12)
    model = compute_body_model("male", 70.0)
    masks = segment_groups(model.names)
    names = list(model.names)
    print(f"frames {t.size} at {1 / dt:.0f} Hz, contact frames L {contact[:, 0].sum()} R {contact[:, 1].sum()}, "
          f"approx. height {height:.2f} m")  # fmt: skip
    results = {}
    for label, p in (("true 3D", pts), ("X,Y + prior Z", compute_lab_points(pts[..., :2], None, height, "prior"))):
        seg = compute_segment_kinematics(p, model, t)
        h = compute_segment_momentum(
            seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
        )
        g = compute_group_momenta(h, model.names, push)
        results[label] = g
        stance_leg = g.push - g.upper
        arms = h[:, masks["arms"]].sum(axis=1)
        trunk = h[:, names.index("trunk")]
        inner = slice(1, -1)
        in_contact = (contact[:, 0] ^ contact[:, 1])[inner]
        ok = np.isfinite(stance_leg[inner, 0]) & in_contact

        def r(a: np.ndarray, b: np.ndarray, ok: np.ndarray = ok, inner: slice = inner) -> float:
            return float(np.corrcoef(a[inner][ok], b[inner][ok])[0, 1])

        for ax, axname in ((1, "yaw"), (2, "pitch")):
            print(f"{label:14s} {axname:5s} (single-support frames, n={ok.sum()}): "
                  f"r(stance leg, swing leg) {r(stance_leg[:, ax], g.swing[:, ax]):+.2f}; "
                  f"r(arms, both legs) {r(arms[:, ax], g.lower[:, ax]):+.2f}; "
                  f"r(trunk, arms) {r(trunk[:, ax], arms[:, ax]):+.2f}; "
                  f"r(upper, lower) {r(g.upper[:, ax], g.lower[:, ax]):+.2f}")  # fmt: skip
    inner = slice(1, -1)
    for ax, axname in ((1, "yaw"), (2, "pitch")):
        cells = []
        for name in ("push", "swing", "lower", "upper", "total"):
            e = getattr(results["X,Y + prior Z"], name)[inner, ax]
            y = getattr(results["true 3D"], name)[inner, ax]
            ok = np.isfinite(e) & np.isfinite(y)
            e, y = e[ok], y[ok]
            rr = float(np.corrcoef(e, y)[0, 1])
            gain = float(np.sum(e * y) / np.sum(y * y))
            nrmse = float(np.sqrt(np.mean((e - y) ** 2) / np.mean(y * y)))
            cells.append(f"{name} r={rr:+.2f} gain={gain:.2f} nRMSE={nrmse:.2f}")
        print(f"prior vs true {axname:5s}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
