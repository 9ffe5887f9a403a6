"""Analytic stick-figure runner for kinematics tests, with known contacts.

Sagittal model in metres (X forward, Y up). Each foot's toe is planted (fixed X, Y = 0) during its
contact windows; in swing it follows a smooth arc. Segment lengths follow Drillis & Contini shares of
standing height. Projected to a side-view camera in pixels (y down) and to MediaPipe-like world
landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sprintbal.pose.landmarks import INDEX, N_LANDMARKS
from sprintbal.pose.track import PoseTrack


@dataclass(frozen=True)
class Truth:
    """Known answers of a synthetic clip."""

    touchdown: dict[int, np.ndarray]  # foot -> times
    toeoff: dict[int, np.ndarray]
    step_time_s: float
    contact_s: float
    speed_mps: float
    height_m: float
    m_per_px: float
    sag: np.ndarray  # (T, 33, 2) true sagittal points, metres


def _ik_knee(hip: np.ndarray, ankle: np.ndarray, l1: float, l2: float) -> np.ndarray:
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    dist_c = np.clip(dist, 1e-6, l1 + l2 - 1e-9)
    a = (l1**2 - l2**2 + dist_c**2) / (2 * dist_c)
    hgt = np.sqrt(np.clip(l1**2 - a**2, 0.0, None))
    u = d / dist
    perp = np.stack([-u[..., 1], u[..., 0]], axis=-1)  # rotate +90 deg (points forward when u points down)
    return hip + a * u + hgt * perp


def runner_sagittal(
    t: np.ndarray,
    *,
    height_m: float = 1.80,
    speed: float = 7.0,
    step_time: float = 0.24,
    contact: float = 0.11,
    t0: float = 0.05,
    treadmill: bool = False,
    swing_height: float = 0.25,
) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Return (T, 33, 2) sagittal points in metres and touchdown/toe-off times per foot."""
    h = height_m
    thigh, shank, trunk = 0.245 * h, 0.246 * h, 0.288 * h
    upper_arm, forearm = 0.186 * h, 0.146 * h
    foot_len = 0.14 * h
    stride = 2 * step_time
    n = t.shape[0]
    pts = np.full((n, N_LANDMARKS, 2), np.nan)
    hip_y = 0.45 * h - 0.02 * np.cos(2 * np.pi * (t - t0 - contact / 2) / step_time)
    hip_x = speed * t
    tds: dict[int, np.ndarray] = {}
    tos: dict[int, np.ndarray] = {}
    phase_arm = np.zeros(n)
    for foot, off in ((0, 0.0), (1, step_time)):
        first = t0 + off
        k = np.arange(-3, int((t[-1] - first) / stride) + 3)
        td = first + k * stride
        tds[foot] = td[(td >= t[0]) & (td <= t[-1])]
        to = td + contact
        tos[foot] = to[(to >= t[0]) & (to <= t[-1])]
        # cycle phase relative to the latest touchdown
        idx = np.floor((t - first) / stride).astype(int)
        tdk = first + idx * stride
        tau = t - tdk  # time since touchdown, [0, stride)
        xc = speed * (tdk + contact / 2)  # toe X during this contact (under the hips at mid-stance)
        in_c = tau < contact
        s = np.clip((tau - contact) / (stride - contact), 0, 1)
        toe_x = np.where(in_c, xc, xc + speed * stride * (s - np.sin(2 * np.pi * s) / (2 * np.pi)))
        toe_y = np.where(in_c, 0.0, swing_height * np.sin(np.pi * s))
        if treadmill:
            toe_x = toe_x - hip_x
        ang = np.radians(20.0)
        heel = np.stack([toe_x - foot_len * np.cos(ang), toe_y + foot_len * np.sin(ang)], -1)
        toe = np.stack([toe_x, toe_y], -1)
        ankle = heel + np.array([0.03 * h, 0.045 * h])
        side = "left" if foot == 0 else "right"
        hp = np.stack([(hip_x if not treadmill else 0 * hip_x), hip_y], -1)
        # in swing, pull the foot toward the hip where the leg could not reach it (keeps segment lengths)
        d = ankle - hp
        dist = np.linalg.norm(d, axis=-1)
        reach = 0.98 * (thigh + shank)
        shift = np.where((~in_c) & (dist > reach), dist - reach, 0.0)[:, None] * (-d / dist[:, None])
        ankle, heel, toe = ankle + shift, heel + shift, toe + shift
        knee = _ik_knee(hp, ankle, thigh, shank)
        pts[:, INDEX[f"{side}_hip"]] = hp
        pts[:, INDEX[f"{side}_knee"]] = knee
        pts[:, INDEX[f"{side}_ankle"]] = ankle
        pts[:, INDEX[f"{side}_heel"]] = heel
        pts[:, INDEX[f"{side}_foot_index"]] = toe
        if foot == 0:
            phase_arm = 2 * np.pi * (t - first) / stride
    hip_mid = pts[:, INDEX["left_hip"]]
    lean = np.radians(8.0)
    sh = hip_mid + trunk * np.stack([np.full(n, np.sin(lean)), np.full(n, np.cos(lean))], -1)
    for side, sgn in (("left", -1.0), ("right", 1.0)):
        # arms swing opposite to the same-side leg
        a = np.radians(45.0) * sgn * np.cos(phase_arm)
        elbow = sh + upper_arm * np.stack([np.sin(a), -np.cos(a)], -1)
        b = a + np.radians(80.0)
        wrist = elbow + forearm * np.stack([np.sin(b), -np.cos(b)], -1)
        pts[:, INDEX[f"{side}_shoulder"]] = sh
        pts[:, INDEX[f"{side}_elbow"]] = elbow
        pts[:, INDEX[f"{side}_wrist"]] = wrist
        for k, nm in enumerate(("pinky", "index", "thumb")):
            pts[:, INDEX[f"{side}_{nm}"]] = wrist + (0.02 + 0.01 * k) * np.stack([np.sin(b), -np.cos(b)], -1)
        pts[:, INDEX[f"{side}_ear"]] = sh + np.array([0.01 * h, 0.10 * h])
        pts[:, INDEX[f"{side}_eye_inner"]] = sh + np.array([0.06 * h, 0.12 * h])
        pts[:, INDEX[f"{side}_eye"]] = sh + np.array([0.055 * h, 0.12 * h])
        pts[:, INDEX[f"{side}_eye_outer"]] = sh + np.array([0.05 * h, 0.12 * h])
    pts[:, INDEX["nose"]] = sh + np.array([0.07 * h, 0.105 * h])
    pts[:, INDEX["mouth_left"]] = sh + np.array([0.06 * h, 0.08 * h])
    pts[:, INDEX["mouth_right"]] = sh + np.array([0.06 * h, 0.08 * h])
    return pts, tds, tos


