"""PoseTrack: shape checks, save/load round trip (NaN included), and unreadable files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sprintbal.errors import BadInputError
from sprintbal.pose.landmarks import N_LANDMARKS
from sprintbal.pose.track import PoseTrack


def _track(n: int = 7, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    detected = np.ones(n, dtype=bool)
    detected[[1, 4]] = False
    xy = rng.uniform(0, 640, (n, N_LANDMARKS, 2))
    z = rng.normal(0, 50, (n, N_LANDMARKS))
    vis = rng.uniform(0, 1, (n, N_LANDMARKS))
    pres = np.full((n, N_LANDMARKS), np.nan)
    world = rng.normal(0, 0.5, (n, N_LANDMARKS, 3))
    for a in (xy, z, vis, world):
        a[~detected] = np.nan
    return PoseTrack(
        t=np.cumsum(rng.uniform(0.03, 0.04, n)) - 0.03,
        xy=xy,
        z=z,
        visibility=vis,
        presence=pres,
        world=world,
        detected=detected,
        image_size=(640, 480),
        model="blazepose_full (test)",
        frame_index=np.arange(n, dtype=np.int64) + 3,
    )


def _assert_same(a: PoseTrack, b: PoseTrack) -> None:
    for name in ("t", "xy", "z", "visibility", "presence", "world", "detected", "frame_index"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype.kind == y.dtype.kind, name
        np.testing.assert_array_equal(x, y, err_msg=name)  # NaN == NaN for assert_array_equal
    assert a.image_size == b.image_size and a.model == b.model


def test_round_trip_is_exact_including_nan(tmp_path: Path) -> None:
    track = _track()
    path = tmp_path / "sub" / "track.npz"
    track.save(path)
    loaded = PoseTrack.load(path)
    _assert_same(track, loaded)
    assert np.isnan(loaded.xy[1]).all() and not loaded.detected[1]
    assert np.isnan(loaded.presence).all()
    assert loaded.detection_rate == pytest.approx(5 / 7)
    assert [p.name for p in path.parent.iterdir()] == ["track.npz"]  # no temporary file left


def test_empty_like_and_zero_frames(tmp_path: Path) -> None:
    empty = PoseTrack.empty_like(np.arange(4) / 30, (64, 48), "none")
    assert empty.n_frames == 4 and not empty.detected.any() and np.isnan(empty.xy).all()
    np.testing.assert_array_equal(empty.frame_index, np.arange(4))
    empty.save(tmp_path / "e.npz")
    _assert_same(empty, PoseTrack.load(tmp_path / "e.npz"))
    zero = PoseTrack.empty_like(np.zeros(0), (64, 48), "none")
    assert zero.n_frames == 0 and zero.detection_rate == 0.0


def test_shape_and_time_checks() -> None:
    good = _track()
    with pytest.raises(ValueError, match="xy"):
        PoseTrack(**{**good.__dict__, "xy": good.xy[:, :10]})
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseTrack(**{**good.__dict__, "t": good.t[::-1].copy()})


@pytest.mark.parametrize(
    "content", [b"", b"not a numpy file", b"PK\x03\x04" + b"x" * 64, "truncated"], ids=["empty", "text", "zip", "cut"]
)
def test_unreadable_file_is_a_one_line_bad_input(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "bad.npz"
    if content == "truncated":
        _track().save(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(BadInputError) as exc:
        PoseTrack.load(path)
    assert "\n" not in str(exc.value)


def test_other_format_version_is_refused(tmp_path: Path) -> None:
    import json

    track = _track()
    path = tmp_path / "v.npz"
    np.savez(path, t=track.t, meta=np.array(json.dumps({"format_version": 999, "image_size": [1, 1], "model": "m"})))
    with pytest.raises(BadInputError, match="999"):
        PoseTrack.load(path)
