"""Video input: the only module that opens a clip (PyAV, imported inside functions).

:func:`probe` checks a clip and describes it (:class:`VideoInfo`); :func:`iter_frames`
streams its frames upright, in RGB, with capture-time stamps. Nothing here holds a
whole clip in memory.

Conventions
-----------
* Rotation: ``VideoInfo.rotation_deg`` is the angle in degrees CLOCKWISE by which a
  player turns the coded picture to show it upright, read from the display matrix
  (the classic ``rotate`` tag: a phone filmed in portrait usually stores 90; ffprobe
  reports the same matrix as ``rotation=-90``, counter-clockwise). Frames from
  :func:`iter_frames` are already turned, so ``width``/``height`` describe them.
* Time: ``t_s`` is the frame's presentation timestamp (pts * time_base) relative to
  the first decoded frame, multiplied by ``time_scale`` so that slow-motion exports
  are in real capture time. Non-square pixels are not corrected.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.errors import BadInputError, BadVideoError, ConfigError

#: Demuxers that read a single still image; such a file is not a clip.
_IMAGE_DEMUXERS_SUFFIX = "_pipe"
_IMAGE_DEMUXERS = {"image2"}


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` learnt about a clip.

    Attributes
    ----------
    path : str
        The clip's path as given.
    width, height : int
        Size in pixels of the UPRIGHT display frame (after rotation).
    coded_width, coded_height : int
        Size in pixels of the stored (coded) picture, before rotation.
    codec : str
        Decoder name, e.g. ``"h264"``.
    fps : float
        Nominal (average) playback frame rate of the file, frames per second.
    frame_count : int
        Number of video frames (counted from the container's packets, or its header).
    duration_s : float
        Real (capture) time covered by the frames, seconds: the file's playback
        duration multiplied by ``time_scale``.
    rotation_deg : int
        Clockwise display rotation, one of 0, 90, 180, 270.
    capture_fps : float or None
        The user's real capture rate of a slow-motion export; None if not given.
    time_scale : float
        Factor from file time to capture time: ``fps / capture_fps`` (1.0 when
        ``capture_fps`` is None).
    variable_frame_rate : bool
        Whether frame spacing varies by more than timestamp rounding.
    file_size_bytes : int
        Size of the file in bytes.
    """

    path: str
    width: int
    height: int
    coded_width: int
    coded_height: int
    codec: str
    fps: float
    frame_count: int
    duration_s: float
    rotation_deg: int
    capture_fps: float | None
    time_scale: float
    variable_frame_rate: bool
    file_size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain JSON-serialisable data."""
        return asdict(self)


@dataclass(frozen=True)
class VideoFrame:
    """One decoded frame.

    Attributes
    ----------
    index : int
        0-based position of the frame in decoding (presentation) order.
    t_s : float
        Capture time in seconds from the first frame (see module notes).
    image : ndarray of uint8, shape (H, W, 3)
        RGB picture, upright, C-contiguous.
    scale : float
        Factor applied to the upright frame's size (1.0 unless downscaled by ``max_side``).
    """

    index: int
    t_s: float
    image: np.ndarray
    scale: float = 1.0


def _check_path(path: Path) -> int:
    """Return the file size, raising a one-line error for paths that are not files."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise BadInputError(f"{path}: does not exist") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot access ({exc.strerror or exc})") from None
    if path.is_dir():
        raise BadInputError(f"{path}: is a folder, not a video file")
    if st.st_size == 0:
        raise BadVideoError(f"{path}: empty file (0 bytes), not a video")
    return int(st.st_size)


def _open(path: Path) -> Any:
    """Open a container with PyAV or raise a one-line error."""
    import av

    try:
        return av.open(str(path), mode="r")
    except PermissionError:
        raise BadInputError(f"{path}: cannot read (permission denied)") from None
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        raise BadVideoError(f"{path}: not a video file (no video stream could be opened)") from None


