"""Which per-stride signal separates a breakdown kind from balanced strides, on the rendered balance clips.

For every clip of the balance benchmark sets (``--balance``, ``--heldout``, ``--draw 1`` .. ``--draw 5``
of ``benchmarks/accuracy.py``; rendered clips and poses from the cache, nothing is re-estimated when cached)
and every judged stride (touchdown to the touchdown after next, clear of the clip edges, as
:func:`sprintbal.balance.compute_stride_z`), each candidate signal's value is compared with the clip's other
strides: leave-one-out robust z of its log (median, interquartile spread, floored at ``--floor``), positive
= larger than usual. Printed per signal: the largest z inside the injected window (strides overlapping it by
at least half their length) of each clip of the chosen kind and views, and the largest z of balanced clips,
of the other kinds' windows, and of strides outside every window.

With ``--swing``: the swing-timing comparison (:func:`sprintbal.balance.compute_swing_timing`) instead, its
z per swing (the smaller of the two shifts' z, as the rule judges it) and three alternatives (the mean of
the two, the shift after toe-off alone, the drive time relative to the swing's middle), for the swing-leg
lag clips (swings overlapping the window) against balanced clips, the other kinds' windows and swings away
from every window.

Run: ``python benchmarks/balance_signals.py [--kind trunk_over_rotation] [--views side,side_left]
[--floor 0.05] [--swing]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from balance_synth import HELDOUT_CASES, VIDEO_CACHE, VIDEO_CASES, VideoCase, drawn_cases, video_clip, video_config

from sprintbal.balance import _center_scale, _judged_strides
from sprintbal.config import BalanceConfig
from sprintbal.kinematics.result import Kinematics
from sprintbal.pose.track import PoseTrack

LSH, RSH, LEL, REL, LWR, RWR, LHIP, RHIP = 11, 12, 13, 14, 15, 16, 23, 24


def _ptp(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.ptp(x)) if x.size > 3 else float("nan")


def stride_signals(kin: Kinematics, track: PoseTrack) -> dict[str, Callable[[np.ndarray], float]]:
    """Return the candidate signals, each a function of a stride's frame mask (T,) giving one positive number.

    Lab positions are ``kin.points`` (X forward, metres); ``track`` gives BlazePose's own image x, relative
    depth, visibility and world landmarks.
    """
    p = kin.points
    hip = 0.5 * (p[:, LHIP, 0] + p[:, RHIP, 0])

    def rel(j: int) -> np.ndarray:
        return p[:, j, 0] - hip

    names = list(kin.segment_names)
    h = kin.segment_h
    arms = [i for i, n in enumerate(names) if "arm" in n or "hand" in n]
    trunk = names.index("trunk")
    all_z = np.nansum(np.abs(h[:, :, 2]), axis=1)
    all_y = np.nansum(np.abs(h[:, :, 1]), axis=1)
    n = kin.t.size
    xy, z, vis, w = track.xy[:n], track.z[:n], track.visibility[:n], track.world[:n]
    twist = np.unwrap(np.arctan2(w[:, RSH, 2] - w[:, LSH, 2], w[:, RSH, 0] - w[:, LSH, 0])) - np.unwrap(
        np.arctan2(w[:, RHIP, 2] - w[:, LHIP, 2], w[:, RHIP, 0] - w[:, LHIP, 0])
    )
    dt = float(np.median(np.diff(kin.t)))

    def speed(a: int, b: int) -> Callable[[np.ndarray], float]:
        va, vb = np.gradient(rel(a), dt), np.gradient(rel(b), dt)
        return lambda m: float(np.sqrt(np.nanmean(va[m] ** 2 + vb[m] ** 2)))

    return {
        "shoulder travel (X range vs hips)": lambda m: 0.5 * (_ptp(rel(RSH)[m]) + _ptp(rel(LSH)[m])),
        "shoulder fore-aft separation": lambda m: _ptp(rel(RSH)[m] - rel(LSH)[m]),
        "shoulder forward speed vs hips": speed(RSH, LSH),
        "elbow travel vs hips": lambda m: 0.5 * (_ptp(rel(REL)[m]) + _ptp(rel(LEL)[m])),
        "wrist travel vs hips": lambda m: 0.5 * (_ptp(rel(RWR)[m]) + _ptp(rel(LWR)[m])),
        "wrist forward speed vs hips": speed(RWR, LWR),
        "elbow travel vs own shoulder": lambda m: (
            0.5 * (_ptp(p[m, REL, 0] - p[m, RSH, 0]) + _ptp(p[m, LEL, 0] - p[m, LSH, 0]))
        ),
        "arms pitch |H| sum": lambda m: float(np.nansum(np.abs(h[m][:, arms, 2]))),
        "arms pitch share": lambda m: float(np.nansum(np.abs(h[m][:, arms, 2]))) / float(np.nansum(all_z[m])),
        "upper-body pitch |H| sum": lambda m: float(np.nansum(np.abs(kin.groups.upper[m, 2]))),
        "trunk pitch share": lambda m: float(np.nansum(np.abs(h[m, trunk, 2]))) / float(np.nansum(all_z[m])),
        "upper-body yaw share": lambda m: float(np.nansum(np.abs(kin.groups.upper[m, 1]))) / float(np.nansum(all_y[m])),
        "trunk yaw share": lambda m: float(np.nansum(np.abs(h[m, trunk, 1]))) / float(np.nansum(all_y[m])),
        "BlazePose z, shoulder depth diff range": lambda m: _ptp(z[m, RSH] - z[m, LSH]),
        "BlazePose world twist range": lambda m: _ptp(twist[m]),
        "shoulder visibility diff range": lambda m: _ptp(vis[m, RSH] - vis[m, LSH]),
        "image shoulder width range": lambda m: _ptp(np.abs(xy[m, RSH, 0] - xy[m, LSH, 0])),
        "image shoulder width mean": lambda m: float(np.nanmean(np.abs(xy[m, RSH, 0] - xy[m, LSH, 0]))),
    }


def stride_z(kin: Kinematics, track: PoseTrack, cfg: BalanceConfig, floor: float) -> list[tuple[float, float, dict]]:
    """Per judged stride: (start s, end s, {signal: leave-one-out robust z of its log})."""
    masks = _judged_strides(kin.t, np.asarray(kin.steps.touchdown_t, dtype=float), cfg)
    if len(masks) < cfg.min_strides_baseline:
        return []
    sig = stride_signals(kin, track)
    out: list[tuple[float, float, dict]] = [(float(kin.t[m][0]), float(kin.t[m][-1]), {}) for m in masks]
    for name, f in sig.items():
        with np.errstate(all="ignore"):
            lv = np.log(np.array([f(m) for m in masks]))
        for i, (_, _, zs) in enumerate(out):
            other = np.delete(lv, i)
            other = other[np.isfinite(other)]
            if not np.isfinite(lv[i]) or other.size < 5:
                zs[name] = float("nan")
                continue
            med, sc = _center_scale(other, "both", floor)
            zs[name] = float((lv[i] - med) / sc)
    return out


def swing_z(kin: Kinematics, cfg: BalanceConfig) -> list[tuple[float, float, dict[str, float]]]:
    """Per judged swing: (toe-off s, touchdown s, {variant: robust z of lateness}), both legs."""
    from sprintbal.balance import _LEG_SEGMENTS, compute_swing_timing

    names = list(kin.segment_names)
    legs = np.stack([kin.segment_h[:, [names.index(n) for n in leg], 2].sum(axis=1) for leg in _LEG_SEGMENTS], 1)
    st = kin.steps
    use = np.isfinite(legs).all(axis=1) & (np.asarray(kin.phase) >= 0)
    swings = compute_swing_timing(
        kin.t, np.asarray(st.foot), np.asarray(st.touchdown_t, float), np.asarray(st.toeoff_t, float), legs, use, cfg
    )
    out: list[tuple[float, float, dict[str, float]]] = []
    floor = cfg.swing_timing_floor_s
    for foot in (0, 1):
        mine = [sw for sw in swings if sw.foot == foot and np.isfinite(sw.z)]
        if len(mine) < max(cfg.min_swings_baseline, 2):
            continue
        after = np.array([sw.drive_t for sw in mine])
        dur = np.array([sw.end_t - sw.start_t for sw in mine])
        before, mid = dur - after, after - dur / 2.0
        for i, sw in enumerate(mine):
            ma, sa = _center_scale(np.delete(after, i), "both", floor)
            mb, sb = _center_scale(np.delete(before, i), "both", floor)
            mm, sm = _center_scale(np.delete(mid, i), "both", floor)
            za, zb = (after[i] - ma) / sa, (mb - before[i]) / sb
            out.append((sw.start_t, sw.end_t, {
                "rule: min(after, before)": float(sw.z), "mean(after, before)": 0.5 * (za + zb),
                "after toe-off only": za, "drive vs swing middle": (mid[i] - mm) / sm,
            }))  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", default="trunk_over_rotation", help="perturbation kind, or a prefix of kinds")
    ap.add_argument("--views", default="side,side_left", help="views of the clips of --kind (comma-separated)")
    ap.add_argument("--floor", type=float, default=0.05, help="smallest robust spread of a log signal")
    ap.add_argument("--swing", action="store_true", help="swing-timing z (and alternatives) instead of strides")
    args = ap.parse_args()
    from sprintbal.pipeline import analyze
    from sprintbal.pose.cache import PoseCache

    cfg = BalanceConfig()
    views = set(args.views.split(","))
    cases: list[VideoCase] = [*VIDEO_CASES, *HELDOUT_CASES, *(c for n in range(1, 6) for c in drawn_cases(n))]
    target: dict[str, list[float]] = {}
    clean: dict[str, list[float]] = {}
    others: dict[str, list[float]] = {}
    outside: dict[str, list[float]] = {}
    n_target = n_clean = 0
    for c in cases:
        clip = video_clip(c)
        res = analyze(clip, video_config(c), cache=PoseCache(Path(VIDEO_CACHE) / "pose"), until="kinematics")
        if res.kinematics is None or res.track is None:
            continue
        rows = swing_z(res.kinematics, cfg) if args.swing else stride_z(res.kinematics, res.track, cfg, args.floor)
        if not rows:
            continue
        same_kind = c.kind is not None and c.kind.startswith(args.kind)  # a prefix: swing_leg_lag = both legs
        is_target = same_kind and c.view in views
        n_target += is_target
        n_clean += c.kind is None
        names = rows[0][2].keys()
        for name in names:
            if c.window is None:
                clean.setdefault(name, []).append(max(r[2][name] for r in rows))
                continue
            w0, w1 = c.window
            if args.swing:  # a swing overlapping the window; away: 0.3 s clear of it
                inside = [r[2][name] for r in rows if r[1] > w0 and r[0] < w1]
                away = [r[2][name] for r in rows if r[1] < w0 - 0.3 or r[0] > w1 + 0.3]
            else:
                inside = [r[2][name] for r in rows if (min(r[1], w1) - max(r[0], w0)) >= 0.5 * (r[1] - r[0])]
                away = [r[2][name] for r in rows if r[1] < w0 or r[0] > w1]
            if away:
                outside.setdefault(name, []).append(max(away))
            if inside and is_target:
                target.setdefault(name, []).append(max(inside))
            elif inside and not same_kind:
                others.setdefault(name, []).append(max(inside))
    what = "per-swing lateness z" if args.swing else f"per-stride robust z (log, leave-one-out, floor {args.floor:g})"
    print(f"# {what}; {args.kind} in {sorted(views)}: {n_target} clips; balanced: {n_clean} clips; largest z per clip")
    print(f"{'signal':40s} {'target windows (sorted)':60s} {'balanced max':>12s} {'other kinds':>11s} {'outside':>8s}")
    for name in target:
        tz = " ".join(f"{v:+.1f}" for v in sorted(target[name]))
        print(
            f"{name:40s} {tz:60s} {np.nanmax(clean[name]):+12.1f} {np.nanmax(others[name]):+11.1f} "
            f"{np.nanmax(outside[name]):+8.1f}"
        )


if __name__ == "__main__":
    main()
