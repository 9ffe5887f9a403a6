"""Folder runs: analyse many clips in parallel worker processes or on a Dask cluster; resumable; one summary.

Pure orchestration (no typer, no printing): the CLI draws what :func:`run_batch` reports through ``on_event``.

Layout of a batch output folder ``OUT``::

    OUT/summary.csv, OUT/summary.json    one row per clip, rewritten atomically after every finished clip
    OUT/.summary.lock                     flock taken while the summary is merged (several batches may share OUT)
    OUT/<name>/report.json ...            each clip's outputs (``report.json`` written last)
    OUT/<name>/.lock                      per-clip lock while a batch analyses that clip

``<name>`` is the clip's stem, or the stem plus a short hash of its path relative to the batch root when
two clips of the batch share a stem (``run/a.mp4`` and ``walk/a.mp4`` -> ``a-1f2e3d4c``).

Resume: a clip whose folder holds a ``report.json`` with the same clip SHA-256 and the same ``run_key``
(hash of the configuration, the model file, the last stage and the sprintbal version) is skipped.

Several batches on one ``OUT`` at once: each clip is analysed by one of them (per-clip lock file created
with ``O_CREAT | O_EXCL``, holding host, pid and process start time; a lock whose process is gone is
taken over); the summary is merged under ``flock`` so no batch's rows are lost.

Isolation: every clip runs in its own ``spawn``-ed child process (MediaPipe is not fork-safe), so a clip
that hangs is killed at its time limit and a crash takes only that clip with it.

Dask: ``scheduler="tcp://host:port"`` sends each clip to a ``distributed`` cluster (``pip install
"sprintbal[dask]"``). Each task runs its clip in a fresh subprocess on the worker, killed at the time
limit like a local one. Workers write the clip's outputs themselves, so on a real cluster ``OUT`` (and the
clips) must be on a filesystem every worker shares at the same path; the summary is written by the
submitting process.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sprintbal import __version__
from sprintbal.atomic import write_text_atomic
from sprintbal.config import AnalysisConfig
from sprintbal.errors import ConfigError, OutputError, SprintbalError
from sprintbal.jsonable import dig

#: File extensions :func:`find_clips` treats as video (compared case-insensitively).
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})

#: Columns of ``summary.csv`` (and keys of each row in ``summary.json``), in order.
SUMMARY_COLUMNS = (
    "clip",
    "status",
    "reason",
    "frames",
    "detection_rate",
    "steps",
    "cadence_steps_per_min",
    "median_contact_s",
    "events",
    "balance_score",
    "confidence",
    "seconds",
    "output_folder",
)

SUMMARY_SCHEMA_VERSION = "1.0"
LOCK_NAME = ".lock"
SUMMARY_LOCK_NAME = ".summary.lock"
_KILL_GRACE_S = 3.0
_FOREIGN_LOCK_STALE_S = 24 * 3600.0
_EMPTY_LOCK_STALE_S = 30.0
_POLL_S = 0.5

Status = Literal["ok", "failed", "skipped"]


# --------------------------------------------------------------------------------------------------------------
# Finding clips and naming their folders
# --------------------------------------------------------------------------------------------------------------


def _is_batch_output(folder: Path) -> bool:
    return (folder / "summary.json").is_file() and (folder / SUMMARY_LOCK_NAME).exists()


def find_clips(root: Path, *, exclude: Iterable[Path] = ()) -> list[Path]:
    """List the video files under ``root``, recursively, sorted.

    Parameters
    ----------
    root : Path
        Folder to search (a single video file is returned as a one-element list).
    exclude : iterable of Path
        Folders not to descend into (e.g. the batch's output folder). Hidden folders
        and folders that are themselves batch outputs are always skipped.

    Returns
    -------
    list of Path
        Files whose extension is one of :data:`VIDEO_EXTENSIONS` (any case), sorted by path.

    Raises
    ------
    BadInputError
        If ``root`` does not exist.
    """
    from sprintbal.errors import BadInputError

    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise BadInputError(f"{root}: no such folder")
    skip = {Path(p).resolve() for p in exclude}
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for d in dirnames:
            sub = here / d
            if d.startswith(".") or sub.resolve() in skip or _is_batch_output(sub):
                continue
            keep.append(d)
        dirnames[:] = sorted(keep)
        for name in filenames:
            if not name.startswith(".") and Path(name).suffix.lower() in VIDEO_EXTENSIONS:
                found.append(here / name)
    return sorted(found)


def _short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def output_names(clips: list[Path], root: Path | None = None) -> dict[Path, str]:
    """Give every clip a unique output-folder name.

    Parameters
    ----------
    clips : list of Path
        The batch's clips.
    root : Path or None
        Batch root; clip paths relative to it make the disambiguating hash stable
        wherever the folder is moved. None: the clips' common parent.

    Returns
    -------
    dict of Path to str
        Clip -> folder name: the stem when no other clip of the batch has the same
        stem (case-insensitively), else ``<stem>-<8 hex digits of sha256(relative path)>``.
    """
    if not clips:
        return {}
    if root is None:
        root = Path(os.path.commonpath([str(Path(c).resolve().parent) for c in clips]))
    root = Path(root).resolve()
    counts: dict[str, int] = {}
    for c in clips:
        counts[Path(c).stem.lower()] = counts.get(Path(c).stem.lower(), 0) + 1
    names: dict[Path, str] = {}
    for c in clips:
        stem = Path(c).stem
        if counts[stem.lower()] == 1:
            names[c] = stem
        else:
            resolved = Path(c).resolve()
            rel = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else resolved.as_posix()
            names[c] = f"{stem}-{_short_hash(rel)}"
    return names


def run_key(config: AnalysisConfig, until: str = "balance") -> str:
    """Return a hash of everything besides the clip bytes that determines a clip's outputs.

    Parameters
    ----------
    config : AnalysisConfig
        Resolved configuration.
    until : str
        Last pipeline stage.

    Returns
    -------
    str
        16 hex digits of SHA-256 over the configuration, the model file's content digest
        (when a model file is given), ``until`` and the sprintbal version.
    """
    model = config.pose.model_path
    model_digest = None
    if model is not None and Path(model).is_file():
        h = hashlib.sha256()
        with open(model, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        model_digest = h.hexdigest()
    payload = {"config": config.to_dict(), "model_sha256": model_digest, "until": until, "version": __version__}
    return _short_hash(json.dumps(payload, sort_keys=True, default=str), 16)


# --------------------------------------------------------------------------------------------------------------
# Jobs, rows, events
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipJob:
    """Everything a worker needs to analyse one clip (picklable).

    Attributes
    ----------
    clip : Path
        The clip (absolute).
    label : str
        The clip as shown to the user and written to the summary (path as found).
    folder : Path
        The clip's output folder.
    config : AnalysisConfig
        Resolved configuration.
    run_key : str
        :func:`run_key` of the configuration.
    until : str
        Last pipeline stage ("pose", "kinematics" or "balance").
    use_cache : bool
        Use the pose cache.
    cache_dir : Path or None
        Pose cache folder (None: the default).
    task : str
        ``module:function`` run for the clip; :func:`analyze_clip` unless a test swaps it.
    """

    clip: Path
    label: str
    folder: Path
    config: AnalysisConfig
    run_key: str
    until: str = "balance"
    use_cache: bool = True
    overlay: bool = False
    cache_dir: Path | None = None
    task: str = "sprintbal.batch:analyze_clip"


@dataclass(frozen=True)
class BatchEvent:
    """Something the CLI may draw.

    Attributes
    ----------
    kind : {"begin", "start", "progress", "done", "end"}
        ``begin``: ``total`` clips are about to run; ``start``: a clip's analysis began;
        ``progress``: ``stage`` reached ``done`` of ``stage_total`` frames; ``done``: a clip
        finished with ``row``; ``end``: the batch is over.
    clip : str
        Clip label ("" for begin/end).
    finished : int
        Clips finished so far (any status).
    total : int
        Clips in the batch.
    stage : str
        Pipeline stage, for ``progress``.
    done, stage_total : int
        Frames done and frames in the clip, for ``progress`` (``stage_total`` 0 if unknown).
    row : dict or None
        The summary row, for ``done``.
    """

    kind: Literal["begin", "start", "progress", "done", "end"]
    clip: str = ""
    finished: int = 0
    total: int = 0
    stage: str = ""
    done: int = 0
    stage_total: int = 0
    row: dict[str, Any] | None = None


EventCallback = Callable[[BatchEvent], None]


@dataclass
class BatchSummary:
    """Result of a batch.

    Attributes
    ----------
    rows : list of dict
        This batch's summary rows (keys :data:`SUMMARY_COLUMNS`), sorted by clip.
    out_root : Path
        The output folder.
    summary_csv, summary_json : Path
        The summary files (they may also hold rows of other batches sharing ``out_root``).
    wall_s : float
        Wall-clock seconds.
    interrupted : bool
        True when the batch was stopped (Ctrl-C) before every clip finished.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    out_root: Path = Path()
    summary_csv: Path = Path()
    summary_json: Path = Path()
    wall_s: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        """Return how many rows have ``status`` ("ok", "failed" or "skipped")."""
        return sum(1 for r in self.rows if r["status"] == status)

    @property
    def n_ok(self) -> int:
        """Clips analysed successfully in this batch."""
        return self.count("ok")

    @property
    def n_failed(self) -> int:
        """Clips that failed (including timeouts and crashes)."""
        return self.count("failed")

    @property
    def n_skipped(self) -> int:
        """Clips skipped because their outputs were already complete."""
        return self.count("skipped")

    def to_dict(self) -> dict[str, Any]:
        """Return counts and rows as JSON-ready data."""
        return {
            "out": str(self.out_root),
            "ok": self.n_ok,
            "failed": self.n_failed,
            "skipped": self.n_skipped,
            "interrupted": self.interrupted,
            "wall_s": round(self.wall_s, 3),
            "summary_csv": str(self.summary_csv),
            "summary_json": str(self.summary_json),
            "clips": self.rows,
        }


def row_from_report(report: dict[str, Any], *, label: str, folder: Path, status: Status, reason: str,
                    seconds: float) -> dict[str, Any]:
    """Build a summary row from a ``report.json`` dictionary (absent sections give empty cells).

    Parameters
    ----------
    report : dict
        The clip's report.
    label : str
        The clip as shown to the user.
    folder : Path
        The clip's output folder.
    status : {"ok", "failed", "skipped"}
        Outcome.
    reason : str
        One line (empty when ok).
    seconds : float
        Wall-clock seconds this batch spent on the clip.

    Returns
    -------
    dict
        Keys :data:`SUMMARY_COLUMNS`.
    """
    events = dig(report, "balance", "events")
    return {
        "clip": label,
        "status": status,
        "reason": reason,
        "frames": dig(report, "pose", "frames"),
        "detection_rate": dig(report, "pose", "detection_rate"),
        "steps": dig(report, "kinematics", "n_contacts"),
        "cadence_steps_per_min": dig(report, "kinematics", "cadence_steps_per_min"),
        "median_contact_s": dig(report, "kinematics", "median_contact_s"),
        "events": len(events) if isinstance(events, list) else None,
        "balance_score": dig(report, "balance", "scores", "overall"),
        "confidence": dig(report, "kinematics", "mean_frame_confidence"),
        "seconds": round(float(seconds), 3),
        "output_folder": str(folder),
    }


def failed_row(job: ClipJob, reason: str, seconds: float) -> dict[str, Any]:
    """Return the summary row of a clip that failed with a one-line ``reason``."""
    return row_from_report({}, label=job.label, folder=job.folder, status="failed",
                           reason=" ".join(reason.split()), seconds=seconds)


# --------------------------------------------------------------------------------------------------------------
# The per-clip function (runs in a worker process)
# --------------------------------------------------------------------------------------------------------------


def analyze_clip(job: ClipJob, on_progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Analyse one clip and write its outputs into ``job.folder``; never raises for a bad clip.

    Parameters
    ----------
    job : ClipJob
        The clip and its options.
    on_progress : callable or None
        ``on_progress(stage, done, total)`` hook passed to the pipeline.

    Returns
    -------
    dict
        The clip's summary row (status "ok", or "failed" with the one-line reason).
    """
    t0 = time.perf_counter()
    try:
        from sprintbal.pipeline import analyze
        from sprintbal.pose.cache import PoseCache
        from sprintbal.report.outputs import prepare_output_dir, write_outputs

        folder = prepare_output_dir(job.folder)
        cache = PoseCache(job.cache_dir) if job.use_cache else None
        result = analyze(job.clip, job.config, cache=cache, until=job.until, on_progress=on_progress)  # type: ignore[arg-type]
        report = write_outputs(result, folder, run_key=job.run_key)
        from sprintbal.report.visuals import write_visuals

        write_visuals(folder, job.clip, overlay=job.overlay, info=result.video)  # failures become warnings
    except SprintbalError as exc:
        return failed_row(job, exc.message, time.perf_counter() - t0)
    except Exception as exc:  # one clip's bug must not stop the batch; the reason is recorded
        return failed_row(job, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - t0)
    return row_from_report(report, label=job.label, folder=job.folder, status="ok", reason="",
                           seconds=time.perf_counter() - t0)


def _resolve_task(spec: str) -> Callable[..., dict[str, Any]]:
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _run_task(job: ClipJob, on_progress: Callable[[str, int, int], None] | None) -> dict[str, Any]:
    """Run the job's task in a worker and return its row; any exception (even SystemExit) becomes a failed row."""
    try:
        return _resolve_task(job.task)(job, on_progress)
    except BaseException as exc:  # report anything, including SystemExit from SIGTERM
        return failed_row(job, f"worker error: {type(exc).__name__}: {exc}", 0.0)


def _death_reason(code: int | None) -> str:
    """Describe how a worker process ended from its exit code (negative: the signal that killed it)."""
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"


def _child_main(job: ClipJob, conn: Any) -> None:
    """Entry point of a worker process: run the clip's task, stream progress, send the row, exit."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us

    def _on_term(signum: int, frame: Any) -> None:
        raise SystemExit(143)  # unwinds through atomic writes so their temporary files are removed

    signal.signal(signal.SIGTERM, _on_term)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25 or (total and done >= total):
            last[0] = now
            with contextlib.suppress(OSError):
                conn.send(("progress", stage, int(done), int(total)))

    row = _run_task(job, progress)
    with contextlib.suppress(OSError):
        conn.send(("row", row))
    conn.close()


def _subprocess_main() -> None:
    """Entry point of a clip subprocess started by :func:`_run_subprocess`: pickled job in, pickled row out."""
    import pickle
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    job = pickle.loads(sys.stdin.buffer.read())
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything the stages print goes to stderr, stdout carries only the result
    row = _run_task(job, None)
    with os.fdopen(out_fd, "wb") as fh:
        fh.write(pickle.dumps(row))


def _run_subprocess(job: ClipJob, timeout_s: float | None) -> dict[str, Any]:
    """Run one clip in a fresh ``python`` subprocess with a time limit (what a Dask task does).

    A plain subprocess rather than :mod:`multiprocessing`, because Dask worker processes are
    daemonic and may not start multiprocessing children.
    """
    import pickle
    import subprocess

    t0 = time.perf_counter()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # same modules as this worker (tests' tasks)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sprintbal.batch import _subprocess_main; _subprocess_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
    )
    try:
        out, _ = proc.communicate(pickle.dumps(job), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.communicate(timeout=_KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        _remove_temporaries(job.folder)
        return failed_row(job, f"timed out after {timeout_s:g} s", time.perf_counter() - t0)
    except BaseException:
        proc.kill()
        proc.wait()
        _remove_temporaries(job.folder)
        raise
    if proc.returncode != 0 or not out:
        _remove_temporaries(job.folder)
        return failed_row(job, f"worker process died ({_death_reason(proc.returncode)})", time.perf_counter() - t0)
    row: dict[str, Any] = pickle.loads(out)
    return row


def dask_task(job: ClipJob, timeout_s: float | None) -> dict[str, Any]:
    """Run one clip on a Dask worker, in a subprocess killed after ``timeout_s`` seconds.

    Parameters
    ----------
    job : ClipJob
        The clip; its outputs are written by the worker into ``job.folder``.
    timeout_s : float or None
        Time limit.

    Returns
    -------
    dict
        The clip's summary row.
    """
    return _run_subprocess(job, timeout_s)


# --------------------------------------------------------------------------------------------------------------
# Local worker processes with time limits
# --------------------------------------------------------------------------------------------------------------


def _mp_context() -> Any:
    """``spawn``: a fresh interpreter per clip (MediaPipe is not fork-safe; the child sees the current environment)."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


@dataclass
class _Running:
    job: ClipJob
    proc: Any
    conn: Any
    started: float
    deadline: float | None
    row: dict[str, Any] | None = None


def _remove_temporaries(folder: Path) -> None:
    """Remove atomic-write temporaries (``.<name>.<random>...``) a killed worker left in its folder."""
    with contextlib.suppress(OSError):
        for p in folder.iterdir():
            if p.name.startswith(".") and p.name != LOCK_NAME and p.is_file():
                p.unlink(missing_ok=True)


class _LocalRunner:
    """At most ``jobs`` clip processes at once, each killed at its deadline."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, int(jobs))
        self.ctx = _mp_context()
        self.running: list[_Running] = []

    def has_room(self) -> bool:
        return len(self.running) < self.jobs

    def start(self, job: ClipJob, timeout_s: float | None) -> None:
        reader, writer = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=_child_main, args=(job, writer), name=f"sprintbal-{job.folder.name}")
        proc.daemon = False
        proc.start()
        writer.close()
        now = time.monotonic()
        self.running.append(_Running(job, proc, reader, now, now + timeout_s if timeout_s else None))

    @staticmethod
    def _reap(r: _Running) -> None:
        """Wait up to the grace time for the process to end, kill it if it has not, and close its pipe."""
        r.proc.join(_KILL_GRACE_S)
        if r.proc.is_alive():
            r.proc.kill()
            r.proc.join()
        with contextlib.suppress(OSError):
            r.conn.close()

    def _kill(self, r: _Running) -> None:
        if r.proc.is_alive():
            r.proc.terminate()
        self._reap(r)  # returns at once for a process that has already ended
        _remove_temporaries(r.job.folder)

    @staticmethod
    def _drain(r: _Running, out: list[tuple[str, ClipJob, Any]]) -> None:
        """Read the clip's pending messages: progress goes to ``out``, the row is kept on ``r``."""
        try:
            while r.row is None and r.conn.poll():
                msg = r.conn.recv()
                if msg[0] == "row":
                    r.row = msg[1]
                else:
                    out.append(("progress", r.job, msg[1:]))
        except (EOFError, OSError):
            pass

    def _settle(self, r: _Running) -> dict[str, Any] | None:
        """Return the clip's final row if it is over (done, died or past its deadline), stopping it; else None."""
        elapsed = time.monotonic() - r.started
        if r.row is not None:
            self._reap(r)
            return r.row
        if not r.proc.is_alive():
            code = r.proc.exitcode
            self._kill(r)
            return failed_row(r.job, f"worker process died ({_death_reason(code)})", elapsed)
        if r.deadline is not None and time.monotonic() >= r.deadline:
            self._kill(r)
            return failed_row(r.job, f"timed out after {r.deadline - r.started:g} s", elapsed)
        return None

    def poll(self, wait_s: float) -> list[tuple[str, ClipJob, Any]]:
        """Wait up to ``wait_s`` and return ``(kind, job, payload)`` messages: "progress" or "row"."""
        from multiprocessing.connection import wait

        out: list[tuple[str, ClipJob, Any]] = []
        if not self.running:
            time.sleep(wait_s)
            return out
        now = time.monotonic()
        deadlines = [r.deadline - now for r in self.running if r.deadline is not None]
        timeout = max(0.0, min([wait_s, *deadlines]))
        handles: list[Any] = []
        for r in self.running:
            handles += [r.conn, r.proc.sentinel]
        wait(handles, timeout)
        finished: list[_Running] = []
        for r in self.running:
            self._drain(r, out)
            row = self._settle(r)
            if row is not None:
                finished.append(r)
                out.append(("row", r.job, row))
        self.running = [r for r in self.running if r not in finished]
        return out

    def stop_all(self) -> list[ClipJob]:
        """Stop every running clip (Ctrl-C); return their jobs."""
        jobs = [r.job for r in self.running]
        for r in self.running:
            if r.proc.is_alive():
                r.proc.terminate()
        for r in self.running:
            self._kill(r)
        self.running = []
        return jobs


# --------------------------------------------------------------------------------------------------------------
# Locks and the shared summary
# --------------------------------------------------------------------------------------------------------------


def _proc_start_time(pid: int) -> str | None:
    """Start time of a process in clock ticks since boot (Linux), to tell a reused pid from its first owner."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_is_stale(path: Path) -> bool:
    """Whether the lock at ``path`` belongs to a process that no longer exists."""
    try:
        text = path.read_text(encoding="utf-8")
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        info = json.loads(text)
        pid = int(info["pid"])
    except (ValueError, KeyError, TypeError):
        return age > _EMPTY_LOCK_STALE_S  # being written right now, or left empty by a crash
    if info.get("host") != socket.gethostname():
        return age > _FOREIGN_LOCK_STALE_S  # cannot see another machine's processes
    if not _pid_alive(pid):
        return True
    start = info.get("start")
    return start is not None and _proc_start_time(pid) not in (None, start)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class ClipLock:
    """A per-clip lock file ``<folder>/.lock`` created with ``O_CREAT | O_EXCL``.

    The file holds ``{"host", "pid", "start"}`` of the owning batch process; a lock whose
    process is gone (same host) is stale and is taken over. Taking over happens under an
    ``flock`` on ``OUT/.summary.lock`` so two batches cannot both take the same stale lock.
    """

    def __init__(self, folder: Path, guard: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.guard = guard
        self.held = False

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        me = {"host": socket.gethostname(), "pid": os.getpid(), "start": _proc_start_time(os.getpid()),
              "since": time.time()}
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(me))
        self.held = True
        return True

    def acquire(self) -> bool:
        """Try to take the lock (taking over a stale one); return whether it is now held."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._create():
                return True
            with _flock(self.guard):
                if not _lock_is_stale(self.path):
                    return False
                self.path.unlink(missing_ok=True)
                return self._create()
        except OSError as exc:
            raise OutputError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc

    def release(self) -> None:
        """Remove the lock file if this object holds it."""
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False


def _format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _summary_csv_text(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SUMMARY_COLUMNS)
    for r in rows:
        w.writerow([_format_cell(r.get(c)) for c in SUMMARY_COLUMNS])
    return buf.getvalue()


def read_summary(out_root: Path) -> list[dict[str, Any]]:
    """Return the rows of ``OUT/summary.json`` (empty when absent or unreadable)."""
    try:
        data = json.loads((Path(out_root) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    rows = data.get("clips") if isinstance(data, dict) else None
    return [r for r in rows if isinstance(r, dict) and "output_folder" in r] if isinstance(rows, list) else []


def merge_summary(out_root: Path, new_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge rows into ``OUT/summary.csv`` and ``OUT/summary.json`` under a lock, atomically.

    Existing rows (possibly written by another batch) are re-read and kept; a new row replaces
    the row with the same output folder.

    Parameters
    ----------
    out_root : Path
        The batch output folder.
    new_rows : list of dict
        Rows to add or replace.

    Returns
    -------
    list of dict
        All rows now in the summary, sorted by clip.
    """
    from sprintbal.report.jsonutil import dumps

    out_root = Path(out_root)
    with _flock(out_root / SUMMARY_LOCK_NAME):
        rows = {r["output_folder"]: r for r in read_summary(out_root)}
        for r in new_rows:
            rows[r["output_folder"]] = r
        merged = sorted(rows.values(), key=lambda r: (str(r.get("clip")), str(r["output_folder"])))
        doc = {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "sprintbal_version": __version__,
            "columns": list(SUMMARY_COLUMNS),
            "counts": {s: sum(1 for r in merged if r.get("status") == s) for s in ("ok", "failed", "skipped")},
            "clips": merged,
        }
        write_text_atomic(out_root / "summary.json", dumps(doc) + "\n")
        write_text_atomic(out_root / "summary.csv", _summary_csv_text(merged))
    return merged


def completed_report(folder: Path, clip_sha256: str | Callable[[], str | None] | None,
                     key: str) -> dict[str, Any] | None:
    """Return the folder's ``report.json`` if it is complete for this clip and run key, else None.

    Parameters
    ----------
    folder : Path
        The clip's output folder.
    clip_sha256 : str, callable or None
        The clip's SHA-256, or a function computing it (called only when a report with the
        right run key exists).
    key : str
        :func:`run_key` of the configuration.

    Returns
    -------
    dict or None
        The report, or None when the clip must be analysed (again).
    """
    try:
        report = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("run_key") != key:
        return None
    digest = clip_sha256() if callable(clip_sha256) else clip_sha256
    if digest is None or dig(report, "clip", "sha256") != digest:
        return None
    return report


def _sha256_or_none(path: Path) -> str | None:
    from sprintbal.pose.cache import clip_hash

    try:
        return clip_hash(path)
    except SprintbalError:
        return None


# --------------------------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------------------------


class _Batch:
    """Shared bookkeeping of a local or Dask batch: locks, resume checks, rows, events."""

    def __init__(self, jobs: list[ClipJob], out_root: Path, on_event: EventCallback | None) -> None:
        self.out_root = out_root
        self.guard = out_root / SUMMARY_LOCK_NAME
        self.pending = list(jobs)
        self.deferred: list[ClipJob] = []
        self.locks: dict[ClipJob, ClipLock] = {}
        self.rows: list[dict[str, Any]] = []
        self.total = len(jobs)
        self.on_event = on_event
        self.hashes: dict[ClipJob, str | None] = {}

    def emit(self, event: BatchEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def started(self, job: ClipJob) -> None:
        """Report that a clip's analysis began."""
        self.emit(BatchEvent("start", clip=job.label, finished=len(self.rows), total=self.total))

    def finish(self, job: ClipJob, row: dict[str, Any]) -> None:
        lock = self.locks.pop(job, None)
        merge_summary(self.out_root, [row])  # before releasing: a waiting batch then sees report + row
        if lock is not None:
            lock.release()
        self.rows.append(row)
        self.emit(BatchEvent("done", clip=job.label, finished=len(self.rows), total=self.total, row=row))

    def _skip_if_done(self, job: ClipJob, reason: str) -> bool:
        def digest() -> str | None:
            if job not in self.hashes:
                self.hashes[job] = _sha256_or_none(job.clip)
            return self.hashes[job]

        report = completed_report(job.folder, digest, job.run_key)
        if report is None:
            return False
        row = row_from_report(report, label=job.label, folder=job.folder, status="skipped", reason=reason,
                              seconds=0.0)
        self.finish(job, row)
        return True

    def next_job(self) -> ClipJob | None:
        """Return the next clip to analyse (locked for us), recording skipped ones; None if none is ready."""
        while self.pending:
            job = self.pending.pop(0)
            if self._skip_if_done(job, "already analysed with the same clip and options"):
                continue
            lock = ClipLock(job.folder, self.guard)
            if not lock.acquire():
                self.deferred.append(job)  # another batch is on it: look again later
                continue
            if self._skip_if_done(job, "already analysed with the same clip and options"):  # finished meanwhile
                lock.release()
                continue
            self.locks[job] = lock
            return job
        return None

    def retry_deferred(self) -> None:
        """Move clips that another batch was analysing back to the queue once that batch let go."""
        still: list[ClipJob] = []
        for job in self.deferred:
            if self._skip_if_done(job, "analysed by another batch"):
                continue
            if (job.folder / LOCK_NAME).exists() and not _lock_is_stale(job.folder / LOCK_NAME):
                still.append(job)
            else:
                self.pending.append(job)
        self.deferred = still

    def release_all(self) -> None:
        for lock in self.locks.values():
            lock.release()
        self.locks.clear()


def _make_jobs(clips: list[Path], out_root: Path, config: AnalysisConfig, root: Path | None, until: str,
               use_cache: bool, cache_dir: Path | None, task: str, overlay: bool = False) -> list[ClipJob]:
    names = output_names(list(clips), root)
    key = run_key(config, until)
    if use_cache and cache_dir is None:
        from sprintbal.pose.cache import default_cache_dir

        cache_dir = default_cache_dir()  # resolved here, so every worker (and Dask worker) uses the same folder
    return [
        ClipJob(clip=Path(c).resolve(), label=str(c), folder=out_root / names[c], config=config, run_key=key,
                until=until, use_cache=use_cache, cache_dir=Path(cache_dir) if cache_dir else None, task=task,
                overlay=overlay)
        for c in clips
    ]


def run_batch(
    clips: list[Path],
    out_root: Path,
    config: AnalysisConfig,
    *,
    jobs: int = 1,
    timeout_s: float | None = None,
    scheduler: str | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    until: str = "balance",
    root: Path | None = None,
    on_event: EventCallback | None = None,
    task: str = "sprintbal.batch:analyze_clip",
    overlay: bool = False,
) -> BatchSummary:
    """Analyse ``clips`` in parallel, one child process per clip, writing ``OUT/<name>/`` and the summary.

    Parameters
    ----------
    clips : list of Path
        The clips (e.g. from :func:`find_clips`).
    out_root : Path
        Batch output folder.
    config : AnalysisConfig
        Resolved configuration, the same for every clip.
    jobs : int
        Clips analysed at once (local processes; ignored with a Dask scheduler).
    timeout_s : float or None
        Per-clip time limit in seconds; a clip still running then is killed and recorded as failed.
    scheduler : str or None
        Address of a Dask ``distributed`` scheduler (``tcp://host:port``); None runs locally.
    cache_dir : Path or None
        Pose cache folder (None: the default).
    use_cache : bool
        Read and write the pose cache.
    until : {"pose", "kinematics", "balance"}
        Last pipeline stage.
    root : Path or None
        Batch root, for unique folder names of clips sharing a stem.
    on_event : callable or None
        Receives :class:`BatchEvent` objects (in this process) for progress display.
    task : str
        ``module:function`` run per clip (tests swap it; the default is :func:`analyze_clip`).
    overlay : bool
        Also write each clip's annotated ``overlay.mp4`` (``report.html`` is always written).

    Returns
    -------
    BatchSummary
        This batch's rows and counts. ``OUT/summary.csv`` and ``OUT/summary.json`` are up to date.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C or SIGTERM, after stopping every worker, releasing the locks and writing the
        summary of finished clips.
    SprintbalError
        For an unusable output folder, bad ``jobs``/``timeout_s``, or a missing or unreachable Dask.
    """
    _check_batch_options(jobs, timeout_s, until)
    out_root = Path(out_root).resolve()
    from sprintbal.report.outputs import prepare_output_dir

    prepare_output_dir(out_root)
    t0 = time.perf_counter()
    job_list = _make_jobs(list(clips), out_root, config, root, until, use_cache, cache_dir, task, overlay)
    batch = _Batch(job_list, out_root, on_event)
    batch.emit(BatchEvent("begin", total=batch.total))
    summary = BatchSummary(out_root=out_root, summary_csv=out_root / "summary.csv",
                           summary_json=out_root / "summary.json")
    previous_term = _stop_on_sigterm()
    try:
        if scheduler:
            _run_dask(batch, scheduler, timeout_s)
        else:
            _run_local(batch, jobs, timeout_s)
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        _restore_sigterm(previous_term)
        batch.release_all()
        merge_summary(out_root, [])  # make sure the summary files exist even for an empty batch
        summary.rows = sorted(batch.rows, key=lambda r: (str(r["clip"]), str(r["output_folder"])))
        summary.wall_s = time.perf_counter() - t0
        batch.emit(BatchEvent("end", finished=len(batch.rows), total=batch.total))
    return summary


def _check_batch_options(jobs: int, timeout_s: float | None, until: str) -> None:
    """Raise a one-line ConfigError for a bad ``jobs``, ``timeout_s`` or last stage."""
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}")
    if timeout_s is not None and not timeout_s > 0:
        raise ConfigError(f"--timeout must be a positive number of seconds, got {timeout_s}")
    if until not in ("pose", "kinematics", "balance"):
        raise ConfigError(f"unknown last stage {until!r}")


def _restore_sigterm(previous: Any) -> None:
    """Put back the SIGTERM handler :func:`_stop_on_sigterm` replaced (nothing when it replaced none)."""
    if previous is not None:
        import signal

        signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm() -> Any:
    """Make SIGTERM (CI cancelling a job) stop the batch like Ctrl-C; return the previous handler (main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def _term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, _term)


def _run_local(batch: _Batch, jobs: int, timeout_s: float | None) -> None:
    runner = _LocalRunner(jobs)
    try:
        while batch.pending or batch.deferred or runner.running:
            while runner.has_room():
                job = batch.next_job()
                if job is None:
                    break
                runner.start(job, timeout_s)
                batch.started(job)
            for kind, job, payload in runner.poll(_POLL_S):
                if kind == "row":
                    batch.finish(job, payload)
                else:
                    stage, done, total = payload
                    batch.emit(BatchEvent("progress", clip=job.label, finished=len(batch.rows), total=batch.total,
                                          stage=stage, done=done, stage_total=total))
            if batch.deferred and not batch.pending:
                batch.retry_deferred()
    except BaseException:
        runner.stop_all()
        raise


def _run_dask(batch: _Batch, address: str, timeout_s: float | None) -> None:
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError(
            'the Dask scheduler needs dask.distributed: pip install "sprintbal[dask]" (or "dask[distributed]")'
        ) from None
    try:
        client = Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    running: dict[Any, tuple[ClipJob, float]] = {}
    try:
        while batch.pending or batch.deferred or running:
            while True:
                job = batch.next_job()
                if job is None:
                    break
                fut = client.submit(dask_task, job, timeout_s, pure=False, key=f"sprintbal-{job.folder.name}-"
                                    f"{os.getpid()}-{time.time_ns()}")
                running[fut] = (job, time.monotonic())
                batch.started(job)
            done_now = [f for f in running if f.done()]
            for fut in done_now:
                job, started = running.pop(fut)
                try:
                    row = fut.result()
                except Exception as exc:  # a lost worker or task error fails only this clip
                    row = failed_row(job, f"dask task failed: {type(exc).__name__}: {exc}",
                                     time.monotonic() - started)
                batch.finish(job, row)
            if batch.deferred and not batch.pending:
                batch.retry_deferred()
            if not done_now:
                time.sleep(0.1)
    finally:
        for fut in running:
            fut.cancel()
        client.close()


__all__ = [
    "SUMMARY_COLUMNS",
    "VIDEO_EXTENSIONS",
    "BatchEvent",
    "BatchSummary",
    "ClipJob",
    "ClipLock",
    "analyze_clip",
    "completed_report",
    "dask_task",
    "find_clips",
    "merge_summary",
    "output_names",
    "read_summary",
    "row_from_report",
    "run_batch",
    "run_key",
]
