"""CI regression gate: the bundled sample clips against the committed baseline.

Refresh the baseline after an intended change of results with
``sprintbal batch sample_videos --out OUT`` then
``sprintbal regress OUT --baseline tests/baselines/sample_videos.json --update``
and say why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprintbal.cli import app

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "tests" / "baselines" / "sample_videos.json"

runner = CliRunner(env={"COLUMNS": "160"})


@pytest.mark.video
def test_sample_clips_match_committed_baseline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(REPO / "sample_videos"), "--out", str(out), "--jobs", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    junit = tmp_path / "regress.xml"
    res = runner.invoke(app, ["regress", str(out), "--baseline", str(BASELINE), "--junit", str(junit)])
    assert res.exit_code == 0, res.output
    assert junit.is_file()
