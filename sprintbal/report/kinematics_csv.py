"""Per-frame and per-step kinematics tables (``frames.csv``, ``steps.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from sprintbal.atomic import atomic_open
from sprintbal.kinematics.result import Kinematics

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
    groups = {g: getattr(kin.groups, g) for g in GROUPS}
    nf = kin.norm_factor if kin.norm_factor > 0 else np.nan
    with atomic_open(path, "w") as fh:
        w = csv.writer(fh)
        w.writerow(frame_columns())
        for i in range(kin.t.shape[0]):
            row = [
                str(i),
                f"{kin.t[i]:.6f}",
                PHASE_WORDS.get(int(kin.phase[i]), "unknown"),
                SIDE_WORDS.get(int(kin.push_side[i]), "unknown"),
                _f(kin.frame_confidence[i], 3),
                *(_f(kin.com[i, k], 5) for k in range(3)),
            ]
            for _, ax in AXES:
                row += [_f(groups[g][i, ax]) for g in GROUPS]
                row += [_f(groups[g][i, ax] / nf) for g in GROUPS]
            w.writerow(row)


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
