"""Regression checks for CI: key metrics per clip, baselines, tolerances, a diff and JUnit XML.

A *metrics set* is ``{"clips": {name: {metric: value}}}`` where ``name`` is a clip's output
folder name in a batch output folder and ``value`` a float or None (unknown). A *baseline file*
is a metrics set plus ``"sprintbal_version"`` (and ``"created_utc"``), written atomically.

A metric drifts when ``|current - baseline| > max(abs, rel * |baseline|)`` for its
:class:`Tolerance`; a value that became unknown (or known) also drifts. Clips in the baseline
but absent now fail; clips with no baseline are reported as new and do not fail.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sprintbal import __version__
from sprintbal.errors import BadInputError, ConfigError
from sprintbal.jsonable import dig

MetricValue = float | None


@dataclass(frozen=True)
class Tolerance:
    """Allowed drift of one metric: ``max(abs, rel * |baseline|)``.

    Attributes
    ----------
    abs : float
        Absolute allowance, in the metric's unit.
    rel : float
        Relative allowance, a fraction of the baseline's magnitude.
    """

    abs: float = 0.0
    rel: float = 0.0

    def allowed(self, baseline: float) -> float:
        """Return the largest allowed ``|current - baseline|``."""
        return max(self.abs, self.rel * abs(baseline))


#: Default tolerances: exact metric names first, then glob patterns (first match wins).
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "frames": Tolerance(abs=0),
    "detection_rate": Tolerance(abs=0.02),
    "n_contacts": Tolerance(abs=1),
    "cadence_steps_per_min": Tolerance(abs=2.0, rel=0.02),
    "median_contact_s": Tolerance(abs=0.01, rel=0.05),
    "median_flight_s": Tolerance(abs=0.01, rel=0.05),
    "median_step_time_s": Tolerance(abs=0.01, rel=0.03),
    "median_step_length_m": Tolerance(abs=0.05, rel=0.05),
    "median_speed_mps": Tolerance(abs=0.2, rel=0.05),
    "mean_frame_confidence": Tolerance(abs=0.05),
    "events_count": Tolerance(abs=1),
    "balance_score*": Tolerance(abs=3.0),
    "balance_asymmetry_pct": Tolerance(abs=5.0),
    "peak_*": Tolerance(abs=0.5, rel=0.10),
    "max_abs_net_norm_*": Tolerance(abs=0.005, rel=0.10),
    "*": Tolerance(abs=0.0, rel=0.05),
}


def _num(value: Any) -> MetricValue:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def extract_metrics(report: dict[str, Any]) -> dict[str, MetricValue]:
    """Pick the key metrics of one clip out of its ``report.json`` (absent sections are skipped).

    Parameters
    ----------
    report : dict
        The parsed ``report.json``.

    Returns
    -------
    dict of str to float or None
        ``frames``, ``detection_rate``; with kinematics ``n_contacts``, ``cadence_steps_per_min``,
        ``median_contact_s``, ``median_flight_s``, ``median_step_time_s``, ``median_step_length_m``,
        ``median_speed_mps``, ``mean_frame_confidence`` and ``peak_<group>_<axis>_kgm2s`` (largest
        magnitude of each group's angular momentum); with balance ``events_count``,
        ``balance_score`` (and ``_vertical``, ``_mediolateral``, ``_left_foot``, ``_right_foot``),
        ``balance_asymmetry_pct`` and ``max_abs_net_norm_<axis>``. None where the report says unknown.
    """
    out: dict[str, MetricValue] = {}
    pose = report.get("pose")
    if isinstance(pose, dict):
        out["frames"] = _num(pose.get("frames"))
        out["detection_rate"] = _num(pose.get("detection_rate"))
    kin = report.get("kinematics")
    if isinstance(kin, dict):
        for name in ("n_contacts", "cadence_steps_per_min", "median_contact_s", "median_flight_s",
                     "median_step_time_s", "median_step_length_m", "median_speed_mps", "mean_frame_confidence"):
            if name in kin:
                out[name] = _num(kin.get(name))
        groups = kin.get("group_momentum_ranges")
        if isinstance(groups, dict):
            for group, axes in sorted(groups.items()):
                if not isinstance(axes, dict):
                    continue
                for axis, rng in sorted(axes.items()):
                    lo, hi = _num(dig(rng, "min_kgm2s")), _num(dig(rng, "max_kgm2s"))
                    vals = [abs(v) for v in (lo, hi) if v is not None]
                    out[f"peak_{group}_{axis}_kgm2s"] = max(vals) if vals else None
    bal = report.get("balance")
    if isinstance(bal, dict):
        events = bal.get("events")
        out["events_count"] = float(len(events)) if isinstance(events, list) else None
        scores = bal.get("scores")
        if isinstance(scores, dict):
            for key, value in scores.items():
                name = "balance_score" if key == "overall" else (
                    "balance_asymmetry_pct" if key == "asymmetry_pct" else f"balance_score_{key}")
                out[name] = _num(value)
        axes = bal.get("axes")
        if isinstance(axes, dict):
            for axis, info in sorted(axes.items()):
                if isinstance(info, dict) and "max_abs_net_norm" in info:
                    out[f"max_abs_net_norm_{axis}"] = _num(info.get("max_abs_net_norm"))
    return out


def _failed_in_summary(folder: Path) -> set[str]:
    """Output-folder names the batch summary (``summary.json``) records as failed."""
    try:
        rows = json.loads((folder / "summary.json").read_text(encoding="utf-8")).get("clips", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {
        Path(str(r.get("output_folder", ""))).name for r in rows if isinstance(r, dict) and r.get("status") == "failed"
    }


def collect_metrics(folder: Path) -> dict[str, Any]:
    """Read every ``<folder>/<name>/report.json`` (a batch output folder) into a metrics set.

    Parameters
    ----------
    folder : Path
        A batch output folder (or one clip's output folder holding ``report.json``). Clips the
        folder's ``summary.json`` records as failed are left out (their report is from an older run).

    Returns
    -------
    dict
        ``{"clips": {name: {metric: value}}}``, names sorted.

    Raises
    ------
    BadInputError
        If ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError(f"{folder}: no such folder")
    reports = [folder / "report.json"] if (folder / "report.json").is_file() else sorted(folder.glob("*/report.json"))
    failed = _failed_in_summary(folder)
    clips: dict[str, dict[str, MetricValue]] = {}
    for path in reports:
        if path.parent.name in failed:
            continue  # the latest batch failed on this clip: its report.json is from an older run
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a clip whose report is unreadable counts as missing
        if isinstance(report, dict):
            clips[path.parent.name] = extract_metrics(report)
    return {"clips": dict(sorted(clips.items()))}


def load_tolerances(path: Path | None) -> dict[str, Tolerance]:
    """Return the default tolerances overridden by a TOML file's ``[tolerances]`` table.

    Parameters
    ----------
    path : Path or None
        A TOML file such as ``[tolerances]`` / ``cadence_steps_per_min = {abs = 2, rel = 0.02}``;
        a bare number means an absolute tolerance. Keys may be glob patterns (``"peak_*"``).

    Returns
    -------
    dict of str to Tolerance
        Exact names and patterns; file entries come first.

    Raises
    ------
    ConfigError
        On an unreadable file or an invalid entry.
    """
    if path is None:
        return dict(DEFAULT_TOLERANCES)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read tolerances {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"tolerances {path} is not valid TOML: {exc}") from exc
    table = data.get("tolerances")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: no [tolerances] table")
    mine: dict[str, Tolerance] = {}
    for name, spec in table.items():
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"abs": spec}
        if not isinstance(spec, dict) or set(spec) - {"abs", "rel"}:
            raise ConfigError(f"{path}: tolerance {name} must be a number or {{abs = ..., rel = ...}}")
        a, r = spec.get("abs", 0.0), spec.get("rel", 0.0)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in (a, r)):
            raise ConfigError(f"{path}: tolerance {name} needs non-negative numbers")
        mine[name] = Tolerance(abs=float(a), rel=float(r))
    return {**mine, **{k: v for k, v in DEFAULT_TOLERANCES.items() if k not in mine}}