_DEPTH = {"hip": 0.09, "knee": 0.09, "ankle": 0.09, "heel": 0.09, "foot_index": 0.09, "shoulder": 0.18,
          "elbow": 0.2, "wrist": 0.2, "pinky": 0.2, "index": 0.2, "thumb": 0.2, "ear": 0.07,
          "eye_inner": 0.02, "eye": 0.04, "eye_outer": 0.05}  # fmt: skip


def make_track(
    fps: float = 60.0,
    duration: float = 1.5,
    *,
    direction: int = 1,
    height_m: float = 1.80,
    px_per_m: float = 200.0,
    noise_px: float = 0.0,
    seed: int = 0,
    treadmill: bool = False,
    **kw: float,
) -> tuple[PoseTrack, Truth]:
    """Return a PoseTrack of the analytic runner seen from the side, and its truth."""
    t = np.arange(round(duration * fps)) / fps
    sag, tds, tos = runner_sagittal(t, height_m=height_m, treadmill=treadmill, **kw)
    w, hgt = 1920, 1080
    ground_row = 900.0
    x0 = 200.0 if direction > 0 else w - 200.0
    if treadmill:
        x0 = w / 2
    xy = np.empty_like(sag)
    xy[..., 0] = x0 + direction * sag[..., 0] * px_per_m
    xy[..., 1] = ground_row - sag[..., 1] * px_per_m
    rng = np.random.default_rng(seed)
    if noise_px:
        xy = xy + rng.normal(0, noise_px, xy.shape)
    depth = np.zeros(N_LANDMARKS)
    for name, d in _DEPTH.items():
        if f"left_{name}" in INDEX:
            # runner going +x shows the left side: left nearer (negative z)
            depth[INDEX[f"left_{name}"]] = -direction * d
            depth[INDEX[f"right_{name}"]] = direction * d
    hipmid = sag[:, INDEX["left_hip"]][:, None, :]
    world = np.zeros((*sag.shape[:2], 3))
    world[..., 0] = direction * (sag[..., 0] - hipmid[..., 0])
    world[..., 1] = -(sag[..., 1] - hipmid[..., 1])
    world[..., 2] = depth[None, :]
    z = np.broadcast_to(depth[None, :] * px_per_m, sag.shape[:2]).copy()
    vis = np.full(sag.shape[:2], 0.99)
    track = PoseTrack(
        t=t,
        xy=xy,
        z=z,
        visibility=vis,
        presence=vis.copy(),
        world=world,
        detected=np.ones(t.shape[0], dtype=bool),
        image_size=(w, hgt),
        model="analytic",
    )
    truth = Truth(
        touchdown=tds,
        toeoff=tos,
        step_time_s=float(kw.get("step_time", 0.24)),
        contact_s=float(kw.get("contact", 0.11)),
        speed_mps=0.0 if treadmill else float(kw.get("speed", 7.0)),
        height_m=height_m,
        m_per_px=1.0 / px_per_m,
        sag=sag,
    )
    return track, truth


