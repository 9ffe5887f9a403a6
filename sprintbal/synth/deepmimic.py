"""Forward kinematics of the DeepMimic running clip to BlazePose-named 3D joints.

Source: ``../shared/mocap/deepmimic_run`` (xbpeng/DeepMimic, MIT): ``humanoid3d.txt``
(15-joint skeleton: parent offsets in metres, Y up, the character faces +X, its right
is +Z) and ``humanoid3d_run.txt`` (frames of ``[dt, root xyz, root q, chest q, neck q,
right hip q, right knee angle, right ankle q, right shoulder q, right elbow angle, left
hip q, left knee angle, left ankle q, left shoulder q, left elbow angle]``, quaternions
w, x, y, z; revolute joints turn about their local Z axis). The 0.8 s cycle is looped
with the root advancing by the cycle's displacement, interpolated with a cubic spline,
shifted so the soles rest at Y = 0 in contact (mocap feet dip up to ~3 cm below), and written as a motion
CSV (:func:`sprintbal.synth.generate.save_motion_csv`) that the renderer takes via
``--motion``. The lab frame is the file's own frame (X forward, Y up, Z right).

Face, hand and foot points are approximated from the head, hand and ankle frames
(the DeepMimic body has no face, fingers or toes).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sprintbal.errors import BadInputError
from sprintbal.pose.landmarks import INDEX

#: Order of the joint rotations in a frame after [dt, root xyz, root q].
_FRAME_LAYOUT: tuple[tuple[str, int], ...] = (
    ("chest", 4),
    ("neck", 4),
    ("right_hip", 4),
    ("right_knee", 1),
    ("right_ankle", 4),
    ("right_shoulder", 4),
    ("right_elbow", 1),
    ("left_hip", 4),
    ("left_knee", 1),
    ("left_ankle", 4),
    ("left_shoulder", 4),
    ("left_elbow", 1),
)

#: Head landmarks in the head frame (x forward, y up, z right) from the head centre, metres.
_HEAD: dict[str, tuple[float, float, float]] = {
    "nose": (0.100, -0.020, 0.0),
    "left_eye_inner": (0.085, 0.012, -0.016),
    "left_eye": (0.080, 0.014, -0.031),
    "left_eye_outer": (0.071, 0.014, -0.044),
    "right_eye_inner": (0.085, 0.012, 0.016),
    "right_eye": (0.080, 0.014, 0.031),
    "right_eye_outer": (0.071, 0.014, 0.044),
    "left_ear": (0.0, 0.0, -0.070),
    "right_ear": (0.0, 0.0, 0.070),
    "mouth_left": (0.088, -0.058, -0.022),
    "mouth_right": (0.088, -0.058, 0.022),
}


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from unit quaternions (..., 4) in w, x, y, z order."""
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )


def _rot_z(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(c), np.ones_like(c)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def load_deepmimic(mocap_dir: Path, motion: str = "humanoid3d_run.txt") -> tuple[dict, np.ndarray]:
    """Read the skeleton and the motion frames.

    Returns
    -------
    skeleton : dict
        Joint name -> (parent name or None, offset ndarray (3,)).
    frames : ndarray, shape (F, 44)
    """
    mocap_dir = Path(mocap_dir)
    try:
        skel = json.loads((mocap_dir / "humanoid3d.txt").read_text(encoding="utf-8"))
        mot = json.loads((mocap_dir / motion).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot read DeepMimic files in {mocap_dir}: {exc}") from exc
    joints = skel["Skeleton"]["Joints"]
    names = {j["ID"]: j["Name"] for j in joints}
    skeleton = {
        j["Name"]: (names.get(j["Parent"]), np.array([j["AttachX"], j["AttachY"], j["AttachZ"]], float))
        for j in joints
    }
    return skeleton, np.asarray(mot["Frames"], float)


def forward_kinematics(skeleton: dict, frames: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Global joint positions (F, 3) and rotations (F, 3, 3) by name."""
    f = frames.shape[0]
    local: dict[str, np.ndarray] = {"root": quat_to_matrix(frames[:, 4:8])}
    col = 8
    for name, width in _FRAME_LAYOUT:
        v = frames[:, col : col + width]
        local[name] = quat_to_matrix(v) if width == 4 else _rot_z(v[:, 0])
        col += width
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {"root": (frames[:, 1:4].copy(), local["root"])}
    for name, (parent, offset) in skeleton.items():
        if parent is None:
            continue
        p_pos, p_rot = out[parent]
        pos = p_pos + p_rot @ offset
        rot = p_rot @ local.get(name, np.broadcast_to(np.eye(3), (f, 3, 3)))
        out[name] = (pos, rot)
    return out


def deepmimic_landmarks(skeleton: dict, frames: np.ndarray) -> np.ndarray:
    """BlazePose-named joints (F, 33, 3) of each frame, in the file's frame (metres)."""
    g = forward_kinematics(skeleton, frames)
    f = frames.shape[0]
    j = np.zeros((f, 33, 3))

    def at(name: str, local: tuple[float, float, float]) -> np.ndarray:
        pos, rot = g[name]
        return pos + rot @ np.asarray(local, float)

    head_c = at("neck", (0.0, 0.175, 0.0))
    _, head_rot = g["neck"]
    for nm, off in _HEAD.items():
        j[:, INDEX[nm]] = head_c + head_rot @ np.asarray(off)
    for side in ("left", "right"):
        sgn = 1.0 if side == "right" else -1.0
        j[:, INDEX[f"{side}_shoulder"]] = g[f"{side}_shoulder"][0]
        j[:, INDEX[f"{side}_elbow"]] = g[f"{side}_elbow"][0]
        elbow = g[f"{side}_elbow"][0]
        hand_c = g[f"{side}_wrist"][0]
        wrist = elbow + 0.86 * (hand_c - elbow)
        j[:, INDEX[f"{side}_wrist"]] = wrist
        # hand frame = elbow frame: -Y along the forearm, +X the flexion side (thumb side), Z lateral
        j[:, INDEX[f"{side}_index"]] = at(f"{side}_elbow", (0.012, -0.259 - 0.055, 0.0))
        j[:, INDEX[f"{side}_pinky"]] = at(f"{side}_elbow", (-0.02, -0.259 - 0.045, 0.0))
        j[:, INDEX[f"{side}_thumb"]] = at(f"{side}_elbow", (0.035, -0.259 - 0.02, -sgn * 0.01))
        j[:, INDEX[f"{side}_hip"]] = g[f"{side}_hip"][0]
        j[:, INDEX[f"{side}_knee"]] = g[f"{side}_knee"][0]
        j[:, INDEX[f"{side}_ankle"]] = g[f"{side}_ankle"][0]
        # foot box: x from -0.0435 to 0.1335, sole at y = -0.05 in the ankle frame
        j[:, INDEX[f"{side}_heel"]] = at(f"{side}_ankle", (-0.040, -0.040, 0.0))
        j[:, INDEX[f"{side}_foot_index"]] = at(f"{side}_ankle", (0.1335, -0.050, 0.0))
    return j


def deepmimic_motion(
    mocap_dir: Path, duration_s: float = 3.0, rate_hz: float = 120.0, motion: str = "humanoid3d_run.txt"
) -> tuple[np.ndarray, np.ndarray]:
    """Loop the cycle to ``duration_s`` and sample it at ``rate_hz``.

    Parameters
    ----------
    mocap_dir : Path
        Folder with ``humanoid3d.txt`` and the motion file.
    duration_s : float
        Length, seconds.
    rate_hz : float
        Output sampling rate.
    motion : str
        Motion file name (``humanoid3d_run.txt`` or ``humanoid3d_jog.txt``).

    Returns
    -------
    t : ndarray, shape (T,)
        Seconds from 0.
    joints : ndarray, shape (T, 33, 3)
        Lab metres (X forward, Y up, Z right), soles at Y = 0 in contact.
    """
    from scipy.interpolate import CubicSpline

    skeleton, frames = load_deepmimic(mocap_dir, motion)
    dt = frames[:-1, 0]
    cyc = frames[:-1]  # the last frame repeats the first, one cycle on
    shift = frames[-1, 1:4] - frames[0, 1:4]
    period = float(np.sum(dt))
    n_cycles = int(np.ceil(duration_s / period)) + 2
    looped = []
    times = []
    for c in range(-1, n_cycles):
        fr = cyc.copy()
        fr[:, 1:4] += c * shift
        looped.append(fr)
        times.append(c * period + np.concatenate([[0.0], np.cumsum(dt[:-1])]))
    all_frames = np.concatenate(looped)
    all_t = np.concatenate(times)
    lm = deepmimic_landmarks(skeleton, all_frames)
    spline = CubicSpline(all_t, lm.reshape(lm.shape[0], -1), axis=0)
    t = np.arange(int(np.floor(duration_s * rate_hz)) + 1) / rate_hz
    joints = spline(t).reshape(-1, 33, 3)
    # ground: the level the soles rest on in contact: median of each foot's lowest quarter of per-frame sole
    # heights over one cycle (the heel landmark sits 1 cm above the sole; mocap feet dip a little below it)
    n0 = cyc.shape[0]
    levels = []
    for side in ("left", "right"):
        sole = np.minimum(lm[:n0, INDEX[f"{side}_foot_index"], 1], lm[:n0, INDEX[f"{side}_heel"], 1] - 0.01)
        levels.append(np.sort(sole)[: max(n0 // 4, 1)])
    ground = float(np.median(np.concatenate(levels)))
    joints[..., 1] -= ground
    return t, joints


def export_motion_csv(
    mocap_dir: Path, out_csv: Path, duration_s: float = 3.0, rate_hz: float = 120.0,
    motion: str = "humanoid3d_run.txt",
) -> Path:
    """Write the looped DeepMimic motion as a motion CSV for ``generate_clip(motion_csv=...)``.

    Returns
    -------
    Path
        ``out_csv``.
    """
    from sprintbal.synth.generate import save_motion_csv

    t, joints = deepmimic_motion(mocap_dir, duration_s, rate_hz, motion)
    return save_motion_csv(out_csv, t, joints)
