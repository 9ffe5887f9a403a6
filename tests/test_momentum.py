from __future__ import annotations

import math

import numpy as np
import pytest

from sprintbal.kinematics.body_model import (
    SEGMENT_NAMES,
    compute_body_inertia,
    compute_body_model,
    compute_segment_kinematics,
)
from sprintbal.kinematics.momentum import (
    compute_group_momenta,
    compute_segment_momentum,
    normalisation_factor,
    segment_groups,
)
from tests.kinpose import mirror, moving_pose, standing_pose, yaw_rotation


def _h(points: np.ndarray, t: np.ndarray, sex: str = "male", mass: float = 70.0) -> tuple[np.ndarray, object]:
    seg = compute_segment_kinematics(points, compute_body_model(sex, mass), t)  # type: ignore[arg-type]
    h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
    )
    return h, seg


def test_rigid_segment_spinning_about_its_com_gives_i_omega() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3))
    inertia = a @ a.T + 3 * np.eye(3)
    omega = np.array([0.3, -2.0, 5.0])
    t = 4
    com = np.zeros((t, 1, 3))
    h = compute_segment_momentum(
        com, np.zeros((t, 1, 3)), np.tile(inertia, (t, 1, 1, 1)), np.tile(omega, (t, 1, 1)),
        np.array([4.0]), np.zeros((t, 3)), np.zeros((t, 3)),
    )  # fmt: skip
    np.testing.assert_allclose(h[:, 0], np.tile(inertia @ omega, (t, 1)), rtol=1e-14)


def test_segment_pivoting_on_a_planted_end_gives_m_d2_w_plus_i_w() -> None:
    # The right shank turns about its planted ankle at w (X toward Y). About the ankle (taken as
    # the reference point, at rest) H_z = (m d^2 + I_com) w with d the ankle-to-COM distance.
    w = 4.0
    t = np.linspace(0.0, 0.4, 801)
    pts = np.repeat(standing_pose()[None], t.size, axis=0)
    ank = pts[0, 28].copy()
    L = 0.42
    ang = np.pi / 2 - 0.6 + w * t
    pts[:, 26, 0] = ank[0] + L * np.cos(ang)
    pts[:, 26, 1] = ank[1] + L * np.sin(ang)
    pts[:, 26, 2] = ank[2]
    seg = compute_segment_kinematics(pts, compute_body_model("male", 70.0), t)
    i = SEGMENT_NAMES.index("right_shank")
    pivot = np.tile(ank, (t.size, 1))
    h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, pivot, np.zeros_like(pivot)
    )
    m = seg.mass_kg[i]
    d = (1 - 0.4395) * L
    i_com = m * (0.246 * L) ** 2  # transverse (mediolateral) radius of gyration of the shank
    expected = (m * d**2 + i_com) * w
    np.testing.assert_allclose(h[2:-2, i, 2], expected, rtol=1e-4)
    np.testing.assert_allclose(h[2:-2, i, :2], 0.0, atol=1e-9)
    # the local term alone is I_com w: H about the segment's own COM
    h_own = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.com[:, i], seg.com_velocity[:, i]
    )
    np.testing.assert_allclose(h_own[2:-2, i, 2], i_com * w, rtol=1e-4)


def test_pure_translation_gives_zero_momentum_about_the_com() -> None:
    rng = np.random.default_rng(2)
    t = np.cumsum(rng.uniform(0.003, 0.006, 60))  # non-uniform frame times
    shift = np.stack([9.0 * t + 0.5 * np.sin(7 * t), 0.2 * np.sin(11 * t), 0.05 * t**2], axis=-1)
    pts = standing_pose()[None] + shift[:, None, :]
    h, _ = _h(pts, t)
    assert np.max(np.abs(h)) < 1e-10


def test_mirrored_runner_gives_mirrored_momenta() -> None:
    # Reflection P = diag(1, 1, -1) maps r -> P r and v -> P v; H = r x m v is a pseudovector, so
    # H -> det(P) P H = (-H_x, -H_y, +H_z): yaw and roll flip, pitch (about Z) is unchanged.
    # The mirrored runner's left segment is the original's right segment.
    t = np.linspace(0.0, 0.6, 61)
    pts = moving_pose(t, seed=3)
    h, _ = _h(pts, t)
    hm, _ = _h(mirror(pts), t)
    names = list(SEGMENT_NAMES)
    swap = [names.index(n.replace("left_", "#").replace("right_", "left_").replace("#", "right_")) for n in names]
    flip = np.array([-1.0, -1.0, 1.0])
    np.testing.assert_allclose(hm, h[:, swap, :] * flip, atol=1e-9)
    push = np.where(np.arange(t.size) % 20 < 10, 0, 1).astype(np.int8)
    g = compute_group_momenta(h, SEGMENT_NAMES, push)
    gm = compute_group_momenta(hm, SEGMENT_NAMES, (1 - push).astype(np.int8))
    for name in ("push", "swing", "lower", "upper", "total"):
        np.testing.assert_allclose(getattr(gm, name), getattr(g, name) * flip, atol=1e-9)
    # the yaw momentum is not trivially zero, so the sign test has teeth
    assert np.max(np.abs(g.swing[:, 1])) > 0.1