def with_track(track: PoseTrack, **changes: np.ndarray) -> PoseTrack:
    """Return a copy of ``track`` with some arrays replaced."""
    fields = {k: getattr(track, k) for k in ("t", "xy", "z", "visibility", "presence", "world", "detected")}
    fields.update(changes)
    return PoseTrack(image_size=track.image_size, model=track.model, frame_index=track.frame_index, **fields)


def track_from_lab(
    t: np.ndarray,
    joints: np.ndarray,
    *,
    px_per_m: float = 200.0,
    direction: int = 1,
    noise_px: float = 0.0,
    seed: int = 0,
) -> PoseTrack:
    """Project lab-frame joints (T, 33, 3; X forward, Y up, Z right) to an orthographic side camera.

    ``direction`` +1: the camera sees the runner's left side and the runner crosses toward image +x.
    """
    rng = np.random.default_rng(seed)
    x0 = 100.0 if direction > 0 else 3900.0
    xy = np.stack([x0 + direction * joints[..., 0] * px_per_m, 950.0 - joints[..., 1] * px_per_m], -1)
    if noise_px:
        xy = xy + rng.normal(0, noise_px, xy.shape)
    hipc = 0.5 * (joints[:, INDEX["left_hip"]] + joints[:, INDEX["right_hip"]])[:, None]
    world = np.stack(
        [
            direction * (joints[..., 0] - hipc[..., 0]),
            -(joints[..., 1] - hipc[..., 1]),
            direction * (joints[..., 2] - hipc[..., 2]),
        ],
        -1,
    )
    vis = np.full(joints.shape[:2], 0.99)
    return PoseTrack(
        t=t,
        xy=xy,
        z=world[..., 2] * px_per_m,
        visibility=vis,
        presence=vis.copy(),
        world=world,
        detected=np.ones(t.shape[0], dtype=bool),
        image_size=(4000, 1080),
        model="synth-orthographic",
    )
