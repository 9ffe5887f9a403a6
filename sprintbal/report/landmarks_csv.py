"""Landmark tables: one row per frame, named columns with units in each column name."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS
from sprintbal.pose.track import PoseTrack

#: Rows formatted and written at a time: memory stays flat however long the clip.
CHUNK_ROWS = 2048


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
    cells = np.asarray(cells, dtype=str).reshape(values.shape)  # np.char.mod flattens empty arrays
    cells[~np.isfinite(values)] = ""
    return cells


def format_rows(values: np.ndarray, formats: list[str], sep: str = ",") -> str:
    """Format a 2-D float block as text rows (each ending in a newline), empty cells where not finite.

    One C-level ``%`` formatting per row, no Python work per cell.

    Parameters
    ----------
    values : ndarray, shape (R, C)
        Numbers; NaN and infinities become empty cells.
    formats : list of str
        C printf-style format of each of the C columns (e.g. ``"%.2f"``, ``"%.6g"``; ``"%.0f"`` for integers).
    sep : str
        Column separator.

    Returns
    -------
    str
        ``R`` lines of text, or an empty string.
    """
    values = np.asarray(values, dtype=float)
    if values.shape[0] == 0:
        return ""
    fmt = sep.join(formats)
    text = "\n".join([fmt % tuple(row) for row in values.tolist()]) + "\n"
    if not np.isfinite(values).all():  # printf writes nan/inf/-inf; no other cell contains those letters
        text = text.replace("-inf", "").replace("inf", "").replace("nan", "")
    return text


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
    formats = ["%.0f", "%.6f", "%.0f"] + ["%.2f", "%.2f", "%.2f", "%.4f", "%.4f"] * N_LANDMARKS
    formats += ["%.5f"] * (3 * N_LANDMARKS)
    with atomic_open(path, "w") as fh:
        fh.write(",".join(landmark_columns()) + "\n")
        for a in range(0, n, CHUNK_ROWS):
            b = min(n, a + CHUNK_ROWS)
            per_landmark = np.concatenate(
                [track.xy[a:b], track.z[a:b, :, None], track.visibility[a:b, :, None], track.presence[a:b, :, None]],
                axis=2,
            ).reshape(b - a, -1)
            lead = np.stack([track.frame_index[a:b], track.t[a:b], track.detected[a:b]], axis=1).astype(float)
            block = np.concatenate([lead, per_landmark, track.world[a:b].reshape(b - a, -1)], axis=1)
            fh.write(format_rows(block, formats))
