"""The one place the stages are wired: video -> pose -> kinematics -> balance -> AnalysisResult.

``batch``, ``regress`` and the CLI call :func:`analyze`; they never reach into a stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sprintbal import __version__
from sprintbal.config import AnalysisConfig
from sprintbal.pose.cache import PoseCache, clip_hash
from sprintbal.result import AnalysisResult

if TYPE_CHECKING:
    from sprintbal.video import VideoInfo

#: Called as ``on_progress(stage, done, total)`` while a stage runs; ``total`` may be 0 if unknown.
ProgressCallback = Callable[[str, int, int], None]

Stage = Literal["pose", "kinematics", "balance"]


def analyze(
    clip: Path,
    config: AnalysisConfig,
    *,
    cache: PoseCache | None = None,
    until: Stage = "balance",
    on_progress: ProgressCallback | None = None,
) -> AnalysisResult:
    """Analyse one clip end to end.

    Parameters
    ----------
    clip : Path
        Video file.
    config : AnalysisConfig
        Resolved configuration.
    cache : PoseCache or None
        Pose cache; None runs pose inference every time.
    until : {"pose", "kinematics", "balance"}
        Last stage to run.
    on_progress : callable or None
        Progress hook, ``on_progress(stage, done, total)``.

    Returns
    -------
    AnalysisResult
        Everything the stages produced. Never written to disk here.

    Raises
    ------
    SprintbalError
        For unreadable clips, bad models and the like (one-line message).
    """
    from sprintbal.video import probe

    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    info = probe(Path(clip), capture_fps=config.pose.capture_fps)
    digest = clip_hash(Path(clip))
    timings["probe"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    key = cache.key(digest, config.pose) if cache is not None else ""
    track = cache.get(key) if cache is not None else None
    pose_cached = track is not None
    if track is None:
        from sprintbal.pose.estimator import estimate_track

        if until != "pose":
            _warm_up_later_stages(Path(clip), info)

        total = info.frame_count

        def on_frame(done: int) -> None:
            if on_progress is not None:
                on_progress("pose", done, total)

        track = estimate_track(Path(clip), info, config.pose, on_frame=on_frame)
        if cache is not None:
            cache.put(key, track)
        trim_heap()  # give the model's freed memory back before the later stages allocate theirs
    timings["pose"] = time.perf_counter() - t0
    if track.n_frames and not track.detected.any():
        notes.append("Nobody was found in this clip (detection rate 0%): no kinematics or balance can be given.")

    kinematics = None
    balance = None
    if until in ("kinematics", "balance"):
        t0 = time.perf_counter()
        from sprintbal.kinematics.compute import compute_kinematics

        kinematics = compute_kinematics(track, config)
        timings["kinematics"] = time.perf_counter() - t0
    if until == "balance" and kinematics is not None:
        t0 = time.perf_counter()
        from sprintbal.balance import assess_balance

        balance = assess_balance(kinematics, config.balance)
        timings["balance"] = time.perf_counter() - t0

    return AnalysisResult(
        clip=Path(clip),
        clip_sha256=digest,
        video=info,
        config=config,
        track=track,
        kinematics=kinematics,
        balance=balance,
        version=__version__,
        pose_cached=pose_cached,
        timings_s=timings,
        notes=tuple(notes),
    )


#: Modules of the stages after pose, imported in the background while pose inference runs.
_LATER_MODULES = (
    "scipy.signal",
    "scipy.interpolate",
    "sprintbal.kinematics.compute",
    "sprintbal.balance",
    "sprintbal.report.json_report",
    "sprintbal.report.landmarks_csv",
    "sprintbal.report.kinematics_csv",
    "sprintbal.report.events_csv",
    "sprintbal.report.trc",
)


def _warm_up_later_stages(clip: Path, info: VideoInfo) -> None:
    """Prepare the later stages in a daemon thread, overlapped with pose inference.

    Imports their modules (scipy above all: about a second after pose otherwise), then designs the
    cleaning stage's residual-analysis filters for the frame rate the clip's timestamps promise
    (tens of milliseconds of scipy otherwise). Anything that fails here is simply done, and raises,
    where the stage needs it.
    """
    import importlib
    import sys
    import threading

    todo = [name for name in _LATER_MODULES if name not in sys.modules]

    def work() -> None:
        for name in todo:
            try:
                importlib.import_module(name)
            except Exception:
                return
        try:
            from sprintbal.kinematics.cleaning import warm_filter_designs
            from sprintbal.video import frame_times

            t = frame_times(clip, info)
            if t is not None:
                warm_filter_designs(t)
        except Exception:
            return

    threading.Thread(target=work, name="sprintbal-warm-up", daemon=True).start()


def trim_heap() -> None:
    """Return freed heap memory to the operating system (glibc ``malloc_trim``; a no-op elsewhere).

    MediaPipe frees its graph when pose ends, but glibc keeps the pages; without this the stages
    after pose stack their own peak on top of them (benchmarks/memory.py). The CLI calls it again
    once the analysis result is freed, before the visuals.
    """
    import contextlib
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)

