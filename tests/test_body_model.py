from __future__ import annotations

import numpy as np
import pytest

from sprintbal.kinematics.body_model import (
    DE_LEVA,
    SEGMENT_NAMES,
    compute_body_inertia,
    compute_body_model,
    compute_segment_frames,
    compute_segment_kinematics,
)
from tests.kinpose import moving_pose, standing_pose


@pytest.mark.parametrize("sex", ["male", "female"])
def test_de_leva_masses_sum_to_100_percent(sex: str) -> None:
    table = DE_LEVA[sex]
    # head (one of its two rows) + trunk + two of each limb segment
    limbs = ("upper_arm", "forearm", "hand", "thigh", "shank", "foot")
    total = table["head_vertex_c7"][0] + table["trunk"][0] + 2 * sum(table[s][0] for s in limbs)
    assert total == pytest.approx(100.0, abs=0.1)
    assert table["head_vertex_c7"][0] == table["head_vertex_gonion"][0]


@pytest.mark.parametrize("sex", ["male", "female"])
def test_model_masses_and_symmetry(sex: str) -> None:
    model = compute_body_model(sex, 70.0)  # type: ignore[arg-type]
    assert model.n_segments == 14
    assert model.mass_kg.sum() == pytest.approx(70.0, rel=1e-12)
    for i, name in enumerate(model.names):
        if name.startswith("left_"):
            j = model.names.index("right_" + name[5:])
            assert model.mass_kg[i] == model.mass_kg[j]
            assert model.com_frac[i] == model.com_frac[j]
            np.testing.assert_array_equal(model.radii[i], model.radii[j])
    # endpoint weights are affine (sum 1); mediolateral references are differences (sum 0)
    np.testing.assert_allclose(model.proximal.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.distal.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.ml_reference.sum(axis=1), 0.0, atol=1e-12)
    # the thigh is 14.16 % of a man (de Leva)
    if sex == "male":
        assert model.mass_kg[model.names.index("left_thigh")] == pytest.approx(0.1416 * 70.0, rel=1e-3)


def test_standing_com_height_and_frames() -> None:
    t = np.arange(5) / 100.0
    pts = np.repeat(standing_pose()[None], 5, axis=0)
    seg = compute_segment_kinematics(pts, compute_body_model("male", 70.0), t)
    # standing whole-body COM at about 55-58 % of height, on the midline
    assert 0.52 * 1.75 < seg.body_com[0, 1] < 0.60 * 1.75
    assert abs(seg.body_com[0, 2]) < 1e-12
    r = seg.rotation[0]
    np.testing.assert_allclose(r @ np.swapaxes(r, -1, -2), np.broadcast_to(np.eye(3), r.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(r), 1.0)
    # standing: long axes up, mediolateral axes to the right, for trunk and thighs
    for name in ("trunk", "left_thigh", "right_thigh", "left_upper_arm"):
        i = SEGMENT_NAMES.index(name)
        assert r[i][1, 1] > 0.95  # long axis (column 1) ~ +Y
        assert r[i][2, 2] > 0.95  # mediolateral axis (column 2) ~ +Z
    # no motion: no velocity, no spin
    np.testing.assert_allclose(seg.omega, 0.0, atol=1e-12)
    np.testing.assert_allclose(seg.com_velocity, 0.0, atol=1e-12)
    # inertia: thigh about its long axis m (0.149 L)^2
    i = SEGMENT_NAMES.index("right_thigh")
    L = seg.length_m[i]
    m = seg.mass_kg[i]
    long_axis = r[i][:, 1]
    assert long_axis @ seg.inertia_lab[0, i] @ long_axis == pytest.approx(m * (0.149 * L) ** 2, rel=1e-9)
    ap = r[i][:, 0]
    assert ap @ seg.inertia_lab[0, i] @ ap == pytest.approx(m * (0.329 * L) ** 2, rel=1e-9)


def test_frames_fall_back_when_reference_is_along_the_segment() -> None:
    prox = np.array([[0.0, 0.0, 0.5]])
    dist = np.array([[0.0, 0.0, 0.0]])
    r = compute_segment_frames(prox, dist, np.array([[0.0, 0.0, 1.0]]))[0]
    np.testing.assert_allclose(r.T @ r, np.eye(3), atol=1e-12)
    assert np.linalg.det(r) == pytest.approx(1.0)


def test_angular_velocity_of_a_segment_swinging_in_the_sagittal_plane() -> None:
    # right shank rotating about the (fixed) ankle at w rad/s, X toward Y: omega_z = +w
    w = 3.0
    t = np.linspace(0.0, 0.5, 501)
    pts = np.repeat(standing_pose()[None], t.size, axis=0)
    ank = pts[0, 28].copy()
    L = 0.4
    ang = np.pi / 2 - 0.5 + w * t  # knee direction seen from the ankle, angle from +X toward +Y
    pts[:, 26, 0] = ank[0] + L * np.cos(ang)
    pts[:, 26, 1] = ank[1] + L * np.sin(ang)
    pts[:, 26, 2] = ank[2]
    seg = compute_segment_kinematics(pts, compute_body_model("male", 70.0), t)
    i = SEGMENT_NAMES.index("right_shank")
    np.testing.assert_allclose(seg.omega[5:-5, i], np.tile([0.0, 0.0, w], (t.size - 10, 1)), atol=1e-3)


def test_body_inertia_is_symmetric_positive() -> None:
    t = np.linspace(0, 0.2, 21)
    seg = compute_segment_kinematics(moving_pose(t), compute_body_model("female", 60.0), t)
    ib = compute_body_inertia(seg, 3)
    np.testing.assert_allclose(ib, ib.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(ib) > 0)


def test_an_unknown_landmark_only_affects_the_segments_that_use_it() -> None:
    t = np.linspace(0, 0.2, 21)
    pts = moving_pose(t)
    pts[:, 21] = np.nan  # left thumb: used by no segment
    pts[5, 25] = np.nan  # left knee in one frame: left thigh and shank only
    seg = compute_segment_kinematics(pts, compute_body_model("male", 70.0), t)
    assert np.all(np.isfinite(seg.com[:, SEGMENT_NAMES.index("right_thigh")]))
    assert np.all(np.isfinite(seg.com[:, SEGMENT_NAMES.index("left_hand")]))
    bad = {n for i, n in enumerate(SEGMENT_NAMES) if not np.all(np.isfinite(seg.com[5, i]))}
    assert bad == {"left_thigh", "left_shank"}
    assert np.all(np.isnan(seg.body_com[5])) and np.all(np.isfinite(seg.body_com[7]))
