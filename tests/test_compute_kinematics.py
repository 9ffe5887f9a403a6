from __future__ import annotations

import numpy as np
import pytest

from sprintbal.config import AnalysisConfig, CleaningConfig, KinematicsConfig
from sprintbal.kinematics.compute import compute_kinematics, compute_stride_period
from sprintbal.kinematics.result import Kinematics
from sprintbal.pose.landmarks import INDEX
from sprintbal.pose.track import PoseTrack
from tests.kinpose import moving_pose

#: A fixed low-pass cut-off keeps these tests fast (the residual analysis is the cleaning stage's to test).
FAST = CleaningConfig(cutoff_hz=10.0)


def track_from_lab(lab: np.ndarray, t: np.ndarray, m_per_px: float = 0.004, direction: int = 1) -> PoseTrack:
    """A PoseTrack of a runner filmed from the side (the runner's right faces the camera for direction +1)."""
    n = t.size
    xy = np.empty((n, 33, 2))
    xy[..., 0] = 960 + direction * (lab[..., 0] - lab[0, 23:25, 0].mean()) / m_per_px
    xy[..., 1] = 1000 - lab[..., 1] / m_per_px
    mid = 0.5 * (lab[:, 23] + lab[:, 24])
    rel = (lab - mid[:, None, :]) * 0.95
    world = np.stack([direction * rel[..., 0], -rel[..., 1], -direction * rel[..., 2]], axis=-1)
    return PoseTrack(
        t=t, xy=xy, z=world[..., 2] / m_per_px, visibility=np.full((n, 33), 0.9), presence=np.full((n, 33), 0.95),
        world=world, detected=np.ones(n, dtype=bool), image_size=(1920, 1080), model="synthetic",
    )  # fmt: skip


def _check_shapes(k: Kinematics, n: int) -> None:
    assert k.t.shape == (n,)
    assert k.segment_h.shape == (n, len(k.segment_names), 3)
    assert k.frame_confidence.shape == (n,)
    assert np.all((k.frame_confidence >= 0) & (k.frame_confidence <= 1))


@pytest.mark.parametrize("n", [0, 1, 5, 9, 40])
def test_all_nan_track_does_not_raise(n: int) -> None:
    track = PoseTrack.empty_like(np.arange(n) / 30.0, (640, 480), "none")
    k = compute_kinematics(track, AnalysisConfig())
    _check_shapes(k, n)
    assert not k.is_running
    assert k.running_reason
    assert np.all(np.isnan(k.segment_h)) and np.all(np.isnan(k.groups.total))
    assert np.all(k.push_side == -1) and np.all(k.phase == -1)
    assert k.steps.n == 0


@pytest.mark.parametrize("n", [2, 6, 9])
def test_short_track_does_not_raise(n: int) -> None:
    t = np.arange(n) / 30.0
    k = compute_kinematics(track_from_lab(moving_pose(t), t), AnalysisConfig())
    _check_shapes(k, n)
    assert not k.is_running and "frames" in k.running_reason


def test_few_detections_does_not_raise() -> None:
    t = np.arange(60) / 30.0
    tr = track_from_lab(moving_pose(t), t)
    xy = tr.xy.copy()
    xy[8:] = np.nan
    det = np.zeros(60, dtype=bool)
    det[:8] = True
    tr2 = PoseTrack(tr.t, xy, tr.z, tr.visibility, tr.presence, tr.world, det, tr.image_size, tr.model)
    k = compute_kinematics(tr2, AnalysisConfig())
    _check_shapes(k, 60)
    assert not k.is_running


@pytest.mark.parametrize("method", ["prior", "world"])
@pytest.mark.parametrize("direction", [1, -1])
def test_synthetic_track_end_to_end(method: str, direction: int) -> None:
    t = np.arange(60) / 60.0
    lab = moving_pose(t, seed=7)
    cfg = AnalysisConfig(cleaning=FAST, kinematics=KinematicsConfig(depth_method=method))  # type: ignore[arg-type]
    k = compute_kinematics(track_from_lab(lab, t, direction=direction), cfg)
    _check_shapes(k, 60)
    inner = slice(5, -5)
    assert np.all(np.isfinite(k.segment_h[inner]))
    np.testing.assert_allclose(k.groups.total, k.segment_h.sum(axis=1), atol=1e-9)
    np.testing.assert_allclose(k.groups.lower + k.groups.upper, k.groups.total, atol=1e-9)
    # forward is the direction of travel whichever way the runner crosses the image
    assert k.com_velocity[30, 0] > 5.0
    assert k.info["depth_method"] == k.info["depth_method_used"] == method
    assert k.info["view"] == "side"
    assert k.info["world_side_consistency"] == 1.0
    assert k.axis_confidence["mediolateral"] > k.axis_confidence["vertical"]
    assert k.norm_factor == pytest.approx(70.0 * 1.75 * np.sqrt(9.80665 * 1.75))


def _sprint_track(hide_far_arm: bool) -> tuple[PoseTrack, float]:
    motion_mod = pytest.importorskip("sprintbal.synth.motion")
    params = motion_mod.SprintParams(height_m=1.75, mass_kg=70.0)
    t = np.arange(180) / 120.0
    lab = motion_mod.compute_sprint_motion(params, t).joints
    track = track_from_lab(lab, t, m_per_px=0.006)
    if hide_far_arm:  # running to image right, the runner's left arm is the far one
        far = [INDEX[f"left_{p}"] for p in ("elbow", "wrist", "pinky", "index", "thumb")]
        vis = track.visibility.copy()
        vis[:, far] = 0.05
        track = PoseTrack(
            track.t, track.xy, track.z, vis, track.presence, track.world, track.detected, track.image_size, "s"
        )
    return track, params.stride_period_s


def test_stride_period_of_the_synthetic_sprint() -> None:
    track, period = _sprint_track(False)
    lab = np.concatenate([track.xy * [1, -1] * 0.006, np.zeros((track.n_frames, 33, 1))], axis=-1)
    assert compute_stride_period(lab, track.t) == pytest.approx(period, rel=0.02)


def test_hidden_far_arm_is_filled_from_the_near_arm() -> None:
    full, _ = _sprint_track(False)
    hidden, _ = _sprint_track(True)
    k_full = compute_kinematics(full, AnalysisConfig(cleaning=FAST))
    k = compute_kinematics(hidden, AnalysisConfig(cleaning=FAST))
    assert k.info["arm_fill_frames"]["left"] > 150 and k.info["arm_fill_frames"]["right"] == 0
    inner = slice(10, -10)
    assert np.all(np.isfinite(k.groups.total[inner]))
    arms = [i for i, n in enumerate(k.segment_names) if n.startswith("left_") and ("arm" in n or "hand" in n)]
    for ax in (1, 2):  # yaw and pitch of the filled arm against the seen one
        est = k.segment_h[inner][:, arms, ax].sum(axis=1)
        true = k_full.segment_h[inner][:, arms, ax].sum(axis=1)
        assert np.corrcoef(est, true)[0, 1] > 0.8, ax
    # the filled frames count as unseen
    assert np.mean(k.frame_confidence) < np.mean(k_full.frame_confidence)
