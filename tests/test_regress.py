from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sprintbal.cli import app
from sprintbal.errors import BadInputError, ConfigError
from sprintbal.regress import (
    DEFAULT_TOLERANCES,
    Tolerance,
    collect_metrics,
    compare,
    extract_metrics,
    load_baseline,
    load_tolerances,
    tolerance_for,
    write_baseline,
    write_junit,
)

runner = CliRunner(env={"COLUMNS": "160", "TERM": "dumb", "NO_COLOR": "1"})


def _report(cadence: float = 240.0, score: float = 80.0, events: int = 2) -> dict[str, Any]:
    return {
        "pose": {"frames": 120, "detection_rate": 0.95},
        "kinematics": {
            "n_contacts": 8,
            "cadence_steps_per_min": cadence,
            "median_contact_s": 0.105,
            "median_flight_s": None,
            "mean_frame_confidence": 0.7,
            "group_momentum_ranges": {"push": {"vertical": {"min_kgm2s": -3.0, "max_kgm2s": 2.0},
                                               "mediolateral": {"min_kgm2s": None, "max_kgm2s": None}}},
        },
        "balance": {
            "events": [{}] * events,
            "scores": {"overall": score, "vertical": 70.0, "mediolateral": None, "asymmetry_pct": 4.0},
            "axes": {"vertical": {"max_abs_net_norm": 0.02}},
        },
    }


def test_extract_metrics_known_values_and_absent_sections() -> None:
    m = extract_metrics(_report())
    assert m["frames"] == 120 and m["detection_rate"] == 0.95
    assert m["n_contacts"] == 8 and m["cadence_steps_per_min"] == 240.0 and m["median_flight_s"] is None
    assert m["peak_push_vertical_kgm2s"] == 3.0 and m["peak_push_mediolateral_kgm2s"] is None
    assert m["events_count"] == 2 and m["balance_score"] == 80.0 and m["balance_score_vertical"] == 70.0
    assert m["balance_score_mediolateral"] is None and m["balance_asymmetry_pct"] == 4.0
    assert m["max_abs_net_norm_vertical"] == 0.02
    pose_only = extract_metrics({"pose": {"frames": 10, "detection_rate": 0.0}, "kinematics": None, "balance": None})
    assert pose_only == {"frames": 10.0, "detection_rate": 0.0}
    assert extract_metrics({}) == {}


def test_tolerance_lookup_and_allowance() -> None:
    assert tolerance_for("cadence_steps_per_min", DEFAULT_TOLERANCES) == Tolerance(2.0, 0.02)
    assert tolerance_for("balance_score_vertical", DEFAULT_TOLERANCES) == DEFAULT_TOLERANCES["balance_score*"]
    assert tolerance_for("peak_swing_vertical_kgm2s", DEFAULT_TOLERANCES) == DEFAULT_TOLERANCES["peak_*"]
    assert Tolerance(2.0, 0.02).allowed(240.0) == pytest.approx(4.8)
    assert Tolerance(2.0, 0.02).allowed(50.0) == 2.0


def test_compare_within_and_beyond_tolerance() -> None:
    base = {"clips": {"a": extract_metrics(_report()), "gone": {"frames": 1.0}}}
    within = {"clips": {"a": extract_metrics(_report(cadence=244.5)), "fresh": {"frames": 3.0}}}
    res = compare(base, within)
    assert res.failed_clips == ["gone"] and res.missing_clips == ["gone"] and res.new_clips == ["fresh"]
    assert all(r.ok for r in res.rows)
    row = next(r for r in res.rows if r.metric == "cadence_steps_per_min")
    assert row.delta == pytest.approx(4.5) and row.allowed == pytest.approx(4.8)

    beyond = compare(base, {"clips": {"a": extract_metrics(_report(cadence=250.0, events=5)), "gone": {"frames": 1}}})
    assert beyond.failed_clips == ["a"] and not beyond.ok
    bad = {r.metric: r for r in beyond.failures("a")}
    assert set(bad) == {"cadence_steps_per_min", "events_count"}
    assert bad["cadence_steps_per_min"].describe() == "cadence_steps_per_min 240 -> 250 (delta +10, allowed 4.8)"

    # a value becoming unknown drifts; unknown on both sides is fine; a metric gone missing fails
    now = extract_metrics(_report())
    now["balance_score"] = None
    del now["n_contacts"]
    res = compare(base, {"clips": {"a": now, "gone": {"frames": 1.0}}})
    status = {r.metric: r.status for r in res.failures("a")}
    assert status == {"balance_score": "drift", "n_contacts": "missing"}


