"""sprintbal.video: probing, timestamps, slow motion, rotation, downscaling and bad files (clips made here)."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from videogen import (
    make_clip,
    quadrant_colours,
    quadrant_pattern,
    write_audio_only,
    write_png,
)

from sprintbal.errors import BadInputError, BadVideoError, ConfigError
from sprintbal.video import VideoInfo, frame_times, iter_frames, iter_frames_at, probe

UPRIGHT = quadrant_colours(quadrant_pattern(0, 64, 96))
VFR_TIMES = [0.0, 0.021, 0.055, 0.0712, 0.12, 0.1333, 0.2, 0.2011, 0.26, 0.31]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    out = {
        "cfr": make_clip(d / "cfr.mp4", 12, 30, (64, 48)),
        "ntsc": make_clip(d / "ntsc.mp4", 12, 30000 / 1001, (64, 48)),
        "vfr": make_clip(d / "vfr.mp4", len(VFR_TIMES), 30, (64, 48), vfr_times=VFR_TIMES),
        "big": make_clip(d / "big.mp4", 3, 30, (400, 200)),
        "faststart": make_clip(d / "faststart.mp4", 40, 30, (64, 48), faststart=True),
        "raw": make_clip(d / "raw.h264", 9, 30, (64, 48), fmt="h264"),
    }
    for r in (0, 90, 180, 270):
        out[f"rot{r}"] = make_clip(d / f"rot{r}.mp4", 4, 30, (64, 96), rotation=r)
    return out


def _times(path: Path, info: VideoInfo) -> np.ndarray:
    return np.array([f.t_s for f in iter_frames(path, info)])


def test_probe_constant_rate_clip(clips: dict[str, Path]) -> None:
    info = probe(clips["cfr"])
    assert (info.width, info.height) == (64, 48)
    assert (info.coded_width, info.coded_height) == (64, 48)
    assert info.codec == "h264"
    assert info.fps == pytest.approx(30.0)
    assert info.frame_count == 12
    assert info.duration_s == pytest.approx(12 / 30)
    assert info.rotation_deg == 0
    assert info.capture_fps is None
    assert info.time_scale == 1.0
    assert info.variable_frame_rate is False
    assert info.file_size_bytes == clips["cfr"].stat().st_size
    d = info.to_dict()
    assert d["path"] == str(clips["cfr"]) and d["frame_count"] == 12 and set(d) >= {"fps", "rotation_deg"}


def test_constant_rate_timestamps_match_written(clips: dict[str, Path]) -> None:
    for name, fps in (("cfr", 30.0), ("ntsc", 30000 / 1001)):
        info = probe(clips[name])
        t = _times(clips[name], info)
        np.testing.assert_allclose(t, np.arange(12) / fps, atol=1e-3)
        assert info.fps == pytest.approx(fps, rel=1e-4)


def test_variable_rate_timestamps_match_written(clips: dict[str, Path]) -> None:
    info = probe(clips["vfr"])
    assert info.variable_frame_rate is True
    assert info.frame_count == len(VFR_TIMES)
    t = _times(clips["vfr"], info)
    np.testing.assert_allclose(t, VFR_TIMES, atol=1e-3)
    assert np.all(np.diff(t) > 0)


def test_missing_timestamps_fall_back_to_the_nominal_rate(clips: dict[str, Path]) -> None:
    """A raw H.264 stream carries no timestamps: frame i is at i / fps (fps from the codec's timing info)."""
    info = probe(clips["raw"])
    assert info.fps == pytest.approx(30.0) and info.frame_count == 9
    np.testing.assert_allclose(_times(clips["raw"], info), np.arange(9) / 30, atol=1e-9)
    slow = probe(clips["raw"], capture_fps=120)
    np.testing.assert_allclose(_times(clips["raw"], slow), np.arange(9) / 120, atol=1e-9)


def test_capture_fps_rescales_times_to_capture_time(clips: dict[str, Path]) -> None:
    info = probe(clips["cfr"], capture_fps=240)
    assert info.capture_fps == 240
    assert info.time_scale == pytest.approx(30 / 240)
    assert info.duration_s == pytest.approx(12 / 240)
    t = _times(clips["cfr"], info)
    np.testing.assert_allclose(np.diff(t), 1 / 240, atol=1e-6)
    assert t[0] == 0.0


def test_capture_fps_must_be_positive(clips: dict[str, Path]) -> None:
    with pytest.raises(ConfigError):
        probe(clips["cfr"], capture_fps=0)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotated_clip_comes_out_upright(clips: dict[str, Path], rotation: int) -> None:
    path = clips[f"rot{rotation}"]
    info = probe(path)
    assert info.rotation_deg == rotation
    assert (info.width, info.height) == (64, 96)  # upright portrait
    coded = (96, 64) if rotation in (90, 270) else (64, 96)
    assert (info.coded_width, info.coded_height) == coded
    frames = list(iter_frames(path, info))
    assert len(frames) == 4
    for f in frames:
        assert f.image.shape == (96, 64, 3)
        assert f.image.dtype == np.uint8 and f.image.flags.c_contiguous
        assert quadrant_colours(f.image) == UPRIGHT  # red top-left, green top-right, blue bottom-left


def test_rotation_metadata_is_what_players_read(clips: dict[str, Path]) -> None:
    """The patched tkhd matrix is what PyAV's decoder reports (and ffprobe, when it is installed)."""
    import av

    for rotation in (0, 90, 180, 270):
        with av.open(str(clips[f"rot{rotation}"])) as container:
            frame = next(container.decode(video=0))
            # PyAV reports the counter-clockwise angle in [-180, 180]; the tag stores clockwise
            assert (-frame.rotation) % 360 == rotation
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return
    out = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation",
         "-of", "default=nw=1:nk=1", str(clips["rot90"])],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.split()
    assert out == ["-90"]