def tolerance_for(metric: str, tolerances: dict[str, Tolerance]) -> Tolerance:
    """Return the tolerance of ``metric``: its exact entry, else the first matching pattern, else none."""
    if metric in tolerances:
        return tolerances[metric]
    for pattern, tol in tolerances.items():
        if any(ch in pattern for ch in "*?[") and fnmatch.fnmatchcase(metric, pattern):
            return tol
    return Tolerance()


RowStatus = Literal["ok", "drift", "missing", "new"]


@dataclass(frozen=True)
class MetricRow:
    """One metric of one clip, baseline against current.

    Attributes
    ----------
    clip, metric : str
        Clip (output folder name) and metric.
    baseline, current : float or None
        Values (None: unknown or absent).
    delta : float or None
        ``current - baseline`` when both are known.
    allowed : float or None
        Largest allowed ``|delta|`` (None when there is no baseline value to scale).
    status : {"ok", "drift", "missing", "new"}
        ``missing``: in the baseline, absent now; ``new``: absent from the baseline.
    """

    clip: str
    metric: str
    baseline: MetricValue
    current: MetricValue
    delta: MetricValue
    allowed: MetricValue
    status: RowStatus

    @property
    def ok(self) -> bool:
        """Whether this row passes (new metrics pass)."""
        return self.status in ("ok", "new")

    def describe(self) -> str:
        """Return one line such as ``cadence_steps_per_min 180 -> 190 (delta +10, allowed 3.6)``."""
        def f(v: MetricValue) -> str:
            return "unknown" if v is None else f"{v:.6g}"

        if self.status == "missing":
            return f"{self.metric} {f(self.baseline)} -> absent"
        tail = f" (delta {self.delta:+.4g}, allowed {self.allowed:.4g})" if self.delta is not None and \
            self.allowed is not None else ""
        return f"{self.metric} {f(self.baseline)} -> {f(self.current)}{tail}"


