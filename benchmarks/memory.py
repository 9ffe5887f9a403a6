"""Peak memory of ``sprintbal analyze`` on a 10-second and a 10-minute synthetic clip.

Usage::

    python benchmarks/memory.py [--minutes 10] [--size 640x360] [--fps 30] [--overlay] [--workdir DIR]

Renders one 10 s synthetic sprint clip with :func:`sprintbal.synth.generate.generate_clip`, then builds the
long clip by stream-copying its packets over and over with shifted timestamps (no re-encoding, so it is
cheap; the clip starts with a key frame so every copy decodes). Runs ``python -m sprintbal.cli analyze
--no-cache --quiet`` (``--no-overlay`` unless ``--overlay``; ``report.html`` is always written) on each
clip in its own child process and reads that child's peak RSS from ``os.wait4`` (``ru_maxrss``, KiB on
Linux). Prints both peaks, their ratio and the wall time of each run. The long run is several minutes of
pose inference. Asserts nothing.

Linux counts a child's RSS before its ``exec`` into ``ru_maxrss``, and a forked (or vforked) child shares
its parent's pages until then: a child started by a big process reports at least the parent's RSS. So the
clips are made in a child of their own and this process imports nothing heavy; its own RSS is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def make_clips(workdir: Path, size: tuple[int, int], fps: float, minutes: float) -> tuple[Path, Path]:
    """Make (or reuse) the short and the long clip in ``workdir``."""
    short = workdir / "short10s.mp4"
    if not short.exists():
        make_short(short, size, fps)
    repeats = max(1, round(minutes * 60 / 10))
    long = workdir / f"long{repeats * 10}s.mp4"
    if not long.exists():
        loop_clip(short, long, repeats)
    return short, long


def _clip_facts(folder: Path) -> tuple[int, float]:
    """Frame count and duration of an analysed clip, from its report.json (no video import here)."""
    clip = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("clip") or {}
    return int(clip.get("frame_count") or 0), float(clip.get("duration_s") or 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--overlay", action="store_true", help="also write overlay.mp4 (report.html always is)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep clips and outputs here")
    parser.add_argument("--make-clips-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    if args.make_clips_only:
        make_clips(args.workdir, (w, h), args.fps, args.minutes)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sprintbal-mem-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        # the clips are rendered in a child: this process stays small (see the module notes)
        subprocess.run(
            [sys.executable, __file__, "--make-clips-only", "--workdir", str(workdir), "--size", args.size,
             "--fps", str(args.fps), "--minutes", str(args.minutes)],
            check=True,
        )  # fmt: skip
        repeats = max(1, round(args.minutes * 60 / 10))
        clips = (workdir / "short10s.mp4", workdir / f"long{repeats * 10}s.mp4")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = []
        for clip in clips:
            rss, wall, code = run_analyze(clip, workdir / "out", args.overlay)
            frames, duration = _clip_facts(workdir / "out" / clip.stem) if code == 0 else (0, 0.0)
            rows.append((clip.name, frames, duration, rss, wall, code))
            print(f"{clip.name}: {frames} frames, {duration:.1f} s, peak RSS {rss / 1024:.1f} MiB, "
                  f"wall {wall:.1f} s, exit {code}", flush=True)
        ratio = rows[1][3] / rows[0][3]
        print(f"overlay={'on' if args.overlay else 'off'} size={w}x{h} fps={args.fps:g}; "
              f"this process's own peak RSS {own:.1f} MiB (a child's figure cannot be below it)")
        print(f"peak RSS ratio long/short = {ratio:.3f} (target <= 1.2)")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