def test_downscale_keeps_aspect_and_reports_scale(clips: dict[str, Path]) -> None:
    info = probe(clips["big"])
    frames = list(iter_frames(clips["big"], info, max_side=100))
    assert frames[0].image.shape == (50, 100, 3)
    assert frames[0].scale == pytest.approx(0.25)
    full = next(iter(iter_frames(clips["big"], info, max_side=1000)))
    assert full.image.shape == (200, 400, 3) and full.scale == 1.0


def test_frames_stream_in_order_with_indices(clips: dict[str, Path]) -> None:
    info = probe(clips["cfr"])
    gen = iter_frames(clips["cfr"], info)
    first = next(gen)
    assert first.index == 0 and first.t_s == 0.0
    gen.close()  # stopping early releases the file cleanly
    assert [f.index for f in iter_frames(clips["cfr"], info)] == list(range(12))


def test_truncated_file_that_still_opens_yields_whole_frames_only(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    data = clips["faststart"].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    info = probe(cut)
    frames = list(iter_frames(cut, info))
    assert 1 <= len(frames) < 40
    t = np.array([f.t_s for f in frames])
    np.testing.assert_allclose(t, np.arange(len(frames)) / 30, atol=1e-3)
    assert all(f.image.shape == (48, 64, 3) for f in frames)


# --- bad inputs -----------------------------------------------------------------------------------------------


def _one_line(exc: pytest.ExceptionInfo[BaseException], name: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and name in msg
    return msg


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        probe(tmp_path / "nope.mp4")
    assert not isinstance(exc.value, BadVideoError)
    assert "does not exist" in _one_line(exc, "nope.mp4")


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "clip.mp4"
    folder.mkdir()
    with pytest.raises(BadInputError) as exc:
        probe(folder)
    assert not isinstance(exc.value, BadVideoError)
    assert "folder" in _one_line(exc, "clip.mp4")


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    assert "empty" in _one_line(exc, "empty.mp4")


def test_text_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("these are my sprint notes\n" * 20)
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    assert "not a video file" in _one_line(exc, "notes.mp4")


def test_truncated_mp4_without_index(clips: dict[str, Path], tmp_path: Path) -> None:
    """The first 60% of a normal MP4 (index at the end) cannot be opened at all."""
    data = clips["cfr"].read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    _one_line(exc, "cut.mp4")


def test_truncated_before_first_frame(clips: dict[str, Path], tmp_path: Path) -> None:
    """Index present but not one whole frame of data: no frame decodes."""
    data = clips["faststart"].read_bytes()
    mdat = data.index(b"mdat")
    path = tmp_path / "headonly.mp4"
    path.write_bytes(data[: mdat + 20])
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    assert "no frame could be decoded" in _one_line(exc, "headonly.mp4")


def test_audio_only(tmp_path: Path) -> None:
    path = write_audio_only(tmp_path / "tone.mp4")
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    assert "no video stream" in _one_line(exc, "tone.mp4")


def test_image_renamed_mp4(tmp_path: Path) -> None:
    path = write_png(tmp_path / "photo.mp4", quadrant_pattern(0, 64, 48))
    with pytest.raises(BadVideoError) as exc:
        probe(path)
    assert "still image" in _one_line(exc, "photo.mp4")


def test_iter_frames_checks_its_path_too(tmp_path: Path, clips: dict[str, Path]) -> None:
    info = probe(clips["cfr"])
    with pytest.raises(BadInputError):
        next(iter(iter_frames(tmp_path / "gone.mp4", info)))


def _gop_clip(path: Path, n: int) -> Path:
    """A clip with a key frame every 8 frames and B-frames (decoding order differs from display order)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"g": "8", "bf": "2", "crf": "18", "preset": "fast", "sc_threshold": "0"}
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(quadrant_pattern(i, 64, 48), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, 30)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("name", ["gop", "cfr", "vfr", "raw", "rot90"])
def test_frames_at_positions_are_those_iter_frames_gives(name: str, clips: dict[str, Path], tmp_path: Path) -> None:
    path = _gop_clip(tmp_path / "gop.mp4", 40) if name == "gop" else clips[name]
    info = probe(path)
    every = list(iter_frames(path, info))
    n = len(every)
    times = frame_times(path, info)
    if name == "raw":
        assert times is None  # no timestamps: decoded from the start
    else:
        assert times is not None and np.array_equal(times, [f.t_s for f in every])
    for wanted in ([n - 1], [0], [3, 3, 1], [2, 17, 18, 33], list(range(0, n, 5)), [-1, n + 5, n // 2]):
        got = list(iter_frames_at(path, info, wanted))
        want = [every[i] for i in sorted({i for i in wanted if 0 <= i < n})]
        assert [f.index for f in got] == [f.index for f in want]
        for a, b in zip(got, want, strict=True):
            assert a.t_s == b.t_s
            assert np.array_equal(a.image, b.image)