@dataclass
class RegressResult:
    """The comparison of a current run with a baseline.

    Attributes
    ----------
    rows : list of MetricRow
        Every metric of every clip present in both.
    missing_clips : list of str
        In the baseline, absent now (failures).
    new_clips : list of str
        Absent from the baseline (reported, not failures).
    """

    rows: list[MetricRow] = field(default_factory=list)
    missing_clips: list[str] = field(default_factory=list)
    new_clips: list[str] = field(default_factory=list)

    @property
    def clips(self) -> list[str]:
        """All clip names, sorted."""
        return sorted({r.clip for r in self.rows} | set(self.missing_clips) | set(self.new_clips))

    def failures(self, clip: str) -> list[MetricRow]:
        """Return the failing rows of ``clip``."""
        return [r for r in self.rows if r.clip == clip and not r.ok]

    @property
    def failed_clips(self) -> list[str]:
        """Clips with drifted or missing metrics, or missing altogether."""
        bad = {r.clip for r in self.rows if not r.ok} | set(self.missing_clips)
        return sorted(bad)

    @property
    def ok(self) -> bool:
        """True when nothing drifted and no clip is missing."""
        return not self.failed_clips

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "ok": self.ok,
            "failed_clips": self.failed_clips,
            "missing_clips": self.missing_clips,
            "new_clips": self.new_clips,
            "rows": [
                {"clip": r.clip, "metric": r.metric, "baseline": r.baseline, "current": r.current,
                 "delta": r.delta, "allowed": r.allowed, "status": r.status}
                for r in self.rows
            ],
        }


def _clips(metrics: dict[str, Any]) -> dict[str, dict[str, MetricValue]]:
    clips = metrics.get("clips", metrics) if isinstance(metrics, dict) else {}
    return {str(k): dict(v) for k, v in clips.items() if isinstance(v, dict)}