def test_rigid_yaw_rotation_gives_body_inertia_times_omega() -> None:
    w = 2.5  # rad/s about +Y (counter-clockwise from above)
    t = np.linspace(0.0, 0.3, 301)
    rot = yaw_rotation(w * t)
    base = standing_pose() + np.array([0.3, 0.0, -0.2])  # axis not through the COM
    pts = np.einsum("tij,kj->tki", rot, base)
    h, seg = _h(pts, t)
    total = h.sum(axis=1)
    for k in (10, 150, 290):
        expected = compute_body_inertia(seg, k) @ np.array([0.0, w, 0.0])
        np.testing.assert_allclose(total[k], expected, rtol=1e-4, atol=1e-6)
    assert total[150, 1] > 0.5  # a real, positive yaw momentum (kg m^2/s)


def test_group_sums_add_to_total_and_unknown_push_side_is_nan() -> None:
    t = np.linspace(0.0, 0.5, 51)
    h, _ = _h(moving_pose(t, seed=4), t)
    push = np.full(t.size, 1, dtype=np.int8)
    push[:10] = 0
    push[40:] = -1
    g = compute_group_momenta(h, SEGMENT_NAMES, push)
    known = push >= 0
    np.testing.assert_allclose(g.push[known] + g.swing[known], g.total[known], atol=1e-12)
    np.testing.assert_allclose(g.lower + g.upper, g.total, atol=1e-12)
    np.testing.assert_allclose(g.total, h.sum(axis=1), atol=1e-12)
    assert np.all(np.isnan(g.push[~known])) and np.all(np.isnan(g.swing[~known]))
    # right stance: swing is the left leg
    masks = segment_groups(SEGMENT_NAMES)
    np.testing.assert_allclose(g.swing[20], h[20, masks["left_leg"]].sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(g.swing[5], h[5, masks["right_leg"]].sum(axis=0), atol=1e-12)
    assert masks["arms"].sum() == 6 and masks["axial"].sum() == 2 and masks["lower"].sum() == 6


def test_group_momenta_left_weight_shares_the_legs() -> None:
    t = np.linspace(0.0, 0.5, 51)
    h, _ = _h(moving_pose(t, seed=5), t)
    push = np.full(t.size, 1, dtype=np.int8)
    push[:25] = 0
    w = np.where(push == 0, 1.0, 0.0)
    w[24], w[25] = 0.7, 0.2
    w[30] = np.nan
    g = compute_group_momenta(h, SEGMENT_NAMES, push, w)
    hard = compute_group_momenta(h, SEGMENT_NAMES, push)
    masks = segment_groups(SEGMENT_NAMES)
    left = h[:, masks["left_leg"]].sum(axis=1)
    right = h[:, masks["right_leg"]].sum(axis=1)
    np.testing.assert_allclose(g.swing[24], 0.3 * left[24] + 0.7 * right[24], atol=1e-12)
    np.testing.assert_allclose(g.swing[25], 0.8 * left[25] + 0.2 * right[25], atol=1e-12)
    ok = np.isfinite(w)
    np.testing.assert_allclose(g.push[ok] + g.swing[ok], g.total[ok], atol=1e-12)
    assert np.all(np.isnan(g.push[30])) and np.all(np.isnan(g.swing[30]))
    # hard weights reproduce the hard grouping exactly
    others = ok.copy()
    others[[24, 25]] = False
    np.testing.assert_array_equal(g.swing[others], hard.swing[others])
    np.testing.assert_array_equal(g.push[others], hard.push[others])


def test_normalisation_factor() -> None:
    assert normalisation_factor(70.0, 1.75) == pytest.approx(70.0 * 1.75 * math.sqrt(9.80665 * 1.75))
    assert normalisation_factor(70.0, 1.75) == pytest.approx(507.48, abs=0.01)


@pytest.mark.parametrize("uniform", [True, False])
def test_body_momentum_in_blocks_is_the_whole_clip_computation(uniform: bool) -> None:
    from sprintbal.kinematics.momentum import compute_body_momentum

    n = 61
    t = np.arange(n) * 0.03125 if uniform else np.cumsum(np.random.default_rng(2).uniform(0.03, 0.035, n))
    points = moving_pose(t)
    points[20:23, 15] = np.nan  # an unknown wrist for a few frames
    model = compute_body_model("male", 70.0)
    whole = compute_body_momentum(points, model, t, chunk=10_000)
    h, seg = _h(points, t)
    assert np.array_equal(whole.segment_h, h, equal_nan=True)
    for chunk in (5, 8, 20):
        part = compute_body_momentum(points, model, t, chunk=chunk)
        assert np.array_equal(part.segment_h, h, equal_nan=True)
        assert np.array_equal(part.body_com, seg.body_com, equal_nan=True)  # type: ignore[attr-defined]
        assert np.array_equal(part.body_com_velocity, seg.body_com_velocity, equal_nan=True)  # type: ignore[attr-defined]
        assert np.array_equal(part.length_m, seg.length_m, equal_nan=True)  # type: ignore[attr-defined]


def test_body_momentum_blocks_follow_the_clips_gradient_formula() -> None:
    """A block whose intervals happen to be equal inside a clip whose are not must not switch formulas."""
    from sprintbal.kinematics.momentum import compute_body_momentum

    t = np.concatenate([np.arange(30) * 0.03125, 1.0 + np.cumsum(np.random.default_rng(3).uniform(0.03, 0.035, 30))])
    points = moving_pose(t)
    model = compute_body_model("female", 60.0)
    h, _ = _h(points, t, "female", 60.0)
    assert np.array_equal(compute_body_momentum(points, model, t, chunk=6).segment_h, h, equal_nan=True)
