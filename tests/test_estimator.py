"""sprintbal.pose.estimator: track shape and units, threading, model errors, log filtering, real footage."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from videogen import make_clip, remux_prefix, stick_figure

from sprintbal.config import PoseConfig
from sprintbal.errors import ModelError
from sprintbal.pose import estimator
from sprintbal.pose.estimator import estimate_track
from sprintbal.pose.landmarks import INDEX, N_LANDMARKS
from sprintbal.pose.track import PoseTrack
from sprintbal.video import probe

pytestmark = pytest.mark.video


def _grey(index: int, width: int, height: int) -> np.ndarray:
    return np.full((height, width, 3), 128, dtype=np.uint8)


def _check_consistent(track: PoseTrack) -> None:
    """NaN exactly where nobody was found; finite image landmarks where somebody was."""
    found = track.detected
    assert np.isnan(track.xy[~found]).all() and np.isnan(track.world[~found]).all()
    assert np.isnan(track.visibility[~found]).all() and np.isnan(track.z[~found]).all()
    assert np.isfinite(track.xy[found]).all() and np.isfinite(track.world[found]).all()


def test_empty_scene_gives_a_well_formed_empty_track(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "grey.mp4", 8, 30, (96, 128), draw=_grey)
    info = probe(clip)
    done: list[int] = []
    track = estimate_track(clip, info, PoseConfig(), on_frame=done.append)
    assert track.n_frames == 8 and done == list(range(1, 9))
    assert track.xy.shape == (8, N_LANDMARKS, 2) and track.world.shape == (8, N_LANDMARKS, 3)
    assert not track.detected.any()
    assert np.isnan(track.xy).all() and np.isnan(track.presence).all()
    np.testing.assert_allclose(track.t, np.arange(8) / 30, atol=1e-3)
    np.testing.assert_array_equal(track.frame_index, np.arange(8))
    assert track.image_size == (96, 128)
    assert track.model.startswith("blazepose_full (mediapipe ") and "legacy, complexity 1" in track.model


def test_stick_figure_rotated_clip_is_well_formed(tmp_path: Path) -> None:
    """A drawn stick figure in a 90-degree-rotated file: nobody need be found, but the track is upright and sane."""
    clip = make_clip(tmp_path / "stick.mp4", 10, 30, (120, 200), rotation=90, draw=stick_figure)
    info = probe(clip, capture_fps=120)
    track = estimate_track(clip, info, PoseConfig())
    assert track.n_frames == 10 and track.image_size == (120, 200)
    np.testing.assert_allclose(np.diff(track.t), 1 / 120, atol=1e-6)
    _check_consistent(track)
    if track.detected.any():  # whatever was found lies in (or near) the upright frame
        xy = track.xy[track.detected]
        assert np.all((xy[..., 0] > -0.5 * 120) & (xy[..., 0] < 1.5 * 120))
        assert np.all((xy[..., 1] > -0.5 * 200) & (xy[..., 1] < 1.5 * 200))


def test_decode_errors_reach_the_caller_and_the_thread_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path / "grey.mp4", 6, 30, (64, 64), draw=_grey)
    info = probe(clip)
    real = estimator.iter_frames

    class Boom(RuntimeError):
        pass

    def failing(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for frame in real(*args, **kwargs):  # type: ignore[arg-type]
            if frame.index == 3:
                raise Boom("decoder broke")
            yield frame

    monkeypatch.setattr(estimator, "iter_frames", failing)
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(Boom, match="decoder broke"):
        estimate_track(clip, info, PoseConfig())
    assert "sprintbal-decode" not in {t.name for t in threading.enumerate()} - before


def test_missing_task_model_is_a_model_error(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "grey.mp4", 2, 30, (64, 64), draw=_grey)
    with pytest.raises(ModelError) as exc:
        estimate_track(clip, probe(clip), PoseConfig(model_path=tmp_path / "nope.task"))
    assert "not found" in str(exc.value) and "\n" not in str(exc.value)


def test_invalid_task_model_is_a_model_error(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "grey.mp4", 2, 30, (64, 64), draw=_grey)
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"this is not a model" * 100)
    with pytest.raises(ModelError) as exc:
        estimate_track(clip, probe(clip), PoseConfig(model_path=bad))
    assert "bad.task" in str(exc.value) and "\n" not in str(exc.value)


def test_unbundled_legacy_complexity_is_a_model_error(tmp_path: Path) -> None:
    import mediapipe as mp

    heavy = Path(mp.__file__).parent / "modules" / "pose_landmark" / "pose_landmark_heavy.tflite"
    if heavy.exists():
        pytest.skip("this mediapipe install bundles the heavy model")
    clip = make_clip(tmp_path / "grey.mp4", 2, 30, (64, 64), draw=_grey)
    with pytest.raises(ModelError, match="not bundle"):
        estimate_track(clip, probe(clip), PoseConfig(model_complexity=2))


def test_native_log_banners_are_dropped_and_the_rest_passes(capfd: pytest.CaptureFixture[str]) -> None:
    with estimator._filtered_native_stderr():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"W0000 00:00:1795488453.571942    9219 inference_feedback_manager.cc:114] Feedback\n")
        os.write(2, b"a real warning\n")
        os.write(2, b"\rprogress 50%")  # partial line (a progress bar) passes through too
    os.write(2, b"\nafter\n")
    err = capfd.readouterr().err
    assert "XNNPACK" not in err and "feedback_manager" not in err
    assert "a real warning\n" in err and "\rprogress 50%" in err and err.endswith("after\n")


# --- real footage ---------------------------------------------------------------------------------------------


@pytest.mark.footage
def test_real_runner_found_upright_in_gaitlab_clip(footage_dir: Path, tmp_path: Path) -> None:
    clip = remux_prefix(footage_dir / "treadmill_male_side_gaitlab.mp4", tmp_path / "first60.mp4", 60)
    info = probe(clip)
    assert (info.width, info.height) == (720, 1280)
    track = estimate_track(clip, info, PoseConfig())
    assert 55 <= track.n_frames <= 60
    np.testing.assert_allclose(np.diff(track.t), 1 / 30, atol=1e-3)
    assert track.detection_rate >= 0.95
    _check_consistent(track)
    found = track.detected
    key = [INDEX[n] for n in ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    key += [INDEX[n] for n in ("left_knee", "right_knee", "left_ankle", "right_ankle")]
    xy = track.xy[found][:, key]
    assert np.all((xy[..., 0] >= 0) & (xy[..., 0] <= 720) & (xy[..., 1] >= 0) & (xy[..., 1] <= 1280))
    nose_y = track.xy[found, INDEX["nose"], 1]
    ankle_y = np.nanmean(track.xy[found][:, [INDEX["left_ankle"], INDEX["right_ankle"]], 1], axis=1)
    assert np.all(nose_y < ankle_y - 300)  # head well above the feet: upright, y down
    assert np.isnan(track.presence).all()  # the legacy API reports no presence
    assert np.all((track.visibility[found] >= 0) & (track.visibility[found] <= 1))
    # world landmarks in metres, y down: head above the ankles by roughly a body height
    world_span = track.world[found, INDEX["left_ankle"], 1] - track.world[found, INDEX["nose"], 1]
    assert 1.0 < float(np.median(world_span)) < 2.2


@pytest.mark.footage
def test_tasks_api_with_heavy_model(footage_dir: Path, heavy_task_model: Path, tmp_path: Path) -> None:
    clip = remux_prefix(footage_dir / "treadmill_male_side_gaitlab.mp4", tmp_path / "first20.mp4", 20)
    info = probe(clip)
    track = estimate_track(clip, info, PoseConfig(model_path=heavy_task_model))
    assert track.model.startswith("tasks:pose_landmarker_heavy.task")
    assert 18 <= track.n_frames <= 20
    assert track.detection_rate >= 0.9
    _check_consistent(track)
    found = track.detected
    assert np.all((track.presence[found] >= 0) & (track.presence[found] <= 1))
    nose_y = track.xy[found, INDEX["nose"], 1]
    assert np.all(nose_y < track.xy[found, INDEX["left_ankle"], 1])


def test_nested_and_concurrent_filters_restore_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    before = os.fstat(2)
    gate = threading.Barrier(2)

    def worker() -> None:
        with estimator._filtered_native_stderr():
            gate.wait()
            os.write(2, b"from worker\n")
            gate.wait()

    thread = threading.Thread(target=worker)
    thread.start()
    with estimator._filtered_native_stderr():
        gate.wait()
        gate.wait()
        with estimator._filtered_native_stderr():
            os.write(2, b"I0000 00:00:1.0   1 foo.cc:1] noise\n")
    thread.join()
    os.write(2, b"still works\n")
    after = os.fstat(2)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
    err = capfd.readouterr().err
    assert "from worker\n" in err and "noise" not in err and err.endswith("still works\n")
