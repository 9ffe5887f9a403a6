"""Known-answer tests of the parametric sprint motion (pure numpy, fast)."""

from __future__ import annotations

import numpy as np
import pytest

from sprintbal.errors import ConfigError
from sprintbal.pose.landmarks import INDEX, MIRROR
from sprintbal.synth.motion import (
    PERTURBATION_KINDS,
    Perturbation,
    SprintParams,
    compute_sprint_motion,
    parse_perturbation,
)

RATE = 2000.0
SIDES = ("left", "right")
PARAM_SETS = [
    SprintParams(),
    SprintParams(speed_mps=5.0, step_freq_hz=3.6, contact_fraction=0.55),
    SprintParams(speed_mps=10.5, step_freq_hz=4.8, contact_fraction=0.42, height_m=1.70),
]


def _motion(p: SprintParams, dur: float = 2.0, perts: tuple[Perturbation, ...] = ()):
    t = np.arange(int(dur * RATE)) / RATE
    return compute_sprint_motion(p, t, perts)


@pytest.mark.parametrize("p", PARAM_SETS)
def test_stance_foot_does_not_slide(p: SprintParams) -> None:
    m = _motion(p)
    for side, nm in enumerate(SIDES):
        c = m.contact[:, side]
        both = c[1:] & c[:-1]
        assert both.sum() > 100
        toe = m.joints[:, INDEX[f"{nm}_foot_index"]]
        # the contact point is exactly fixed: no motion at all between consecutive stance samples
        step = np.linalg.norm(np.diff(toe, axis=0), axis=-1)[both]
        assert step.max() < 1e-12
        # the ankle rolls about it but never travels more than the foot length during a contact
        ankle = m.joints[:, INDEX[f"{nm}_ankle"]]
        assert np.all(np.abs(ankle[c, 0] - toe[c, 0]) < 0.13 * p.height_m)


@pytest.mark.parametrize("p", PARAM_SETS)
def test_contacts_match_foot_height(p: SprintParams) -> None:
    m = _motion(p)
    j = m.joints
    for side, nm in enumerate(SIDES):
        c = m.contact[:, side]
        toe, heel = j[:, INDEX[f"{nm}_foot_index"]], j[:, INDEX[f"{nm}_heel"]]
        assert np.all(toe[c, 1] == 0.0)  # exactly on the ground in contact
        assert np.all(heel[:, 1] > 0.0)  # forefoot runner: the heel never touches
        assert np.all(toe[~c, 1] > 0.0)  # above the ground whenever not in contact
        # clearly above it once the foot is under way (mid-swing)
        assert np.quantile(toe[~c, 1], 0.5) > 0.05
    # over whole steps, the flight share is 1 - contact_fraction
    t0 = m.touchdown_t[1][0]
    whole = (m.t >= t0) & (m.t < t0 + 4 / p.step_freq_hz)
    flight = ~m.contact[whole].any(axis=1)
    assert flight.mean() == pytest.approx(1.0 - p.contact_fraction, abs=2 / whole.sum())
    assert not np.any(m.contact.all(axis=1))  # sprinting: no double support


def test_all_joints_are_continuous() -> None:
    m = _motion(SprintParams())
    jump = np.linalg.norm(np.diff(m.joints, axis=0), axis=-1).max()
    # 2000 Hz: nothing moves faster than 25 m/s (hands and feet peak near 3x running speed)
    assert jump * RATE < 25.0


@pytest.mark.parametrize("p", PARAM_SETS)
def test_step_frequency_and_speed(p: SprintParams) -> None:
    m = _motion(p, dur=3.0)
    tds = np.sort(np.concatenate(m.touchdown_t))
    assert np.allclose(np.diff(tds), 1.0 / p.step_freq_hz, atol=1e-9)
    contacts = m.toeoff_t[1][m.toeoff_t[1] > m.touchdown_t[1][0]][0] - m.touchdown_t[1][0]
    assert contacts == pytest.approx(p.contact_s, abs=1e-9)
    pelvis = 0.5 * (m.joints[:, INDEX["left_hip"]] + m.joints[:, INDEX["right_hip"]])
    v = (pelvis[-1, 0] - pelvis[0, 0]) / (m.t[-1] - m.t[0])
    assert v == pytest.approx(p.speed_mps, rel=1e-3)
    # successive toe placements are one step length apart
    toe_x = []
    for side, nm in enumerate(SIDES):
        c = m.contact[:, side]
        starts = np.flatnonzero(np.diff(c.astype(int)) == 1) + 1
        toe_x += [(m.t[i], m.joints[i, INDEX[f"{nm}_foot_index"], 0]) for i in starts]
    toe_x.sort()
    assert np.allclose(np.diff([x for _, x in toe_x]), p.step_length_m, atol=0.01)


