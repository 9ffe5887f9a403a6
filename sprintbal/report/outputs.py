"""Write every output file of one analysis into its folder ``OUT/<clip-stem>/``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.errors import OutputError
from sprintbal.pose.landmarks import LANDMARK_NAMES
from sprintbal.result import AnalysisResult


def clip_output_dir(out_root: Path, clip: Path) -> Path:
    """Return the folder a clip's outputs go to: ``out_root/<clip stem>``."""
    return Path(out_root) / Path(clip).stem


def prepare_output_dir(folder: Path) -> Path:
    """Create ``folder`` and check it is writable, before any slow work starts.

    Parameters
    ----------
    folder : Path
        Output folder.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    OutputError
        If it cannot be created or written.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".sprintbal-write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"output folder {folder} is not writable: {exc.strerror or exc}") from exc
    return folder


def write_outputs(result: AnalysisResult, folder: Path, *, run_key: str | None = None) -> dict[str, Any]:
    """Write landmarks CSV, TRC, kinematics and balance tables and ``report.json`` into ``folder``.

    Every file is written atomically; ``report.json`` is written last so its
    presence means the folder is complete.

    Parameters
    ----------
    result : AnalysisResult
        The analysis.
    folder : Path
        The clip's output folder (created if needed).
    run_key : str or None
        Written as ``report.json``'s ``run_key`` (hash of the options that made it; batch resume).

    Returns
    -------
    dict
        The report dictionary that was written to ``report.json``.
    """
    from sprintbal.report.json_report import write_report_json
    from sprintbal.report.landmarks_csv import write_landmarks_csv
    from sprintbal.report.trc import write_trc

    folder = prepare_output_dir(folder)
    files: dict[str, str] = {}
    track = result.track
    write_landmarks_csv(track, folder / "landmarks.csv")
    files["landmarks"] = "landmarks.csv"

    rate = float(result.video.capture_fps or result.video.fps or 30.0)
    kin = result.kinematics
    if kin is not None and np.isfinite(kin.points).any():
        xyz = kin.points
        files["trc_frame"] = "lab frame: X forward, Y up, Z right, metres (origin on the ground)"
    else:
        # MediaPipe world landmarks: origin between the hips, y down -> flip y for OpenSim (Y up).
        xyz = track.world * np.array([1.0, -1.0, -1.0])
        files["trc_frame"] = "MediaPipe world landmarks, hip-centred, Y up, metres"
    write_trc(folder / "markers.trc", track.t, LANDMARK_NAMES, xyz, rate)
    files["trc"] = "markers.trc"

    if kin is not None:
        from sprintbal.report.kinematics_csv import write_frames_csv, write_steps_csv

        write_frames_csv(kin, folder / "frames.csv")
        write_steps_csv(kin, folder / "steps.csv")
        files["frames"] = "frames.csv"
        files["steps"] = "steps.csv"
    if result.balance is not None:
        from sprintbal.report.events_csv import write_events_csv, write_steps_balance_csv

        write_events_csv(result.balance, folder / "events.csv")
        write_steps_balance_csv(result.balance, folder / "steps_balance.csv")
        files["events"] = "events.csv"
        files["steps_balance"] = "steps_balance.csv"
    files["report"] = "report.json"
    return write_report_json(result, folder / "report.json", files, run_key=run_key)
