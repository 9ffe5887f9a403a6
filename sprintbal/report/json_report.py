"""``report.json``: clip facts, detection, options, version, kinematics and balance summaries."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.kinematics.result import Kinematics
from sprintbal.report.jsonutil import write_json
from sprintbal.result import AnalysisResult

REPORT_SCHEMA_VERSION = "1.0"

CONVENTIONS = {
    "time": "seconds of real capture time from the first decoded frame",
    "image": "pixels of the upright frame, x right, y down, origin top-left",
    "lab_frame": "metres; X forward (the runner's direction of travel), Y up, Z to the runner's right",
    "angular_momentum": "kg*m^2/s about the whole-body centre of mass, components on the lab axes",
    "normalised_angular_momentum": "H / (M * h * sqrt(g * h)), dimensionless; M body mass, h height, g 9.81 m/s^2",
    "vertical_axis_sign": "H about Y > 0: counter-clockwise seen from above (the runner's right side moving forward)",
    "mediolateral_axis_sign": "H about Z > 0: rotation taking forward toward up (backward pitch; swing thigh flexing)",
    "push_side": "the stance leg; in flight, set by kinematics.flight_push_rule",
    "groups": {
        "push": "stance leg + both arms + trunk + head",
        "swing": "swing leg (thigh, shank, foot)",
        "lower": "both legs",
        "upper": "arms + trunk + head",
    },
}


def _stat(x: np.ndarray) -> float | None:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else None


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def kinematics_summary(kin: Kinematics) -> dict[str, Any]:
    """Summarise the kinematics for the report (medians over steps, group momentum ranges).

    Parameters
    ----------
    kin : Kinematics
        Kinematics of the clip.

    Returns
    -------
    dict
        JSON-ready summary.
    """
    s = kin.steps
    groups: dict[str, Any] = {}
    for name in ("push", "swing", "lower", "upper", "total"):
        h = getattr(kin.groups, name)
        groups[name] = {
            axis: {
                "min_kgm2s": float(np.nanmin(h[:, ax])) if np.isfinite(h[:, ax]).any() else None,
                "max_kgm2s": float(np.nanmax(h[:, ax])) if np.isfinite(h[:, ax]).any() else None,
            }
            for axis, ax in (("vertical", 1), ("mediolateral", 2))
        }
    return {
        "is_running": kin.is_running,
        "running_reason": kin.running_reason,
        "n_contacts": s.n,
        # the kinematics stage's cadence (a line through all touchdowns: robust to a missed or an extra
        # contact, unlike 60 / median step time); none for a clip that does not show running
        "cadence_steps_per_min": _finite(kin.info.get("cadence_spm")) if kin.is_running else None,
        "cadence_uncertainty_steps_per_min": (
            _finite(kin.info.get("cadence_uncertainty_spm")) if kin.is_running else None
        ),
        "median_contact_s": _stat(s.contact_s),
        "median_flight_s": _stat(s.flight_s),
        "median_step_time_s": _stat(s.step_s),
        "median_step_length_m": _stat(s.step_length_m),
        "median_speed_mps": _stat(s.speed_mps),
        "timing_uncertainty_s": s.timing_uncertainty_s,
        "norm_factor_kgm2s": kin.norm_factor,
        "axis_confidence": kin.axis_confidence,
        "mean_frame_confidence": _stat(kin.frame_confidence),
        "group_momentum_ranges": groups,
        "info": kin.info,
    }


def build_report(result: AnalysisResult, files: dict[str, str] | None = None) -> dict[str, Any]:
    """Assemble the report dictionary.

    Parameters
    ----------
    result : AnalysisResult
        The analysis.
    files : dict or None
        Output files written beside the report (role -> file name).

    Returns
    -------
    dict
        The report (JSON-ready after :func:`sprintbal.report.jsonutil.to_jsonable`).
    """
    track = result.track
    report: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "sprintbal_version": result.version,
        "generated_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clip": {
            "name": result.clip.name,
            "path": str(result.clip),
            "sha256": result.clip_sha256,
            **result.video.to_dict(),
        },
        "pose": {
            "model": track.model,
            "frames": track.n_frames,
            "detected_frames": int(track.detected.sum()),
            "detection_rate": track.detection_rate,
            "from_cache": result.pose_cached,
        },
        "config": result.config.to_dict(),
        "conventions": CONVENTIONS,
        "kinematics": kinematics_summary(result.kinematics) if result.kinematics is not None else None,
        "balance": result.balance.to_dict() if result.balance is not None else None,
        "timings_s": result.timings_s,
        "notes": list(result.notes),
        "files": files or {},
    }
    return report


def write_report_json(
    result: AnalysisResult, path: Path, files: dict[str, str] | None = None, *, run_key: str | None = None
) -> dict[str, Any]:
    """Write ``report.json`` atomically and return the report dictionary.

    ``run_key`` (the hash of the options that made it, for batch resume) is added when given.
    """
    report = build_report(result, files)
    if run_key is not None:
        report["run_key"] = run_key
    write_json(path, report)
    return report
