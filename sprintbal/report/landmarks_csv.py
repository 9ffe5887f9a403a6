"""Landmark tables: one row per frame, named columns with units in each column name."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.pose.landmarks import LANDMARK_NAMES
from sprintbal.pose.track import PoseTrack


def format_cells(values: np.ndarray, digits: int) -> np.ndarray:
    """Format a float array as fixed-point strings, empty where not finite (vectorised).

    Parameters
    ----------
    values : ndarray
        Any shape.
    digits : int
        Digits after the decimal point.

    Returns
    -------
    ndarray of str
        Same shape.
    """
    values = np.asarray(values, dtype=float)
    cells = np.char.mod(f"%.{digits}f", np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0))
    cells[~np.isfinite(values)] = ""
    return cells


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
    n = track.n_frames
    per_landmark = np.stack(
        [
            format_cells(track.xy[..., 0], 2),
            format_cells(track.xy[..., 1], 2),
            format_cells(track.z, 2),
            format_cells(track.visibility, 4),
            format_cells(track.presence, 4),
        ],
        axis=2,
    ).reshape(n, -1)
    world = format_cells(track.world, 5).reshape(n, -1)
    lead = np.stack(
        [track.frame_index.astype(str), format_cells(track.t, 6), track.detected.astype(int).astype(str)], axis=1
    )
    table = np.concatenate([lead, per_landmark, world], axis=1) if n else np.zeros((0, 0), dtype=str)
    with atomic_open(path, "w") as fh:
        fh.write(",".join(landmark_columns()) + "\n")
        fh.writelines(",".join(row) + "\n" for row in table)
