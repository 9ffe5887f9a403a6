"""Generate a synthetic sprint clip with its truth file; read and write motion CSV files.

Motion CSV format (``--motion FILE.csv``): a header row, then one row per sample.
Columns: ``t`` (seconds, strictly increasing) and, for each of the 33 BlazePose
landmark names, ``<name>_x``, ``<name>_y``, ``<name>_z`` in metres in the lab frame
(X forward, Y up, Z to the runner's right, ground at Y = 0). Extra columns are
ignored. Foot contacts of such a motion are derived from foot height and speed
(:func:`contacts_from_feet`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.atomic import atomic_open, atomic_path
from sprintbal.errors import BadInputError, ConfigError
from sprintbal.pose.landmarks import INDEX, LANDMARK_NAMES
from sprintbal.synth.motion import Motion3D, Perturbation, SprintParams, compute_sprint_motion, parse_perturbation
from sprintbal.synth.render import Camera, Scene, build_scene, degrade, make_camera, render_frame
from sprintbal.synth.truth import SynthTruth, compute_true_momenta, save_truth, truth_path

__all__ = [
    "contacts_from_feet",
    "generate_clip",
    "generate_from_options",
    "load_motion_csv",
    "parse_perturbation",
    "save_motion_csv",
]

#: ``on_frame(done, total)`` progress hook.
FrameCallback = Callable[[int, int], None]


# --------------------------------------------------------------------------- motion CSV


def save_motion_csv(path: Path, t: np.ndarray, joints: np.ndarray) -> Path:
    """Write a motion CSV (format in the module docstring) atomically.

    Parameters
    ----------
    path : Path
    t : ndarray, shape (T,)
        Seconds, strictly increasing.
    joints : ndarray, shape (T, 33, 3)
        Lab metres.

    Returns
    -------
    Path
    """
    header = ["t"] + [f"{n}_{a}" for n in LANDMARK_NAMES for a in "xyz"]
    with atomic_open(Path(path), "w") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        flat = np.asarray(joints, float).reshape(len(t), -1)
        for ti, row in zip(t, flat, strict=True):
            w.writerow([f"{ti:.6f}"] + [f"{v:.6f}" for v in row])
    return Path(path)


def _debounce(c: np.ndarray, t: np.ndarray, min_gap_s: float, min_run_s: float) -> np.ndarray:
    """Fill False gaps shorter than ``min_gap_s`` inside True runs, then drop True runs shorter than ``min_run_s``."""
    c = c.copy()
    for value, limit in ((False, min_gap_s), (True, min_run_s)):
        d = np.diff(np.concatenate([[False], c == value, [False]]).astype(int))
        starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
        for a, b in zip(starts, ends, strict=True):
            inner = a > 0 and b < c.shape[0]  # gaps touching the clip edge stay
            dur = t[min(b, c.shape[0] - 1)] - t[a] if b < c.shape[0] else t[-1] - t[a]
            if dur < limit and (inner or value):
                c[a:b] = not value
    return c


def contacts_from_feet(
    t: np.ndarray, joints: np.ndarray, height_tol_m: float = 0.03, speed_tol_mps: float = 1.2,
    min_gap_s: float = 0.06, min_contact_s: float = 0.03,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Foot contacts from foot height and speed.

    A foot is on the ground when its lowest point (heel or toe tip) is within
    ``height_tol_m`` of the ground (Y = 0) and that point moves slower than ``speed_tol_mps``
    horizontally. Gaps shorter than ``min_gap_s`` inside a contact are filled and contacts shorter
    than ``min_contact_s`` dropped. Events are placed half-way between the frames where the state changes.

    Parameters
    ----------
    t : ndarray, shape (T,)
    joints : ndarray, shape (T, 33, 3)
    height_tol_m, speed_tol_mps, min_gap_s, min_contact_s : float

    Returns
    -------
    contact : ndarray of bool, shape (T, 2)
        Left, right.
    touchdown_t, toeoff_t : tuple of two ndarrays
        Event times per foot, seconds (first and last partial contacts have no event at the clip edge).
    """
    n = t.shape[0]
    contact = np.zeros((n, 2), bool)
    tds: list[np.ndarray] = []
    tos: list[np.ndarray] = []
    for side, nm in enumerate(("left", "right")):
        pts = joints[:, [INDEX[f"{nm}_heel"], INDEX[f"{nm}_foot_index"]]]
        low = np.argmin(pts[:, :, 1], axis=1)
        lowest = pts[np.arange(n), low]
        if n >= 2:
            v = np.gradient(pts[:, :, [0, 2]], t, axis=0)
            speed = np.linalg.norm(v[np.arange(n), low], axis=-1)
        else:
            speed = np.zeros(n)
        c = (lowest[:, 1] <= height_tol_m) & (speed <= speed_tol_mps)
        if n >= 2:
            c = _debounce(c, t, min_gap_s, min_contact_s)
        contact[:, side] = c
        d = np.diff(c.astype(int))
        mids = 0.5 * (t[1:] + t[:-1])
        tds.append(mids[d == 1])
        tos.append(mids[d == -1])
    return contact, (tds[0], tds[1]), (tos[0], tos[1])


