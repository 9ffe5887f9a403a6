from __future__ import annotations

import numpy as np
import pytest

from sprintbal.kinematics.depth import (
    compute_axis_confidence,
    compute_lab_points,
    compute_side_consistency,
    compute_view,
    compute_world_lateral_axis,
    prior_z_offsets,
)
from sprintbal.pose.landmarks import INDEX, MIRROR
from tests.kinpose import moving_pose, standing_pose


def test_prior_offsets_signs_and_symmetry() -> None:
    z = prior_z_offsets(1.75)
    assert z[INDEX["nose"]] == 0.0
    np.testing.assert_allclose(z[list(MIRROR)], -z)
    for name, i in INDEX.items():
        if name.startswith("right_") or name.endswith("_right"):
            assert z[i] > 0, name
    assert z[INDEX["right_shoulder"]] == pytest.approx(0.175)
    assert z[INDEX["right_hip"]] == pytest.approx(0.0875)
    # arms further out than the hips, feet nearer the midline than the hips
    assert z[INDEX["right_elbow"]] > z[INDEX["right_shoulder"]] > z[INDEX["right_hip"]] > z[INDEX["right_ankle"]]
    assert prior_z_offsets(2.0)[INDEX["left_knee"]] == pytest.approx(-0.09)


def test_prior_keeps_xy_and_marks_unknown() -> None:
    t = np.linspace(0, 0.3, 31)
    sag = moving_pose(t)[..., :2]
    sag[3, 5] = np.nan
    lab = compute_lab_points(sag, None, 1.75, "prior")
    np.testing.assert_array_equal(lab[..., :2], sag)
    assert np.isnan(lab[3, 5, 2])
    assert lab[0, INDEX["right_wrist"], 2] == pytest.approx(0.12 * 1.75)


def _world_from_lab(lab: np.ndarray, direction: int, mp_scale: float) -> np.ndarray:
    """MediaPipe world landmarks (x right, y down, z away from the camera, origin mid-hip) of a
    runner filmed from the side, moving toward image +x (direction +1: the runner's right side faces
    the camera, lab Z = -world z) or -x (direction -1: the runner's left faces it, lab Z = world z).
    Both maps are proper rotations."""
    mid = 0.5 * (lab[:, INDEX["left_hip"]] + lab[:, INDEX["right_hip"]])
    rel = (lab - mid[:, None, :]) * mp_scale
    w = np.empty_like(rel)
    w[..., 0] = direction * rel[..., 0]
    w[..., 1] = -rel[..., 1]
    w[..., 2] = -direction * rel[..., 2]
    return w


@pytest.mark.parametrize("direction", [1, -1])
def test_world_depth_recovers_lateral_offsets(direction: int) -> None:
    # a runner whose trunk and legs keep their lengths (so the 2D/3D scale is exact) and whose arms
    # and head move sideways as well as forward and up
    t = np.linspace(0, 0.5, 51)
    lab = np.repeat(standing_pose()[None], t.size, axis=0)
    lab[..., 0] += 7.0 * t[:, None]
    arms = [i for n, i in INDEX.items() if any(k in n for k in ("elbow", "wrist", "pinky", "index", "thumb", "ear"))]
    lab[:, arms, :] += moving_pose(t, seed=5)[:, arms, :] - moving_pose(t[:1], seed=5)[:, arms, :]
    sag = lab[..., :2]
    world = _world_from_lab(lab, direction, mp_scale=0.9)
    axis = compute_world_lateral_axis(world)
    np.testing.assert_allclose(axis, [0.0, 0.0, -direction], atol=1e-6)
    assert compute_side_consistency(world, direction) == 1.0
    assert compute_side_consistency(world, -direction) == 0.0
    out = compute_lab_points(sag, world, 1.75, "world")
    np.testing.assert_array_equal(out[..., :2], sag)
    mid = 0.5 * (lab[:, INDEX["left_hip"], 2] + lab[:, INDEX["right_hip"], 2])
    truth = lab[..., 2] - mid[:, None]  # world depth is relative to the mid-hip
    np.testing.assert_allclose(out[..., 2], truth, atol=2e-4)
    assert np.ptp(out[:, INDEX["right_wrist"], 2]) > 0.05  # the sideways motion is really recovered
    assert compute_view(world)[0] == "side"


def test_world_without_landmarks_falls_back_to_prior() -> None:
    t = np.linspace(0, 0.2, 21)
    sag = moving_pose(t)[..., :2]
    out = compute_lab_points(sag, np.full((21, 33, 3), np.nan), 1.75, "world")
    np.testing.assert_allclose(out[0, :, 2], prior_z_offsets(1.75))
    assert compute_view(np.full((21, 33, 3), np.nan))[0] == "unknown"


def test_front_view_detected() -> None:
    t = np.linspace(0, 0.2, 21)
    lab = moving_pose(t)
    w = np.empty_like(lab)
    w[..., 0] = lab[..., 2]  # runner's right is image right: filmed from behind
    w[..., 1] = -lab[..., 1]
    w[..., 2] = lab[..., 0]
    assert compute_view(w)[0] == "front"


def test_axis_confidence_side_view_trusts_pitch_not_yaw() -> None:
    for method in ("prior", "world"):
        c = compute_axis_confidence("side", method)
        assert c["mediolateral"] >= 0.8 and c["vertical"] <= 0.35
    c = compute_axis_confidence("side", "prior", seen_fraction=0.5)
    assert c["mediolateral"] == pytest.approx(0.45)
    assert compute_axis_confidence("unknown", "prior", float("nan")) == {"mediolateral": 0.0, "vertical": 0.0}
