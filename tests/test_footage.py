"""End-to-end runs of ``sprintbal analyze`` on the real clips in ../shared/footage (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sprintbal.cli import app
from sprintbal.report.schema import report_validator

runner = CliRunner(env={"COLUMNS": "120"})

pytestmark = [pytest.mark.video, pytest.mark.footage]


def _analyze(clip: Path, out: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(out), "--quiet", *extra])
    assert res.exit_code == 0, res.output
    report = json.loads((out / clip.stem / "report.json").read_text())
    assert [e.message for e in report_validator().iter_errors(report)] == []
    return report


def test_partial_visibility_sprint_end_to_end(footage_dir: Path, tmp_path: Path) -> None:
    clip = footage_dir / "sprint_female_side_sports2d_demo3.mp4"
    report = _analyze(clip, tmp_path)
    # MANIFEST: a bare mediapipe loop finds her in 70% of the 47 frames (she leaves the frame after ~32)
    assert report["clip"]["frame_count"] == 47
    assert abs(report["pose"]["detection_rate"] - 0.70) <= 0.02
    folder = tmp_path / clip.stem
    for name in ("landmarks.csv", "markers.trc", "frames.csv", "steps.csv", "events.csv", "report.html", "overlay.mp4"):
        assert (folder / name).is_file(), name
    conf = report["kinematics"]["axis_confidence"]
    assert 0 < conf["vertical"] < conf["mediolateral"] <= 1  # yaw from a side view is the weaker axis


def test_portrait_clip_landmarks_are_upright(footage_dir: Path, tmp_path: Path) -> None:
    from sprintbal.report.saved import load_saved

    clip = footage_dir / "treadmill_male_side_gaitlab.mp4"
    report = _analyze(clip, tmp_path, "--pose-only", "--no-overlay")
    assert (report["clip"]["width"], report["clip"]["height"]) == (720, 1280)
    assert report["pose"]["detection_rate"] >= 0.98
    xy = load_saved(tmp_path / clip.stem).landmarks_xy
    nose_y, ankle_y = xy[:, 0, 1], np.nanmean(xy[:, 27:29, 1], axis=1)
    ok = np.isfinite(nose_y) & np.isfinite(ankle_y)
    assert np.mean(nose_y[ok] < ankle_y[ok]) > 0.98  # y grows downward: head above feet
    assert np.nanmax(xy[..., 0]) <= 720 * 1.05 and np.nanmax(xy[..., 1]) <= 1280 * 1.05


def test_walking_control_invents_no_sprint(footage_dir: Path, tmp_path: Path) -> None:
    clip = footage_dir / "walk_jumpingjacks_sports2d_demo.mp4"
    report = _analyze(clip, tmp_path, "--no-overlay")
    assert report["kinematics"]["is_running"] is False
    assert report["kinematics"]["cadence_steps_per_min"] is None  # no cadence for a clip that is not running
    assert report["balance"]["events"] == []


def test_treadmill_headline_cadence_matches_hand_count(footage_dir: Path, tmp_path: Path) -> None:
    """The cadence the report, terminal and HTML show is the fitted one (169 spm, hand count 168.75), not
    60 / median step time (178 spm on this clip, where a few spurious short contacts split steps in two)."""
    from tests.test_compute_kinematics_video import hand_cadence_spm

    clip = footage_dir / "treadmill_male_side_gaitlab.mp4"
    report = _analyze(clip, tmp_path, "--no-overlay")
    kin = report["kinematics"]
    assert kin["cadence_steps_per_min"] == pytest.approx(hand_cadence_spm(), rel=0.02)
    assert kin["cadence_steps_per_min"] == pytest.approx(kin["info"]["cadence_spm"])
    assert 0 < kin["cadence_uncertainty_steps_per_min"] < 5


def test_sprint_start_is_running_with_alternating_contacts(footage_dir: Path, tmp_path: Path) -> None:
    """The first steps out of the blocks (30 fps, static camera a few metres away): the far foot's ground
    sits 6 cm higher in the image than the near foot's, and its contacts must still be found."""
    clip = footage_dir / "sprint_start_side_hato72_a3.mp4"
    report = _analyze(clip, tmp_path, "--no-overlay")
    kin = report["kinematics"]
    assert kin["is_running"] is True, kin["running_reason"]
    feet = [line.split(",")[1] for line in (tmp_path / clip.stem / "steps.csv").read_text().splitlines()[1:]]
    assert feet.count("right") >= 2 and feet.count("left") >= 2
    assert 180 <= kin["cadence_steps_per_min"] <= 300  # first steps of a sprint: about 3.5-4.5 steps/s
    # the set position before the start is not taken for steps
    assert any("hips travel" in note for note in kin["info"]["notes"])