def _video_stream(container: Any, path: Path) -> Any:
    fmt = str(getattr(container.format, "name", "") or "")
    if fmt.endswith(_IMAGE_DEMUXERS_SUFFIX) or fmt in _IMAGE_DEMUXERS:
        raise BadVideoError(f"{path}: a still image ({fmt.removesuffix('_pipe')}), not a video")
    if not container.streams.video:
        if container.streams.audio:
            raise BadVideoError(f"{path}: not a video file (no video stream; audio only?)")
        raise BadVideoError(f"{path}: not a video file (no video stream and no frames: an empty recording?)")
    return container.streams.video[0]


def _clockwise(frame: Any) -> int:
    """Clockwise display rotation of a decoded frame (0/90/180/270); PyAV >= 14 reports ``frame.rotation``."""
    ccw = getattr(frame, "rotation", 0) or 0
    return round(-float(ccw) / 90.0) % 4 * 90


@dataclass
class _PacketScan:
    """What demuxing a video stream found.

    Attributes
    ----------
    pts : list of int
        Presentation timestamps of the packets that had one, in stream time-base units, sorted.
    n_packets : int
        Non-empty packets.
    last_duration : int
        Duration of the last packet with a timestamp (0 if unknown), time-base units.
    first : av.VideoFrame or None
        The first frame that decoded.
    """

    pts: list[int]
    n_packets: int
    last_duration: int
    first: Any


def _scan_packets(container: Any, stream: Any) -> _PacketScan:
    """Demux every packet of ``stream`` (decoding only until a first frame comes out).

    A truncated or damaged tail ends the scan quietly, keeping what was read; a decoder
    that holds its first frame back is flushed at the end.
    """
    import av

    pts: list[int] = []
    n_packets = 0
    last_duration = 0
    first = None
    try:
        for packet in container.demux(stream):
            if packet.size == 0:  # the flushing packet at the end
                continue
            n_packets += 1
            if packet.pts is not None:
                pts.append(int(packet.pts))
                last_duration = int(packet.duration or 0)
            if first is None:
                try:
                    frames = stream.decode(packet)
                except av.FFmpegError:
                    frames = []
                if frames:
                    first = frames[0]
    except av.FFmpegError:
        pass  # a truncated or damaged tail: keep what was read
    if first is None:
        try:
            frames = stream.decode(None)
            first = frames[0] if frames else None
        except av.FFmpegError:
            first = None
    pts.sort()
    return _PacketScan(pts=pts, n_packets=n_packets, last_duration=last_duration, first=first)


def _nominal_fps(stream: Any, has_pts: bool, diffs: np.ndarray, time_base: float) -> float:
    """Playback frame rate: the stream's rates, else the median timestamp spacing, else 30.

    Without timestamps (a raw elementary stream) the average rate is a demuxer default (25);
    the codec's own timing info, in the guessed rate, is then the better guess.
    """
    fps = 0.0
    rates = (stream.average_rate, stream.guessed_rate, stream.base_rate)
    if not has_pts:
        rates = (stream.guessed_rate, stream.average_rate, stream.base_rate)
    for rate in rates:
        if rate and float(rate) > 0 and math.isfinite(float(rate)):
            fps = float(rate)
            break
    if fps <= 0 and diffs.size and time_base > 0:
        fps = 1.0 / (float(np.median(diffs)) * time_base)
    if fps <= 0:
        fps = 30.0  # nothing better to go on; documented nominal fallback
    return fps


def _is_variable_rate(diffs: np.ndarray) -> bool:
    """Whether timestamp spacing varies by more than rounding (1.5 ticks or 10% of the median)."""
    if diffs.size <= 1:
        return False
    median = float(np.median(diffs))
    tolerance = max(1.5, 0.1 * median)
    return bool(np.any(np.abs(diffs - median) > tolerance))


