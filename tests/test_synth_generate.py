"""Truth files, motion CSV, camera projection, DeepMimic FK and (marked `video`) a rendered clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sprintbal.errors import BadInputError, ConfigError
from sprintbal.pose.landmarks import INDEX, LANDMARK_NAMES
from sprintbal.synth.generate import contacts_from_feet, generate_clip, load_motion_csv, save_motion_csv
from sprintbal.synth.motion import Perturbation, SprintParams, compute_sprint_motion
from sprintbal.synth.render import Camera, build_scene, look_at, make_camera, render_frame
from sprintbal.synth.truth import SynthTruth, attach_momenta, load_truth, save_truth, truth_path
from tests.conftest import MOCAP


def _truth(n: int = 12) -> SynthTruth:
    p = SprintParams()
    t = np.arange(n) / 60.0
    m = compute_sprint_motion(p, t, (Perturbation("arm_drop_left", 0.05, 0.15, 0.7),))
    pel = 0.5 * (m.joints[:, INDEX["left_hip"]] + m.joints[:, INDEX["right_hip"]])
    cam = make_camera(pel, 320, 240)
    xy, _ = cam.project(m.joints)
    return SynthTruth(
        t=t, fps=60.0, joints3d=m.joints, joints2d=xy, contact=m.contact, touchdown_t=m.touchdown_t,
        toeoff_t=m.toeoff_t, camera_K=cam.K, camera_R=cam.R, camera_C=cam.C, image_size=(320, 240), view="side",
        follow="track", source="parametric", params={"speed_mps": 8.0}, height_m=1.8, mass_kg=75.0,
        perturbations=({"kind": "arm_drop_left", "start_s": 0.05, "end_s": 0.15, "strength": 0.7},),
        render={"seed": 3},
    )


def test_truth_round_trip(tmp_path: Path) -> None:
    tr = _truth()
    assert tr.momenta is None
    tr = attach_momenta(tr, push=np.ones((12, 3)), swing=-np.ones((12, 3)))
    path = save_truth(tr, truth_path(tmp_path / "clip.mp4"))
    assert path.name == "clip.truth.npz"
    back = load_truth(path)
    for name in ("t", "joints3d", "joints2d", "contact", "camera_K", "camera_R", "camera_C"):
        np.testing.assert_array_equal(getattr(back, name), getattr(tr, name))
    for a, b in zip(back.touchdown_t + back.toeoff_t, tr.touchdown_t + tr.toeoff_t, strict=True):
        np.testing.assert_array_equal(a, b)
    assert back.perturbations == tr.perturbations and back.render == tr.render and back.params == tr.params
    assert back.image_size == (320, 240) and back.view == "side" and back.fps == 60.0
    assert back.momenta is not None and set(back.momenta) == {"push", "swing"}
    np.testing.assert_array_equal(back.momenta["swing"], -np.ones((12, 3)))
    assert back.perturbed().tolist() == ((tr.t >= 0.05) & (tr.t <= 0.15)).tolist()
    with pytest.raises(ValueError):
        attach_momenta(tr, total=np.zeros((3, 3)))


def test_truth_bad_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        load_truth(tmp_path / "missing.truth.npz")
    bad = tmp_path / "bad.truth.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(BadInputError):
        load_truth(bad)


def test_motion_csv_round_trip(tmp_path: Path) -> None:
    p = SprintParams()
    t = np.arange(240) / 240.0
    m = compute_sprint_motion(p, t)
    path = save_motion_csv(tmp_path / "m.csv", t, m.joints)
    back = load_motion_csv(path)
    np.testing.assert_allclose(back.joints, m.joints, atol=1e-6)
    np.testing.assert_allclose(back.t, t, atol=1e-6)
    assert back.height_m == pytest.approx(p.height_m, rel=0.03)
    # contacts from foot height/speed agree with the parametric truth except at the event frames
    assert np.mean(back.contact == m.contact) > 0.97
    for f in (0, 1):
        for est, true in ((back.touchdown_t[f], m.touchdown_t[f]), (back.toeoff_t[f], m.toeoff_t[f])):
            assert len(est) == len(true)
            assert np.abs(est - true).max() < 0.01


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_motion_csv_errors(tmp_path: Path) -> None:
    header = ",".join(["t"] + [f"{n}_{a}" for n in LANDMARK_NAMES for a in "xyz"])
    row = ",".join(["0"] + ["0.5"] * 99)
    cases = {
        "empty.csv": "",
        "cols.csv": "t,nose_x\n0,1\n1,2\n",
        "short.csv": f"{header}\n{row}\n",
        "nan.csv": f"{header}\n{row}\n{row.replace('0,', '1,', 1)[:-3]}nan\n",
        "text.csv": f"{header}\n{row}\n1,{'x,' * 98}1\n",
        "time.csv": f"{header}\n{row}\n{row}\n",
    }
    for name, text in cases.items():
        with pytest.raises(ConfigError) as err:
            load_motion_csv(_write(tmp_path / name, text))
        assert "\n" not in str(err.value), name
    with pytest.raises(BadInputError):
        load_motion_csv(tmp_path / "absent.csv")
    with pytest.raises(BadInputError):
        load_motion_csv(tmp_path)


def test_contacts_from_feet_debounce() -> None:
    t = np.arange(100) / 100.0
    j = np.zeros((100, 33, 3))
    j[:, :, 1] = 0.5
    low = np.zeros(100, bool)
    low[20:40] = True
    low[42] = True  # 10 ms blip after a 20 ms gap: joined; 40 ms gap before the next run
    low[70:71] = True  # 10 ms contact: dropped
    for nm in ("left", "right"):
        j[low, INDEX[f"{nm}_foot_index"], 1] = 0.0
    c, td, to = contacts_from_feet(t, j)
    assert c[:, 0].tolist() == ([False] * 20 + [True] * 23 + [False] * 57)
    np.testing.assert_allclose(td[0], [0.195])
    np.testing.assert_allclose(to[0], [0.425])


def test_camera_projects_a_known_point() -> None:
    eye = np.array([[0.0, 1.0, 10.0]])
    R = look_at(eye, np.array([[0.0, 1.0, 0.0]]))
    # looking from the runner's right toward -Z: image x = +X, image y = -Y
    np.testing.assert_allclose(R[0], [[1, 0, 0], [0, -1, 0], [0, 0, -1]], atol=1e-12)
    K = np.array([[1000.0, 0, 640], [0, 1000.0, 360], [0, 0, 1]])
    cam = Camera(K, R, eye, 1280, 720)
    xy, depth = cam.project(np.array([[[0.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.5, 0.0, 5.0]]]))
    np.testing.assert_allclose(xy[0], [[640, 360], [740, 260], [740, 560]])
    np.testing.assert_allclose(depth[0], [10, 10, 5])


def test_make_camera_views_and_errors() -> None:
    pel = np.stack([np.linspace(0, 8, 20), np.full(20, 0.9), np.zeros(20)], -1)
    for view in ("side", "side_left", "oblique", "front"):
        for follow in ("track", "pan", "static"):
            cam = make_camera(pel, 640, 360, view=view, follow=follow)
            xy, d = cam.project(pel[:, None, :])
            assert np.all(d > 2)
            if follow != "static":  # the runner stays centred
                np.testing.assert_allclose(xy[:, 0, 0], 319.5, atol=1.0)
    side = make_camera(pel, 640, 360, view="side")
    xy, _ = side.project(pel[:, None, :] + np.array([1.0, 0, 0]))
    assert np.all(xy[:, 0, 0] > 319.5)  # forward is to the right in the side view
    with pytest.raises(ConfigError):
        make_camera(pel, 640, 360, view="top")
    with pytest.raises(ConfigError):
        make_camera(pel, 640, 360, follow="drone")


def test_render_frame_draws_the_runner_where_projected() -> None:
    p = SprintParams()
    t = np.arange(3) / 60.0
    m = compute_sprint_motion(p, t)
    pel = 0.5 * (m.joints[:, INDEX["left_hip"]] + m.joints[:, INDEX["right_hip"]])
    cam = make_camera(pel, 320, 180)
    scene = build_scene((-5.0, 5.0), 0.0, "side")
    img = render_frame(scene, cam.frame(1), m.joints[1], 1.8)
    assert img.shape == (180, 320, 3) and img.dtype == np.uint8
    bg = render_frame(scene, cam.frame(1), m.joints[1] + np.array([0.0, 50.0, 0.0]), 1.8)  # body out of view
    diff = np.abs(img.astype(int) - bg.astype(int)).sum(axis=2) > 30
    xy, _ = cam.frame(1).project(m.joints[1:2])
    ys, xs = np.nonzero(diff)
    # the drawn body covers the projected joints' box (allowing for limb radii)
    assert xs.min() <= xy[0, :, 0].min() + 2 and xs.max() >= xy[0, :, 0].max() - 2
    assert ys.min() <= xy[0, :, 1].min() + 2 and ys.max() >= xy[0, :, 1].max() - 2
    for k in (INDEX["nose"], INDEX["left_hip"], INDEX["right_knee"]):
        x, y = np.round(xy[0, k]).astype(int)
        assert diff[y - 2 : y + 3, x - 2 : x + 3].any()


@pytest.mark.video
def test_rendered_clip_decodes_with_truth(tmp_path: Path) -> None:
    import av

    out = tmp_path / "clip.mp4"
    frames = []
    tr = generate_clip(out, SprintParams(), fps=50, size=(256, 144), duration_s=0.4, seed=1, noise_sigma=2.0,
                       jpeg_quality=80, motion_blur=2, on_frame=lambda d, n: frames.append((d, n)))
    assert frames[-1] == (20, 20)
    assert tr.n_frames == 20 and tr.joints2d.shape == (20, 33, 2)
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert float(s.average_rate) == pytest.approx(50.0)
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(decoded) == 20 and decoded[0].shape == (144, 256, 3)
    back = load_truth(truth_path(out))
    np.testing.assert_array_equal(back.joints2d, tr.joints2d)
    with pytest.raises(ConfigError):
        generate_clip(tmp_path / "odd.mp4", size=(255, 144), duration_s=0.1)


def _mocap() -> Path:
    if not (MOCAP / "humanoid3d_run.txt").is_file():
        pytest.skip("../shared/mocap/deepmimic_run is absent")
    return MOCAP


def test_deepmimic_fk_is_a_plausible_runner(tmp_path: Path) -> None:
    from sprintbal.synth.deepmimic import deepmimic_motion, export_motion_csv

    mocap = _mocap()
    t, j = deepmimic_motion(mocap, duration_s=3.0, rate_hz=120.0)
    assert j.shape == (t.shape[0], 33, 3) and t[-1] == pytest.approx(3.0)
    pel = 0.5 * (j[:, INDEX["left_hip"]] + j[:, INDEX["right_hip"]])
    speed = (pel[-1, 0] - pel[0, 0]) / (t[-1] - t[0])
    assert speed == pytest.approx(3.56, abs=0.05)
    # the right hip is on +Z and the face points forward (+X)
    assert np.all(j[:, INDEX["right_hip"], 2] > j[:, INDEX["left_hip"], 2])
    assert np.all(j[:, INDEX["nose"], 0] > 0.5 * (j[:, INDEX["left_ear"], 0] + j[:, INDEX["right_ear"], 0]))
    # segment lengths constant to the spline's accuracy
    thigh = np.linalg.norm(j[:, INDEX["left_hip"]] - j[:, INDEX["left_knee"]], axis=-1)
    assert thigh.max() - thigh.min() < 0.01
    path = export_motion_csv(mocap, tmp_path / "dm.csv", duration_s=3.0)
    m = load_motion_csv(path)
    assert 1.5 <= m.height_m <= 1.75
    # feet reach the ground (within the mocap's own few-cm foot penetration) and leave it
    sole = np.minimum(j[:, INDEX["left_foot_index"], 1], j[:, INDEX["left_heel"], 1])
    assert -0.03 < sole.min() < 0.005 and sole.max() > 0.3
    # one contact per foot per 0.8 s cycle, 0.15-0.3 s long (3.5 m/s running)
    for f in (0, 1):
        td, to = m.touchdown_t[f], m.toeoff_t[f]
        assert len(td) >= 3
        np.testing.assert_allclose(np.diff(td), 0.8, atol=0.02)
        first = to[to > td[0]][0]
        assert 0.15 < first - td[0] < 0.3


@pytest.mark.video
def test_blazepose_finds_the_synthetic_runner() -> None:
    """The 60 fps side-view sample: detected in >= 95% of frames, median landmark error < 3% of body height."""
    from sprintbal.config import resolve_config
    from sprintbal.pipeline import analyze

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "sprint_balanced_side_60fps.mp4"
    if not clip.is_file():
        pytest.skip("sample_videos/sprint_balanced_side_60fps.mp4 is absent (run sample_videos/regenerate.py)")
    truth = load_truth(truth_path(clip))
    track = analyze(clip, resolve_config(), until="pose").track
    assert track.xy.shape[0] == truth.n_frames
    assert np.mean(track.detected) >= 0.95
    j = truth.joints2d
    body_px = np.max(j[:, [INDEX["left_heel"], INDEX["right_heel"]], 1], axis=1) - j[:, INDEX["left_eye"], 1]
    err = np.linalg.norm(track.xy - j, axis=-1) / body_px[:, None]
    assert np.nanmedian(err) < 0.03


def test_generate_from_options_rejects_bad_options_in_one_line(tmp_path: Path) -> None:
    from sprintbal.synth.generate import generate_from_options

    bad = [
        dict(perturb=["arm_drop_left:2:1"]),
        dict(speed=40.0),
        dict(width=641),
        dict(fps=0.0),
        dict(view="top"),
        dict(follow="drone"),
        dict(motion_blur=0),
        dict(crf=70),
        dict(jpeg_quality=0),
        dict(motion=tmp_path / "absent.csv"),
    ]
    for kwargs in bad:
        with pytest.raises((ConfigError, BadInputError)) as err:
            generate_from_options(tmp_path / "x.mp4", duration=0.1, **kwargs)  # type: ignore[arg-type]
        assert "\n" not in str(err.value), kwargs
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.video
def test_generate_from_motion_csv(tmp_path: Path) -> None:
    from sprintbal.synth.generate import generate_from_options

    p = SprintParams()
    t = np.arange(60) / 100.0
    m = compute_sprint_motion(p, t)
    csv_path = save_motion_csv(tmp_path / "m.csv", t, m.joints)
    tr = generate_from_options(tmp_path / "m.mp4", fps=30, width=192, height=108, motion=csv_path)
    assert tr.source == "csv" and tr.params is None
    assert tr.n_frames == 18  # 0.59 s of motion at 30 fps: frames at 0, 1/30, ..., 17/30
    np.testing.assert_allclose(tr.joints3d, compute_sprint_motion(p, tr.t).joints, atol=0.02)


def test_generated_truth_carries_true_group_momenta(tmp_path: Path) -> None:
    from sprintbal.synth.generate import generate_clip
    from sprintbal.synth.motion import SprintParams
    from sprintbal.synth.truth import load_truth, truth_path

    out = tmp_path / "m.mp4"
    generate_clip(out, SprintParams(duration_s=0.5), fps=30, size=(160, 90))
    truth = load_truth(truth_path(out))
    assert truth.momenta is not None
    t = truth.n_frames
    for name in ("push", "swing", "lower", "upper", "total"):
        assert truth.momenta[name].shape == (t, 3)
    known = np.isfinite(truth.momenta["push"]).all(axis=1)
    assert known.mean() > 0.8
    np.testing.assert_allclose(
        truth.momenta["push"][known] + truth.momenta["swing"][known], truth.momenta["total"][known], atol=1e-9
    )
    np.testing.assert_allclose(truth.momenta["lower"] + truth.momenta["upper"], truth.momenta["total"], atol=1e-9)
