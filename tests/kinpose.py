"""Synthetic 3D landmark poses in the lab frame (X forward, Y up, Z right) for kinematics tests."""

from __future__ import annotations

import numpy as np

from sprintbal.pose.landmarks import INDEX, MIRROR, N_LANDMARKS

#: A standing runner of 1.75 m, arms slightly bent and forward; (X, Y, |Z|) per landmark base name.
_STAND: dict[str, tuple[float, float, float]] = {
    "nose": (0.10, 1.62, 0.0),
    "eye_inner": (0.09, 1.66, 0.015),
    "eye": (0.085, 1.66, 0.032),
    "eye_outer": (0.08, 1.66, 0.045),
    "ear": (0.0, 1.63, 0.075),
    "mouth": (0.09, 1.57, 0.025),
    "shoulder": (0.0, 1.42, 0.175),
    "elbow": (0.03, 1.12, 0.20),
    "wrist": (0.18, 0.92, 0.19),
    "pinky": (0.24, 0.86, 0.20),
    "index": (0.26, 0.87, 0.18),
    "thumb": (0.24, 0.90, 0.17),
    "hip": (0.0, 0.92, 0.0875),
    "knee": (0.03, 0.50, 0.08),
    "ankle": (0.0, 0.08, 0.06),
    "heel": (-0.05, 0.03, 0.06),
    "foot_index": (0.17, 0.02, 0.07),
}


def standing_pose() -> np.ndarray:
    """Return a (33, 3) standing pose, metres, lab frame."""
    p = np.zeros((N_LANDMARKS, 3))
    for name, i in INDEX.items():
        if name == "nose":
            base, sign = "nose", 0.0
        elif name.startswith(("left_", "right_")):
            side, base = name.split("_", 1)
            sign = 1.0 if side == "right" else -1.0
        else:
            base, side = name.rsplit("_", 1)
            sign = 1.0 if side == "right" else -1.0
        x, y, z = _STAND[base]
        p[i] = (x, y, sign * z)
    return p


def moving_pose(t: np.ndarray, seed: int = 0) -> np.ndarray:
    """Return (T, 33, 3): the standing pose plus smooth, asymmetric, random per-landmark motion."""
    rng = np.random.default_rng(seed)
    base = standing_pose()
    amp = rng.uniform(0.02, 0.12, size=(N_LANDMARKS, 3))
    freq = rng.uniform(1.0, 4.0, size=(N_LANDMARKS, 3))
    phase = rng.uniform(0, 2 * np.pi, size=(N_LANDMARKS, 3))
    wobble = amp * np.sin(2 * np.pi * freq * t[:, None, None] + phase)
    forward = np.zeros((t.shape[0], 1, 3))
    forward[:, 0, 0] = 8.0 * t
    return base[None] + wobble + forward


def mirror(points: np.ndarray) -> np.ndarray:
    """Mirror a runner about the sagittal plane: Z -> -Z and left/right labels exchanged."""
    m = points[:, list(MIRROR), :].copy()
    m[..., 2] *= -1.0
    return m


def yaw_rotation(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices (T, 3, 3) about lab +Y (taking +Z toward +X for positive angles)."""
    c, s = np.cos(angle), np.sin(angle)
    r = np.zeros((angle.shape[0], 3, 3))
    r[:, 0, 0] = c
    r[:, 0, 2] = s
    r[:, 1, 1] = 1.0
    r[:, 2, 0] = -s
    r[:, 2, 2] = c
    return r
