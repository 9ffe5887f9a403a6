"""Pose-stage throughput on one clip: decode alone, a bare MediaPipe loop, sprintbal's estimate_track, analyze.

Usage::

    python benchmarks/throughput.py CLIP [--frames N] [--repeat R] [--overlay] [--max-side PX]

Prints frames per second of

(a) PyAV decoding to upright RGB arrays alone (``sprintbal.video.iter_frames``),
(b) a bare single-threaded decode + ``mp.solutions.pose.Pose`` loop with sprintbal's default settings,
(c) ``sprintbal.pose.estimator.estimate_track`` (decoding overlapped with inference),
(d) ``sprintbal.pipeline.analyze`` end to end (no cache), when its stages are importable,

and the ratio (c)/(b). Model creation is timed, the ``import mediapipe`` is not.

Then (b) and a full ``analyze`` run alternate ``--repeat`` times (B/A/B/A...), so that load from other jobs on a
shared machine hits both. An analyze run is what ``sprintbal analyze --no-cache`` does: ``pipeline.analyze``
(probe + hash, pose, kinematics, balance), ``write_outputs`` (landmarks.csv, markers.trc, frames.csv,
steps.csv, events.csv, steps_balance.csv, report.json), then the visuals as ``report.visuals.write_visuals``
writes them: ``overlay.mp4`` with ``--overlay`` (the CLI writes it by default; it re-encodes the whole clip) and
``report.html`` (always). Each run prints its per-stage breakdown and the share of the stages after pose:
kinematics + balance + data files (the figure the speed target is about), then the same with report.html and
with overlay.mp4 added, each on its own line. The first analyze run in the process pays the imports of the
stages after pose and the first design of their filters, as a CLI run does (both overlapped with pose inference
in a background thread); later runs do not. The machine's load average is printed before and after. Keep runs
short: the machine's CPUs are shared. Asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path


def _clip_prefix(clip: Path, frames: int | None, workdir: Path) -> Path:
    """Return ``clip`` or, with ``frames``, a stream copy of its first ``frames`` frames (no re-encoding)."""
    if frames is None:
        return clip
    import av

    out_path = workdir / f"first{frames}{clip.suffix}"
    with av.open(str(clip)) as src, av.open(str(out_path), "w") as dst:
        in_stream = src.streams.video[0]
        out_stream = dst.add_stream_from_template(in_stream)
        n = 0
        for packet in src.demux(in_stream):
            if packet.dts is None:
                continue
            if n >= frames:
                break
            packet.stream = out_stream
            dst.mux(packet)
            n += 1
    return out_path


def bench_decode(clip: Path, info: object) -> tuple[int, float]:
    from sprintbal.video import iter_frames

    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(clip, info, max_side=1920))  # type: ignore[arg-type]
    return n, time.perf_counter() - t0


def bench_bare(clip: Path, cfg: object) -> tuple[int, int, float]:
    import av
    import mediapipe as mp

    t0 = time.perf_counter()
    pose = mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=cfg.model_complexity,  # type: ignore[attr-defined]
        smooth_landmarks=True,
        min_detection_confidence=cfg.min_detection_confidence,  # type: ignore[attr-defined]
        min_tracking_confidence=cfg.min_tracking_confidence,  # type: ignore[attr-defined]
    )
    n = found = 0
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            result = pose.process(frame.to_ndarray(format="rgb24"))
            n += 1
            found += result.pose_landmarks is not None
    pose.close()
    return n, found, time.perf_counter() - t0


def bench_analyze(clip: Path, cfg: object, workdir: Path, overlay: bool) -> dict[str, float]:
    """One full analyze run as the CLI does it (data files, then the visuals); return the seconds of each stage."""
    from sprintbal.pipeline import analyze
    from sprintbal.report.outputs import write_outputs
    from sprintbal.report.visuals import write_visuals

    folder = workdir / "out"
    t0 = time.perf_counter()
    result = analyze(clip, cfg, cache=None)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    write_outputs(result, folder)
    t2 = time.perf_counter()
    info = result.video
    stages = {
        "probe+hash": result.timings_s.get("probe", 0.0),
        "pose": result.timings_s.get("pose", 0.0),
        "kinematics": result.timings_s.get("kinematics", 0.0),
        "balance": result.timings_s.get("balance", 0.0),
        "outputs": t2 - t1,
        "analyze_wall": t1 - t0,
    }
    del result  # as the CLI does before the visuals
    if overlay:  # write_visuals writes the overlay first, then the html; timed apart here
        from sprintbal.report.overlay import write_overlay

        t3 = time.perf_counter()
        write_overlay(clip, folder, info)
        stages["overlay"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    write_visuals(folder, clip, overlay=False, info=info)
    stages["html"] = time.perf_counter() - t4
    return stages


def _print_stages(label: str, frames: int, st: dict[str, float]) -> float:
    core = st["probe+hash"] + st["pose"] + st["kinematics"] + st["balance"] + st["outputs"]
    after = st["kinematics"] + st["balance"] + st["outputs"]
    print(f"{label}: " + ", ".join(f"{k} {v:.3f} s" for k, v in st.items() if k != "analyze_wall"))
    print(f"    data path (probe..outputs) {core:.2f} s = {frames / core:.1f} frames/s; after-pose share "
          f"{100 * after / core:.2f}% (kinematics + balance + data files)")
    html = st["html"]
    print(f"    + report.html {html:.3f} s: after-pose share {100 * (after + html) / (core + html):.2f}%")
    if "overlay" in st:
        both = html + st["overlay"]
        print(f"    + overlay.mp4 {st['overlay']:.3f} s ({frames / st['overlay']:.1f} frames/s): after-pose share "
              f"{100 * (after + both) / (core + both):.2f}% (the CLI's default outputs)")
    return core


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--frames", type=int, default=None, help="use only the first N frames")
    parser.add_argument("--repeat", type=int, default=2, help="bare/analyze pairs, interleaved")
    parser.add_argument("--overlay", action="store_true", help="also time overlay.mp4")
    parser.add_argument("--max-side", type=int, default=None, help="PoseConfig.max_side_px [default: its default]")
    parser.add_argument("--skip-abc", action="store_true", help="skip rows (a) and (c)")
    args = parser.parse_args()

    from sprintbal.config import AnalysisConfig, PoseConfig
    from sprintbal.pose.estimator import estimate_track
    from sprintbal.video import probe

    cfg = PoseConfig() if args.max_side is None else PoseConfig(max_side_px=args.max_side)
    full_cfg = dataclasses.replace(AnalysisConfig(), pose=cfg)
    workdir = Path(tempfile.mkdtemp(prefix="sprintbal-bench-"))
    try:
        clip = _clip_prefix(args.clip, args.frames, workdir)
        info = probe(clip)
        print(f"{args.clip.name}: {info.width}x{info.height} {info.codec} {info.fps:.2f} fps,", end=" ")
        print(f"{info.frame_count} frames; max_side_px {cfg.max_side_px}; load average {_load()}")
        import mediapipe  # noqa: F401  (import time is not part of any row)

        rows: list[tuple[str, int, float, str]] = []
        if not args.skip_abc:
            n, dt = bench_decode(clip, info)
            rows.append(("(a) decode only (iter_frames)", n, dt, ""))
            t0 = time.perf_counter()
            track = estimate_track(clip, info, cfg)
            dt_est = time.perf_counter() - t0
            rows.append(("(c) estimate_track", track.n_frames, dt_est, f"detected {track.detection_rate:.1%}"))
        bare: list[float] = []
        core: list[float] = []
        for r in range(args.repeat):
            n, found, dt_bare = bench_bare(clip, cfg)
            bare.append(n / dt_bare)
            rows.append((f"(b{r + 1}) bare decode + mp Pose loop", n, dt_bare, f"detected {found / max(n, 1):.1%}"))
            st = bench_analyze(clip, full_cfg, workdir, args.overlay)
            wall = st["analyze_wall"] + st["outputs"]
            note = "first: pays imports" if r == 0 else ""
            rows.append((f"(d{r + 1}) analyze (data path, no cache)", info.frame_count, wall, note))
            core.append(_print_stages(f"(d{r + 1}) stages", info.frame_count, st))
        print(f"{'what':40s} {'frames':>7s} {'seconds':>8s} {'frames/s':>9s}")
        for name, frames, seconds, note in rows:
            print(f"{name:40s} {frames:7d} {seconds:8.2f} {frames / seconds:9.1f}  {note}")
        ratios = [info.frame_count / c / b for c, b in zip(core, bare, strict=True)]
        print("analyze/bare frames/s per pair: " + ", ".join(f"{x:.3f}" for x in ratios)
              + f"; best pair {max(ratios):.3f}; load average now {_load()}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