def test_left_right_mirror_half_a_stride_apart() -> None:
    p = SprintParams()
    half = p.stride_period_s / 2
    t = np.linspace(0.3, 1.3, 301)
    a = compute_sprint_motion(p, t).joints
    b = compute_sprint_motion(p, t + half).joints
    mirrored = b[:, list(MIRROR)].copy()
    mirrored[..., 2] *= -1.0
    mirrored[..., 0] -= p.speed_mps * half
    assert np.abs(mirrored - a).max() < 1e-6


@pytest.mark.parametrize(
    ("kind", "mirror_kind"), [("arm_drop_left", "arm_drop_right"), ("arm_drop_both", "arm_drop_both")]
)
def test_arm_drops_mirror_each_other(kind: str, mirror_kind: str) -> None:
    # a left-arm drop is the mirror image of a right-arm drop half a stride later (no side bias in the generator)
    p = SprintParams()
    half = p.stride_period_s / 2
    t = np.linspace(0.3, 1.6, 391)
    a = compute_sprint_motion(p, t, (Perturbation(kind, 0.6, 1.1),)).joints
    b = compute_sprint_motion(p, t + half, (Perturbation(mirror_kind, 0.6 + half, 1.1 + half),)).joints
    mirrored = b[:, list(MIRROR)].copy()
    mirrored[..., 2] *= -1.0
    mirrored[..., 0] -= p.speed_mps * half
    assert np.abs(mirrored - a).max() < 1e-9
    assert np.abs(a - compute_sprint_motion(p, t).joints).max() > 0.1  # the drop did change the motion


@pytest.mark.parametrize("side", SIDES)
def test_full_arm_drop_stops_the_arm_relative_to_the_thorax(side: str) -> None:
    # strength 1: the arm no longer drives; shoulder, elbow and wrist angles are constant inside the plateau
    p = SprintParams()
    m = _motion(p, perts=(Perturbation(f"arm_drop_{side}", 0.5, 1.5, 1.0),))
    i = SIDES.index(side)
    plateau = (m.t >= 0.6) & (m.t <= 1.4)
    for key in ("shoulder_angle_deg", "elbow_flexion_deg"):
        assert np.ptp(m.extras[key][plateau, i]) < 1e-9
        assert np.ptp(m.extras[key][~plateau & (m.t < 0.4), i]) > 20.0  # swinging before the drop
        assert np.ptp(m.extras[key][plateau, 1 - i]) > 20.0  # the other arm keeps driving
    # half strength: half the swing amplitude
    h = _motion(p, perts=(Perturbation(f"arm_drop_{side}", 0.5, 1.5, 0.5),))
    base = _motion(p)
    ratio = np.ptp(h.extras["shoulder_angle_deg"][plateau, i]) / np.ptp(base.extras["shoulder_angle_deg"][plateau, i])
    assert abs(ratio - 0.5) < 0.01


def test_segment_lengths_are_rigid() -> None:
    p = SprintParams()
    m = _motion(p)
    for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"), ("ankle", "heel")):
        for nm in SIDES:
            d = np.linalg.norm(m.joints[:, INDEX[f"{nm}_{a}"]] - m.joints[:, INDEX[f"{nm}_{b}"]], axis=-1)
            assert d.max() - d.min() < 1e-6, (a, b)


def test_trunk_and_pelvis_counter_rotate_and_arms_oppose_legs() -> None:
    m = _motion(SprintParams())
    assert np.corrcoef(m.extras["pelvis_yaw_deg"], m.extras["thorax_yaw_deg"])[0, 1] < -0.99
    # right arm forward when left thigh forward
    assert np.corrcoef(m.extras["shoulder_angle_deg"][:, 1], m.extras["thigh_angle_deg"][:, 0])[0, 1] > 0.6
    assert np.corrcoef(m.extras["shoulder_angle_deg"][:, 1], m.extras["thigh_angle_deg"][:, 1])[0, 1] < -0.6


