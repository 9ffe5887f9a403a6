"""Landmark tables: one row per frame, named columns with units in each column name."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.pose.landmarks import LANDMARK_NAMES
from sprintbal.pose.track import PoseTrack


def _fmt(v: float, digits: int) -> str:
    return "" if not np.isfinite(v) else f"{v:.{digits}f}"


def landmark_columns() -> list[str]:
    """Return the column names of ``landmarks.csv`` (units are part of each name)."""
    cols = ["frame", "time_s", "detected"]
    for name in LANDMARK_NAMES:
        cols += [f"{name}_x_px", f"{name}_y_px", f"{name}_z_px", f"{name}_visibility", f"{name}_presence"]
    for name in LANDMARK_NAMES:
        cols += [f"{name}_world_x_m", f"{name}_world_y_m", f"{name}_world_z_m"]
    return cols


def write_landmarks_csv(track: PoseTrack, path: Path) -> None:
    """Write every frame's landmarks to CSV, atomically.

    Columns: ``frame``, ``time_s`` (capture time, s), ``detected`` (0/1), then per
    landmark ``<name>_x_px``, ``<name>_y_px`` (image pixels, x right, y DOWN, origin
    top-left of the upright frame), ``<name>_z_px`` (MediaPipe relative depth, px,
    smaller = nearer the camera), ``<name>_visibility`` and ``<name>_presence``
    (0-1), then ``<name>_world_{x,y,z}_m`` (MediaPipe world metres, origin between
    the hips, y DOWN). Empty cells where nobody was found.

    Parameters
    ----------
    track : PoseTrack
        The landmarks.
    path : Path
        Target CSV file.
    """
    with atomic_open(path, "w") as fh:
        writer = csv.writer(fh)
        writer.writerow(landmark_columns())
        for i in range(track.n_frames):
            row: list[str] = [str(int(track.frame_index[i])), f"{track.t[i]:.6f}", str(int(track.detected[i]))]
            for j in range(len(LANDMARK_NAMES)):
                row += [
                    _fmt(track.xy[i, j, 0], 2),
                    _fmt(track.xy[i, j, 1], 2),
                    _fmt(track.z[i, j], 2),
                    _fmt(track.visibility[i, j], 4),
                    _fmt(track.presence[i, j], 4),
                ]
            for j in range(len(LANDMARK_NAMES)):
                row += [_fmt(track.world[i, j, k], 5) for k in range(3)]
            writer.writerow(row)
