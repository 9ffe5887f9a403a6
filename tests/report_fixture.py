"""Build a sprintbal output folder by hand (known content, no pose model) for the report/overlay tests.

The runner is the analytic stick figure of :mod:`tests.fixtures_kin` on a treadmill, scaled into a small
frame; momenta are made-up sinusoids with one known breakdown span; the clip (when asked for) shows
the same figure drawn in grey, so the overlay skeleton lands on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.balance import assess_balance
from sprintbal.config import BalanceConfig
from sprintbal.kinematics.result import (
    PHASE_FLIGHT,
    PHASE_LEFT,
    PHASE_RIGHT,
    SIDE_LEFT,
    SIDE_RIGHT,
    GroupMomenta,
    Kinematics,
    Steps,
)
from sprintbal.pose.cache import clip_hash
from sprintbal.pose.track import PoseTrack
from sprintbal.report.json_report import CONVENTIONS, REPORT_SCHEMA_VERSION
from sprintbal.report.jsonutil import to_jsonable, write_json
from sprintbal.report.kinematics_csv import write_frames_csv, write_steps_csv
from sprintbal.report.landmarks_csv import write_landmarks_csv
from tests.fixtures_kin import make_track

#: The one breakdown in the fixture, seconds.
BREAKDOWN = (0.70, 0.86)
NORM = 12.0  # kg m^2/s per normalised unit


def _track(fps: float, duration: float, size: tuple[int, int]) -> tuple[PoseTrack, Any]:
    track, truth = make_track(fps=fps, duration=duration, treadmill=True, px_per_m=200.0)
    s = size[0] / track.image_size[0]
    xy = track.xy * s
    xy[..., 1] += (size[1] - track.image_size[1] * s) / 2 - 40 * s  # centre vertically
    xy[..., 0] += 0
    return (
        PoseTrack(
            t=track.t, xy=xy, z=track.z * s, visibility=track.visibility, presence=track.presence, world=track.world,
            detected=track.detected, image_size=size, model="analytic fixture",
        ),
        truth,
    )


def _kinematics(track: PoseTrack, truth: Any) -> Kinematics:
    t = track.t
    n = t.shape[0]
    phase = np.full(n, PHASE_FLIGHT, dtype=np.int8)
    push = np.full(n, SIDE_LEFT, dtype=np.int8)
    events = []
    for foot, code, side in ((0, PHASE_LEFT, SIDE_LEFT), (1, PHASE_RIGHT, SIDE_RIGHT)):
        for td in truth.touchdown[foot]:
            to = truth.toeoff[foot][truth.toeoff[foot] > td]
            if not to.size:
                continue
            on = (t >= td) & (t < to[0])
            phase[on] = code
            events.append((td, to[0], foot))
            push[t >= td] = side  # last touchdown sets the push side (also through the next flight)
    events.sort()
    ph = 2 * np.pi * t / (2 * truth.step_time_s)
    pushv = 0.004 * np.sin(ph)
    swingv = -0.0036 * np.sin(ph + 0.2)
    pushm = 0.02 + 0.012 * np.sin(2 * ph)
    swingm = -0.018 - 0.01 * np.sin(2 * ph + 0.3)
    bad = (t >= BREAKDOWN[0]) & (t <= BREAKDOWN[1])
    swingv[bad] *= 0.2  # the swing leg fails to offset the push side
    lowerv = 0.006 * np.sin(ph)
    upperv = -0.0052 * np.sin(ph + 0.15)
    upperv[bad] *= 0.3
    z = np.zeros(n)
    h = {
        "push": np.stack([z, pushv, pushm], 1) * NORM,
        "swing": np.stack([z, swingv, swingm], 1) * NORM,
        "lower": np.stack([z, lowerv, pushm + swingm - 0.001], 1) * NORM,
        "upper": np.stack([z, upperv, z + 0.001], 1) * NORM,
    }
    h["total"] = h["push"] + h["swing"]
    k = len(events)
    td = np.array([e[0] for e in events])
    to = np.array([e[1] for e in events])
    foot = np.array([e[2] for e in events], dtype=np.int8)
    nxt = np.append(td[1:], np.nan)
    steps = Steps(
        foot=foot, touchdown_t=td, toeoff_t=to, contact_s=to - td, flight_s=nxt - to, step_s=nxt - td,
        step_length_m=np.full(k, np.nan), speed_mps=np.full(k, 7.0), timing_uncertainty_s=0.5 / 30,
    )
    return Kinematics(
        t=t, points=np.full((n, 33, 3), np.nan), com=np.zeros((n, 3)), com_velocity=np.zeros((n, 3)),
        phase=phase, push_side=push, segment_names=(), segment_h=np.zeros((n, 0, 3)),
        groups=GroupMomenta(**h), norm_factor=NORM, frame_confidence=np.full(n, 0.9),
        axis_confidence={"vertical": 0.35, "mediolateral": 0.8}, steps=steps, is_running=True,
        running_reason="periodic alternating contacts found",
    )


def draw_runner(track: PoseTrack) -> Any:
    """Return a ``draw(index, w, h)`` callable painting the track's figure in grey on a track-like background."""
    import cv2

    from sprintbal.report.overlay import skeleton_bones

    def draw(i: int, w: int, h: int) -> np.ndarray:
        img = np.full((h, w, 3), (190, 200, 210), dtype=np.uint8)
        img[int(h * 0.72) :] = (176, 92, 74)  # the track
        xy = track.xy[min(i, track.n_frames - 1)]
        for a, b, _ in skeleton_bones("unknown"):
            p, q = xy[a], xy[b]
            cv2.line(img, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), (70, 70, 70), 5, cv2.LINE_AA)
        nose = xy[0]
        cv2.circle(img, (int(nose[0]), int(nose[1]) - 4), 9, (70, 70, 70), -1, cv2.LINE_AA)
        return img

    return draw