def _file_duration(scan: _PacketScan, diffs: np.ndarray, time_base: float, frame_count: int, fps: float) -> float:
    """Playback time covered by the frames, seconds: first to last timestamp plus one frame, else count / fps."""
    pts = scan.pts
    if len(pts) > 1 and time_base > 0:
        step = scan.last_duration if scan.last_duration > 0 else float(np.median(diffs))
        return (pts[-1] - pts[0] + step) * time_base
    return frame_count / fps


def probe(path: Path, capture_fps: float | None = None) -> VideoInfo:
    """Check that ``path`` is a decodable video and describe it.

    Demuxes every packet (fast, no decoding) to count frames and check their
    spacing, and decodes the first frame to read its rotation.

    Parameters
    ----------
    path : Path
        The clip.
    capture_fps : float or None
        Real capture rate of a slow-motion export (e.g. 240); None: the file's
        timestamps are real time.

    Returns
    -------
    VideoInfo
        The clip's description.

    Raises
    ------
    BadInputError
        The path does not exist, is a folder or cannot be read.
    BadVideoError
        The file is empty, not a video, has no video stream, or no frame decodes.
    ConfigError
        ``capture_fps`` is not positive.
    """
    path = Path(path)
    if capture_fps is not None and not capture_fps > 0:
        raise ConfigError(f"capture_fps must be positive, got {capture_fps}")
    size = _check_path(path)
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        codec = str(stream.codec_context.name)
        scan = _scan_packets(container, stream)
        if scan.first is None:
            raise BadVideoError(f"{path}: no frame could be decoded (truncated or corrupt video)")
        coded_w, coded_h = int(scan.first.width), int(scan.first.height)
        rotation = _clockwise(scan.first)
        time_base = float(stream.time_base) if stream.time_base else 0.0
        frame_count = scan.n_packets or int(stream.frames or 0)
        diffs = np.diff(np.asarray(scan.pts, dtype=np.int64)) if len(scan.pts) > 1 else np.zeros(0)
        fps = _nominal_fps(stream, bool(scan.pts), diffs, time_base)
        file_duration = _file_duration(scan, diffs, time_base, frame_count, fps)
        time_scale = fps / capture_fps if capture_fps else 1.0
        width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
        return VideoInfo(
            path=str(path),
            width=width,
            height=height,
            coded_width=coded_w,
            coded_height=coded_h,
            codec=codec,
            fps=fps,
            frame_count=int(frame_count),
            duration_s=float(file_duration * time_scale),
            rotation_deg=rotation,
            capture_fps=float(capture_fps) if capture_fps else None,
            time_scale=float(time_scale),
            variable_frame_rate=_is_variable_rate(diffs),
            file_size_bytes=size,
        )
    finally:
        container.close()


def _output_size(coded_w: int, coded_h: int, max_side: int | None) -> tuple[float, int, int]:
    """Scale factor and (width, height) of decoded frames, downscaled so the longer side is at most ``max_side``."""
    if max_side is not None and max(coded_w, coded_h) > max_side:
        scale = max_side / max(coded_w, coded_h)
        return scale, max(1, round(coded_w * scale)), max(1, round(coded_h * scale))
    return 1.0, coded_w, coded_h


class _CaptureClock:
    """Capture-time stamps of decoded frames: from the first frame, scaled, strictly increasing.

    Parameters
    ----------
    time_base : float
        Seconds per timestamp tick (0 when the stream has none).
    time_scale : float
        File time to capture time.
    frame_step : float
        Nominal capture-time interval, used for missing and non-increasing timestamps.
    """

    def __init__(self, time_base: float, time_scale: float, frame_step: float) -> None:
        self.time_base = time_base
        self.time_scale = time_scale
        self.frame_step = frame_step
        self.t0: float | None = None
        self.last_t = -math.inf

    def stamp(self, pts: int | None, index: int) -> float:
        """Return the capture time of the frame at position ``index`` with timestamp ``pts``."""
        if pts is not None and self.time_base > 0:
            t_file = float(pts) * self.time_base
            if self.t0 is None:
                self.t0 = t_file
            t = (t_file - self.t0) * self.time_scale
        else:
            t = 0.0 if index == 0 else self.last_t + self.frame_step
            if self.t0 is None:
                self.t0 = 0.0
        if t <= self.last_t:
            t = self.last_t + self.frame_step
        self.last_t = t
        return t


