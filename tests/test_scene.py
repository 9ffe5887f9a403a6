"""Tests of sprintbal.kinematics.scene on the analytic runner."""

from __future__ import annotations

import numpy as np
import pytest

from sprintbal.config import CleaningConfig
from sprintbal.kinematics.cleaning import clean_track
from sprintbal.kinematics.scene import compute_facing, compute_sagittal_points, compute_scene
from tests.fixtures_kin import make_track


@pytest.mark.parametrize(("fps", "noise"), [(30.0, 1.0), (60.0, 3.0), (240.0, 1.0)])
def test_scale_recovers_height(fps: float, noise: float) -> None:
    track, truth = make_track(fps, 1.5, noise_px=noise, seed=2)
    scene = compute_scene(clean_track(track, CleaningConfig()), 1.80)
    assert scene.scale_source == "height"
    assert abs(scene.m_per_px / truth.m_per_px - 1) < 0.03
    assert np.isfinite(scene.m_per_px_world)
    assert not scene.treadmill
    assert abs(scene.ground_y_px - 900.0) < 2.0 * noise + 1.0


def test_direction_mirror_gives_same_sagittal_points() -> None:
    out = {}
    for d in (1, -1):
        track, truth = make_track(60.0, 1.5, direction=d)
        clean = clean_track(track, CleaningConfig(cutoff_hz=12.0))
        scene = compute_scene(clean, 1.80)
        assert scene.direction == d
        out[d] = compute_sagittal_points(clean, scene)
    np.testing.assert_allclose(out[1], out[-1], atol=1e-6)
    # forward X grows with time and the planted toe sits on the ground
    sag = out[1]
    hip_x = sag[:, 23, 0]
    assert hip_x[-1] - hip_x[0] > 9.0
    assert abs(np.min(sag[:, 31, 1])) < 0.02
    np.testing.assert_allclose(sag[:, :, 0] - sag[0, 23, 0], truth.sag[:, :, 0] - truth.sag[0, 23, 0], atol=0.05)


@pytest.mark.parametrize("d", [1, -1])
def test_treadmill_direction_from_facing(d: int) -> None:
    track, _ = make_track(60.0, 1.5, direction=d, treadmill=True)
    clean = clean_track(track, CleaningConfig())
    scene = compute_scene(clean, 1.80)
    assert scene.treadmill
    assert scene.direction == d
    assert compute_facing(clean.xy) * d > 0.9
    sag = compute_sagittal_points(clean, scene)
    # toe moves backward (relative to the still hips) while planted
    assert np.nanmax(np.abs(sag[:, 23, 0])) < 0.1