def _read_csv_rows(path: Path) -> list[list[str]]:
    """Return the rows of a CSV file, raising a one-line BadInputError for a missing or unreadable file."""
    if not path.is_file():
        raise BadInputError(f"motion file {path} does not exist or is not a file")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read motion file {path}: {exc}") from exc


def _motion_table(path: Path, rows: list[list[str]]) -> np.ndarray:
    """Parse motion CSV rows into numbers.

    Parameters
    ----------
    path : Path
        The file (for messages).
    rows : list of list of str
        Its rows, the header first; blank rows are skipped.

    Returns
    -------
    ndarray, shape (N, 1 + 99)
        Column ``t``, then x, y, z of each of the 33 landmarks in :data:`LANDMARK_NAMES` order; all finite.

    Raises
    ------
    ConfigError
        Empty file, missing columns, fewer than 2 data rows, missing, non-numeric or non-finite values.
    """
    if not rows:
        raise ConfigError(f"motion file {path} is empty")
    header = [h.strip() for h in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    needed = ["t"] + [f"{n}_{a}" for n in LANDMARK_NAMES for a in "xyz"]
    missing = [h for h in needed if h not in col]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ConfigError(f"motion file {path} lacks columns {', '.join(missing[:3])}{more}")
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if len(body) < 2:
        raise ConfigError(f"motion file {path} needs at least 2 rows of data, has {len(body)}")
    idx = [col[h] for h in needed]
    data = np.empty((len(body), len(needed)))
    for i, r in enumerate(body):
        try:
            data[i] = [float(r[j]) for j in idx]
        except (ValueError, IndexError):
            raise ConfigError(f"motion file {path} row {i + 2} has a missing or non-numeric value") from None
    if not np.all(np.isfinite(data)):
        bad = int(np.argmax(~np.all(np.isfinite(data), axis=1)))
        raise ConfigError(f"motion file {path} row {bad + 2} has a non-finite value")
    return data


def load_motion_csv(path: Path) -> Motion3D:
    """Read a motion CSV (format in the module docstring).

    Parameters
    ----------
    path : Path

    Returns
    -------
    Motion3D
        ``source="csv"``; contacts derived from the feet; ``height_m`` estimated from leg and
        trunk lengths.

    Raises
    ------
    BadInputError
        Missing or unreadable file.
    ConfigError
        Missing columns, non-numeric or non-finite values, too few rows, time not increasing.
    """
    path = Path(path)
    data = _motion_table(path, _read_csv_rows(path))
    t = data[:, 0]
    if not np.all(np.diff(t) > 0):
        raise ConfigError(f"motion file {path}: column t must be strictly increasing")
    joints = data[:, 1:].reshape(-1, 33, 3)
    contact, tds, tos = contacts_from_feet(t, joints)
    return Motion3D(t=t, joints=joints, contact=contact, touchdown_t=tds, toeoff_t=tos,
                    height_m=estimate_height(joints), source="csv")


def estimate_height(joints: np.ndarray) -> float:
    """Standing height (m) from median segment lengths (legs 0.53 H hip-to-sole, trunk 0.288 H)."""
    def seg(a: str, b: str) -> float:
        return float(np.nanmedian(np.linalg.norm(joints[:, INDEX[a]] - joints[:, INDEX[b]], axis=-1)))

    leg = 0.5 * (seg("left_hip", "left_knee") + seg("left_knee", "left_ankle") + seg("right_hip", "right_knee")
                 + seg("right_knee", "right_ankle"))
    mid_hip = 0.5 * (joints[:, INDEX["left_hip"]] + joints[:, INDEX["right_hip"]])
    mid_sh = 0.5 * (joints[:, INDEX["left_shoulder"]] + joints[:, INDEX["right_shoulder"]])
    trunk = float(np.nanmedian(np.linalg.norm(mid_sh - mid_hip, axis=-1)))
    est = 0.5 * (leg / 0.491 + trunk / 0.288)
    return float(np.clip(est, 0.8, 2.5))


def _interp_motion(motion: Motion3D, t: np.ndarray) -> np.ndarray:
    """Joints (len(t), 33, 3) linearly interpolated (clamped at the ends)."""
    flat = motion.joints.reshape(motion.t.shape[0], -1)
    out = np.empty((t.shape[0], flat.shape[1]))
    for k in range(flat.shape[1]):
        out[:, k] = np.interp(t, motion.t, flat[:, k])
    return out.reshape(-1, 33, 3)


# --------------------------------------------------------------------------- video


def _write_video(path: Path, frames: Any, fps: float, size: tuple[int, int], crf: int, n_total: int,
                 on_frame: FrameCallback | None) -> None:
    import av

    rate = Fraction(fps).limit_denominator(1001)
    with atomic_path(path, suffix=path.suffix or ".mp4") as tmp:
        container = av.open(str(tmp), mode="w", format="mp4")
        try:
            stream = container.add_stream("libx264", rate=rate)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(int(crf)), "preset": "medium"}
            for done, bgr in enumerate(frames, start=1):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr[..., ::-1]), format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
                if on_frame is not None:
                    on_frame(done, n_total)
            for packet in stream.encode():
                container.mux(packet)
        finally:
            container.close()


