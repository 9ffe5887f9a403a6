from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprintbal.cli import app
from sprintbal.report.schema import report_validator

runner = CliRunner(env={"COLUMNS": "120"})


def test_schemas_are_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    from sprintbal.report.schema import BALANCE_SCHEMA, REPORT_SCHEMA

    for path in (REPORT_SCHEMA, BALANCE_SCHEMA):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_schema_rejects_a_broken_report() -> None:
    v = report_validator()
    assert list(v.iter_errors({"schema_version": "1.0"}))  # missing everything


@pytest.mark.video
def test_real_reports_validate(tmp_path: Path) -> None:
    from tests.videogen import make_clip

    clip = make_clip(tmp_path / "grey.mp4", n_frames=12, fps=30, size=(160, 120))
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "o"), "--quiet", "--no-overlay"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "o" / "grey" / "report.json").read_text())
    errors = [e.message for e in report_validator().iter_errors(report)]
    assert errors == []


@pytest.mark.video
def test_sample_clip_report_validates(tmp_path: Path) -> None:
    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "sprint_breakdown_armdrop_side_60fps.mp4"
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(tmp_path), "--quiet", "--no-overlay"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / clip.stem / "report.json").read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in report_validator().iter_errors(report)]
    assert errors == []
    assert report["kinematics"]["is_running"] is True
    assert report["balance"]["assessed"] is True
