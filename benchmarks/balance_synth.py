"""Recall and precision of balance breakdown events on synthetic sprints with injected perturbations.

Two paths, both without a pose model:

- ``truth``: the synthetic 3D truth joints go straight into the body model (de Leva), segment angular
  momentum, groups (push side from the true contacts) and a hand-built Kinematics -> assess_balance;
- ``track``: the truth joints are projected through an ideal side camera into a PoseTrack and run through
  the full kinematics stage (cleaning, scale, depth prior, gait events) -> assess_balance.

An event is a hit when it overlaps a perturbation window (widened by ``TOL_S`` either side). Recall =
perturbations hit / perturbations; precision = events that hit / events (clean clips contribute only
false positives). Prints a table; asserts nothing.

Run: ``python benchmarks/balance_synth.py [--fps 120] [--seeds 2]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

import numpy as np

from sprintbal.balance import assess_balance
from sprintbal.config import AnalysisConfig, BalanceConfig, BodyConfig
from sprintbal.kinematics.result import (
    PHASE_DOUBLE,
    PHASE_FLIGHT,
    PHASE_LEFT,
    PHASE_RIGHT,
    Kinematics,
    Steps,
)
from sprintbal.pose.track import PoseTrack
from sprintbal.synth.motion import PERTURBATION_KINDS, Perturbation, SprintParams, compute_sprint_motion

TOL_S = 0.1
#: The axis a perturbation is expected to upset (None: either).
EXPECTED_AXIS = {
    "arm_drop_left": "vertical",
    "arm_drop_right": "vertical",
    "arm_drop_both": "vertical",
    "swing_leg_lag_left": None,
    "swing_leg_lag_right": None,
    "trunk_over_rotation": "vertical",
}


@dataclass
class Case:
    """One synthetic clip: an optional perturbation kind and window."""

    name: str
    kind: str | None
    window: tuple[float, float] | None
    seed: int


def truth_kinematics(params: SprintParams, t: np.ndarray, perts: list[Perturbation]) -> Kinematics:
    """Kinematics straight from the truth joints (no pose, no cleaning)."""
    from sprintbal.kinematics.body_model import compute_body_model, compute_segment_kinematics
    from sprintbal.kinematics.events import compute_push_side
    from sprintbal.kinematics.momentum import compute_group_momenta, compute_segment_momentum, normalisation_factor

    motion = compute_sprint_motion(params, t, perts)
    model = compute_body_model("male", params.mass_kg)
    seg = compute_segment_kinematics(motion.joints, model, t)
    seg_h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
    )
    contact = motion.contact
    push = compute_push_side(contact, t, "last_off")
    groups = compute_group_momenta(seg_h, model.names, push)
    phase = np.full(t.size, PHASE_FLIGHT, np.int8)
    phase[contact[:, 0] & ~contact[:, 1]] = PHASE_LEFT
    phase[contact[:, 1] & ~contact[:, 0]] = PHASE_RIGHT
    phase[contact[:, 0] & contact[:, 1]] = PHASE_DOUBLE
    td = [(float(x), 0) for x in motion.touchdown_t[0]] + [(float(x), 1) for x in motion.touchdown_t[1]]
    td.sort()
    foot = np.array([f for _, f in td], np.int8)
    tdt = np.array([x for x, _ in td])
    to = np.full(tdt.size, np.nan)
    for k, (x, f) in enumerate(td):
        later = motion.toeoff_t[f][motion.toeoff_t[f] > x]
        if later.size:
            to[k] = later.min()
    nxt = np.r_[tdt[1:], np.nan]
    steps = Steps(
        foot=foot,
        touchdown_t=tdt,
        toeoff_t=to,
        contact_s=to - tdt,
        flight_s=nxt - to,
        step_s=nxt - tdt,
        step_length_m=np.full(tdt.size, params.step_length_m),
        speed_mps=np.full(tdt.size, params.speed_mps),
        timing_uncertainty_s=0.0,
    )
    n = t.size
    return Kinematics(
        t=t,
        points=motion.joints,
        com=seg.body_com,
        com_velocity=seg.body_com_velocity,
        phase=phase,
        push_side=np.asarray(push, np.int8),
        segment_names=model.names,
        segment_h=seg_h,
        groups=groups,
        norm_factor=normalisation_factor(params.mass_kg, params.height_m),
        frame_confidence=np.ones(n),
        axis_confidence={"vertical": 1.0, "mediolateral": 1.0},
        steps=steps,
        is_running=True,
        running_reason="synthetic sprint",
        info={"direction": 1},
    )


def track_kinematics(
    params: SprintParams, t: np.ndarray, perts: list[Perturbation], noise_px: float = 0.0, seed: int = 0
) -> Kinematics:
    """Kinematics through the full stage from an ideal side-camera projection of the truth joints."""
    from sprintbal.kinematics.compute import compute_kinematics

    motion = compute_sprint_motion(params, t, perts)
    lab = motion.joints
    m_per_px = 0.006
    n = t.size
    xy = np.empty((n, 33, 2))
    # camera on the runner's right (Z toward the camera), following the pelvis
    pelvis_x = 0.5 * (lab[:, 23, 0] + lab[:, 24, 0])
    xy[..., 0] = 960 + (lab[..., 0] - pelvis_x[:, None] + 0.0) / m_per_px
    xy[..., 1] = 1000 - lab[..., 1] / m_per_px
    mid = 0.5 * (lab[:, 23] + lab[:, 24])
    rel = lab - mid[:, None, :]
    world = np.stack([rel[..., 0], -rel[..., 1], rel[..., 2]], axis=-1)
    if noise_px > 0:
        xy = xy + np.random.default_rng(seed).normal(0.0, noise_px, xy.shape)
    track = PoseTrack(
        t=t, xy=xy, z=world[..., 2] / m_per_px, visibility=np.full((n, 33), 0.9), presence=np.full((n, 33), 0.95),
        world=world, detected=np.ones(n, dtype=bool), image_size=(1920, 1080), model="synthetic",
    )  # fmt: skip
    cfg = AnalysisConfig(body=BodyConfig(height_m=params.height_m, mass_kg=params.mass_kg))
    return compute_kinematics(track, cfg)


def score(events: list, window: tuple[float, float] | None) -> tuple[bool, int, int]:
    """Return (window hit, events that hit, events)."""
    if window is None:
        return False, 0, len(events)
    lo, hi = window[0] - TOL_S, window[1] + TOL_S
    hits = [e for e in events if e.start_t <= hi and e.end_t >= lo]
    return bool(hits), len(hits), len(events)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fps", type=float, default=120.0)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--paths", default="truth,track")
    ap.add_argument("--strength", type=float, default=1.0)
    ap.add_argument("--noise-px", type=float, default=0.0, help="Gaussian landmark noise, pixels (track path)")
    ap.add_argument("--robust-z", type=float, default=None)
    ap.add_argument("--min-duration", type=float, default=None)
    args = ap.parse_args()
    cfg = BalanceConfig()
    if args.robust_z is not None:
        cfg = replace(cfg, robust_z=args.robust_z)
    if args.min_duration is not None:
        cfg = replace(cfg, min_duration_s=args.min_duration)
    rng = np.random.default_rng(0)
    cases: list[Case] = []
    for s in range(args.seeds):
        cases.append(Case(f"clean_{s}", None, None, s))
        for kind in PERTURBATION_KINDS:
            start = float(rng.uniform(0.8, 1.8))
            cases.append(Case(f"{kind}_{s}", kind, (start, start + 0.5), s))
    for path in args.paths.split(","):
        t0 = time.perf_counter()
        n_pert = n_hit = n_ev = n_ev_hit = n_axis_ok = 0
        per_kind: dict[str, list[int]] = {}
        rows = []
        for c in cases:
            speed = 8.0 + 0.4 * c.seed
            params = SprintParams(speed_mps=speed, duration_s=3.0)
            t = np.arange(0.0, params.duration_s, 1.0 / args.fps)
            perts = [Perturbation(c.kind, *c.window, args.strength)] if c.kind and c.window else []
            if path == "truth":
                kin = truth_kinematics(params, t, perts)
            else:
                kin = track_kinematics(params, t, perts, args.noise_px, c.seed)
            a = assess_balance(kin, cfg)
            hit, k_hit, k = score(list(a.events), c.window)
            n_ev += k
            n_ev_hit += k_hit
            if c.window is not None:
                n_pert += 1
                n_hit += int(hit)
                per_kind.setdefault(c.kind or "", [0, 0])
                per_kind[c.kind or ""][0] += int(hit)
                per_kind[c.kind or ""][1] += 1
                exp = EXPECTED_AXIS[c.kind or ""]
                lo, hi = c.window[0] - TOL_S, c.window[1] + TOL_S
                axes = {e.axis for e in a.events if e.start_t <= hi and e.end_t >= lo}
                n_axis_ok += int(hit and (exp is None or exp in axes))
            ev_txt = "; ".join(
                f"{e.axis[:4]} {e.start_t:.2f}-{e.end_t:.2f} {e.side} {e.measure[:4]} c={e.confidence:.2f}"
                for e in a.events
            )
            rows.append(
                f"  {c.name:24s} win={c.window and f'{c.window[0]:.2f}-{c.window[1]:.2f}'!s:11s} "
                f"run={kin.is_running!s:5s} score={a.score:5.1f} events: {ev_txt or '-'}"
            )
        dt = time.perf_counter() - t0
        print(
            f"path={path} fps={args.fps:g} strength={args.strength:g} noise={args.noise_px:g} px "
            f"robust_z={cfg.robust_z:g} min_duration={cfg.min_duration_s:g} s ({dt:.1f} s)"
        )
        print("\n".join(rows))
        rec = n_hit / n_pert if n_pert else float("nan")
        prec = n_ev_hit / n_ev if n_ev else float("nan")
        print(
            f"  recall {n_hit}/{n_pert} = {rec:.2f}; precision {n_ev_hit}/{n_ev} = {prec:.2f}; "
            f"expected axis among hits {n_axis_ok}/{n_hit}"
        )
        print("  recall by kind: " + ", ".join(f"{k} {h}/{n}" for k, (h, n) in per_kind.items()))


if __name__ == "__main__":
    main()
