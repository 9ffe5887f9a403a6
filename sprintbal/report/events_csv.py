"""Balance tables: ``events.csv`` (one row per breakdown) and ``steps_balance.csv`` (one row per step).

Both files start with ``#`` comment lines stating units and sign conventions, then one header row.
Read them back with :func:`read_commented_csv` (or any CSV reader told to skip ``#`` lines, e.g.
``pandas.read_csv(path, comment="#")``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sprintbal.atomic import atomic_open

if TYPE_CHECKING:
    from sprintbal.balance import BalanceAssessment

#: Lines written (after "# ") at the top of both files.
CONVENTION_LINES: tuple[str, ...] = (
    "sprintbal rotational balance table",
    "times in seconds of real capture time; frames are 0-based indices into the clip's frames",
    "lab frame: X forward (runner's direction of travel), Y up, Z to the runner's right",
    "vertical axis = lab Y: H > 0 counter-clockwise seen from above (runner's right side moving forward)",
    "mediolateral axis = lab Z: H > 0 rotation taking forward toward up (backward pitch); H < 0 forward pitch",
    "camera view: counter-clockwise as seen from the camera iff sign(H_z) * direction > 0 "
    "(direction +1 = runner moving to image right)",
    "cancellation = 1 - |A + B| / (|A| + |B|) in [0, 1], magnitude-weighted; 1 = the two sides fully offset",
    "pairs: push side (stance leg + arms + trunk + head) vs swing side (swing leg) about the mediolateral axis;"
    " lower body (legs) vs upper body (arms + trunk + head) about the vertical axis",
    "_norm values are H / (M * h * sqrt(g * h)) (dimensionless); _kgm2s values are kg*m^2/s about the body COM",
    "scores 0-100 = 100 x step pair cancellation (overall: axis scores weighted by axis confidence)",
)

EVENT_COLUMNS: tuple[str, ...] = (
    "event",
    "axis",
    "start_frame",
    "end_frame",
    "start_t",
    "end_t",
    "duration_s",
    "step_number",
    "step_foot",
    "in_contact",
    "peak_frame",
    "peak_t",
    "peak_value",
    "peak_z",
    "peak_net_norm",
    "peak_net_kgm2s",
    "measure",
    "basis",
    "side",
    "opposed_side",
    "rotation_sign",
    "rotation",
    "rotation_camera",
    "changed_parts",
    "top_parts",
    "top_segments",
    "confidence",
    "explanation",
)

STEP_COLUMNS: tuple[str, ...] = (
    "step",
    "foot",
    "start_s",
    "end_s",
    "speed_mps",
    "score",
    "score_vertical",
    "score_mediolateral",
    "cancellation_vertical",
    "cancellation_mediolateral",
    "contact_cancellation_vertical",
    "contact_cancellation_mediolateral",
    "segment_cancellation_vertical",
    "segment_cancellation_mediolateral",
    "n_events",
)


def _f(v: float, digits: int = 6) -> str:
    v = float(v)
    return "" if not np.isfinite(v) else f"{v:.{digits}g}"


def _shares(items: tuple[tuple[str, float], ...]) -> str:
    return "; ".join(f"{name} {share:.2f}" for name, share in items)


def _write_comments(fh: Any, extra: tuple[str, ...] = ()) -> None:
    for line in (*CONVENTION_LINES, *extra):
        fh.write("# " + " ".join(line.split()) + "\n")


def write_events_csv(assessment: BalanceAssessment, path: Path) -> None:
    """Write one row per breakdown event (atomically), after ``#`` lines giving units and signs.

    Parameters
    ----------
    assessment : BalanceAssessment
        The clip's balance assessment.
    path : Path
        Target CSV (``events.csv``).

    Notes
    -----
    ``changed_parts`` holds ``"name ratio"`` pairs joined by ``"; "``: the parts the explanation names as
    what changed, with their momentum over the event relative to their usual value (0.69 = 69% of usual).
    ``top_parts`` / ``top_segments`` hold ``"name share"`` pairs the same way (share of what changed
    against the athlete's own steps, 0-1; see :class:`~sprintbal.balance.BreakdownEvent`).
    ``step_number`` is 1-based and empty when the event falls in no step. A clip with no events gets the
    comment lines, the header and no rows; a clip that was not assessed says so in a comment line.
    """
    extra = (
        f"status: {assessment.status}",
        f"running direction in the image: {assessment.direction:+d}",
        f"{len(assessment.uncertain_events)} further possible breakdowns had confidence below "
        f"{assessment.config.min_event_confidence:g} and are not listed (see report.json uncertain_events)",
    )
    with atomic_open(Path(path), "w") as fh:
        _write_comments(fh, extra)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(EVENT_COLUMNS)
        for k, e in enumerate(assessment.events, start=1):
            w.writerow(
                [
                    str(k),
                    e.axis,
                    str(e.start_frame),
                    str(e.end_frame),
                    f"{e.start_t:.4f}",
                    f"{e.end_t:.4f}",
                    f"{e.duration_s:.4f}",
                    str(e.step_index + 1) if e.step_index >= 0 else "",
                    e.step_foot,
                    "yes" if e.in_contact else "no",
                    str(e.peak_frame),
                    f"{e.peak_t:.4f}",
                    _f(e.peak_value, 4),
                    _f(e.peak_z, 4),
                    _f(e.peak_net_norm, 5),
                    _f(e.peak_net_si, 5),
                    e.measure,
                    e.basis,
                    e.side,
                    e.opposed_side,
                    str(e.rotation_sign),
                    e.rotation,
                    e.rotation_camera,
                    _shares(e.changed_parts),
                    _shares(e.top_parts),
                    _shares(e.top_segments),
                    f"{e.confidence:.3f}",
                    e.explanation,
                ]
            )


def write_steps_balance_csv(assessment: BalanceAssessment, path: Path) -> None:
    """Write one row per step (ground contact plus the flight after it): scores and cancellations.

    Parameters
    ----------
    assessment : BalanceAssessment
        The clip's balance assessment.
    path : Path
        Target CSV (e.g. ``steps_balance.csv``).
    """
    s = assessment.steps
    extra = (
        "step = contact number (1-based) from touchdown to the next touchdown; speed from steps.csv",
        f"left-foot mean score {_f(assessment.left_score, 4) or 'unknown'}, right-foot "
        f"{_f(assessment.right_score, 4) or 'unknown'}, asymmetry {_f(assessment.asymmetry_pct, 3) or 'unknown'} % "
        "(100 * (left - right) / mean)",
    )
    with atomic_open(Path(path), "w") as fh:
        _write_comments(fh, extra)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(STEP_COLUMNS)
        for k in range(s.n):
            w.writerow(
                [
                    str(k + 1),
                    {0: "left", 1: "right"}.get(int(s.foot[k]), "unknown"),
                    _f(s.start_t[k]),
                    _f(s.end_t[k]),
                    _f(s.speed_mps[k], 4),
                    _f(s.score[k], 4),
                    _f(s.score_vertical[k], 4),
                    _f(s.score_mediolateral[k], 4),
                    _f(s.cancellation_vertical[k], 4),
                    _f(s.cancellation_mediolateral[k], 4),
                    _f(s.contact_cancellation_vertical[k], 4),
                    _f(s.contact_cancellation_mediolateral[k], 4),
                    _f(s.segment_cancellation_vertical[k], 4),
                    _f(s.segment_cancellation_mediolateral[k], 4),
                    str(int(s.n_events[k])),
                ]
            )


def read_commented_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV whose leading lines start with ``#`` into a list of row dicts.

    Parameters
    ----------
    path : Path
        ``events.csv`` or ``steps_balance.csv``.

    Returns
    -------
    list of dict
        One dict per data row, keyed by the header.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [dict(r) for r in csv.DictReader(lines)]