def make_saved_folder(
    folder: Path,
    clip_name: str = "sprint.mp4",
    *,
    fps: float = 30.0,
    duration: float = 1.6,
    size: tuple[int, int] = (480, 272),
    clip: Path | None = None,
    with_events: bool = True,
) -> tuple[Path, PoseTrack]:
    """Write report.json, landmarks.csv, frames.csv and steps.csv for a fixture clip into ``folder``.

    Parameters
    ----------
    folder : Path
        Output folder (created).
    clip_name : str
        Name recorded as the clip's file name (may contain HTML, for escaping tests).
    fps, duration, size
        Frame rate, length (s) and upright frame size (w, h) of the clip.
    clip : Path or None
        When given, also write a matching H.264 clip there.
    with_events : bool
        Include the known breakdown.

    Returns
    -------
    (Path, PoseTrack)
        The folder and the landmark track.
    """
    folder.mkdir(parents=True, exist_ok=True)
    track, truth = _track(fps, duration, size)
    kin = _kinematics(track, truth)
    write_landmarks_csv(track, folder / "landmarks.csv")
    write_frames_csv(kin, folder / "frames.csv")
    write_steps_csv(kin, folder / "steps.csv")
    n = track.n_frames
    if clip is not None:
        from tests.videogen import make_clip

        make_clip(clip, n_frames=n, fps=fps, size=size, draw=draw_runner(track))
    events = []
    if with_events:
        # the layout of sprintbal.balance.BreakdownEvent.to_dict
        events.append(
            {
                "axis": "vertical", "start_frame": 21, "end_frame": 26, "start_t": BREAKDOWN[0], "end_t": BREAKDOWN[1],
                "duration_s": 0.2, "step_index": 2, "step_foot": "left", "in_contact": False, "peak_frame": 23,
                "peak_t": 23 / fps, "peak_value": 0.21, "peak_z": -4.2, "peak_net_norm": -0.0032,
                "peak_net_si": -0.0032 * NORM, "measure": "pair_cancellation", "basis": "both",
                "side": "upper body", "opposed_side": "lower body", "rotation_sign": -1, "rotation": "twisted right",
                "rotation_camera": "", "top_segments": [{"name": "right_upper_arm", "share": 0.4}],
                "top_parts": [{"name": "right arm", "share": 0.55}, {"name": "<i>trunk</i>", "share": 0.3}],
                "confidence": 0.62,
                "explanation": "The upper body <b>turned</b> the runner & the legs did not offset it.",
                "step_number": 3,
            }
        )
    # the balance stage's own layout (so readers of report.json see the real thing), with a known event
    balance = to_jsonable(assess_balance(kin, BalanceConfig()).to_dict())
    balance["events"] = events
    balance["uncertain_events"] = []
    balance["findings"] = "Rotational balance scored 71 out of 100. One breakdown <in twisting>."
    for i, st in enumerate(balance["steps"]):
        st["score"] = 60.0 + 5 * i
    report: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "sprintbal_version": "0.0-test",
        "generated_utc": "2026-01-01T00:00:00Z",
        "clip": {
            "name": clip_name, "path": str(clip or clip_name),
            "sha256": clip_hash(clip) if clip is not None else "0" * 64, "width": size[0], "height": size[1],
            "coded_width": size[0], "coded_height": size[1], "codec": "h264", "fps": fps, "frame_count": n,
            "duration_s": n / fps, "rotation_deg": 0, "capture_fps": None, "time_scale": 1.0,
            "variable_frame_rate": False, "file_size_bytes": 0,
        },
        "pose": {"model": "analytic fixture", "frames": n, "detected_frames": n, "detection_rate": 1.0,
                 "from_cache": False},
        "config": {"body": {"height_m": 1.8, "mass_kg": 75.0, "sex": "male"}},
        "conventions": CONVENTIONS,
        "kinematics": {
            "is_running": True, "running_reason": "periodic alternating contacts found", "n_contacts": kin.steps.n,
            "cadence_steps_per_min": 250.0, "median_contact_s": 0.11, "median_flight_s": 0.13,
            "median_step_time_s": 0.24, "median_step_length_m": None, "median_speed_mps": 7.0,
            "timing_uncertainty_s": 0.5 / fps, "norm_factor_kgm2s": NORM,
            "axis_confidence": {"vertical": 0.35, "mediolateral": 0.8}, "mean_frame_confidence": 0.9,
            "group_momentum_ranges": {}, "info": {},
        },
        "balance": balance,
        "timings_s": {},
        "notes": [],
        "files": {"landmarks": "landmarks.csv", "frames": "frames.csv", "steps": "steps.csv", "report": "report.json"},
    }
    write_json(folder / "report.json", report)
    return folder, track


def decode_video(path: Path) -> tuple[list[float], list[np.ndarray], tuple[int, int], str]:
    """Decode a clip with PyAV: (times from the first frame in s, RGB frames, (width, height), codec name)."""
    import av

    times, images = [], []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        codec = s.codec_context.name
        for f in c.decode(s):
            times.append(float(f.pts * f.time_base))
            images.append(f.to_ndarray(format="rgb24"))
        size = (s.codec_context.width, s.codec_context.height)
    t0 = times[0]
    return [t - t0 for t in times], images, size, codec