def _check_render_options(w: int, h: int, fps: float, motion_blur: int, crf: int, noise_sigma: float,
                          lens_blur_px: float, jpeg_quality: int | None) -> None:
    """Raise a one-line ConfigError for an option :func:`generate_clip` cannot render.

    Parameters
    ----------
    w, h : int
        Frame size, pixels.
    fps : float
        Frame rate.
    motion_blur : int
        Sub-frames per frame.
    crf : int
        x264 constant rate factor.
    noise_sigma, lens_blur_px : float
        Sensor noise and lens blur.
    jpeg_quality : int or None
        JPEG-like compression quality.
    """
    if not (64 <= w <= 3840 and 64 <= h <= 2160) or w % 2 or h % 2:
        raise ConfigError(f"video size must be even numbers within 64..3840 x 64..2160, got {w}x{h}")
    if not (math.isfinite(fps) and 1.0 <= fps <= 1000.0):
        raise ConfigError(f"fps must be between 1 and 1000, got {fps}")
    if not 1 <= motion_blur <= 16:
        raise ConfigError(f"motion blur sub-frames must be between 1 and 16, got {motion_blur}")
    if not 0 <= crf <= 51:
        raise ConfigError(f"crf must be between 0 and 51, got {crf}")
    if noise_sigma < 0 or lens_blur_px < 0:
        raise ConfigError("noise and blur must be non-negative")
    if jpeg_quality is not None and not 1 <= jpeg_quality <= 100:
        raise ConfigError(f"jpeg quality must be between 1 and 100, got {jpeg_quality}")


def _frame_times(motion_file: Motion3D | None, params: SprintParams, duration_s: float | None,
                 fps: float) -> np.ndarray:
    """Frame times of the clip, seconds.

    Parameters
    ----------
    motion_file : Motion3D or None
        A loaded motion file (the clip starts at its first sample and ends at or before its last);
        None: the parametric sprint from 0 s.
    params : SprintParams
        Gives the default duration of the parametric sprint.
    duration_s : float or None
        Requested clip length (None: the default duration, or the whole motion file).
    fps : float
        Frame rate.

    Returns
    -------
    ndarray, shape (T,)
        At least one frame.

    Raises
    ------
    ConfigError
        If the duration is not within 0..120 s.
    """
    if motion_file is not None:
        t_start = float(motion_file.t[0])
        span = float(motion_file.t[-1] - t_start)
        dur = span if duration_s is None else min(duration_s, span)
    else:
        t_start = 0.0
        dur = params.duration_s if duration_s is None else duration_s
    if not 0 < dur <= 120:
        raise ConfigError(f"duration must be between 0 and 120 s, got {dur}")
    n = math.floor(dur * fps + 1e-9) + (1 if motion_file is not None else 0)
    n = max(n, 1)
    t = t_start + np.arange(n) / fps
    if motion_file is not None:
        t = t[t <= motion_file.t[-1] + 1e-9]
    return t


