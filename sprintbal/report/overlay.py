"""The annotated video (``overlay.mp4``), drawn from a clip and its saved output folder.

Every frame of the source is decoded, annotated and encoded one at a time (the clip is never held in
memory) as H.264 ``yuv420p`` with PyAV's libx264, so any browser plays it. The overlay has the same
frames and the same presentation times as the source (in file time, 1/90000 s resolution); it is
upright (the source's display rotation is applied to the pixels, not stored as metadata) and has no
audio.

On each frame: the skeleton coloured by role (push side: stance leg, arms, trunk, head; swing leg),
live gauges of push-side, swing-leg and net angular momentum per axis, a timeline strip with the
breakdowns in red and a cursor, the step number and phase, and a red border and label on frames
inside a breakdown.

cv2 and av are imported inside functions only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sprintbal.atomic import atomic_path
from sprintbal.pose.landmarks import INDEX
from sprintbal.report.saved import SavedAnalysis, load_saved

if TYPE_CHECKING:
    from sprintbal.video import VideoInfo

#: File name of the overlay beside the report.
OVERLAY_NAME = "overlay.mp4"
#: Longest side of the overlay, pixels (larger clips are scaled down; frames and timing are kept).
DEFAULT_MAX_SIDE = 1280
#: Time base of the overlay stream (timestamps are kept to this resolution).
TIME_BASE = Fraction(1, 90000)

# RGB colours
PUSH = (217, 95, 2)
SWING = (27, 158, 119)
NET = (245, 245, 245)
UNKNOWN = (170, 170, 170)
LEFT = (59, 111, 182)
RIGHT = (201, 162, 39)
BAD = (214, 39, 40)

_TORSO = [("left_shoulder", "right_shoulder"), ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
          ("left_hip", "right_hip")]
_HEAD = [("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "left_ear"), ("right_eye", "right_ear")]


_AXIS_SHORT = {"vertical": "twist", "mediolateral": "pitch"}

#: Landmarks that get a dot (the nose, shoulders to wrists, hips to toes; not the face or fingers).
_JOINT_DOTS = (0, 11, 12, 13, 14, 15, 16, *range(23, 33))


def _arm(side: str) -> list[tuple[str, str]]:
    return [
        (f"{side}_shoulder", f"{side}_elbow"),
        (f"{side}_elbow", f"{side}_wrist"),
        (f"{side}_wrist", f"{side}_index"),
    ]


def _leg(side: str) -> list[tuple[str, str]]:
    return [(f"{side}_hip", f"{side}_knee"), (f"{side}_knee", f"{side}_ankle"), (f"{side}_ankle", f"{side}_heel"),
            (f"{side}_heel", f"{side}_foot_index"), (f"{side}_ankle", f"{side}_foot_index")]


def skeleton_bones(push_side: str) -> list[tuple[int, int, tuple[int, int, int]]]:
    """Return the bones to draw as ``(landmark a, landmark b, RGB colour)`` for a push side.

    Parameters
    ----------
    push_side : {"left", "right", "unknown"}
        The stance (pushing) leg this frame.

    Returns
    -------
    list of (int, int, tuple)
        Bones: trunk, head and arms in the push colour; the push leg in the push colour and the
        swing leg in the swing colour (both legs grey when the push side is unknown).
    """
    bones: list[tuple[str, str, tuple[int, int, int]]] = []
    for a, b in _TORSO + _HEAD + _arm("left") + _arm("right"):
        bones.append((a, b, PUSH))
    for side in ("left", "right"):
        colour = UNKNOWN if push_side not in ("left", "right") else (PUSH if side == push_side else SWING)
        bones += [(a, b, colour) for a, b in _leg(side)]
    return [(INDEX[a], INDEX[b], c) for a, b, c in bones]


def draw_skeleton(img: np.ndarray, xy: np.ndarray, push_side: str, thickness: int = 2) -> None:
    """Draw the skeleton on an RGB image in place, coloured by role.

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W, 3)
        RGB picture (modified).
    xy : ndarray, shape (33, 2)
        Landmarks in this image's pixels; NaN where unseen (their bones are skipped).
    push_side : str
        ``"left"``, ``"right"`` or ``"unknown"``.
    thickness : int
        Line thickness, pixels.
    """
    import cv2

    if not np.isfinite(xy).any():
        return
    # draw the swing leg last so it stays visible where legs cross
    bones = sorted(skeleton_bones(push_side), key=lambda b: b[2] == SWING)
    for a, b, colour in bones:
        pa, pb = xy[a], xy[b]
        if not (np.isfinite(pa).all() and np.isfinite(pb).all()):
            continue
        p = (round(float(pa[0])), round(float(pa[1])))
        q = (round(float(pb[0])), round(float(pb[1])))
        cv2.line(img, p, q, (0, 0, 0), thickness + 2, cv2.LINE_AA)
        cv2.line(img, p, q, colour, thickness, cv2.LINE_AA)
    for j in _JOINT_DOTS:
        if np.isfinite(xy[j]).all():
            c = (round(float(xy[j, 0])), round(float(xy[j, 1])))
            cv2.circle(img, c, max(thickness, 2), (255, 255, 255), -1, cv2.LINE_AA)


@dataclass(frozen=True)
class _Tracks:
    """Per-frame data the overlay needs, looked up by frame index."""

    row_of: dict[int, int]
    t: np.ndarray
    push_side: np.ndarray
    phase: np.ndarray
    h: dict[str, np.ndarray]  # "<group>_<axis>" -> normalised momentum (T,)
    gauge_max: dict[str, float]  # axis -> full-scale value of the gauges
    touchdown: np.ndarray
    foot: np.ndarray
    spans: list[tuple[float, float, str, str]]  # (t0, t1, label, axis)


def _tracks(saved: SavedAnalysis) -> _Tracks:
    row_of = {int(f): r for r, f in enumerate(saved.landmark_frame)}
    h: dict[str, np.ndarray] = {}
    gmax: dict[str, float] = {}
    for axis in ("vertical", "mediolateral"):
        vals = []
        for g in ("push", "swing", "total"):
            arr = saved.frame_series(f"H_{g}_{axis}_norm")
            h[f"{g}_{axis}"] = arr
            vals.append(np.abs(arr[np.isfinite(arr)]))
        allv = np.concatenate(vals) if vals else np.zeros(0)
        m = float(np.percentile(allv, 98)) if allv.size else 0.0
        gmax[axis] = m if m > 0 else 1.0
    steps = saved.steps
    return _Tracks(
        row_of=row_of,
        t=saved.frame_series("time_s") if saved.has_kinematics else saved.landmark_t,
        push_side=saved.frame_words("push_side"),
        phase=saved.frame_words("phase"),
        h=h,
        gauge_max=gmax,
        touchdown=np.asarray(steps.get("touchdown_s", np.zeros(0)), dtype=float),
        foot=np.asarray(steps.get("foot", np.zeros(0, dtype=object))),
        spans=[(e.start_s, e.end_s, f"{e.side or '?'} overwhelmed {e.opposed_side or 'the other side'}", e.axis)
               for e in saved.events if math.isfinite(e.start_s) and math.isfinite(e.end_s)],
    )


class _Painter:
    """Draws the annotations on frames of one fixed size."""

    def __init__(self, tracks: _Tracks, width: int, height: int, duration_s: float, has_kin: bool) -> None:
        self.k = tracks
        self.w, self.h = width, height
        self.has_kin = has_kin
        short = min(width, height)
        self.font_scale = max(0.35, short / 900.0)
        self.thick = max(1, round(short / 400))
        self.line_h = max(12, round(26 * self.font_scale))
        self.strip_h = max(10, round(0.035 * height))
        self.t_end = max(duration_s, float(np.nanmax(tracks.t)) if tracks.t.size else 0.0, 1e-6)
        self.strip = self._strip_base()

    def _x_of(self, t: float) -> int:
        return round(np.clip(t / self.t_end, 0.0, 1.0) * (self.w - 1))

    def _strip_base(self) -> np.ndarray:
        strip = np.full((self.strip_h, self.w, 3), 40, dtype=np.uint8)
        third = max(2, self.strip_h // 3)
        k = self.k
        if self.has_kin and k.t.size:
            dt = float(np.median(np.diff(k.t))) if k.t.size > 1 else 1 / 30
            for i, ph in enumerate(k.phase):
                col = {"left_contact": LEFT, "right_contact": RIGHT, "double_contact": UNKNOWN}.get(str(ph))
                if col is None or not math.isfinite(k.t[i]):
                    continue
                a, b = self._x_of(k.t[i] - dt / 2), self._x_of(k.t[i] + dt / 2)
                strip[self.strip_h - third :, a : max(b, a + 1)] = col
        for t0, t1, _, _ in k.spans:
            a, b = self._x_of(t0), self._x_of(t1)
            strip[: self.strip_h - third, a : max(b, a + 2)] = BAD
        return strip

    def _text(self, img: np.ndarray, text: str, org: tuple[int, int], colour: tuple[int, int, int] = (255, 255, 255),
              scale: float | None = None) -> None:
        import cv2

        s = scale or self.font_scale
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, s, (0, 0, 0), self.thick + 2, cv2.LINE_AA)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, s, colour, self.thick, cv2.LINE_AA)

    def _step_text(self, t: float, row: int | None) -> str:
        k = self.k
        parts = [f"t = {t:.2f} s"]
        td = k.touchdown
        if td.size and math.isfinite(t):
            done = np.nonzero(np.isfinite(td) & (td <= t + 1e-9))[0]
            if done.size:
                i = int(done[-1])
                parts.append(f"step {i + 1} ({k.foot[i]})")
        if row is not None and row < len(k.phase) and str(k.phase[row]) not in ("", "unknown"):
            parts.append(str(k.phase[row]).replace("_", " "))
        return " | ".join(parts)

    @property
    def _bar_h(self) -> int:
        return max(5, round(self.line_h * 0.45))

    @property
    def _row_step(self) -> int:
        return self._bar_h + max(5, round(self.line_h * 0.4))

    def _gauges_height(self) -> int:
        return 2 * (self.line_h + 3 * self._row_step + max(3, self.line_h // 4))

    def _gauges(self, img: np.ndarray, row: int | None, x0: int, y0: int) -> int:
        import cv2

        panel_w = max(170, round(0.30 * self.w))
        label_w = round(52 * self.font_scale / 0.5)
        bar_w = panel_w - label_w - 8
        bar_h = self._bar_h
        y = y0
        for axis, title in (("vertical", "vertical axis (yaw)"), ("mediolateral", "mediolateral (pitch)")):
            self._text(img, title, (x0, y + round(self.line_h * 0.7)), scale=self.font_scale * 0.85)
            y += self.line_h
            full = self.k.gauge_max[axis]
            for g, name, colour in (("push", "push", PUSH), ("swing", "swing", SWING), ("total", "net", NET)):
                v = float(self.k.h[f"{g}_{axis}"][row]) if row is not None and row < len(self.k.push_side) else math.nan
                self._text(img, name, (x0, y + bar_h), scale=self.font_scale * 0.75)
                bx = x0 + label_w
                cx = bx + bar_w // 2
                cv2.rectangle(img, (bx, y), (bx + bar_w, y + bar_h), (60, 60, 60), -1)
                if math.isfinite(v):
                    end = cx + round(np.clip(v / full, -1.0, 1.0) * (bar_w // 2))
                    cv2.rectangle(img, (min(cx, end), y), (max(cx, end), y + bar_h), colour, -1)
                cv2.line(img, (cx, y - 2), (cx, y + bar_h + 2), (255, 255, 255), 1)
                y += self._row_step
            y += max(3, self.line_h // 4)
        return y

    def _fit(self, text: str, max_w: int, scale: float) -> tuple[float, int, int]:
        """Largest font scale <= ``scale`` at which ``text`` fits in ``max_w`` pixels; with its size."""
        import cv2

        while True:
            (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, self.thick)
            if tw <= max_w or scale <= 0.3:
                return scale, tw, th
            scale *= 0.9

    def paint(self, img: np.ndarray, frame_index: int, t: float, scale: float, xy: np.ndarray | None) -> None:
        """Annotate one upright RGB frame in place."""
        import cv2

        k = self.k
        row = k.row_of.get(int(frame_index))
        side = str(k.push_side[row]) if row is not None and row < len(k.push_side) else "unknown"
        if xy is not None:
            draw_skeleton(img, xy * scale, side, thickness=max(2, round(min(self.w, self.h) / 180)))
        b = max(4, round(min(self.w, self.h) * 0.015))  # breakdown border width; the panel sits inside it
        inset = b + 2
        y_strip = self.h - self.strip_h
        # translucent panel top-left: time, step and phase, then the gauges
        pad = max(4, round(self.line_h * 0.4))
        head = self._step_text(t, row)
        head_scale, head_w, _ = self._fit(head, self.w - 2 * inset - 2 * pad, self.font_scale)
        gauges_w = max(170, round(0.30 * self.w)) if self.has_kin else 0
        panel_w = min(max(gauges_w, head_w) + 2 * pad, self.w - 2 * inset)
        panel_h = self.line_h + (self._gauges_height() if self.has_kin else 0) + 2 * pad
        panel_h = min(panel_h, y_strip - 2 * inset)
        roi = img[inset : inset + panel_h, inset : inset + panel_w]
        roi[:] = (roi.astype(np.uint16) * 2 // 5).astype(np.uint8)
        self._text(img, head, (inset + pad, inset + pad + round(self.line_h * 0.7)), scale=head_scale)
        if self.has_kin:
            self._gauges(img, row, inset + pad, inset + pad + self.line_h)
        # timeline strip with cursor
        img[y_strip:] = self.strip
        cx = self._x_of(t)
        cv2.line(img, (cx, y_strip - 3), (cx, self.h - 1), (255, 255, 255), max(2, self.thick + 1))
        # breakdown border and label
        inside = [sp for sp in k.spans if sp[0] - 1e-9 <= t <= sp[1] + 1e-9]
        if inside:
            cv2.rectangle(img, (b // 2, b // 2), (self.w - 1 - b // 2, y_strip - 1 - b // 2), BAD, b)
            what, ax = inside[0][2], inside[0][3]
            label = f"BREAKDOWN: {what}" + (f" ({_AXIS_SHORT.get(ax, ax)})" if ax else "")
            lab_scale, tw, th = self._fit(label, self.w - 2 * inset - 12, self.font_scale)
            x = self.w - inset - tw - 6
            # top right when it clears the panel, else just below the panel
            y = inset + th + 6 if x - 6 > inset + panel_w + 4 else inset + panel_h + th + 10
            cv2.rectangle(img, (x - 6, y - th - 6), (x + tw + 6, y + 6), BAD, -1)
            cv2.putText(img, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, lab_scale, (255, 255, 255), self.thick,
                        cv2.LINE_AA)


def _pad_even(img: np.ndarray) -> np.ndarray:
    """Return a writable copy of an RGB frame, padded with black to even width and height (yuv420p needs them)."""
    h0, w0 = img.shape[:2]
    w, h = w0 + (w0 % 2), h0 + (h0 % 2)  # pad one pixel where odd
    if (w, h) == (w0, h0):
        return img.copy()
    padded = np.zeros((h, w, 3), dtype=np.uint8)
    padded[:h0, :w0] = img
    return padded


def _add_stream(container: Any, rate: Fraction, width: int, height: int, crf: int) -> Any:
    """Add the H.264 ``yuv420p`` stream (time base :data:`TIME_BASE`) to an output container and return it."""
    stream = container.add_stream("libx264", rate=rate)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": str(crf), "preset": "veryfast"}
    stream.codec_context.time_base = TIME_BASE
    stream.time_base = TIME_BASE
    return stream


def _encode(container: Any, stream: Any, img: np.ndarray, pts: int) -> None:
    """Encode one RGB frame at ``pts`` (in :data:`TIME_BASE` units) and mux its packets."""
    import av

    frame = av.VideoFrame.from_ndarray(img, format="rgb24")
    frame.pts = pts
    frame.time_base = TIME_BASE
    for packet in stream.encode(frame):
        container.mux(packet)


def _annotate_clip(container: Any, video_path: Path, info: VideoInfo, saved: SavedAnalysis, tracks: _Tracks,
                   max_side: int | None, on_progress: Callable[[str, int, int], None] | None, crf: int) -> None:
    """Decode the clip, annotate every frame and encode it into ``container`` at the source's times.

    Parameters
    ----------
    container : av output container
        Open for writing; the stream is added at the first frame (its size is known then).
    video_path : Path
        The analysed clip.
    info : VideoInfo
        Its description.
    saved : SavedAnalysis
        The output folder's contents.
    tracks : _Tracks
        Per-frame data drawn from ``saved``.
    max_side : int or None
        Longest side of the overlay, pixels; None keeps the source size.
    on_progress : callable or None
        ``on_progress("overlay", done, total)`` after each frame.
    crf : int
        x264 quality.
    """
    from sprintbal.video import iter_frames

    total = int(info.frame_count)
    rate = Fraction(info.fps).limit_denominator(100000) if info.fps > 0 else Fraction(30)
    time_scale = info.time_scale if info.time_scale > 0 else 1.0
    stream: Any = None
    painter: _Painter | None = None
    last_pts = -1
    # landmark pixels are in the upright full-size frame; the decoded frame may be downscaled
    for done, fr in enumerate(iter_frames(Path(video_path), info, max_side), start=1):
        img = _pad_even(fr.image)
        if stream is None:
            h, w = img.shape[:2]
            stream = _add_stream(container, rate, w, h, crf)
            painter = _Painter(tracks, w, h, float(info.duration_s), saved.has_kinematics)
        assert painter is not None
        row = tracks.row_of.get(int(fr.index))
        xy = saved.landmarks_xy[row] if row is not None else None
        painter.paint(img, fr.index, fr.t_s, fr.scale, xy)
        # file time of the source, kept strictly increasing
        last_pts = max(round(fr.t_s / time_scale / float(TIME_BASE)), last_pts + 1)
        _encode(container, stream, img, last_pts)
        if on_progress is not None:
            on_progress("overlay", done, total)
    if stream is not None:
        for packet in stream.encode():
            container.mux(packet)


def write_overlay(
    video_path: Path,
    folder: Path,
    info: VideoInfo | None = None,
    *,
    saved: SavedAnalysis | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
    on_progress: Callable[[str, int, int], None] | None = None,
    crf: int = 23,
) -> Path:
    """Write ``overlay.mp4``, the annotated clip, into the clip's output folder (atomically).

    Parameters
    ----------
    video_path : Path
        The analysed clip.
    folder : Path
        Its output folder (``report.json``, ``landmarks.csv``, ``frames.csv``...).
    info : VideoInfo or None
        The clip's description; probed when None.
    saved : SavedAnalysis or None
        The folder's contents, loaded when None.
    max_side : int or None
        Longest side of the overlay, pixels; None keeps the source size.
    on_progress : callable or None
        ``on_progress("overlay", done, total)`` after each frame.
    crf : int
        x264 quality (lower is better, larger file).

    Returns
    -------
    Path
        Path of ``overlay.mp4``.

    Raises
    ------
    BadInputError
        If the folder is not a sprintbal output folder or the clip cannot be read.
    OutputError
        If the file cannot be written.
    """
    import av

    from sprintbal.video import probe

    folder = Path(folder)
    saved = saved or load_saved(folder)
    clip_meta = saved.report.get("clip") or {}
    if info is None:
        info = probe(Path(video_path), capture_fps=clip_meta.get("capture_fps"))
    tracks = _tracks(saved)
    target = folder / OVERLAY_NAME
    with atomic_path(target, suffix=".mp4") as tmp:
        container: Any = av.open(str(tmp), mode="w", format="mp4")
        try:
            _annotate_clip(container, video_path, info, saved, tracks, max_side, on_progress, crf)
        finally:
            container.close()
    return target