@pytest.mark.parametrize("amp", [0.0, 4.0])
def test_trunk_pitch_is_most_upright_at_touchdown(amp: float) -> None:
    p = SprintParams(trunk_lean_deg=8.0, trunk_pitch_amp_deg=amp)
    m = _motion(p)
    hip = 0.5 * (m.joints[:, INDEX["left_hip"]] + m.joints[:, INDEX["right_hip"]])
    sh = 0.5 * (m.joints[:, INDEX["left_shoulder"]] + m.joints[:, INDEX["right_shoulder"]])
    lean = np.degrees(np.arctan2(sh[:, 0] - hip[:, 0], sh[:, 1] - hip[:, 1]))
    np.testing.assert_allclose([lean.min(), lean.max()], [8.0 - amp, 8.0 + amp], atol=0.05)
    tds = np.concatenate(m.touchdown_t)
    at_td = np.interp(tds[(tds > 0) & (tds < m.t[-1])], m.t, lean)
    np.testing.assert_allclose(at_td, 8.0 - amp, atol=0.05)
    # the hip-to-shoulder distance stays the trunk length
    d = np.linalg.norm(sh - hip, axis=-1)
    assert d.max() - d.min() < 1e-6


@pytest.mark.parametrize("kind", PERTURBATION_KINDS)
def test_perturbation_changes_motion_only_inside_window(kind: str) -> None:
    p = SprintParams()
    base = _motion(p)
    pert = Perturbation(kind, 0.6, 1.3, 1.0)
    m = _motion(p, perts=(pert,))
    diff = np.abs(m.joints - base.joints).max(axis=(1, 2))
    inside = (m.t > pert.start_s) & (m.t < pert.end_s)
    assert np.all(diff[~inside] == 0.0)
    assert diff[inside].max() > 0.05  # a visible change (metres)
    assert np.array_equal(m.contact, base.contact)
    # stance legs untouched: the planted toe never moves
    for side, nm in enumerate(SIDES):
        c = m.contact[:, side]
        toe = m.joints[:, INDEX[f"{nm}_foot_index"]]
        assert np.all(toe[c] == base.joints[c, INDEX[f"{nm}_foot_index"]])


def test_perturbation_targets_the_named_side() -> None:
    p = SprintParams()
    base = _motion(p)
    m = _motion(p, perts=(Perturbation("arm_drop_left", 0.5, 1.5),))
    d = np.abs(m.joints - base.joints).max(axis=(0, 2))
    assert d[INDEX["left_wrist"]] > 0.1
    assert d[INDEX["right_wrist"]] == 0.0
    m = _motion(p, perts=(Perturbation("swing_leg_lag_right", 0.5, 1.5),))
    d = np.abs(m.joints - base.joints).max(axis=(0, 2))
    assert d[INDEX["right_ankle"]] > 0.05
    assert d[INDEX["left_ankle"]] == 0.0


def test_parse_perturbation() -> None:
    p = parse_perturbation("arm_drop_left:1.0:2.0:0.8")
    assert (p.kind, p.start_s, p.end_s, p.strength) == ("arm_drop_left", 1.0, 2.0, 0.8)
    assert parse_perturbation("trunk_over_rotation:0:1").strength == 1.0
    for bad in ("arm_drop_left", "nope:1:2", "arm_drop_left:a:2", "arm_drop_left:2:1", "arm_drop_left:1:2:5",
                "arm_drop_left:1:2:0.5:9", "arm_drop_left:nan:2"):
        with pytest.raises(ConfigError) as err:
            parse_perturbation(bad)
        assert "\n" not in str(err.value)


def test_bad_params_are_one_line_config_errors() -> None:
    with pytest.raises(ConfigError):
        SprintParams(speed_mps=50.0)
    with pytest.raises(ConfigError, match="too long for the leg"):
        compute_sprint_motion(SprintParams(speed_mps=12.0, step_freq_hz=3.0, contact_fraction=0.6), np.zeros(3))