def _subframe_times(t: np.ndarray, motion_blur: int, fps: float) -> np.ndarray:
    """Sub-frame times (T, motion_blur) for motion blur: a half-frame shutter centred on each frame time."""
    if motion_blur > 1:
        offs = (np.arange(motion_blur) + 0.5) / motion_blur - 0.5
        return t[:, None] + offs[None, :] * (0.5 / fps)
    return t[:, None]


def _within(events: tuple[np.ndarray, np.ndarray], t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-foot event times restricted to ``[t[0], t[-1]]``."""
    keep = [(e >= t[0]) & (e <= t[-1]) for e in events]
    return (events[0][keep[0]], events[1][keep[1]])


def _file_motion_on_frames(motion_file: Motion3D, t: np.ndarray, height_m: float) -> Motion3D:
    """Resample a motion file at the frame times (contacts from the feet, events from the file's own sampling).

    Parameters
    ----------
    motion_file : Motion3D
        The loaded motion file.
    t : ndarray, shape (T,)
        Frame times, seconds.
    height_m : float
        Body height.

    Returns
    -------
    Motion3D
        ``source="csv"``; touchdown and toe-off times are the file's (finer) ones within the clip.
    """
    joints = _interp_motion(motion_file, t)
    contact, _, _ = contacts_from_feet(t, joints)
    return Motion3D(t=t, joints=joints, contact=contact, touchdown_t=_within(motion_file.touchdown_t, t),
                    toeoff_t=_within(motion_file.toeoff_t, t), height_m=height_m, source="csv")


def _mid_hip(joints: np.ndarray) -> np.ndarray:
    """Mid-point of the hips of joints shaped (..., 33, 3); shape (..., 3)."""
    return 0.5 * (joints[..., INDEX["left_hip"], :] + joints[..., INDEX["right_hip"], :])


def _subframe_centres(cam: Camera, t: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """Camera centres (T, S, 3) at sub-frame times: the frame cameras' centres interpolated.

    The rotation is kept per frame (it changes little within a half frame).
    """
    n, n_sub = sub.shape
    if n_sub <= 1:
        return cam.C[:, None, :]
    sub_cam_C = np.empty((n, n_sub, 3))
    for k in range(3):
        if n > 1:
            sub_cam_C[..., k] = np.interp(sub.ravel(), t, cam.C[:, k]).reshape(n, n_sub)
        else:
            sub_cam_C[..., k] = cam.C[:, k : k + 1]
    return sub_cam_C


def _camera_and_scene(joints: np.ndarray, sub_joints: np.ndarray, size: tuple[int, int], view: str, follow: str,
                      distance_m: float, height_m: float, seed: int) -> tuple[Camera, Scene]:
    """Place the camera on the runner's line and build a scene covering everything it may see.

    Parameters
    ----------
    joints : ndarray, shape (T, 33, 3)
        Pose at the frame times, lab metres.
    sub_joints : ndarray, shape (T, S, 33, 3)
        Pose at the sub-frame times.
    size : tuple of int
        (width, height), pixels.
    view, follow : str
        Camera view and behaviour (:func:`~sprintbal.synth.render.make_camera`).
    distance_m, height_m : float
        Camera distance and body height, metres.
    seed : int
        Texture randomness.

    Returns
    -------
    (Camera, Scene)
    """
    pelvis = _mid_hip(joints)
    lane_z = float(np.median(pelvis[:, 2]))
    cam = make_camera(pelvis, size[0], size[1], view=view, follow=follow, distance_m=distance_m,
                      body_height_m=height_m, lane_z=lane_z)
    sub_pelvis = _mid_hip(sub_joints)
    x_lo = float(min(np.nanmin(sub_pelvis[..., 0]), np.min(cam.C[:, 0])))
    x_hi = float(max(np.nanmax(sub_pelvis[..., 0]), np.max(cam.C[:, 0])))
    return cam, build_scene((x_lo, x_hi), lane_z, view, seed=seed)


def _render_frames(scene: Scene, cam: Camera, sub_cam_C: np.ndarray, sub_joints: np.ndarray, height_m: float,
                   rng: np.random.Generator, noise_sigma: float, jpeg_quality: int | None,
                   lens_blur_px: float) -> Iterator[np.ndarray]:
    """Yield the clip's frames (H, W, 3) uint8 BGR: sub-frames rendered and averaged, then degraded.

    Parameters
    ----------
    scene : Scene
        Background.
    cam : Camera
        Per-frame cameras (intrinsics, rotations, size).
    sub_cam_C : ndarray, shape (T, S, 3)
        Camera centre at each sub-frame.
    sub_joints : ndarray, shape (T, S, 33, 3)
        Pose at each sub-frame, lab metres.
    height_m : float
        Body height.
    rng : numpy Generator
        Sensor noise.
    noise_sigma, jpeg_quality, lens_blur_px
        Camera imperfections (:func:`~sprintbal.synth.render.degrade`).
    """
    n, n_sub = sub_joints.shape[:2]
    for i in range(n):
        acc = None
        for k in range(n_sub):
            ck = Camera(cam.K, cam.R[i : i + 1], sub_cam_C[i, k][None], cam.width, cam.height)
            img = render_frame(scene, ck, sub_joints[i, k], height_m)
            acc = img.astype(np.float32) if acc is None else acc + img
        assert acc is not None
        frame = np.clip(acc / n_sub + 0.5, 0, 255).astype(np.uint8)
        yield degrade(frame, rng, noise_sigma=noise_sigma, jpeg_quality=jpeg_quality, blur_px=lens_blur_px)


def generate_clip(
    out_path: Path,
    params: SprintParams | None = None,
    view: str = "side",
    fps: float = 60.0,
    size: tuple[int, int] = (1280, 720),
    perturbations: Sequence[Perturbation] = (),
    *,
    duration_s: float | None = None,
    follow: str = "track",
    distance_m: float = 9.0,
    noise_sigma: float = 0.0,
    jpeg_quality: int | None = None,
    lens_blur_px: float = 0.0,
    motion_blur: int = 1,
    crf: int = 23,
    seed: int = 0,
    motion_csv: Path | None = None,
    on_frame: FrameCallback | None = None,
) -> SynthTruth:
    """Render a synthetic sprint clip and write it with its truth file.

    Parameters
    ----------
    out_path : Path
        Video to write (``.mp4``, H.264 yuv420p); the truth goes to ``<stem>.truth.npz`` beside it.
    params : SprintParams or None
        Parametric sprint (default parameters if None). Ignored for the motion except body
        height/mass when ``motion_csv`` is given.
    view : {"side", "side_left", "oblique", "front"}
    fps : float
        Frame rate, 1-1000 (30-240 typical).
    size : tuple of int
        (width, height), even numbers, 64-3840 x 64-2160.
    perturbations : sequence of Perturbation
        Only for the parametric motion.
    duration_s : float or None
        Clip length; None uses ``params.duration_s`` (or the whole motion file).
    follow : {"track", "pan", "static"}
        Camera behaviour (see :func:`~sprintbal.synth.render.make_camera`).
    distance_m : float
        Camera distance from the runner's line.
    noise_sigma : float
        Sensor noise, grey levels (0 = none).
    jpeg_quality : int or None
        JPEG-like compression of each frame before encoding.
    lens_blur_px : float
        Gaussian blur sigma, pixels.
    motion_blur : int
        Sub-frames averaged over a half-frame shutter (1 = none; cost grows linearly).
    crf : int
        x264 constant rate factor (quality; 23 default, larger = smaller file).
    seed : int
        Randomness of textures and noise.
    motion_csv : Path or None
        Render this motion instead of the parametric one (format in the module docstring).
    on_frame : callable or None
        ``on_frame(done, total)`` after each encoded frame.

    Returns
    -------
    SynthTruth
        Also written to ``truth_path(out_path)``.

    Raises
    ------
    ConfigError
        Invalid options.
    BadInputError
        Unreadable motion file.
    OutputError
        If the files cannot be written.
    """
    out_path = Path(out_path)
    params = params or SprintParams()
    w, h = int(size[0]), int(size[1])
    _check_render_options(w, h, fps, motion_blur, crf, noise_sigma, lens_blur_px, jpeg_quality)
    motion_file: Motion3D | None = None
    if motion_csv is not None:
        motion_file = load_motion_csv(Path(motion_csv))
        if perturbations:
            raise ConfigError("perturbations apply to the parametric motion only, not to a motion file")
    height_m = motion_file.height_m if motion_file is not None else params.height_m
    t = _frame_times(motion_file, params, duration_s, fps)
    n = t.shape[0]
    sub = _subframe_times(t, motion_blur, fps)
    if motion_file is not None:
        motion = _file_motion_on_frames(motion_file, t, height_m)
        sub_joints = _interp_motion(motion_file, sub.ravel())
    else:
        motion = compute_sprint_motion(params, t, perturbations)
        sub_joints = compute_sprint_motion(params, sub.ravel(), perturbations).joints
    sub_joints = sub_joints.reshape(n, sub.shape[1], 33, 3)

    cam, scene = _camera_and_scene(motion.joints, sub_joints, (w, h), view, follow, distance_m, height_m, seed)
    frames = _render_frames(scene, cam, _subframe_centres(cam, t, sub), sub_joints, height_m,
                            np.random.default_rng(seed + 1), noise_sigma, jpeg_quality, lens_blur_px)
    _write_video(out_path, frames, fps, (w, h), crf, n, on_frame)

    xy, depth = cam.project(motion.joints)
    xy[depth <= 0.0] = np.nan  # behind the camera (e.g. a static front camera the runner passes)
    truth = SynthTruth(
        t=t,
        fps=float(fps),
        joints3d=motion.joints,
        joints2d=xy,
        contact=motion.contact,
        touchdown_t=motion.touchdown_t,
        toeoff_t=motion.toeoff_t,
        camera_K=cam.K,
        camera_R=cam.R,
        camera_C=cam.C,
        image_size=(w, h),
        view=view,
        follow=follow,
        source=motion.source,
        params=asdict(params) if motion_file is None else None,
        height_m=float(height_m),
        mass_kg=float(params.mass_kg),
        perturbations=tuple(p.to_dict() for p in perturbations),
        render={
            "noise_sigma": noise_sigma, "jpeg_quality": jpeg_quality, "lens_blur_px": lens_blur_px,
            "motion_blur": motion_blur, "crf": crf, "seed": seed, "distance_m": distance_m,
            "motion_csv": str(motion_csv) if motion_csv is not None else None,
        },
    )
    truth = compute_true_momenta(truth)
    save_truth(truth, truth_path(out_path))
    return truth


def generate_from_options(
    out_path: Path,
    *,
    speed: float = 8.0,
    step_freq: float = 4.4,
    contact_fraction: float = 0.45,
    body_height: float = 1.80,
    body_mass: float = 75.0,
    fps: float = 60.0,
    width: int = 1280,
    height: int = 720,
    duration: float | None = None,
    view: str = "side",
    follow: str = "track",
    distance: float = 9.0,
    perturb: Sequence[str] = (),
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    motion_blur: int = 1,
    crf: int = 23,
    seed: int = 0,
    motion: Path | None = None,
    on_frame: FrameCallback | None = None,
) -> SynthTruth:
    """Run ``sprintbal synth OUT.mp4 [options]``: plain option values in, clip and truth file out.

    Parameters mirror the command's options (``--speed``, ``--step-freq``, ``--contact-fraction``,
    ``--body-height``, ``--body-mass``, ``--fps``, ``--width``, ``--height``, ``--duration``, ``--view``,
    ``--follow``, ``--distance``, ``--perturb`` (repeatable ``KIND:START:END[:STRENGTH]``), ``--noise``,
    ``--jpeg-quality``, ``--motion-blur``, ``--crf``, ``--seed``, ``--motion``); see :func:`generate_clip`.
    ``duration`` None means 3 s for the parametric sprint and the whole file for ``motion``.

    Returns
    -------
    SynthTruth
        Written to ``<stem>.truth.npz`` beside ``out_path``.

    Raises
    ------
    ConfigError
        One line naming the bad option.
    """
    params = SprintParams(
        speed_mps=speed, step_freq_hz=step_freq, contact_fraction=contact_fraction, height_m=body_height,
        mass_kg=body_mass, duration_s=3.0 if duration is None else duration,
    )
    perts = tuple(parse_perturbation(spec) for spec in perturb)
    return generate_clip(
        Path(out_path), params, view=view, fps=fps, size=(width, height), perturbations=perts,
        duration_s=duration, follow=follow,
        distance_m=distance, noise_sigma=noise, jpeg_quality=jpeg_quality, motion_blur=motion_blur, crf=crf,
        seed=seed, motion_csv=motion, on_frame=on_frame,
    )