def test_tolerances_from_toml(tmp_path: Path) -> None:
    f = tmp_path / "tol.toml"
    f.write_text('[tolerances]\ncadence_steps_per_min = {abs = 20, rel = 0}\n"peak_*" = {rel = 0.5}\nframes = 3\n')
    tols = load_tolerances(f)
    assert tols["cadence_steps_per_min"] == Tolerance(20.0, 0.0)
    assert tolerance_for("peak_upper_vertical_kgm2s", tols) == Tolerance(0.0, 0.5)
    assert tols["frames"] == Tolerance(3.0, 0.0) and tols["median_contact_s"] == DEFAULT_TOLERANCES["median_contact_s"]
    base = {"a": {"cadence_steps_per_min": 240.0}}
    assert compare(base, {"a": {"cadence_steps_per_min": 255.0}}, tols).ok
    f.write_text("[tolerances]\ncadence_steps_per_min = {abs = -1}\n")
    with pytest.raises(ConfigError, match="non-negative"):
        load_tolerances(f)
    f.write_text("[tolerances\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_tolerances(f)


def test_junit_xml_counts_failures(tmp_path: Path) -> None:
    base = {"a": extract_metrics(_report()), "b": extract_metrics(_report()), "c": {"frames": 1.0}}
    cur = {"a": extract_metrics(_report(score=60.0)), "b": extract_metrics(_report()), "d": {"frames": 2.0}}
    path = tmp_path / "junit.xml"
    write_junit(compare(base, cur), path)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"a", "b", "c", "d"}
    fail_a = cases["a"].find("failure")
    assert fail_a is not None and "balance_score" in (fail_a.get("message") or "")
    assert "80 -> 60" in (fail_a.text or "")
    assert cases["b"].find("failure") is None and cases["d"].find("skipped") is not None
    assert cases["c"].find("failure") is not None


def test_baseline_round_trip_and_errors(tmp_path: Path) -> None:
    doc = write_baseline(tmp_path / "base.json", {"clips": {"a": {"frames": 3.0}}})
    assert doc["sprintbal_version"] and load_baseline(tmp_path / "base.json")["clips"] == {"a": {"frames": 3.0}}
    with pytest.raises(BadInputError, match="does not exist"):
        load_baseline(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(BadInputError, match="clips"):
        load_baseline(tmp_path / "bad.json")


def _batch_out(root: Path) -> Path:
    out = root / "out"
    for name in ("sprint1", "sprint2"):
        (out / name).mkdir(parents=True)
        (out / name / "report.json").write_text(json.dumps(_report()))
    (out / "summary.csv").write_text("clip\n")
    return out


def test_cli_regress_update_pass_then_drift(tmp_path: Path) -> None:
    out = _batch_out(tmp_path)
    baseline = tmp_path / "baseline.json"
    res = runner.invoke(app, ["regress", str(out), "--baseline", str(baseline)])
    assert res.exit_code == 2 and "does not exist" in res.output and len(res.output.strip().splitlines()) == 1

    res = runner.invoke(app, ["regress", str(out), "--baseline", str(baseline), "--update"])
    assert res.exit_code == 0 and "2 clips" in res.output
    assert set(json.loads(baseline.read_text())["clips"]) == {"sprint1", "sprint2"}

    junit = tmp_path / "junit.xml"
    res = runner.invoke(app, ["regress", str(out), "--baseline", str(baseline), "--junit", str(junit)])
    assert res.exit_code == 0, res.output
    assert "regress: ok" in res.output
    assert ET.parse(junit).getroot().find("testsuite").get("failures") == "0"  # type: ignore[union-attr]

    report = json.loads((out / "sprint2" / "report.json").read_text())
    report["kinematics"]["cadence_steps_per_min"] = 262.0
    (out / "sprint2" / "report.json").write_text(json.dumps(report))
    res = runner.invoke(app, ["regress", str(out), "--baseline", str(baseline), "--junit", str(junit)])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if "cadence_steps_per_min" in ln]
    assert len(lines) == 1 and "sprint2" in lines[0] and "240" in lines[0] and "262" in lines[0]
    assert "DRIFT" in lines[0] and "+22" in lines[0]
    assert "FAILED, 1 of 2 clips drifted or missing: sprint2" in res.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"

    tol = tmp_path / "tol.toml"
    tol.write_text("[tolerances]\ncadence_steps_per_min = {abs = 30}\n")
    res = runner.invoke(app, ["regress", str(out), "--baseline", str(baseline), "--tolerances", str(tol), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["ok"] is True


def test_collect_metrics_reads_batch_folder(tmp_path: Path) -> None:
    out = _batch_out(tmp_path)
    (out / "broken").mkdir()
    (out / "broken" / "report.json").write_text("{not json")
    got = collect_metrics(out)
    assert list(got["clips"]) == ["sprint1", "sprint2"]
    assert collect_metrics(out / "sprint1")["clips"].keys() == {"sprint1"}
    # the latest batch failed on sprint2: its old report.json does not count
    (out / "summary.json").write_text(json.dumps({"clips": [
        {"clip": "a.mp4", "status": "ok", "output_folder": str(out / "sprint1")},
        {"clip": "b.mp4", "status": "failed", "output_folder": str(out / "sprint2")},
    ]}))
    assert list(collect_metrics(out)["clips"]) == ["sprint1"]
