"""The one place the stages are wired: video -> pose -> kinematics -> balance -> AnalysisResult.

``batch``, ``regress`` and the CLI call :func:`analyze`; they never reach into a stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from sprintbal import __version__
from sprintbal.config import AnalysisConfig
from sprintbal.pose.cache import PoseCache, clip_hash
from sprintbal.result import AnalysisResult

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

        total = info.frame_count

        def on_frame(done: int) -> None:
            if on_progress is not None:
                on_progress("pose", done, total)

        track = estimate_track(Path(clip), info, config.pose, on_frame=on_frame)
        if cache is not None:
            cache.put(key, track)
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
