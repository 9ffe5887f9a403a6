"""Landmark tables: one row per frame, named columns with units in each column name."""

from __future__ import annotations

import re
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
    fixed = [_FIXED.fullmatch(f) for f in formats]
    if len(sep) == 1 and values.ndim == 2 and all(fixed) and len(fixed) == values.shape[1]:
        digits = [int(m.group(1)) for m in fixed if m is not None]
        blocks = range(0, values.shape[0], _FIXED_ROWS)
        parts = [_format_fixed(values[a : a + _FIXED_ROWS], digits, sep) for a in blocks]
        if all(p is not None for p in parts):
            return "".join(p for p in parts if p is not None)
    fmt = sep.join(formats)
    text = "\n".join([fmt % tuple(row) for row in values.tolist()]) + "\n"
    if not np.isfinite(values).all():  # printf writes nan/inf/-inf; no other cell contains those letters
        text = text.replace("-inf", "").replace("inf", "").replace("nan", "")
    return text


#: Fixed-point formats :func:`format_rows` writes without Python work per cell.
_FIXED = re.compile(r"%\.(\d|1[0-5])f")

#: Rows :func:`_format_fixed` lays out at once (its byte and float temporaries stay a few MB).
_FIXED_ROWS = 512


def _format_fixed(values: np.ndarray, digits: list[int], sep: str) -> str | None:
    """:func:`format_rows` for ``"%.<d>f"`` columns, character for character, with array operations only.

    Each cell is rounded to a whole number of ``10**-d`` (``rint`` of the scaled magnitude: ties to even,
    as Python's formatting rounds the exact binary value) and its digits are laid out in a byte array
    whose padding is dropped at the end. The product ``|x| * 10**d`` carries at most half an ulp of
    rounding error, so only a cell whose scaled fraction lies within a few ulps of one half could round
    otherwise than its exact value; such cells are rounded by Python's own formatting. Columns with the
    same number of decimals are laid out together; digits are taken with float arithmetic, exact on
    integers below ``2**50``. Returns None (general path) when a cell is too large for that.
    """
    d = np.asarray(digits)  # (C,)
    fin = np.isfinite(values)
    mag = np.abs(np.where(fin, values, 0.0))
    scaled = mag * np.array([float(10**k) for k in digits])
    count = np.rint(scaled)
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= scaled * 2.0**-50
    if near_half.any():
        for r, c in zip(*np.nonzero(near_half), strict=True):
            count[r, c] = float(f"{mag[r, c]:.{int(d[c])}f}".replace(".", ""))
    parts: list[tuple[np.ndarray, np.ndarray]] = []  # (columns, their text bytes (R, c, w)) per number of decimals
    for k in np.unique(d).tolist():
        cols = np.flatnonzero(d == k)
        number = count[:, cols]  # the digits without the point: integer part, then k decimals
        top = float(number.max()) if number.size else 0.0
        if not top < 2.0**50:
            return None
        n_int = max(1, len(str(int(top // 10.0**k))))
        text = np.zeros((*number.shape, n_int + (k + 1 if k else 0)), dtype=np.uint8)
        rest = number
        for j in range(n_int + k - 1, -1, -1):  # digit slots right to left (float arithmetic, exact here)
            quotient = np.floor(rest * 0.1)
            digit = (rest - 10.0 * quotient).astype(np.uint8) + np.uint8(ord("0"))
            rest = quotient
            if j >= n_int:  # a decimal, after the point
                text[..., j + 1] = digit
            else:  # an integer digit: leading zeros are padding (the units digit always shows)
                if j < n_int - 1:
                    digit[number < 10.0 ** (n_int - 1 - j + k)] = 0
                text[..., j] = digit
        if k:
            text[..., n_int] = ord(".")
        parts.append((cols, text))
    width = 1 + max(p[1].shape[-1] for p in parts) + 1  # sign, number, separator
    buf = np.zeros((*values.shape, width), dtype=np.uint8)  # 0 = padding, dropped at the end
    buf[..., 0] = np.signbit(values) * np.uint8(ord("-"))
    for cols, text in parts:
        buf[:, cols, 1 : 1 + text.shape[-1]] = text
    buf[~fin] = 0
    buf[..., -1] = ord(sep)
    buf[:, -1, -1] = ord("\n")
    flat = buf.reshape(-1)
    return flat[flat != 0].tobytes().decode("ascii")


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
