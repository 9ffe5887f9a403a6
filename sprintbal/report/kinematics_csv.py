"""Per-frame and per-step kinematics tables (``frames.csv``, ``steps.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.kinematics.result import Kinematics
from sprintbal.report.landmarks_csv import CHUNK_ROWS, format_rows

PHASE_WORDS = {-1: "unknown", 0: "flight", 1: "left_contact", 2: "right_contact", 3: "double_contact"}
SIDE_WORDS = {-1: "unknown", 0: "left", 1: "right"}
GROUPS = ("push", "swing", "lower", "upper", "total")
AXES = (("vertical", 1), ("mediolateral", 2))


def _f(v: float, digits: int = 6) -> str:
    return "" if not np.isfinite(v) else f"{v:.{digits}g}"


def frame_columns() -> list[str]:
    """Return the column names of ``frames.csv`` (units in each name)."""
    cols = ["frame", "time_s", "phase", "push_side", "confidence", "com_x_m", "com_y_m", "com_z_m"]
    for axis, _ in AXES:
        for g in GROUPS:
            cols.append(f"H_{g}_{axis}_kgm2s")
        for g in GROUPS:
            cols.append(f"H_{g}_{axis}_norm")
    return cols


def write_frames_csv(kin: Kinematics, path: Path) -> None:
    """Write one row per frame: time, phase, push side, COM and group angular momenta.

    Lab frame: X forward (running direction), Y up, Z to the runner's right, metres.
    ``H_<group>_vertical`` is the component about Y (positive: counter-clockwise seen
    from above, the runner's right side moving forward); ``H_<group>_mediolateral``
    about Z (positive: rotation taking forward toward up, i.e. backward pitch).
    ``_kgm2s`` columns are kg*m^2/s about the whole-body centre of mass; ``_norm``
    columns are divided by M*h*sqrt(g*h) (dimensionless).

    Parameters
    ----------
    kin : Kinematics
        Kinematics of the clip.
    path : Path
        Target CSV.
    """
    groups = {g: np.asarray(getattr(kin.groups, g), dtype=float) for g in GROUPS}
    nf = kin.norm_factor if kin.norm_factor > 0 else np.nan
    n = kin.t.shape[0]
    formats = ["%.6f", "%.3g"] + ["%.5g"] * 3 + ["%.6g"] * (4 * len(GROUPS))
    phase_words = np.array([PHASE_WORDS.get(int(p), "unknown") for p in (-1, 0, 1, 2, 3)])
    side_words = np.array([SIDE_WORDS.get(int(s), "unknown") for s in (-1, 0, 1)])
    with atomic_open(path, "w") as fh:
        w = csv.writer(fh)
        w.writerow(frame_columns())
        for a in range(0, n, CHUNK_ROWS):  # chunks: no Python work per cell, flat memory
            b = min(n, a + CHUNK_ROWS)
            cols = [np.asarray(kin.t[a:b], float), np.asarray(kin.frame_confidence[a:b], float)]
            cols += [np.asarray(kin.com[a:b, k], float) for k in range(3)]
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                for _, ax in AXES:
                    cols += [groups[g][a:b, ax] for g in GROUPS]
                    cols += [groups[g][a:b, ax] / nf for g in GROUPS]
            lines = format_rows(np.stack(cols, axis=1), formats).splitlines()
            phase = np.asarray(kin.phase[a:b], dtype=int)
            side = np.asarray(kin.push_side[a:b], dtype=int)
            ph = phase_words[np.where((phase >= -1) & (phase <= 3), phase + 1, 0)]
            sd = side_words[np.where((side >= -1) & (side <= 1), side + 1, 0)]
            fh.write("".join(
                f"{i},{line[: line.index(',')]},{p},{s_},{line[line.index(',') + 1 :]}\r\n"
                for i, line, p, s_ in zip(range(a, b), lines, ph.tolist(), sd.tolist(), strict=True)
            ))


def step_columns() -> list[str]:
    """Return the column names of ``steps.csv``."""
    return [
        "step",
        "foot",
        "touchdown_s",
        "toeoff_s",
        "contact_s",
        "flight_s",
        "step_time_s",
        "step_length_m",
        "speed_mps",
        "timing_uncertainty_s",
    ]


def write_steps_csv(kin: Kinematics, path: Path) -> None:
    """Write one row per ground contact (times in seconds, lengths in metres, speed in m/s).

    Parameters
    ----------
    kin : Kinematics
        Kinematics of the clip.
    path : Path
        Target CSV.
    """
    s = kin.steps
    with atomic_open(path, "w") as fh:
        w = csv.writer(fh)
        w.writerow(step_columns())
        for i in range(s.n):
            w.writerow(
                [
                    str(i + 1),
                    SIDE_WORDS.get(int(s.foot[i]), "unknown"),
                    _f(s.touchdown_t[i]),
                    _f(s.toeoff_t[i]),
                    _f(s.contact_s[i], 4),
                    _f(s.flight_s[i], 4),
                    _f(s.step_s[i], 4),
                    _f(s.step_length_m[i], 4),
                    _f(s.speed_mps[i], 4),
                    _f(s.timing_uncertainty_s, 3),
                ]
            )
