"""Hostile inputs (issue 8): every bad clip or output folder ends in an honest analysis or one clear line.

Every input is generated here, in ``tmp_path``: broken containers with PyAV and :mod:`tests.videogen`,
people with the synthetic renderer :func:`sprintbal.synth.generate.generate_clip` (a side view, a front
view, a static camera the runner crosses, which is also mirrored and composited for two people crossing).
``sprintbal analyze`` runs through typer's CliRunner, and as a real subprocess for the traceback checks.

For an error the contract is: the documented exit code, exactly one stderr line starting
``sprintbal: error:``, no ``Traceback``, no temporary files (names starting with ".") and files written
before untouched. For a success: a strictly valid ``report.json`` whose detection rate, running verdict,
reason and axis confidences say honestly what could be measured.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from sprintbal.cli import app
from tests.videogen import make_clip, quadrant_pattern, write_audio_only, write_png

pytestmark = pytest.mark.video

runner = CliRunner(env={"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"})

SIZE = (384, 288)  # (width, height) of the synthetic people clips
FPS = 30.0


# ---- helpers ------------------------------------------------------------------------------------------------


def _invoke(clip: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["analyze", str(clip), "--out", str(out), "--no-cache", "--no-overlay", "-q", *extra])


def _strict_json(path: Path) -> Any:
    def bad_constant(name: str) -> Any:
        raise AssertionError(f"{path}: non-standard JSON constant {name}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=bad_constant)


def _no_temp_files(root: Path) -> None:
    leftovers = [p for p in root.rglob(".*")]
    assert not leftovers, f"temporary files left behind: {leftovers}"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _assert_one_line_error(res: Any, code: int, fragment: str = "") -> str:
    assert res.exit_code == code, (res.exit_code, res.output, res.exception)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("sprintbal: error: "), lines[0]
    assert "Traceback" not in res.output
    assert fragment.lower() in lines[0].lower(), lines[0]
    return lines[0]


def _assert_success(res: Any, out: Path, stem: str) -> dict[str, Any]:
    assert res.exit_code == 0, (res.output, res.exception)
    assert "Traceback" not in res.output
    folder = out / stem
    report = _strict_json(folder / "report.json")
    for name in report["files"].values():
        if name.endswith((".csv", ".trc", ".json")):
            assert (folder / name).is_file(), name
    _no_temp_files(out)
    return report


def _decode(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _frames_clip(path: Path, frames: list[np.ndarray], fps: float = FPS, **kw: Any) -> Path:
    h, w = frames[0].shape[:2]
    return make_clip(path, len(frames), fps, (w, h), draw=lambda i, _w, _h: frames[i], **kw)


# ---- synthetic people, rendered once per module ----------------------------------------------------------------


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[np.ndarray]]:
    """Upright RGB frames of synthetic runners: side (tracking camera), front, side static camera."""
    from sprintbal.synth.generate import generate_clip

    root = tmp_path_factory.mktemp("people")
    out: dict[str, list[np.ndarray]] = {}
    for name, view, follow, n in (("side", "side", "track", 30), ("front", "front", "track", 30),
                                  ("static", "side", "static", 60)):
        clip = root / f"{name}.mp4"
        generate_clip(clip, fps=FPS, size=SIZE, duration_s=n / FPS, view=view, follow=follow, crf=18)
        out[name] = _decode(clip)
    return out


# ---- errors: one line, nothing lost -------------------------------------------------------------------------


def _zero_frames(path: Path) -> Path:
    import av

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        container.start_encoding()  # header and index, not a single frame
    assert path.stat().st_size > 0
    return path


def _truncated_index_at_end(path: Path) -> Path:
    make_clip(path, 20, FPS, (128, 96))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the moov index was at the end: nothing to open
    return path


def _random_bytes(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    return path


def _png_named_mp4(path: Path) -> Path:
    return write_png(path, quadrant_pattern(0, 64, 48))


def _corrupt_header(path: Path) -> Path:
    make_clip(path, 20, FPS, (128, 96), faststart=True)
    data = bytearray(path.read_bytes())
    data[: min(4096, len(data) // 2)] = bytes(min(4096, len(data) // 2))  # zero the header and index
    path.write_bytes(bytes(data))
    return path


BAD_CLIPS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zero-bytes": (lambda p: (p.write_bytes(b""), p)[1], "empty"),
    "zero-frames": (_zero_frames, "no frames"),
    "truncated-index-at-end": (_truncated_index_at_end, "not a video"),
    "random-bytes": (_random_bytes, "not a video"),
    "corrupt-header": (_corrupt_header, "video"),
    "audio-only": (lambda p: write_audio_only(p), "no video stream"),
    "png-renamed-mp4": (_png_named_mp4, "still image"),
}


@pytest.mark.parametrize("kind", sorted(BAD_CLIPS))
def test_bad_clip_is_one_line_and_creates_nothing(tmp_path: Path, kind: str) -> None:
    make, fragment = BAD_CLIPS[kind]
    clip = make(tmp_path / f"{kind}.mp4")
    out = tmp_path / "out"
    res = _invoke(clip, out)
    _assert_one_line_error(res, 2, fragment)
    assert not (out / clip.stem).exists(), "an empty output folder was left behind"
    _no_temp_files(tmp_path)


def test_bad_clip_keeps_previous_outputs(tmp_path: Path) -> None:
    """Re-analysing a clip that has since been damaged reports it and leaves the earlier results intact."""
    clip = make_clip(tmp_path / "clip.mp4", 6, FPS, (96, 64))
    out = tmp_path / "out"
    _assert_success(_invoke(clip, out), out, "clip")
    before = _snapshot(out)
    _random_bytes(clip)
    _assert_one_line_error(_invoke(clip, out), 2, "not a video")
    assert _snapshot(out) == before


def test_truncated_clip_analyses_what_is_there(tmp_path: Path) -> None:
    """A faststart clip cut in the middle of its media data: the whole frames before the cut are analysed."""
    clip = make_clip(tmp_path / "cut.mp4", 30, FPS, (128, 96), faststart=True, crf=0)
    data = clip.read_bytes()
    clip.write_bytes(data[: int(len(data) * 0.6)])
    out = tmp_path / "out"
    res = _invoke(clip, out)
    if res.exit_code:
        _assert_one_line_error(res, 2)
        return
    report = _assert_success(res, out, "cut")
    assert 1 <= report["pose"]["frames"] < 30
    assert report["pose"]["detection_rate"] == 0.0


def test_one_frame_clip(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "one.mp4", 1, FPS, (96, 64))
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "one")
    assert report["pose"]["frames"] == 1
    assert report["kinematics"]["is_running"] is False
    assert report["kinematics"]["running_reason"]


def test_nobody_in_frame_is_honest(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "empty scene.mp4", 20, FPS, (160, 120))
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "empty scene")
    assert report["pose"]["detection_rate"] == 0.0
    assert any("Nobody" in n for n in report["notes"])
    kin = report["kinematics"]
    assert kin["is_running"] is False and kin["running_reason"]
    assert kin["n_contacts"] == 0 and kin["cadence_steps_per_min"] is None
    assert all(v in (None, 0, 0.0) for v in kin["axis_confidence"].values())


def test_output_under_a_file_is_one_line(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", 4, FPS, (96, 64))
    blocker = tmp_path / "not_a_folder.txt"
    blocker.write_text("keep me\n")
    res = _invoke(clip, blocker / "out")
    _assert_one_line_error(res, 4, "not writable")
    assert blocker.read_text() == "keep me\n"
    _no_temp_files(tmp_path)


def test_permission_denied_output_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores chmod, so EACCES is simulated where the folder's writability is checked and written."""
    import tempfile

    clip = make_clip(tmp_path / "clip.mp4", 4, FPS, (96, 64))
    out = tmp_path / "out"

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    line = _assert_one_line_error(_invoke(clip, out), 4, "not writable")
    assert "Permission denied" in line
    _no_temp_files(tmp_path)


