"""Pose cache: content hash, keys, hit/miss, corrupt entries, unwritable folders."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from sprintbal.config import PoseConfig
from sprintbal.errors import BadInputError
from sprintbal.pose import cache as cache_mod
from sprintbal.pose.cache import POSE_CACHE_VERSION, PoseCache, clip_hash, default_cache_dir
from sprintbal.pose.track import PoseTrack

DIGEST = "ab" * 32


def _track() -> PoseTrack:
    track = PoseTrack.empty_like(np.arange(5) / 30, (64, 48), "test-model")
    track.xy[2] = 1.5
    track.detected[2] = True
    return track


def test_clip_hash_is_sha256_of_content(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 123)  # spans several 1 MiB chunks
    path = tmp_path / "clip.bin"
    path.write_bytes(data)
    assert clip_hash(path) == hashlib.sha256(data).hexdigest()
    with pytest.raises(BadInputError):
        clip_hash(tmp_path / "missing.mp4")


def test_default_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPRINTBAL_CACHE_DIR", str(tmp_path / "c"))
    assert PoseCache().root == tmp_path / "c"
    monkeypatch.delenv("SPRINTBAL_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "sprintbal" / "pose"


def test_key_depends_on_what_changes_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PoseCache(tmp_path)
    base = cache.key(DIGEST, PoseConfig())
    assert len(base) == 64 and base == cache.key(DIGEST, PoseConfig())
    assert base != cache.key("cd" * 32, PoseConfig())
    assert base != cache.key(DIGEST, PoseConfig(min_detection_confidence=0.6))
    assert base != cache.key(DIGEST, PoseConfig(capture_fps=240))
    assert base != cache.key(DIGEST, PoseConfig(max_side_px=640))
    monkeypatch.setattr("sprintbal.__version__", "9.9.9")
    assert base != cache.key(DIGEST, PoseConfig())
    monkeypatch.undo()
    monkeypatch.setattr(cache_mod, "POSE_CACHE_VERSION", POSE_CACHE_VERSION + 1)
    assert base != cache.key(DIGEST, PoseConfig())


def test_key_follows_task_model_content(tmp_path: Path) -> None:
    model = tmp_path / "m.task"
    model.write_bytes(b"one")
    cache = PoseCache(tmp_path / "c")
    first = cache.key(DIGEST, PoseConfig(model_path=model))
    model.write_bytes(b"two, longer")
    assert cache.key(DIGEST, PoseConfig(model_path=model)) != first


def test_miss_then_hit(tmp_path: Path) -> None:
    cache = PoseCache(tmp_path / "pose")
    key = cache.key(DIGEST, PoseConfig())
    assert cache.get(key) is None
    assert cache.put(key, _track()) is True
    hit = cache.get(key)
    assert hit is not None
    np.testing.assert_array_equal(hit.xy, _track().xy)
    assert hit.model == "test-model" and hit.detected.tolist() == [False, False, True, False, False]
    assert cache.get(cache.key(DIGEST, PoseConfig(min_tracking_confidence=0.9))) is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_entry_is_a_miss_and_is_replaced(tmp_path: Path, damage: str) -> None:
    cache = PoseCache(tmp_path)
    key = cache.key(DIGEST, PoseConfig())
    cache.put(key, _track())
    data = cache.path(key).read_bytes()
    damaged = {"garbage": b"\x00junk" * 50, "truncated": data[: len(data) // 3], "empty": b""}[damage]
    cache.path(key).write_bytes(damaged)
    assert cache.get(key) is None
    assert not cache.path(key).exists()
    assert cache.put(key, _track()) and cache.get(key) is not None


def test_unwritable_cache_dir_is_skipped_silently(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = PoseCache(blocker / "pose")  # cannot create a folder inside a file
    key = cache.key(DIGEST, PoseConfig())
    assert cache.put(key, _track()) is False
    assert cache.get(key) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_cache_dir(tmp_path: Path) -> None:
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    try:
        cache = PoseCache(root)
        assert cache.put(cache.key(DIGEST, PoseConfig()), _track()) is False
    finally:
        root.chmod(0o700)
