"""Peak memory of ``sprintbal analyze`` on a 10-second and a 10-minute synthetic clip.

Usage::

    python benchmarks/memory.py [--minutes 10] [--size 640x360] [--fps 30] [--overlay] [--workdir DIR]

Renders one 10 s synthetic sprint clip with :func:`sprintbal.synth.generate.generate_clip`, then builds the
long clip by stream-copying its packets over and over with shifted timestamps (no re-encoding, so it is
cheap; the clip starts with a key frame so every copy decodes). Runs ``python -m sprintbal.cli analyze
--no-cache --quiet`` on each clip in its own child process and reads that child's peak RSS from
``os.wait4`` (``ru_maxrss``, KiB on Linux). Prints both peaks, their ratio and the wall time of each run.
The long run is several minutes of pose inference. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_short(path: Path, size: tuple[int, int], fps: float) -> Path:
    from sprintbal.synth.generate import generate_clip

    generate_clip(path, fps=fps, size=size, duration_s=10.0, crf=28)
    return path


def loop_clip(src: Path, dst: Path, repeats: int) -> int:
    """Write ``src``'s video packets ``repeats`` times into ``dst`` with shifted timestamps; return packets written."""
    import av

    with av.open(str(src)) as source:
        stream = source.streams.video[0]
        packets = []
        for packet in source.demux(stream):
            if packet.dts is None or packet.size == 0:
                continue
            packets.append((bytes(packet), packet.pts, packet.dts, packet.duration, packet.is_keyframe))
        time_base = stream.time_base
        template = stream
        span = max(p[1] for p in packets) - min(p[1] for p in packets) + (packets[-1][3] or 1)
        n = 0
        with av.open(str(dst), "w", format="mp4") as target:
            out = target.add_stream_from_template(template)
            for r in range(repeats):
                for data, pts, dts, duration, key in packets:
                    p = av.Packet(data)
                    p.stream = out
                    p.time_base = time_base
                    p.pts = pts + r * span
                    p.dts = dts + r * span
                    p.duration = duration
                    p.is_keyframe = key
                    target.mux(p)
                    n += 1
    return n


def run_analyze(clip: Path, out: Path, overlay: bool) -> tuple[int, float, int]:
    """Run ``sprintbal analyze`` in a child; return (peak RSS KiB, wall seconds, exit code)."""
    cmd = [sys.executable, "-m", "sprintbal.cli", "analyze", str(clip), "--out", str(out), "--no-cache", "--quiet",
           "--overlay" if overlay else "--no-overlay"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return int(usage.ru_maxrss), time.perf_counter() - t0, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--overlay", action="store_true", help="also write overlay.mp4 and report.html")
    parser.add_argument("--workdir", type=Path, default=None, help="keep clips and outputs here")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sprintbal-mem-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        short = workdir / "short10s.mp4"
        if not short.exists():
            make_short(short, (w, h), args.fps)
        repeats = max(1, round(args.minutes * 60 / 10))
        long = workdir / f"long{repeats * 10}s.mp4"
        if not long.exists():
            loop_clip(short, long, repeats)
        from sprintbal.video import probe

        rows = []
        for clip in (short, long):
            info = probe(clip)
            rss, wall, code = run_analyze(clip, workdir / "out", args.overlay)
            rows.append((clip.name, info.frame_count, info.duration_s, rss, wall, code))
            print(f"{clip.name}: {info.frame_count} frames, {info.duration_s:.1f} s, peak RSS {rss / 1024:.1f} MiB, "
                  f"wall {wall:.1f} s, exit {code}", flush=True)
        ratio = rows[1][3] / rows[0][3]
        print(f"overlay={'on' if args.overlay else 'off'} size={w}x{h} fps={args.fps:g}")
        print(f"peak RSS ratio long/short = {ratio:.3f} (target <= 1.2)")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