def test_full_disk_keeps_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while the outputs are written: one line, and the previous run's files are byte-for-byte intact."""
    import sprintbal.atomic as atomic

    clip = make_clip(tmp_path / "clip.mp4", 6, FPS, (96, 64))
    out = tmp_path / "out"
    _assert_success(_invoke(clip, out), out, "clip")
    before = _snapshot(out)

    def full(src: Any, dst: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "replace", full)
    line = _assert_one_line_error(_invoke(clip, out), 4, "No space left")
    assert "cannot write" in line
    monkeypatch.undo()
    assert _snapshot(out) == before
    _no_temp_files(out)


def test_full_tmpfs_output_folder(tmp_path: Path) -> None:
    """A real full filesystem: a 64 KiB tmpfs (needs root and mount; skipped otherwise)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("mount/umount not available")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        clip = make_clip(tmp_path / "clip.mp4", 10, FPS, (96, 64))
        previous = mnt / "clip" / "report.json"
        previous.parent.mkdir()
        previous.write_text('{"previous": true}\n')
        fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)  # fill the rest of the filesystem
        try:
            with pytest.raises(OSError) as full:
                while True:
                    os.write(fd, b"\0" * 4096)
            assert full.value.errno == errno.ENOSPC
        finally:
            os.close(fd)
        res = _invoke(clip, mnt)
        _assert_one_line_error(res, 4, "No space left")
        assert previous.read_text() == '{"previous": true}\n'
        _no_temp_files(mnt)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_internal_error_is_one_line_unless_debugging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sprintbal.kinematics.compute as compute

    clip = make_clip(tmp_path / "clip.mp4", 4, FPS, (96, 64))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(compute, "compute_kinematics", broken)
    monkeypatch.delenv("SPRINTBAL_DEBUG", raising=False)
    res = _invoke(clip, tmp_path / "out")
    assert res.exit_code == 70
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines == [
        "sprintbal: internal error: ValueError: boom second line "
        "(please report; rerun with SPRINTBAL_DEBUG=1 for the traceback)"
    ]
    monkeypatch.setenv("SPRINTBAL_DEBUG", "1")
    res = _invoke(clip, tmp_path / "out")
    assert isinstance(res.exception, ValueError)


# ---- odd but valid clips: an honest analysis -------------------------------------------------------------------


def test_4k_clip_is_downscaled_and_analysed(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    import cv2

    frames = [cv2.resize(f, (3840, 2160), interpolation=cv2.INTER_LINEAR) for f in people["side"][:3]]
    clip = _frames_clip(tmp_path / "uhd.mp4", frames, crf=28)
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "uhd")
    assert (report["clip"]["width"], report["clip"]["height"]) == (3840, 2160)
    assert report["pose"]["frames"] == 3 and report["pose"]["detection_rate"] > 0
    assert report["kinematics"]["is_running"] is False  # three frames cannot show a step


def test_1000_fps_clip_shorter_than_one_step(tmp_path: Path) -> None:
    from sprintbal.synth.generate import generate_clip

    clip = tmp_path / "kfps.mp4"
    generate_clip(clip, fps=1000.0, size=SIZE, duration_s=0.03, crf=18)
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "kfps")
    assert report["clip"]["fps"] == pytest.approx(1000.0)
    assert report["pose"]["frames"] == 30 and report["pose"]["detection_rate"] > 0.5
    kin = report["kinematics"]
    assert kin["is_running"] is False and kin["running_reason"]
    assert kin["n_contacts"] <= 1 and kin["cadence_steps_per_min"] is None


def test_shorter_than_one_step(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    clip = _frames_clip(tmp_path / "short.mp4", people["side"][:5])  # 0.17 s: less than one step
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "short")
    assert report["pose"]["detection_rate"] > 0.5
    kin = report["kinematics"]
    assert kin["is_running"] is False and kin["running_reason"]
    assert kin["cadence_steps_per_min"] is None and kin["median_step_time_s"] is None
    assert not (report["balance"] or {}).get("events")


def test_variable_frame_rate(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    frames = people["side"]
    rng = np.random.default_rng(3)
    times = np.cumsum(np.r_[0.0, rng.uniform(0.6, 1.6, len(frames) - 1) / FPS])
    clip = _frames_clip(tmp_path / "vfr.mp4", frames, vfr_times=list(times))
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "vfr")
    assert report["clip"]["variable_frame_rate"] is True
    assert report["pose"]["frames"] == len(frames) and report["pose"]["detection_rate"] > 0.8
    frames_csv = (out / "vfr" / "frames.csv").read_text().splitlines()
    t = np.array([float(line.split(",")[1]) for line in frames_csv[1:]])
    assert np.allclose(t, times - times[0], atol=2e-4)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_clip_is_turned_upright(tmp_path: Path, people: dict[str, list[np.ndarray]], rotation: int) -> None:
    """The runner is only found if the display rotation is applied before the model."""
    clip = _frames_clip(tmp_path / f"rot{rotation}.mp4", people["side"][:12], rotation=rotation)
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, f"rot{rotation}")
    assert report["clip"]["rotation_deg"] == rotation
    assert (report["clip"]["width"], report["clip"]["height"]) == SIZE
    assert report["pose"]["detection_rate"] > 0.8


def test_unicode_and_spaces_in_paths(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    folder = tmp_path / "vidéo clips ü"
    folder.mkdir()
    clip = _frames_clip(folder / "我的 sprint – 1.mp4", people["side"][:8])
    out = tmp_path / "résultats ✓"
    report = _assert_success(_invoke(clip, out), out, "我的 sprint – 1")
    assert report["clip"]["name"] == "我的 sprint – 1.mp4"
    assert report["pose"]["detection_rate"] > 0.5


def test_front_view_is_not_trusted_about_the_vertical_axis(
    tmp_path: Path, people: dict[str, list[np.ndarray]]
) -> None:
    side = _frames_clip(tmp_path / "side.mp4", people["side"])
    front = _frames_clip(tmp_path / "front.mp4", people["front"])
    out = tmp_path / "out"
    rep_side = _assert_success(_invoke(side, out), out, "side")
    rep_front = _assert_success(_invoke(front, out), out, "front")
    assert rep_front["pose"]["detection_rate"] > 0.8
    conf_side = rep_side["kinematics"]["axis_confidence"]
    conf_front = rep_front["kinematics"]["axis_confidence"]
    # seen from the front, forward motion is depth: the sagittal (mediolateral-axis) picture is not trustworthy
    assert conf_front["mediolateral"] < 0.5 <= conf_side["mediolateral"]
    assert conf_front["vertical"] < 0.5
    if not rep_front["kinematics"]["is_running"]:
        assert rep_front["kinematics"]["running_reason"]


def test_runner_leaves_and_reenters(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    frames = people["static"]
    clip = _frames_clip(tmp_path / "away.mp4", frames + frames[::-1])  # crosses, leaves, comes back
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "away")
    rate = report["pose"]["detection_rate"]
    assert 0.05 < rate < 0.95
    frames_csv = (out / "away" / "frames.csv").read_text().splitlines()
    assert len(frames_csv) == 1 + 2 * len(frames)


def _two_people(frames: list[np.ndarray]) -> list[np.ndarray]:
    """Composite the runner with its mirror image (running the other way) over the first clip's background."""
    stack = np.stack(frames)
    mirrored = stack[:, :, ::-1]
    background = np.median(mirrored, axis=0)
    mask = np.abs(mirrored.astype(np.int16) - background).max(axis=-1, keepdims=True) > 40
    return list(np.where(mask, mirrored, stack).astype(np.uint8))


