"""Batch: wall time of ``sprintbal batch --jobs 2`` against ``--jobs 1``, then kill-and-resume.

Usage: python benchmarks/batch.py [--frames N] [--size WxH] [--signal KILL|INT] [--keep DIR]

1. Makes 4 short synthetic clips (``sprintbal.synth.generate.generate_clip``; if that is missing,
   copies clips from ../shared/footage) in a temporary folder.
2. Runs ``sprintbal batch`` on them with ``--jobs 1`` and with ``--jobs 2``, each with a fresh pose
   cache folder (so pose inference always runs), and prints both wall times and the speed-up.
3. Starts another batch (``--jobs 1 --no-cache``), kills its whole process group once the first
   clip is finished, restarts it, and prints how many clips the restart redid and how many it skipped.

Prints figures, asserts nothing. The machine's other load changes the speed-up a lot: with N cores
free, ``--jobs N`` can at best divide the time by N (pose inference itself is mostly single-threaded).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = REPO.parent / "shared" / "footage"


def make_clips(folder: Path, n: int, frames: int, size: tuple[int, int]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from sprintbal.synth.generate import generate_clip
    except ImportError:
        generate_clip = None  # type: ignore[assignment]
    if generate_clip is not None:
        fps = 30.0
        for i in range(n):
            generate_clip(folder / f"synth_{i}.mp4", fps=fps, size=size, duration_s=frames / fps, seed=i)
        return f"{n} synthetic clips, {frames} frames at {size[0]}x{size[1]}"
    clips = sorted(FOOTAGE.glob("*.mp4"))[:n]
    for c in clips:
        shutil.copy(c, folder / c.name)
    return f"{len(clips)} clips copied from {FOOTAGE}"


def sprintbal_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from sprintbal.cli import main; main()", "batch", *args]


def timed_batch(clips: Path, out: Path, jobs: int, cache: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = subprocess.run(
        sprintbal_cmd(str(clips), "--out", str(out), "--jobs", str(jobs), "--cache-dir", str(cache), "--json"),
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - t0
    try:
        doc = json.loads(res.stdout)
        counts = f"{doc['ok']} ok, {doc['failed']} failed, {doc['skipped']} skipped"
    except (ValueError, KeyError):
        counts = f"exit {res.returncode}: {res.stderr.strip()[-200:]}"
    return wall, counts


def summary_rows(out: Path) -> list[dict[str, object]]:
    try:
        return list(json.loads((out / "summary.json").read_text())["clips"])
    except (OSError, ValueError, KeyError):
        return []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=90, help="frames per synthetic clip (30 fps)")
    ap.add_argument("--size", default="640x360", help="synthetic clip size WxH")
    ap.add_argument("--signal", choices=("KILL", "INT"), default="KILL", help="how the batch is stopped mid-way")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="sprintbal-bench-batch-") as tmp_name:
        tmp = args.keep or Path(tmp_name)
        clips = tmp / "clips"
        t0 = time.perf_counter()
        what = make_clips(clips, 4, args.frames, (w, h))
        print(f"clips: {what} (made in {time.perf_counter() - t0:.1f} s); cores: {os.cpu_count()}")

        walls = {}
        for jobs in (1, 2):
            wall, counts = timed_batch(clips, tmp / f"out_j{jobs}", jobs, tmp / f"cache_j{jobs}")
            walls[jobs] = wall
            print(f"--jobs {jobs}: {wall:7.2f} s  ({counts})")
        print(f"speed-up --jobs 2 vs --jobs 1: {walls[1] / walls[2]:.2f}x")

        out = tmp / "out_kill"
        cmd = sprintbal_cmd(str(clips), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet")
        proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None and len(summary_rows(out)) < 1:
            time.sleep(0.1)
        time.sleep(1.0)  # let the next clip get under way, so the kill interrupts real work
        finished = len(summary_rows(out))
        sig = signal.SIGKILL if args.signal == "KILL" else signal.SIGINT
        with_pg = "process group"
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            with_pg = "process (already gone)"
        proc.wait()
        print(f"stopped the batch with SIG{args.signal} of its {with_pg} after {finished} of 4 clips "
              f"(exit {proc.returncode}); summary rows then: {len(summary_rows(out))}")
        leftovers = [p.relative_to(out).as_posix() for p in out.rglob(".*") if p.name != ".summary.lock"]
        print(f"left behind (a killed batch cannot clean up; the restart takes stale locks over): {leftovers}"
              if leftovers else "left behind: no lock or temporary files")
        t0 = time.perf_counter()
        res = subprocess.run([*cmd[:-1], "--json"], capture_output=True, text=True)
        try:
            doc = json.loads(res.stdout)
            print(f"restart: {doc['ok']} redone, {doc['skipped']} skipped, {doc['failed']} failed "
                  f"in {time.perf_counter() - t0:.1f} s")
        except (ValueError, KeyError):
            print(f"restart failed: exit {res.returncode}: {res.stderr.strip()[-300:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
