"""The kinematics stage on real pose output: a rendered clip with a known answer, and real footage.

- ``video``: BlazePose on ``sample_videos/sprint_balanced_side_60fps.mp4`` then ``compute_kinematics``,
  checked against the clip's truth file (contacts, touchdown timing, cadence, mediolateral push/swing
  momentum against de Leva momenta of the true 3D joints grouped by the true contacts).
- ``footage``: the treadmill clip's cadence against a hand count of its touchdowns (frame numbers in
  docs/kinematics.md), and the walking / jumping-jacks control must not be called running.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sprintbal.config import resolve_config
from sprintbal.kinematics.body_model import compute_body_model, compute_segment_kinematics
from sprintbal.kinematics.compute import compute_kinematics
from sprintbal.kinematics.events import compute_push_side
from sprintbal.kinematics.momentum import compute_group_momenta, compute_segment_momentum
from sprintbal.kinematics.result import GroupMomenta, Kinematics
from sprintbal.synth.truth import SynthTruth, load_truth, truth_path

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"

#: Touchdown frames counted by hand on treadmill_male_side_gaitlab.mp4 (30 fps), frames 0-359: the
#: first frame in which the landing shoe sits on the belt (contact sheets of the feet, every frame;
#: method and caveats in docs/kinematics.md). 34 touchdowns, 33 steps.
HAND_TOUCHDOWNS = (7, 17, 28, 38, 49, 60, 70, 81, 91, 102, 112, 124, 134, 145, 156, 166, 177, 188, 198, 210,
                   220, 231, 241, 252, 262, 273, 283, 294, 305, 316, 326, 337, 348, 359)
HAND_FPS = 30.0


def hand_cadence_spm() -> float:
    """Steps per minute from the hand count: steps / time between the first and last touchdown."""
    td = np.asarray(HAND_TOUCHDOWNS, dtype=float)
    return 60.0 * (td.size - 1) / ((td[-1] - td[0]) / HAND_FPS)


def _kinematics(clip: Path, height_m: float | None = None, mass_kg: float | None = None) -> Kinematics:
    from sprintbal.pipeline import analyze

    body = {} if height_m is None else {"height_m": height_m, "mass_kg": mass_kg, "sex": "male"}
    cfg = resolve_config(overrides={"body": body})
    track = analyze(clip, cfg, until="pose").track
    return compute_kinematics(track, cfg)


def _true_groups(truth: SynthTruth) -> GroupMomenta:
    model = compute_body_model("male", truth.mass_kg)
    seg = compute_segment_kinematics(truth.joints3d, model, truth.t)
    h = compute_segment_momentum(
        seg.com, seg.com_velocity, seg.inertia_lab, seg.omega, seg.mass_kg, seg.body_com, seg.body_com_velocity
    )
    return compute_group_momenta(h, model.names, compute_push_side(truth.contact, truth.t, "last_off"))


def test_hand_count_cadence() -> None:
    assert hand_cadence_spm() == pytest.approx(168.75)


@pytest.mark.video
def test_sample_clip_against_truth() -> None:
    clip = SAMPLES / "sprint_balanced_side_60fps.mp4"
    truth = load_truth(truth_path(clip))
    kin = _kinematics(clip, truth.height_m, truth.mass_kg)
    assert kin.is_running
    st = kin.steps
    t0, t1 = float(kin.t[0]), float(kin.t[-1])
    half_step = 0.5 / float(truth.params["step_freq_hz"])  # type: ignore[index]
    errors, n_true = [], 0
    for foot in (0, 1):
        true_td = truth.touchdown_t[foot][(truth.touchdown_t[foot] > t0) & (truth.touchdown_t[foot] < t1)]
        det = st.touchdown_t[(st.foot == foot) & np.isfinite(st.touchdown_t)]
        n_true += true_td.size
        for tt in true_td:
            d = det - tt
            if d.size and np.min(np.abs(d)) < half_step:
                errors.append(float(d[np.argmin(np.abs(d))]))
    # every true touchdown found, at most one extra contact
    assert len(errors) == n_true
    assert abs(int(np.isfinite(st.touchdown_t).sum()) - n_true) <= 1
    assert np.median(np.abs(errors)) * truth.fps <= 1.5
    true_cad = 60.0 * float(truth.params["step_freq_hz"])  # type: ignore[index]
    assert kin.info["cadence_spm"] == pytest.approx(true_cad, rel=0.02)
    tg = _true_groups(truth)
    n = min(kin.t.size, truth.n_frames)
    for group in ("push", "swing"):
        est = getattr(kin.groups, group)[:n, 2]
        true = getattr(tg, group)[:n, 2]
        ok = np.isfinite(est) & np.isfinite(true)
        assert ok.sum() > 0.8 * n
        assert np.corrcoef(est[ok], true[ok])[0, 1] >= 0.8, group


@pytest.mark.video
@pytest.mark.footage
def test_treadmill_cadence_matches_hand_count(footage_dir: Path) -> None:
    kin = _kinematics(footage_dir / "treadmill_male_side_gaitlab.mp4")
    assert kin.is_running
    assert kin.info["cadence_spm"] == pytest.approx(hand_cadence_spm(), rel=0.02)


@pytest.mark.video
@pytest.mark.footage
def test_walking_control_is_not_running(footage_dir: Path) -> None:
    kin = _kinematics(footage_dir / "walk_jumpingjacks_sports2d_demo.mp4")
    assert not kin.is_running
    assert kin.running_reason


@pytest.mark.video
def test_arm_drop_sample_explanation_names_the_arm_first() -> None:
    """The bundled arm-drop clip (left arm stops swinging): its twisting event says what changed, the left arm
    first, not a leg that stayed within a few percent of its usual momentum."""
    from sprintbal.balance import assess_balance

    clip = SAMPLES / "sprint_breakdown_armdrop_side_60fps.mp4"
    truth = load_truth(truth_path(clip))
    kin = _kinematics(clip, truth.height_m, truth.mass_kg)
    events = [e for e in assess_balance(kin, resolve_config().balance).events if e.axis == "vertical"]
    assert events, "no twisting event on the arm-drop sample"
    text = events[0].explanation
    assert "the left arm did" in text and "mostly the left arm" in text, text
