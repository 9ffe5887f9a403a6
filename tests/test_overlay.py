"""overlay.mp4: same frames and timestamps as the source (decoded back with PyAV), what is drawn where."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sprintbal.pose.landmarks import INDEX
from sprintbal.report.overlay import BAD, PUSH, SWING, draw_skeleton, write_overlay
from tests.report_fixture import BREAKDOWN, make_saved_folder
from tests.report_fixture import decode_video as _decode


def _pix_fmt(path: Path) -> str:
    import av

    with av.open(str(path)) as c:
        return str(c.streams.video[0].codec_context.pix_fmt)


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    clip = tmp_path / "clip.mp4"
    out, _ = make_saved_folder(tmp_path / "out", "clip.mp4", clip=clip)
    return out, clip


def test_same_frames_and_timestamps_as_source(made: tuple[Path, Path]) -> None:
    out, clip = made
    calls: list[tuple[str, int, int]] = []
    path = write_overlay(clip, out, on_progress=lambda *a: calls.append(a))
    assert path == out / "overlay.mp4"
    src_t, _, src_size, _ = _decode(clip)
    ov_t, _ov_img, ov_size, codec = _decode(path)
    assert len(ov_t) == len(src_t) == 48
    np.testing.assert_allclose(ov_t, src_t, atol=1e-4)
    assert ov_size == src_size and codec == "h264" and _pix_fmt(path) == "yuv420p"
    assert calls[-1] == ("overlay", 48, 48) and len(calls) == 48
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # temp file renamed away


def test_variable_frame_rate_and_rotation_are_kept(tmp_path: Path) -> None:
    from tests.videogen import make_clip

    times = np.cumsum([0.0] + [1 / 30, 1 / 60, 1 / 30, 1 / 20, 1 / 30] * 4)[:20]
    clip = make_clip(tmp_path / "vfr.mp4", n_frames=20, fps=30, size=(160, 96), vfr_times=list(times), rotation=90)
    out, _ = make_saved_folder(tmp_path / "out", "vfr.mp4", fps=30, duration=20 / 30, size=(160, 96))
    path = write_overlay(clip, out)
    ov_t, _, ov_size, _ = _decode(path)
    assert len(ov_t) == 20
    np.testing.assert_allclose(ov_t, times - times[0], atol=1e-4)
    assert ov_size == (160, 96)  # upright: the rotation is applied to the pixels


def test_slow_motion_clip_keeps_file_time(tmp_path: Path) -> None:
    """With --capture-fps the analysis runs in capture time, but the overlay keeps the file's timestamps."""
    import json

    from sprintbal.video import probe
    from tests.videogen import make_clip

    clip = make_clip(tmp_path / "slow.mp4", n_frames=12, fps=30, size=(96, 64))
    out, _ = make_saved_folder(tmp_path / "out", "slow.mp4", fps=240, duration=12 / 240, size=(96, 64))
    rep = json.loads((out / "report.json").read_text())
    rep["clip"]["capture_fps"] = 240.0
    (out / "report.json").write_text(json.dumps(rep))
    path = write_overlay(clip, out, probe(clip, capture_fps=240.0))
    ov_t, _, _, _ = _decode(path)
    np.testing.assert_allclose(ov_t, np.arange(12) / 30, atol=1e-4)


def _near(img: np.ndarray, colour: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.all(np.abs(img.astype(int) - np.array(colour)) < tol))


def test_breakdown_frames_get_a_red_border_and_others_do_not(made: tuple[Path, Path]) -> None:
    out, clip = made
    ov_t, ov_img, _, _ = _decode(write_overlay(clip, out))
    h = ov_img[0].shape[0]
    for t, img in zip(ov_t, ov_img, strict=True):
        edge = img[h // 2 - 3 : h // 2 + 3, 1:3].reshape(-1, 3).mean(axis=0)  # middle of the left edge
        inside = BREAKDOWN[0] <= t <= BREAKDOWN[1]
        assert _near(edge, BAD) == inside, (t, edge)


def test_timeline_cursor_follows_time(made: tuple[Path, Path]) -> None:
    out, clip = made
    _ov_t, ov_img, _, _ = _decode(write_overlay(clip, out))
    xs = []
    for img in ov_img:
        row = img[-5].astype(int).min(axis=1)  # a row of the timeline strip; the cursor is its whitest spot
        assert row.max() > 180
        xs.append(float(np.argmax(row)))
    assert np.all(np.diff(xs) > 0)  # moves right every frame
    w = ov_img[0].shape[1]
    assert xs[0] < 0.05 * w and xs[-1] > 0.9 * w


def test_skeleton_colours_follow_push_side() -> None:
    img = np.zeros((200, 200, 3), dtype=np.uint8)
    xy = np.full((33, 2), np.nan)
    xy[INDEX["left_hip"]] = (50, 60)
    xy[INDEX["left_knee"]] = (50, 140)
    xy[INDEX["right_hip"]] = (150, 60)
    xy[INDEX["right_knee"]] = (150, 140)
    draw_skeleton(img, xy, "left", thickness=4)
    assert _near(img[100, 50], PUSH, 10) and _near(img[100, 150], SWING, 10)
    img[:] = 0
    draw_skeleton(img, xy, "right", thickness=4)
    assert _near(img[100, 50], SWING, 10) and _near(img[100, 150], PUSH, 10)
    img[:] = 0
    draw_skeleton(img, np.full((33, 2), np.nan), "left")
    assert not img.any()  # nobody found: nothing drawn


def test_unreadable_clip_leaves_no_overlay(made: tuple[Path, Path], tmp_path: Path) -> None:
    from sprintbal.errors import BadInputError

    out, _ = made
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(BadInputError):
        write_overlay(bad, out)
    assert not (out / "overlay.mp4").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.video
@pytest.mark.footage
def test_analyze_end_to_end_writes_overlay_and_html(footage_dir: Path, tmp_path: Path) -> None:
    """Real pipeline on a real clip: overlay frames/timestamps match, the page has a card per breakdown."""
    import json

    from typer.testing import CliRunner

    from sprintbal.cli import app

    clip = footage_dir / "sprint_female_side_sports2d_demo3.mp4"
    run = CliRunner(env={"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"})
    res = run.invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "a"), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    folder = tmp_path / "a" / clip.stem
    src_t, _, _, _ = _decode(clip)
    ov_t, _, _, _ = _decode(folder / "overlay.mp4")
    assert len(ov_t) == len(src_t) == report["clip"]["frame_count"]
    np.testing.assert_allclose(ov_t, src_t, atol=1e-4)
    page = (folder / "report.html").read_text(encoding="utf-8")
    n_events = len((report.get("balance") or {}).get("events") or [])
    assert page.count('<article class="card event"') == n_events
    assert "sprint_female_side_sports2d_demo3.mp4" in page
    # --no-overlay (pose from the cache this time): the page, no video
    res = run.invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "b"), "--no-overlay", "--json"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b" / clip.stem / "report.html").is_file()
    assert not (tmp_path / "b" / clip.stem / "overlay.mp4").exists()