def test_two_people_crossing(tmp_path: Path, people: dict[str, list[np.ndarray]]) -> None:
    clip = _frames_clip(tmp_path / "two.mp4", _two_people(people["static"]))
    out = tmp_path / "out"
    report = _assert_success(_invoke(clip, out), out, "two")
    assert report["pose"]["detection_rate"] > 0.05
    kin = report["kinematics"]
    assert isinstance(kin["is_running"], bool) and kin["running_reason"]
    for value in kin["axis_confidence"].values():
        assert value is None or 0.0 <= value <= 1.0


# ---- a real process: nothing but one line reaches stderr ---------------------------------------------------------


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("SPRINTBAL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "sprintbal.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_subprocess_errors_and_success_have_no_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    audio = write_audio_only(tmp_path / "audio.mp4")
    done = _run_cli("analyze", str(audio), "--out", str(out), "--no-cache", "--no-overlay")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"sprintbal: error: {audio}: not a video file (no video stream; audio only?)"]

    clip = make_clip(tmp_path / "scene.mp4", 5, FPS, (96, 64))
    done = _run_cli("analyze", str(clip), "--out", str(out), "--no-cache", "--no-overlay", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert not [ln for ln in done.stderr.splitlines() if ln.strip()], done.stderr  # native log banners filtered
    report = _strict_json(out / "scene" / "report.json")
    assert report["pose"]["detection_rate"] == 0.0
    _no_temp_files(tmp_path)

