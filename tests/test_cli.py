from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprintbal import __version__
from sprintbal.cli import app

runner = CliRunner(env={"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"})


def _one_line_error(result_output: str) -> str:
    lines = [ln for ln in result_output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, result_output
    assert lines[0].startswith("sprintbal: error: ")
    assert "Traceback" not in result_output
    return lines[0]


def test_help_and_version() -> None:
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "analyze" in res.output
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and __version__ in res.output
    res = runner.invoke(app, ["analyze", "-h"])
    assert res.exit_code == 0 and "--capture-fps" in res.output


def test_help_does_not_import_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from sprintbal.cli import app; "
        "CliRunner().invoke(app, ['--help']); "
        "bad = [m for m in ('mediapipe', 'cv2', 'av', 'scipy', 'rich') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing.mp4", "does not exist"),
        (lambda d: d, "folder"),
        (lambda d: _write(d / "empty.mp4", b""), "empty"),
        (lambda d: _write(d / "notes.mp4", b"just some text\n" * 50), "not a video"),
    ],
    ids=["missing", "folder", "zero-bytes", "text-named-mp4"],
)
def test_bad_input_is_one_line_error(tmp_path: Path, make, fragment: str) -> None:  # type: ignore[no-untyped-def]
    clip = make(tmp_path)
    out = tmp_path / "out"
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(out)])
    assert res.exit_code != 0
    line = _one_line_error(res.output)
    assert fragment in line.lower()
    # nothing half-written: no report for a clip that could not be read
    assert not list(out.rglob("report.json"))


def test_bad_option_value_is_one_line_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["analyze", str(tmp_path / "x.mp4"), "--sex", "other", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "sex" in _one_line_error(res.output)


def test_unwritable_output_is_one_line_error(tmp_path: Path) -> None:
    from tests.videogen import make_clip

    clip = make_clip(tmp_path / "c.mp4", n_frames=5, fps=30, size=(64, 48))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should go")
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(blocker), "--pose-only"])
    assert res.exit_code != 0
    assert "not writable" in _one_line_error(res.output)


@pytest.mark.video
def test_analyze_nobody_in_frame_succeeds_with_rate_zero(tmp_path: Path) -> None:
    from tests.videogen import make_clip

    clip = make_clip(tmp_path / "empty scene ü.mp4", n_frames=12, fps=30, size=(160, 120))
    out = tmp_path / "out"
    res = runner.invoke(app, ["analyze", str(clip), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["pose"]["detection_rate"] == 0.0
    assert report["pose"]["frames"] == 12
    assert any("Nobody was found" in n for n in report["notes"])
    folder = out / "empty scene ü"
    assert (folder / "report.json").is_file()
    assert (folder / "landmarks.csv").read_text().count("\n") == 13


@pytest.mark.video
def test_synth_command_writes_clip_and_truth(tmp_path: Path) -> None:
    from sprintbal.synth.truth import load_truth, truth_path
    from sprintbal.video import probe

    out = tmp_path / "s.mp4"
    res = runner.invoke(
        app,
        ["synth", str(out), "--fps", "30", "--duration", "0.5", "--width", "320", "--height", "180",
         "--perturb", "arm_drop_left:0.1:0.4", "--quiet"],
    )
    assert res.exit_code == 0, res.output
    info = probe(out)
    assert (info.width, info.height, info.frame_count) == (320, 180, 15)
    truth = load_truth(truth_path(out))
    assert truth.joints3d.shape == (15, 33, 3)
    assert [p["kind"] for p in truth.perturbations] == ["arm_drop_left"]


def test_synth_bad_option_is_one_line_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["synth", str(tmp_path / "s.mp4"), "--perturb", "bogus:1:2"])
    assert res.exit_code == 2
    assert "unknown perturbation" in _one_line_error(res.output)
    assert not list(tmp_path.iterdir())
