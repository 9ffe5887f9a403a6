"""OpenSim TRC marker files (Y up, metres) and a reader for checking them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.errors import BadInputError
from sprintbal.report.landmarks_csv import CHUNK_ROWS, format_rows


@dataclass(frozen=True)
class TrcData:
    """Markers read from a TRC file.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Time, seconds.
    markers : tuple of str
        Marker names (M).
    xyz : ndarray, shape (T, M, 3)
        Positions in the file's units (NaN for empty cells).
    data_rate : float
        DataRate header value, Hz.
    units : str
        Units header value.
    """

    t: np.ndarray
    markers: tuple[str, ...]
    xyz: np.ndarray
    data_rate: float
    units: str


def write_trc(path: Path, t: np.ndarray, names: tuple[str, ...], xyz: np.ndarray, data_rate: float) -> None:
    """Write markers as an OpenSim TRC file (tab-separated), atomically.

    Parameters
    ----------
    path : Path
        Target file.
    t : ndarray, shape (T,)
        Time of each frame, seconds.
    names : tuple of str
        Marker names (M).
    xyz : ndarray, shape (T, M, 3)
        Marker positions in metres, OpenSim axes (Y up). NaN cells are written empty.
    data_rate : float
        Nominal sampling rate, Hz (OpenSim reads time from the Time column).
    """
    n, m = xyz.shape[0], xyz.shape[1]
    with atomic_open(path, "w") as fh:
        fh.write(f"PathFileType\t4\t(X/Y/Z)\t{Path(path).name}\n")
        fh.write(
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"
        )
        fh.write(f"{data_rate:.6g}\t{data_rate:.6g}\t{n}\t{m}\tm\t{data_rate:.6g}\t1\t{n}\n")
        fh.write("Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t\n")
        fh.write("\t\t" + "\t".join(f"X{k + 1}\tY{k + 1}\tZ{k + 1}" for k in range(m)) + "\n")
        fh.write("\n")
        formats = ["%.0f", "%.6f"] + ["%.5f"] * (3 * m)
        for a in range(0, n, CHUNK_ROWS):  # chunks: no Python work per cell, flat memory
            b = min(n, a + CHUNK_ROWS)
            lead = np.stack([np.arange(a + 1, b + 1, dtype=float), np.asarray(t[a:b], dtype=float)], axis=1)
            fh.write(
                format_rows(
                    np.concatenate([lead, np.asarray(xyz[a:b], float).reshape(b - a, -1)], 1), formats, sep="\t"
                )
            )


def read_trc(path: Path) -> TrcData:
    """Read a TRC file written by :func:`write_trc` (or any tab-separated TRC).

    Parameters
    ----------
    path : Path
        TRC file.

    Returns
    -------
    TrcData
        Times, marker names and positions.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        header = dict(zip(lines[1].split("\t"), lines[2].split("\t"), strict=False))
        names = tuple(x for x in lines[3].split("\t")[2:] if x)
        rows = [ln.split("\t") for ln in lines[6:] if ln.strip()]
        t = np.array([float(r[1]) for r in rows])
        vals = np.array(
            [[float(v) if v else np.nan for v in (r[2:] + [""] * (3 * len(names)))[: 3 * len(names)]] for r in rows]
        )
        return TrcData(
            t=t,
            markers=names,
            xyz=vals.reshape(len(rows), len(names), 3),
            data_rate=float(header["DataRate"]),
            units=header["Units"],
        )
    except (OSError, IndexError, KeyError, ValueError) as exc:
        raise BadInputError(f"cannot read TRC file {path}: {exc}") from exc