def _upright_rgb(frame: Any, info: VideoInfo, scale: float, out_w: int, out_h: int) -> np.ndarray:
    """Convert a decoded frame to C-contiguous RGB at the output size, turned upright."""
    # a mid-stream size change is scaled to the first frame's output size
    if scale != 1.0 or frame.width != info.coded_width or frame.height != info.coded_height:
        image = frame.to_ndarray(width=out_w, height=out_h, format="rgb24", interpolation="AREA")
    else:
        image = frame.to_ndarray(format="rgb24")
    k = (-info.rotation_deg // 90) % 4  # np.rot90 turns counter-clockwise
    if k:
        image = np.rot90(image, k)
    return np.ascontiguousarray(image)


def iter_frames(path: Path, info: VideoInfo, max_side: int | None = None) -> Iterator[VideoFrame]:
    """Stream the clip's frames, upright RGB, with capture-time stamps.

    Parameters
    ----------
    path : Path
        The clip (already checked by :func:`probe`).
    info : VideoInfo
        Its description from :func:`probe` (rotation, fps, time scale).
    max_side : int or None
        Downscale frames whose longer side exceeds this many pixels (aspect kept).

    Yields
    ------
    VideoFrame
        Frames in presentation order; ``t_s`` strictly increasing, 0 for the first.
        Missing timestamps fall back to the previous time plus one nominal frame
        interval; a timestamp not after its predecessor is moved to one nominal
        interval after it.

    Raises
    ------
    BadVideoError
        If no frame at all can be decoded. A clip that breaks off after some frames
        (truncated or damaged) ends cleanly after its last whole frame.
    """
    import av

    path = Path(path)
    _check_path(path)
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        time_base = float(stream.time_base) if stream.time_base else 0.0
        clock = _CaptureClock(time_base, info.time_scale, info.time_scale / info.fps)
        scale, out_w, out_h = _output_size(info.coded_width, info.coded_height, max_side)
        frames = container.decode(stream)
        index = 0
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except (av.FFmpegError, OSError) as exc:
                if index == 0:
                    raise BadVideoError(f"{path}: no frame could be decoded ({exc.__class__.__name__})") from None
                break  # truncated/damaged tail: stop after the last whole frame
            t = clock.stamp(frame.pts, index)
            image = _upright_rgb(frame, info, scale, out_w, out_h)
            yield VideoFrame(index=index, t_s=float(t), image=image, scale=scale)
            index += 1
        if index == 0:
            raise BadVideoError(f"{path}: no frame could be decoded (truncated or corrupt video)")
    finally:
        container.close()


def _frame_timestamps(path: Path) -> tuple[list[int], list[int]] | None:
    """Presentation timestamps of every video packet, sorted, and those of the key frames; None if unusable.

    Unusable (the caller decodes from the start instead): a packet without a timestamp, two packets with
    the same one, or a stream that cannot be demuxed to its end.
    """
    import av

    container = _open(path)
    try:
        stream = _video_stream(container, path)
        pts: list[int] = []
        keys: list[int] = []
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            if packet.pts is None:
                return None
            pts.append(int(packet.pts))
            if packet.is_keyframe:
                keys.append(int(packet.pts))
    except av.FFmpegError:
        return None
    finally:
        container.close()
    pts.sort()
    keys.sort()
    if not pts or not keys or len(set(pts)) != len(pts) or keys[0] != pts[0]:
        return None
    return pts, keys


def frame_times(path: Path, info: VideoInfo) -> np.ndarray | None:
    """Capture times :func:`iter_frames` will give the clip's frames, from its packets alone (no decoding).

    Parameters
    ----------
    path : Path
        The clip.
    info : VideoInfo
        Its description from :func:`probe` (time scale).

    Returns
    -------
    ndarray, shape (T,) or None
        Seconds from the first frame; None when the packets lack distinct timestamps (then only
        decoding tells).
    """
    stamps = _frame_timestamps(Path(path))
    if stamps is None:
        return None
    container = _open(Path(path))
    try:
        stream = _video_stream(container, Path(path))
        time_base = float(stream.time_base) if stream.time_base else 0.0
    finally:
        container.close()
    if time_base <= 0:
        return None
    pts = np.asarray(stamps[0], dtype=float)
    t0 = float(pts[0]) * time_base
    return np.asarray((pts * time_base - t0) * info.time_scale)  # as _CaptureClock.stamp computes each


def iter_frames_at(
    path: Path, info: VideoInfo, indices: Sequence[int], max_side: int | None = None
) -> Iterator[VideoFrame]:
    """Yield only the frames at the given positions, decoding as little of the clip as it can.

    Positions are those of :func:`iter_frames` (0-based, presentation order). The ``k``-th frame is the
    packet with the ``k``-th smallest timestamp; the decoder jumps to the last key frame at or before a
    wanted frame whenever that key frame lies beyond what it has decoded, and otherwise decodes on. A
    clip whose packets lack distinct timestamps, or whose decoded frames do not match them, is decoded
    from the start instead (as :func:`iter_frames` does). Long clips with a few wanted frames (the
    report's breakdown stills) cost a few groups of pictures instead of the whole clip.

    Parameters
    ----------
    path : Path
        The clip (already checked by :func:`probe`).
    info : VideoInfo
        Its description from :func:`probe`.
    indices : sequence of int
        Wanted frame positions (any order; negative and out-of-range ones are skipped).
    max_side : int or None
        Downscale frames whose longer side exceeds this many pixels (aspect kept).

    Yields
    ------
    VideoFrame
        The wanted frames in increasing position; ``t_s`` as :func:`iter_frames` gives it when the
        clip's timestamps are clean.

    Raises
    ------
    BadVideoError
        If the clip cannot be decoded at all.
    """
    import av

    path = Path(path)
    _check_path(path)
    wanted = sorted({int(i) for i in indices if int(i) >= 0})
    if not wanted:
        return
    stamps = _frame_timestamps(path)
    done: set[int] = set()
    if stamps is not None:
        pts, keys = stamps
        container = _open(path)
        try:
            stream = _video_stream(container, path)
            stream.thread_type = "AUTO"
            time_base = float(stream.time_base) if stream.time_base else 0.0
            scale, out_w, out_h = _output_size(info.coded_width, info.coded_height, max_side)
            frames: Iterator[Any] | None = None
            decoded = -math.inf  # timestamp of the last decoded frame
            for i in wanted:
                if i >= len(pts):
                    break
                target = pts[i]
                key = keys[bisect.bisect_right(keys, target) - 1]
                if frames is None or key > decoded:
                    container.seek(key, stream=stream, backward=True, any_frame=False)
                    frames = container.decode(stream)
                found = None
                for frame in frames:
                    if frame.pts is None:
                        break
                    decoded = int(frame.pts)
                    if decoded >= target:
                        found = frame if decoded == target else None
                        break
                if found is None:  # the decoder does not give the timestamps the packets promised
                    break
                t = (target - pts[0]) * time_base * info.time_scale
                image = _upright_rgb(found, info, scale, out_w, out_h)
                yield VideoFrame(index=i, t_s=float(t), image=image, scale=scale)
                done.add(i)
        except (av.FFmpegError, OSError):
            pass  # decode the rest from the start
        finally:
            container.close()
    rest = [i for i in wanted if i not in done]
    if not rest:
        return
    for fr in iter_frames(path, info, max_side):
        if fr.index > rest[-1]:
            break
        if fr.index in rest and fr.index not in done:
            yield fr
