"""Group momenta against known 3D motion: the synthetic sprint and the DeepMimic real running stride."""

from __future__ import annotations

import numpy as np
import pytest

from sprintbal.kinematics.body_model import compute_body_model, compute_segment_kinematics
from sprintbal.kinematics.depth import compute_lab_points
from sprintbal.kinematics.events import compute_push_side
from sprintbal.kinematics.momentum import compute_group_momenta, compute_segment_momentum, segment_groups
from sprintbal.kinematics.result import GroupMomenta
from sprintbal.pose.landmarks import INDEX
from tests.conftest import MOCAP

YAW, PITCH = 1, 2


def _groups(points: np.ndarray, t: np.ndarray, push: np.ndarray) -> tuple[GroupMomenta, np.ndarray]:
    model = compute_body_model("male", 75.0)
    seg = compute_segment_kinematics(points, model, t)
    h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
    )
    return compute_group_momenta(h, model.names, push), h


def _r_gain_nrmse(est: np.ndarray, true: np.ndarray) -> tuple[float, float, float]:
    ok = np.isfinite(est) & np.isfinite(true)
    e, y = est[ok], true[ok]
    return (
        float(np.corrcoef(e, y)[0, 1]),
        float(np.sum(e * y) / np.sum(y * y)),
        float(np.sqrt(np.mean((e - y) ** 2) / np.mean(y * y))),
    )


def test_synthetic_sprint_side_view_pitch_exact_yaw_from_prior() -> None:
    motion_mod = pytest.importorskip("sprintbal.synth.motion")
    params = motion_mod.SprintParams()
    t = np.arange(240) / 120.0
    motion = motion_mod.compute_sprint_motion(params, t)
    push = compute_push_side(motion.contact, t, "last_off")
    true, _ = _groups(motion.joints, t, push)
    est, _ = _groups(compute_lab_points(motion.joints[..., :2], None, params.height_m, "prior"), t, push)
    sl = slice(2, -2)
    for name in ("push", "swing", "lower", "upper", "total"):
        r, gain, nrmse = _r_gain_nrmse(getattr(est, name)[sl, PITCH], getattr(true, name)[sl, PITCH])
        assert r > 0.999 and abs(gain - 1) < 0.01 and nrmse < 0.02, (name, r, gain, nrmse)
    for name in ("swing", "lower", "upper"):
        r, gain, _ = _r_gain_nrmse(getattr(est, name)[sl, YAW], getattr(true, name)[sl, YAW])
        assert r > 0.95 and 0.7 < gain < 1.3, (name, r, gain)


def _deepmimic(clip: str) -> tuple[np.ndarray, np.ndarray]:
    dm = pytest.importorskip("sprintbal.synth.deepmimic")
    if not MOCAP.is_dir():
        pytest.skip("../shared/mocap/deepmimic_run is absent")
    # one recorded stride, used as recorded (the clip does not close into a seamless loop)
    skel, frames = dm.load_deepmimic(MOCAP, clip)
    return np.arange(frames.shape[0]) * float(frames[0, 0]), dm.deepmimic_landmarks(skel, frames)


@pytest.mark.parametrize("clip", ["humanoid3d_run.txt", "humanoid3d_jog.txt"])
def test_real_running_stride_sign_structure(clip: str) -> None:
    # BIOMECHANICS.md section 1: yaw -- stance and swing legs the same sign, arms opposite the legs;
    # pitch -- stance and swing legs opposite. Judged over single-support frames.
    t, pts = _deepmimic(clip)
    low = np.minimum(pts[:, [INDEX["left_heel"], INDEX["right_heel"]], 1],
                     pts[:, [INDEX["left_foot_index"], INDEX["right_foot_index"]], 1])  # fmt: skip
    contact = low < 0.025
    push = compute_push_side(contact, t, "last_off")
    g, h = _groups(pts, t, push)
    arms = h[:, segment_groups(compute_body_model("male", 75.0).names)["arms"]].sum(axis=1)
    single = (contact[:, 0] ^ contact[:, 1]) & (push >= 0)
    single[[0, -1]] = False
    assert single.sum() >= 10
    stance = (g.push - g.upper)[single]
    swing, lower, arms = g.swing[single], g.lower[single], arms[single]
    assert np.corrcoef(stance[:, YAW], swing[:, YAW])[0, 1] > 0.5
    assert np.corrcoef(arms[:, YAW], lower[:, YAW])[0, 1] < -0.5
    assert np.corrcoef(stance[:, PITCH], swing[:, PITCH])[0, 1] < -0.5
