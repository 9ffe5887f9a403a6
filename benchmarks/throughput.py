"""Pose-stage throughput on one clip: decode alone, a bare MediaPipe loop, sprintbal's estimate_track, analyze.

Usage::

    python benchmarks/throughput.py CLIP [--frames N]

Prints frames per second of

(a) PyAV decoding to upright RGB arrays alone (``sprintbal.video.iter_frames``),
(b) a bare single-threaded decode + ``mp.solutions.pose.Pose`` loop with sprintbal's default settings,
(c) ``sprintbal.pose.estimator.estimate_track`` (decoding overlapped with inference),
(d) ``sprintbal.pipeline.analyze`` end to end (no cache), when its stages are importable,

and the ratio (c)/(b). Model creation is timed, the ``import mediapipe`` is not.
Keep runs short: the machine's CPUs are shared. Asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--frames", type=int, default=None, help="use only the first N frames")
    args = parser.parse_args()

    from sprintbal.config import AnalysisConfig, PoseConfig
    from sprintbal.pose.estimator import estimate_track
    from sprintbal.video import probe

    cfg = PoseConfig()
    workdir = Path(tempfile.mkdtemp(prefix="sprintbal-bench-"))
    try:
        clip = _clip_prefix(args.clip, args.frames, workdir)
        info = probe(clip)
        print(f"{args.clip.name}: {info.width}x{info.height} {info.codec} {info.fps:.2f} fps,", end=" ")
        print(f"{info.frame_count} frames")
        import mediapipe  # noqa: F401  (import time is not part of any row)

        rows: list[tuple[str, int, float, str]] = []
        n, dt = bench_decode(clip, info)
        rows.append(("(a) decode only (iter_frames)", n, dt, ""))
        n, found, dt_bare = bench_bare(clip, cfg)
        rows.append(("(b) bare decode + mp Pose loop", n, dt_bare, f"detected {found / max(n, 1):.1%}"))
        t0 = time.perf_counter()
        track = estimate_track(clip, info, cfg)
        dt_est = time.perf_counter() - t0
        rows.append(("(c) estimate_track", track.n_frames, dt_est, f"detected {track.detection_rate:.1%}"))
        analyze_note = ""
        try:
            from sprintbal.pipeline import analyze

            t0 = time.perf_counter()
            analyze(clip, dataclasses.replace(AnalysisConfig(), pose=cfg), cache=None)
            rows.append(("(d) pipeline.analyze (no cache)", info.frame_count, time.perf_counter() - t0, ""))
        except ImportError as exc:
            analyze_note = f"(d) pipeline.analyze: TODO, not timed - a stage is not importable yet ({exc})"

        print(f"{'what':34s} {'frames':>7s} {'seconds':>8s} {'frames/s':>9s}")
        for name, frames, seconds, note in rows:
            print(f"{name:34s} {frames:7d} {seconds:8.2f} {frames / seconds:9.1f}  {note}")
        if analyze_note:
            print(analyze_note)
        fps_bare = rows[1][1] / dt_bare
        fps_est = track.n_frames / dt_est
        print(f"ratio (c)/(b) = {fps_est / fps_bare:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