def compare(baseline: dict[str, Any], current: dict[str, Any],
            tolerances: dict[str, Tolerance] | None = None) -> RegressResult:
    """Compare a current metrics set with a baseline.

    Parameters
    ----------
    baseline, current : dict
        Metrics sets ``{"clips": {name: {metric: value}}}`` (a bare ``{name: {...}}`` works too).
    tolerances : dict of str to Tolerance or None
        Per metric (exact names or glob patterns); None uses :data:`DEFAULT_TOLERANCES`.

    Returns
    -------
    RegressResult
        Per clip per metric rows, missing and new clips.
    """
    tols = DEFAULT_TOLERANCES if tolerances is None else tolerances
    base, cur = _clips(baseline), _clips(current)
    result = RegressResult(missing_clips=sorted(set(base) - set(cur)), new_clips=sorted(set(cur) - set(base)))
    for clip in sorted(set(base) & set(cur)):
        b_metrics, c_metrics = base[clip], cur[clip]
        for metric in sorted(set(b_metrics) | set(c_metrics)):
            b, c = _num(b_metrics.get(metric)), _num(c_metrics.get(metric))
            if metric not in c_metrics:
                result.rows.append(MetricRow(clip, metric, b, None, None, None, "missing"))
                continue
            if metric not in b_metrics:
                result.rows.append(MetricRow(clip, metric, None, c, None, None, "new"))
                continue
            if b is None or c is None:
                status: RowStatus = "ok" if b is None and c is None else "drift"
                result.rows.append(MetricRow(clip, metric, b, c, None, None, status))
                continue
            allowed = tolerance_for(metric, tols).allowed(b)
            delta = c - b
            # a tiny epsilon so that a value exactly at the limit passes despite float rounding
            status = "ok" if abs(delta) <= allowed * (1 + 1e-9) + 1e-12 else "drift"
            result.rows.append(MetricRow(clip, metric, b, c, delta, allowed, status))
    return result


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a baseline file.

    Raises
    ------
    BadInputError
        If it is missing or not a baseline.
    """
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"baseline {path} does not exist (create it with --update)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("clips"), dict):
        raise BadInputError(f"baseline {path} has no \"clips\" table")
    return data


def write_baseline(path: Path, metrics: dict[str, Any]) -> dict[str, Any]:
    """Write a metrics set as a baseline file, atomically, and return what was written."""
    from sprintbal.report.jsonutil import write_json

    doc = {
        "sprintbal_version": __version__,
        "created_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clips": _clips(metrics),
    }
    write_json(Path(path), doc)
    return doc


def write_junit(result: RegressResult, path: Path, suite: str = "sprintbal.regress") -> None:
    """Write JUnit XML: one testcase per clip; a failure lists its drifted metrics; new clips are skipped.

    Parameters
    ----------
    result : RegressResult
        The comparison.
    path : Path
        Output ``.xml`` file (written atomically).
    suite : str
        Test-suite name.
    """
    import xml.etree.ElementTree as ET

    from sprintbal.atomic import write_text_atomic

    clips = result.clips
    failed = set(result.failed_clips)
    root = ET.Element("testsuites", name=suite, tests=str(len(clips)), failures=str(len(failed)), errors="0")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(clips)), failures=str(len(failed)),
                       errors="0", skipped=str(len(result.new_clips)))
    for clip in clips:
        case = ET.SubElement(ts, "testcase", classname=suite, name=clip)
        if clip in result.missing_clips:
            el = ET.SubElement(case, "failure", message="clip missing from the current run", type="missing")
            el.text = f"{clip}: in the baseline but no report.json was found"
        elif clip in failed:
            bad = result.failures(clip)
            el = ET.SubElement(case, "failure", type="drift",
                               message=f"{len(bad)} metric(s) drifted: " + ", ".join(r.metric for r in bad))
            el.text = "\n".join(r.describe() for r in bad)
        elif clip in result.new_clips:
            ET.SubElement(case, "skipped", message="no baseline for this clip")
    ET.indent(root)
    write_text_atomic(Path(path), '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
                      + "\n")
