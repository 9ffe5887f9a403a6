"""Shared fixtures: paths to ../shared (skipping with a reason when absent) and isolated caches."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FOOTAGE = SHARED / "footage"
MODELS = SHARED / "models"
MOCAP = SHARED / "mocap" / "deepmimic_run"
SAMPLES = REPO / "sample_videos"


@pytest.fixture
def footage_dir() -> Path:
    """The real clips in ../shared/footage; skips when absent (a fresh clone elsewhere)."""
    if not FOOTAGE.is_dir():
        pytest.skip("../shared/footage is absent (real clips are only beside the CI checkout)")
    return FOOTAGE


@pytest.fixture
def heavy_task_model() -> Path:
    """The Tasks-API heavy model from ../shared/models; skips when absent."""
    path = MODELS / "pose_landmarker_heavy.task"
    if not path.is_file():
        pytest.skip("../shared/models/pose_landmarker_heavy.task is absent")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's pose cache out of the user's home folder."""
    monkeypatch.setenv("SPRINTBAL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pose-cache"))
