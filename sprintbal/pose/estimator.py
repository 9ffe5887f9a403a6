"""Pose estimation with MediaPipe BlazePose: the only module that imports mediapipe.

:func:`estimate_track` runs the model over every frame of a clip and returns a
:class:`~sprintbal.pose.track.PoseTrack`. Decoding runs in a background thread
that feeds a small bounded queue, so it overlaps with inference (PyAV and
MediaPipe both release the GIL while they work).

Two back ends:

* default (``PoseConfig.model_path`` None): the legacy ``mp.solutions.pose.Pose``
  API with the bundled BlazePose *full* model, in tracking (video) mode;
* ``PoseConfig.model_path`` set: the Tasks API ``PoseLandmarker`` with that
  ``.task`` bundle, in VIDEO running mode, fed each frame's real capture time.

Log noise: MediaPipe/TFLite/absl write banner lines ("Created TensorFlow Lite
XNNPACK delegate", "W0000 ... inference_feedback_manager ...") from C++ straight to
file descriptor 2, and no environment variable silences them in mediapipe 0.10.21.
While :func:`estimate_track` runs, :func:`_filtered_native_stderr` points fd 2
at a pipe whose reader thread passes every other line (and partial lines, such as
progress bars) straight through to the real stderr; fd 2 is restored on return.
Set ``SPRINTBAL_MEDIAPIPE_LOGS=1`` to see everything.
Nothing happens at import time.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.config import PoseConfig
from sprintbal.errors import BadVideoError, ModelError
from sprintbal.pose.landmarks import N_LANDMARKS
from sprintbal.pose.track import PoseTrack
from sprintbal.video import VideoFrame, VideoInfo, iter_frames

#: Frames decoded ahead of the model (bounds memory: 8 full-HD RGB frames are ~50 MB).
QUEUE_SIZE = 8

_LEGACY_MODELS = {0: "lite", 1: "full", 2: "heavy"}

_NOISE = re.compile(
    rb"^(INFO: Created TensorFlow Lite|WARNING: All log messages before absl::InitializeLog"
    rb"|[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\] )"
)

_END = object()


def _is_noise(line: bytes) -> bool:
    return _NOISE.match(line) is not None


def _forward_stderr(read_fd: int, out_fd: int) -> None:
    """Copy ``read_fd`` to ``out_fd`` until EOF, dropping known native log banners line by line."""
    held = b""
    try:
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            held += chunk
            *lines, held = held.split(b"\n")
            kept = [line + b"\n" for line in lines if not _is_noise(line)]
            # a partial line goes out at once unless it might be the start of a banner
            if held and (held[:1] not in (b"I", b"W", b"E", b"F") or len(held) > 4096):
                kept.append(held)
                held = b""
            if kept:
                os.write(out_fd, b"".join(kept))
        if held and not _is_noise(held):
            os.write(out_fd, held)
    except OSError:
        pass
    finally:
        os.close(read_fd)


_filter_lock = threading.Lock()
_filter_state: dict[str, Any] = {"depth": 0}


def _start_filter() -> tuple[int, threading.Thread] | None:
    fd = 2  # native code writes to fd 2 whatever sys.stderr is
    try:
        saved = os.dup(fd)
    except OSError:  # fd 2 is closed: nothing to filter
        return None
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, fd)
    os.close(write_fd)
    forwarder = threading.Thread(
        target=_forward_stderr, args=(read_fd, saved), name="sprintbal-stderr-filter", daemon=True
    )
    forwarder.start()
    return saved, forwarder


def _stop_filter(saved: int, forwarder: threading.Thread) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()
    os.dup2(saved, 2)  # closes the pipe's last write end: the forwarder sees EOF
    forwarder.join(timeout=2.0)
    if not forwarder.is_alive():  # else a child process still holds the pipe; the daemon keeps forwarding
        os.close(saved)


@contextlib.contextmanager
def _filtered_native_stderr() -> Iterator[None]:
    """Drop MediaPipe's native log banners from fd 2 inside the block; pass everything else through live.

    fd 2 is pointed at a pipe whose reader thread forwards every line to the real
    stderr except the known banners (see the module notes), then restored on exit.
    Nested or concurrent blocks (threads) share one redirection, undone by the last to leave.
    """
    if os.environ.get("SPRINTBAL_MEDIAPIPE_LOGS"):
        yield
        return
    with _filter_lock:
        _filter_state["depth"] += 1
        if _filter_state["depth"] == 1:
            _filter_state["active"] = _start_filter()
    try:
        yield
    finally:
        with _filter_lock:
            _filter_state["depth"] -= 1
            active = _filter_state.pop("active", None) if _filter_state["depth"] == 0 else None
            if active is not None:
                _stop_filter(*active)


class _Decoder:
    """Decode a clip in a daemon thread into a bounded queue; re-raise its errors in the consumer."""

    def __init__(self, path: Path, info: VideoInfo, max_side: int | None) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_SIZE)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, info, max_side), name="sprintbal-decode", daemon=True
        )

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, path: Path, info: VideoInfo, max_side: int | None) -> None:
        try:
            for frame in iter_frames(path, info, max_side=max_side):
                if not self._put(frame):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)

    def __iter__(self) -> Generator[VideoFrame, None, None]:
        self._thread.start()
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            self._thread.join()


class _Arrays:
    """Preallocated per-frame outputs in MediaPipe's normalised units; grows by doubling.

    Landmarks are kept as float32, the precision MediaPipe gives them in (its landmark fields are
    32-bit floats): the same values in half the memory of float64 on long clips.
    """

    def __init__(self, capacity: int) -> None:
        n = max(int(capacity), 16)
        self.t = np.zeros(n)
        self.index = np.zeros(n, dtype=np.int64)
        # x, y, z (normalised), visibility, presence
        self.lm = np.full((n, N_LANDMARKS, 5), np.nan, dtype=np.float32)
        self.world = np.full((n, N_LANDMARKS, 3), np.nan, dtype=np.float32)
        self.detected = np.zeros(n, dtype=bool)
        self.n = 0

    def next_row(self, frame: VideoFrame) -> int:
        i = self.n
        if i == self.t.shape[0]:
            self._grow()
        self.t[i] = frame.t_s
        self.index[i] = frame.index
        self.n = i + 1
        return i

    def _grow(self) -> None:
        n = self.t.shape[0]
        self.t = np.concatenate([self.t, np.zeros(n)])
        self.index = np.concatenate([self.index, np.zeros(n, dtype=np.int64)])
        self.lm = np.concatenate([self.lm, np.full_like(self.lm, np.nan)])
        self.world = np.concatenate([self.world, np.full_like(self.world, np.nan)])
        self.detected = np.concatenate([self.detected, np.zeros(n, dtype=bool)])

    def to_track(self, info: VideoInfo, model: str) -> PoseTrack:
        n = self.n
        if n == 0:
            raise BadVideoError(f"{info.path}: no frame could be decoded (truncated or corrupt video)")
        lm = self.lm[:n]
        width, height = float(info.width), float(info.height)
        # normalised coordinates refer to the (possibly downscaled) upright frame, so the
        # original frame's pixels follow by multiplying by its size: the downscale cancels.
        # Pixels in float64 (products of the float32 values); visibility, presence and world
        # landmarks stay float32, MediaPipe's own values.
        xy = lm[:, :, :2].astype(np.float64) * np.array([width, height])
        z = lm[:, :, 2].astype(np.float64) * width
        visibility = lm[:, :, 3].copy()
        presence = lm[:, :, 4].copy()
        del lm
        self.lm = np.zeros((0, N_LANDMARKS, 5), dtype=np.float32)  # free the buffer before the world copy
        spare = self.world.shape[0] - n
        world = self.world[:n] if spare <= 64 else self.world[:n].copy()
        return PoseTrack(
            t=self.t[:n].copy(),
            xy=xy,
            z=z,
            visibility=visibility,
            presence=presence,
            world=world,
            detected=self.detected[:n].copy(),
            image_size=(info.width, info.height),
            model=model,
            frame_index=self.index[:n].copy(),
        )


def _legacy_runner(mp: Any, cfg: PoseConfig) -> tuple[Any, Callable[[VideoFrame, _Arrays, int], None], str]:
    complexity = int(cfg.model_complexity)
    name = _LEGACY_MODELS.get(complexity)
    if name is None:
        raise ModelError(f"model_complexity must be 0, 1 or 2, got {cfg.model_complexity}")
    tflite = Path(mp.__file__).parent / "modules" / "pose_landmark" / f"pose_landmark_{name}.tflite"
    if not tflite.is_file():
        raise ModelError(
            f"model_complexity {complexity} needs BlazePose {name}, which mediapipe does not bundle "
            "(it would be downloaded); use model_complexity 1 or a .task model file"
        )
    pose = mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=complexity,
        smooth_landmarks=True,
        enable_segmentation=False,
        min_detection_confidence=cfg.min_detection_confidence,
        min_tracking_confidence=cfg.min_tracking_confidence,
    )

    def run(frame: VideoFrame, out: _Arrays, row: int) -> None:
        image = frame.image
        image.flags.writeable = False  # lets mediapipe use the buffer without a copy
        result = pose.process(image)
        landmarks = result.pose_landmarks
        if landmarks is None:
            return
        lms = landmarks.landmark
        if lms[0].HasField("presence"):
            out.lm[row] = [(p.x, p.y, p.z, p.visibility, p.presence) for p in lms]
        else:
            out.lm[row, :, :4] = [(p.x, p.y, p.z, p.visibility) for p in lms]
        if result.pose_world_landmarks is not None:
            out.world[row] = [(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark]
        out.detected[row] = True

    model = f"blazepose_{name} (mediapipe {mp.__version__} legacy, complexity {complexity})"
    return pose, run, model


def _tasks_runner(mp: Any, cfg: PoseConfig) -> tuple[Any, Callable[[VideoFrame, _Arrays, int], None], str]:
    path = Path(cfg.model_path)  # type: ignore[arg-type]
    if not path.is_file():
        raise ModelError(f"{path}: pose model file not found")
    vision = mp.tasks.vision
    options = vision.PoseLandmarkerOptions(
        base_options=mp.tasks.BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
        min_pose_detection_confidence=cfg.min_detection_confidence,
        min_pose_presence_confidence=cfg.min_detection_confidence,
        min_tracking_confidence=cfg.min_tracking_confidence,
        output_segmentation_masks=False,
    )
    try:
        landmarker = vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise ModelError(f"{path}: not a usable MediaPipe pose landmarker .task file ({first})") from None
    last_ms = [-1]
    image_format = mp.ImageFormat.SRGB
    image_cls = mp.Image

    def run(frame: VideoFrame, out: _Arrays, row: int) -> None:
        ms = max(round(frame.t_s * 1000.0), last_ms[0] + 1)  # strictly increasing whole milliseconds
        last_ms[0] = ms
        result = landmarker.detect_for_video(image_cls(image_format=image_format, data=frame.image), ms)
        if not result.pose_landmarks:
            return
        out.lm[row] = [(p.x, p.y, p.z, p.visibility, p.presence) for p in result.pose_landmarks[0]]
        if result.pose_world_landmarks:
            out.world[row] = [(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]]
        out.detected[row] = True

    model = f"tasks:{path.name} (mediapipe {mp.__version__})"
    return landmarker, run, model


def estimate_track(
    path: Path,
    info: VideoInfo,
    cfg: PoseConfig,
    on_frame: Callable[[int], None] | None = None,
) -> PoseTrack:
    """Run BlazePose over every frame of a clip.

    Parameters
    ----------
    path : Path
        The clip.
    info : VideoInfo
        Its description from :func:`sprintbal.video.probe` (sizes, rotation, time scale).
    cfg : PoseConfig
        Model and thresholds; ``max_side_px`` bounds the frame size given to the model.
    on_frame : callable or None
        Called as ``on_frame(done)`` after each frame, ``done`` frames so far.

    Returns
    -------
    PoseTrack
        One row per decoded frame: landmarks in pixels of the original upright frame,
        ``z`` in pixels on the x scale, world landmarks in metres, NaN and
        ``detected`` False where nobody was found.

    Raises
    ------
    ModelError
        The ``.task`` file is missing or invalid, or the model complexity is not bundled.
    BadVideoError
        No frame could be decoded.
    """
    with _filtered_native_stderr():
        import mediapipe as mp

        runner, run, model = _tasks_runner(mp, cfg) if cfg.model_path is not None else _legacy_runner(mp, cfg)
        out = _Arrays(info.frame_count + 8)
        try:
            frames = iter(_Decoder(Path(path), info, cfg.max_side_px))
            try:
                for frame in frames:
                    run(frame, out, out.next_row(frame))
                    if on_frame is not None:
                        on_frame(out.n)
            finally:
                frames.close()  # stops and joins the decoding thread if the loop ended early
        finally:
            runner.close()
    return out.to_track(info, model)
