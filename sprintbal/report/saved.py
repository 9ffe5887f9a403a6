"""Load one clip's saved output folder (``report.json`` + CSV tables) back into memory.

Everything the HTML report and the overlay video show is rebuilt from these files, so
``sprintbal report OUTDIR`` can redraw them without running pose again.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.errors import BadInputError
from sprintbal.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS

#: Columns of ``frames.csv`` and ``steps.csv`` that hold words, not numbers.
TEXT_COLUMNS = frozenset({"phase", "push_side", "foot", "side", "axis", "kind", "explanation", "group", "overwhelmed"})


@dataclass(frozen=True)
class SavedEvent:
    """One balance breakdown as saved in ``report.json`` (or ``events.csv``).

    Attributes
    ----------
    start_s, end_s : float
        Span of the breakdown, seconds of capture time.
    peak_s : float
        Time of its worst frame, seconds (the middle of the span when not saved).
    side : str
        The group that overwhelmed (e.g. ``"push side"``, ``"upper body"``), as saved.
    opposed_side : str
        The group that failed to offset it; ``""`` if not saved.
    axis : str
        Axis of rotation (``"vertical"`` or ``"mediolateral"``), as saved; ``""`` if not saved.
    explanation : str
        Plain-language explanation.
    confidence : float
        In [0, 1]; NaN when not saved.
    peak_frame : int
        Frame index of the worst frame; -1 when not saved.
    step_number : int
        1-based step holding the peak; 0 when none or not saved.
    raw : dict
        The event exactly as saved (for fields this class does not name).
    """

    start_s: float
    end_s: float
    peak_s: float
    side: str
    opposed_side: str
    axis: str
    explanation: str
    confidence: float
    peak_frame: int
    step_number: int
    raw: dict[str, Any]


@dataclass(frozen=True)
class SavedAnalysis:
    """One clip's saved analysis. Time is axis 0 of every array.

    Attributes
    ----------
    folder : Path
        The output folder.
    report : dict
        ``report.json`` as loaded.
    frames : dict of str to ndarray
        ``frames.csv`` column name -> array of length T (float, NaN for empty cells; str for
        ``phase`` and ``push_side``). Empty dict when the folder has no ``frames.csv``.
    steps : dict of str to ndarray
        ``steps.csv`` column name -> array of length n contacts (float, or str for ``foot``).
    events : tuple of SavedEvent
        Balance breakdowns.
    uncertain_events : tuple of SavedEvent
        Possible breakdowns the balance stage found too uncertain to report.
    landmark_t : ndarray, shape (T,)
        Capture time of each ``landmarks.csv`` row, seconds.
    landmark_frame : ndarray of int, shape (T,)
        Frame index of each ``landmarks.csv`` row.
    landmarks_xy : ndarray, shape (T, 33, 2)
        Image landmarks in pixels of the upright frame (x right, y down); NaN where unseen.
    landmark_visibility : ndarray, shape (T, 33)
        Visibility in [0, 1]; NaN where unseen.
    """

    folder: Path
    report: dict[str, Any]
    frames: dict[str, np.ndarray]
    steps: dict[str, np.ndarray]
    events: tuple[SavedEvent, ...]
    uncertain_events: tuple[SavedEvent, ...]
    landmark_t: np.ndarray
    landmark_frame: np.ndarray
    landmarks_xy: np.ndarray
    landmark_visibility: np.ndarray

    @property
    def n_frames(self) -> int:
        """Number of frames in the landmark table."""
        return int(self.landmark_t.shape[0])

    @property
    def has_kinematics(self) -> bool:
        """Whether per-frame kinematics (``frames.csv``) were saved."""
        return bool(self.frames) and "time_s" in self.frames

    def frame_series(self, name: str) -> np.ndarray:
        """Return a numeric ``frames.csv`` column (all NaN if absent), length T."""
        col = self.frames.get(name)
        if col is None or col.dtype.kind not in "fiu":
            n = len(self.frames.get("time_s", self.landmark_t))
            return np.full(n, np.nan)
        return col.astype(float)

    def frame_words(self, name: str) -> np.ndarray:
        """Return a text ``frames.csv`` column (``"unknown"`` if absent), length T."""
        col = self.frames.get(name)
        if col is None:
            n = len(self.frames.get("time_s", self.landmark_t))
            return np.full(n, "unknown", dtype=object)
        return col


def _to_float(v: str) -> float:
    v = v.strip()
    if not v:
        return math.nan
    try:
        return float(v)
    except ValueError:
        return math.nan


#: Bytes of CSV text read and converted at a time: the per-cell strings never outlive one chunk.
CHUNK_BYTES = 1 << 18


def _float_column(cells: list[str]) -> np.ndarray:
    """Convert CSV cells to float like :func:`_to_float` (empty or not a number -> NaN), vectorised."""
    arr = np.array([c if c.strip() else "nan" for c in cells], dtype=str)  # blank -> NaN
    try:
        return arr.astype(float)
    except ValueError:  # a cell that is not a number: convert cell by cell (NaN for it)
        return np.array([_to_float(c) for c in cells], dtype=float)


def _line_chunks(fh: Any) -> Any:
    """Yield the lines of an open CSV file (header already read) in lists of about :data:`CHUNK_BYTES`."""
    while True:
        lines = fh.readlines(CHUNK_BYTES)
        if not lines:
            return
        if any('"' in ln for ln in lines):  # a quoted cell may span lines: let csv read the rest whole
            lines += fh.readlines()
        yield lines


def _csv_chunks(fh: Any) -> Any:
    """Yield the rows of an open CSV file (header already read) in lists of about :data:`CHUNK_BYTES`."""
    for lines in _line_chunks(fh):
        yield list(csv.reader(lines))


def _numeric_block(lines: list[str], n_cols: int) -> np.ndarray | None:
    """Parse CSV lines of plain numbers and empty cells into a (rows, n_cols) float array, in C.

    The same values as :func:`_float_column` cell by cell (empty -> NaN; both parse with Python's
    correctly rounded conversion), without a Python string per cell. Blank lines are skipped as
    ``csv.reader`` skips them. Returns None for anything else (quotes, words, blank-but-not-empty cells,
    short or long rows): the caller then reads the lines with :mod:`csv`.
    """
    import warnings

    rows = [ln.rstrip("\r\n") for ln in lines]
    rows = [r for r in rows if r]
    if not rows:
        return np.zeros((0, n_cols))
    text = ",".join(rows)
    if '"' in text or not text.isprintable() or " " in text:  # quotes, whitespace: not a table as written
        return None
    text = text.replace(",,", ",nan,").replace(",,", ",nan,")
    if text.startswith(","):
        text = "nan" + text
    if text.endswith(","):
        text += "nan"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            values = np.fromstring(text, sep=",")
        except (DeprecationWarning, ValueError):
            return None
    if values.size != len(rows) * n_cols:
        return None
    return values.reshape(len(rows), n_cols)


def read_table(path: Path) -> dict[str, np.ndarray]:
    """Read a sprintbal CSV into column arrays (numbers as float with NaN for empty, words as str).

    Parameters
    ----------
    path : Path
        A CSV file with a header row.

    Returns
    -------
    dict of str to ndarray
        Column name -> values.

    Raises
    ------
    BadInputError
        If the file cannot be read or has no header.
    """
    parts: list[list[np.ndarray]] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), None)
            if header is None:
                raise BadInputError(f"{path} is empty (no header row)")
            for body in _csv_chunks(fh):
                cols: list[np.ndarray] = []
                for j, name in enumerate(header):
                    cells = [r[j] if j < len(r) else "" for r in body]
                    if name in TEXT_COLUMNS:
                        cols.append(np.array(cells, dtype=object))
                    else:
                        cols.append(_float_column(cells))
                parts.append(cols)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        if parts:
            out[name] = np.concatenate([cols[j] for cols in parts])
        else:
            out[name] = np.array([], dtype=object if name in TEXT_COLUMNS else float)
    return out


def _read_landmarks(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t_parts: list[np.ndarray] = []
    f_parts: list[np.ndarray] = []
    xy_parts: list[np.ndarray] = []
    vis_parts: list[np.ndarray] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise BadInputError(f"{path} is empty (no header row)")
            col = {name: j for j, name in enumerate(header)}
            try:
                xi = [col[f"{n}_x_px"] for n in LANDMARK_NAMES]
                yi = [col[f"{n}_y_px"] for n in LANDMARK_NAMES]
                vi = [col[f"{n}_visibility"] for n in LANDMARK_NAMES]
                ti, fi = col["time_s"], col["frame"]
            except KeyError as exc:
                raise BadInputError(f"{path} is not a sprintbal landmarks table (no column {exc})") from None
            wanted = [ti, fi, *(k for a, b in zip(xi, yi, strict=True) for k in (a, b)), *vi]
            n_done = 0
            for lines in _line_chunks(fh):
                # a table as sprintbal writes it is parsed in C; anything else cell by cell with csv
                block = _numeric_block(lines, len(header))
                if block is not None and np.isfinite(block[:, fi]).all():
                    if block.shape[0] == 0:
                        continue
                    m = block.shape[0]
                    sel = block[:, wanted]
                    t = sel[:, 0].copy()
                    frame = sel[:, 1].astype(np.int64)
                    xy = sel[:, 2 : 2 + 2 * N_LANDMARKS].reshape(m, N_LANDMARKS, 2)
                    vis = sel[:, 2 + 2 * N_LANDMARKS :].copy()
                    del block, sel
                    t_parts.append(t)
                    f_parts.append(frame)
                    xy_parts.append(xy)
                    vis_parts.append(vis)
                    n_done += m
                    continue
                rows = [r for r in csv.reader(lines) if r]
                if not rows:
                    continue
                m = len(rows)
                cols = [_float_column([r[k] for r in rows]) for k in wanted]  # IndexError: a short row
                t = cols[0]
                frame_raw = [r[fi] for r in rows]
                frame_f = cols[1]
                blank = np.array([not c.strip() for c in frame_raw], dtype=bool)
                if not np.isfinite(frame_f[~blank]).all():
                    bad = frame_raw[int(np.flatnonzero(~blank & ~np.isfinite(frame_f))[0])]
                    int(_to_float(bad))  # raises as the cell-by-cell reader did (ValueError / OverflowError)
                frame = np.where(blank, n_done + np.arange(m), np.nan_to_num(frame_f)).astype(np.int64)
                xy = np.stack(cols[2 : 2 + 2 * N_LANDMARKS], axis=1).reshape(m, N_LANDMARKS, 2)
                vis = np.stack(cols[2 + 2 * N_LANDMARKS :], axis=1)
                t_parts.append(t)
                f_parts.append(frame)
                xy_parts.append(xy)
                vis_parts.append(vis)
                n_done += m
    except (OSError, UnicodeDecodeError, csv.Error, IndexError) as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    if not t_parts:
        return (
            np.zeros(0, dtype=float),
            np.zeros(0, dtype=np.int64),
            np.zeros((0, N_LANDMARKS, 2), dtype=float),
            np.zeros((0, N_LANDMARKS), dtype=float),
        )
    return (
        np.concatenate(t_parts),
        np.concatenate(f_parts),
        np.concatenate(xy_parts),
        np.concatenate(vis_parts),
    )


def _pick(d: dict[str, Any], names: tuple[str, ...], default: Any = None) -> Any:
    for n in names:
        if n in d and d[n] is not None and d[n] != "":
            return d[n]
    return default


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def normalise_event(d: dict[str, Any]) -> SavedEvent:
    """Turn one saved breakdown (a ``report.json`` dict or an ``events.csv`` row) into a :class:`SavedEvent`.

    Field names follow :meth:`sprintbal.balance.BreakdownEvent.to_dict` (``start_t``, ``end_t``,
    ``peak_t``, ``side``, ``opposed_side``, ``axis``, ``explanation``, ``confidence``...); ``_s``
    spellings of the times are accepted too.

    Parameters
    ----------
    d : dict
        The saved event.

    Returns
    -------
    SavedEvent
        With start/end/peak times in seconds, side, axis, explanation and confidence.
    """
    start = _num(_pick(d, ("start_t", "start_s", "t_start", "start")))
    end = _num(_pick(d, ("end_t", "end_s", "t_end", "end")))
    if not math.isfinite(end):
        end = start
    peak = _num(_pick(d, ("peak_t", "peak_s", "t_peak", "peak")))
    if not math.isfinite(peak):
        peak = 0.5 * (start + end) if math.isfinite(start) else math.nan
    side = str(_pick(d, ("side",), ""))
    opposed = str(_pick(d, ("opposed_side",), ""))
    axis = str(_pick(d, ("axis",), ""))
    text = str(_pick(d, ("explanation",), ""))
    conf = _num(_pick(d, ("confidence",)))
    peak_frame = _num(_pick(d, ("peak_frame",)))
    step = _num(_pick(d, ("step_number",)))
    return SavedEvent(
        start_s=start,
        end_s=end,
        peak_s=peak,
        side=side,
        opposed_side=opposed,
        axis=axis,
        explanation=text,
        confidence=conf,
        peak_frame=int(peak_frame) if math.isfinite(peak_frame) else -1,
        step_number=int(step) if math.isfinite(step) else 0,
        raw=dict(d),
    )


def _load_report(folder: Path) -> dict[str, Any]:
    path = folder / "report.json"
    if not folder.is_dir():
        raise BadInputError(f"{folder} is not a folder (expected a sprintbal output folder)")
    if not path.is_file():
        raise BadInputError(f"{folder} is not a sprintbal output folder (no report.json in it)")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(report, dict) or "schema_version" not in report or "clip" not in report:
        raise BadInputError(f"{path} is not a sprintbal report (no schema_version/clip)")
    return report


def load_saved(folder: Path) -> SavedAnalysis:
    """Load a clip's output folder written by :func:`sprintbal.report.outputs.write_outputs`.

    Parameters
    ----------
    folder : Path
        ``OUT/<clip-stem>/`` holding ``report.json``, ``landmarks.csv`` and, when kinematics ran,
        ``frames.csv``, ``steps.csv`` (and ``events.csv``).

    Returns
    -------
    SavedAnalysis
        The saved analysis.

    Raises
    ------
    BadInputError
        If the folder is not a sprintbal output folder or a file in it is unreadable (one line).
    """
    folder = Path(folder)
    report = _load_report(folder)
    files = report.get("files") or {}
    lm_path = folder / str(files.get("landmarks", "landmarks.csv"))
    if not lm_path.is_file():
        raise BadInputError(f"{folder} is not a complete sprintbal output folder (no {lm_path.name})")
    t, frame, xy, vis = _read_landmarks(lm_path)

    frames: dict[str, np.ndarray] = {}
    fpath = folder / str(files.get("frames", "frames.csv"))
    if fpath.is_file() and report.get("kinematics") is not None:
        frames = read_table(fpath)
    steps: dict[str, np.ndarray] = {}
    spath = folder / str(files.get("steps", "steps.csv"))
    if spath.is_file() and report.get("kinematics") is not None:
        steps = read_table(spath)

    raw_events: list[dict[str, Any]] = []
    bal = report.get("balance")
    if isinstance(bal, dict) and isinstance(bal.get("events"), list):
        raw_events = [e for e in bal["events"] if isinstance(e, dict)]
    else:
        epath = folder / str(files.get("events", "events.csv"))
        if epath.is_file() and bal is not None:
            try:
                with open(epath, encoding="utf-8", newline="") as fh:
                    lines = [ln for ln in fh if not ln.startswith("#")]
                raw_events = [dict(r) for r in csv.DictReader(lines)]
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise BadInputError(f"cannot read {epath}: {exc}") from exc
    events = tuple(sorted((normalise_event(e) for e in raw_events), key=lambda e: (e.start_s, e.end_s)))
    raw_uncertain = bal.get("uncertain_events") if isinstance(bal, dict) else None
    uncertain = tuple(
        sorted(
            (normalise_event(e) for e in (raw_uncertain or []) if isinstance(e, dict)),
            key=lambda e: (e.start_s, e.end_s),
        )
    )
    return SavedAnalysis(
        folder=folder,
        report=report,
        frames=frames,
        steps=steps,
        events=events,
        uncertain_events=uncertain,
        landmark_t=t,
        landmark_frame=frame,
        landmarks_xy=xy,
        landmark_visibility=vis,
    )
