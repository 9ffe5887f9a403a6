"""Write small test clips with PyAV/libx264 (no ffmpeg CLI needed).

``make_clip`` encodes frames drawn by a callable, optionally with irregular
(variable-frame-rate) timestamps and an MP4 display-matrix rotation. The rotation
is written by patching the video track's ``tkhd`` matrix in pure Python after
muxing, which works with every PyAV version (``Stream.set_display_rotation`` only
exists in recent ones).

Conventions: ``rotation`` is the angle, in degrees CLOCKWISE, by which a player
turns the coded picture to show it upright (the classic ``rotate`` tag; a phone
filmed in portrait stores 90). ``make_clip`` draws the upright picture and stores
it turned counter-clockwise by ``rotation``, so a correct reader recovers exactly
what ``draw`` returned.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

#: ``draw(index, width, height) -> RGB uint8 array (height, width, 3)`` of the UPRIGHT picture.
DrawFn = Callable[[int, int, int], np.ndarray]

VFR_TIME_BASE = Fraction(1, 90000)


def quadrant_pattern(index: int, width: int, height: int) -> np.ndarray:
    """Draw an asymmetric upright picture: red top-left, green top-right, blue bottom-left, white bottom-right.

    A moving grey bar (by ``index``) keeps consecutive frames different.
    """
    img = np.zeros((height, width, 3), dtype=np.uint8)
    h2, w2 = height // 2, width // 2
    img[:h2, :w2] = (255, 0, 0)
    img[:h2, w2:] = (0, 255, 0)
    img[h2:, :w2] = (0, 0, 255)
    img[h2:, w2:] = (255, 255, 255)
    x = (index * 4) % max(width - 4, 1)
    img[h2 - 2 : h2 + 2, x : x + 4] = 128
    return img


def quadrant_colours(img: np.ndarray) -> tuple[tuple[int, int, int], ...]:
    """Return the mean colour of the centre of each quadrant (TL, TR, BL, BR), rounded to 0/255."""
    h, w = img.shape[:2]
    out = []
    for cy, cx in ((h // 4, w // 4), (h // 4, 3 * w // 4), (3 * h // 4, w // 4), (3 * h // 4, 3 * w // 4)):
        patch = img[cy - 2 : cy + 3, cx - 2 : cx + 3].reshape(-1, 3).mean(axis=0)
        out.append(tuple(255 if v > 127 else 0 for v in patch))
    return tuple(out)  # type: ignore[return-value]


def stick_figure(index: int, width: int, height: int) -> np.ndarray:
    """Draw a crude running stick figure (black lines on a light background), legs swinging with ``index``."""
    img = np.full((height, width, 3), 220, dtype=np.uint8)

    def line(p: tuple[float, float], q: tuple[float, float], th: int = 3) -> None:
        n = int(max(abs(q[0] - p[0]), abs(q[1] - p[1]))) + 1
        for s in np.linspace(0.0, 1.0, n):
            x = int(p[0] + s * (q[0] - p[0]))
            y = int(p[1] + s * (q[1] - p[1]))
            img[max(y - th, 0) : y + th, max(x - th, 0) : x + th] = 20

    cx = width / 2
    head_y, hip_y, foot_y = 0.15 * height, 0.55 * height, 0.92 * height
    swing = 0.12 * height * np.sin(index * 0.5)
    yy, xx = np.ogrid[:height, :width]
    img[(xx - cx) ** 2 + (yy - head_y) ** 2 < (0.06 * height) ** 2] = 20
    line((cx, head_y), (cx, hip_y))
    line((cx, hip_y), (cx + swing, foot_y))
    line((cx, hip_y), (cx - swing, foot_y))
    line((cx, 0.3 * height), (cx - swing, 0.48 * height))
    line((cx, 0.3 * height), (cx + swing, 0.48 * height))
    return img


def make_clip(
    path: Path,
    n_frames: int,
    fps: float,
    size: tuple[int, int],
    *,
    rotation: int = 0,
    vfr_times: Sequence[float] | None = None,
    draw: DrawFn = quadrant_pattern,
    crf: int = 18,
    faststart: bool = False,
    fmt: str = "mp4",
) -> Path:
    """Write an H.264 MP4 clip and return its path.

    Parameters
    ----------
    path : Path
        Output ``.mp4`` file.
    n_frames : int
        Number of frames.
    fps : float
        Nominal frame rate (also the encoder's rate for a constant-rate clip).
    size : tuple of int
        (width, height) of the UPRIGHT picture, even numbers.
    rotation : {0, 90, 180, 270}
        Clockwise display rotation written into the track header.
    vfr_times : sequence of float or None
        Presentation time (s) of each frame for a variable-frame-rate clip; stored
        with a 1/90000 s time base. None: frame ``i`` at ``i / fps``.
    draw : callable
        ``draw(index, width, height)`` returning the upright RGB uint8 picture.
    crf : int
        x264 quality (lower is better).
    faststart : bool
        Put the index (``moov``) before the media data, so a truncated copy still
        opens and decodes its first frames.
    fmt : str
        Container format; ``"h264"`` writes a raw elementary stream without
        timestamps (no rotation possible).

    Returns
    -------
    Path
        ``path``.
    """
    import av

    if rotation not in (0, 90, 180, 270) or (rotation and fmt != "mp4"):
        raise ValueError("rotation must be 0, 90, 180 or 270 (and needs mp4)")
    if vfr_times is not None and len(vfr_times) != n_frames:
        raise ValueError("vfr_times needs one time per frame")
    width, height = size
    k = rotation // 90
    coded_w, coded_h = (height, width) if k % 2 else (width, height)
    path = Path(path)
    rate = Fraction(fps).limit_denominator(100000)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format=fmt, options=options) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width = coded_w
        stream.height = coded_h
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "ultrafast", "bf": "0"}
        if vfr_times is not None:
            stream.codec_context.time_base = VFR_TIME_BASE
            stream.time_base = VFR_TIME_BASE
        for i in range(n_frames):
            upright = np.ascontiguousarray(draw(i, width, height), dtype=np.uint8)
            coded = np.ascontiguousarray(np.rot90(upright, k))  # CCW; a player turns it back CW
            frame = av.VideoFrame.from_ndarray(coded, format="rgb24")
            if vfr_times is not None:
                frame.pts = round(vfr_times[i] * VFR_TIME_BASE.denominator)
                frame.time_base = VFR_TIME_BASE
            else:
                frame.pts = i
                frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    if rotation:
        set_mp4_rotation(path, rotation)
    return path


# --- MP4 box surgery -------------------------------------------------------------------------------------------


def _boxes(data: bytes | bytearray, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """List (type, box start, payload start, box end) of the boxes in ``data[start:end]``."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError(f"malformed MP4 box {kind!r} at byte {pos}")
        out.append((kind, pos, pos + header, pos + size))
        pos += size
    return out


def _rotation_matrix(rotation: int, width: int, height: int) -> tuple[int, ...]:
    """Return the tkhd matrix (a, b, u, c, d, v, x, y, w) for a clockwise display rotation, as ffmpeg writes it."""
    one, w_one = 1 << 16, 1 << 30
    a, b, c, d, tx, ty = {
        0: (1, 0, 0, 1, 0, 0),
        90: (0, 1, -1, 0, height, 0),
        180: (-1, 0, 0, -1, width, height),
        270: (0, -1, 1, 0, 0, width),
    }[rotation]
    return (a * one, b * one, 0, c * one, d * one, 0, tx * one, ty * one, w_one)


def set_mp4_rotation(path: Path, rotation: int) -> None:
    """Patch the video track's ``tkhd`` display matrix in place (clockwise ``rotation`` degrees).

    Parameters
    ----------
    path : Path
        An MP4 file with one video track.
    rotation : {0, 90, 180, 270}
        Clockwise display rotation.
    """
    data = bytearray(Path(path).read_bytes())
    moov = [b for b in _boxes(data, 0, len(data)) if b[0] == b"moov"]
    if not moov:
        raise ValueError(f"{path}: no moov box")
    patched = False
    for kind, _, payload, end in _boxes(data, moov[0][2], moov[0][3]):
        if kind != b"trak":
            continue
        children = {k: (p, e) for k, _, p, e in _boxes(data, payload, end)}
        if b"tkhd" not in children or b"mdia" not in children:
            continue
        mdia = {k: (p, e) for k, _, p, e in _boxes(data, *children[b"mdia"])}
        hdlr = mdia.get(b"hdlr")
        # hdlr payload: version/flags (4), pre_defined (4), handler_type (4)
        if hdlr is None or bytes(data[hdlr[0] + 8 : hdlr[0] + 12]) != b"vide":
            continue
        tkhd = children[b"tkhd"][0]
        version = data[tkhd]
        # version/flags (4) + times/ids (20 or 32) + reserved (8) + layer, group, volume, reserved (8)
        matrix_at = tkhd + (40 if version == 0 else 52)
        size_at = matrix_at + 36
        w_fixed, h_fixed = struct.unpack(">II", data[size_at : size_at + 8])
        # tkhd width/height hold the coded size; the display size follows from the matrix.
        width, height = w_fixed >> 16, h_fixed >> 16
        data[matrix_at:size_at] = struct.pack(">9i", *_rotation_matrix(rotation, width, height))
        patched = True
    if not patched:
        raise ValueError(f"{path}: no video track header found")
    Path(path).write_bytes(bytes(data))


def write_png(path: Path, image: np.ndarray) -> Path:
    """Write an RGB uint8 image as a PNG file in pure Python (zlib)."""
    import zlib

    height, width = image.shape[:2]
    raw = b"".join(b"\x00" + np.ascontiguousarray(image[y], dtype=np.uint8).tobytes() for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    Path(path).write_bytes(data)
    return Path(path)


def write_audio_only(path: Path, seconds: float = 0.5, rate: int = 16000) -> Path:
    """Write an MP4 holding only an AAC audio track (a 440 Hz tone)."""
    import av

    n = int(seconds * rate)
    tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        for start in range(0, n, 1024):
            block = tone[start : start + 1024][None, :]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)


def remux_prefix(src: Path, dst: Path, n_frames: int) -> Path:
    """Copy the first ``n_frames`` video packets of ``src`` into ``dst`` without re-encoding.

    With B-frames the last one or two frames of the copy may not decode; tests allow for that.
    """
    import av

    with av.open(str(src)) as source, av.open(str(dst), "w") as target:
        in_stream = source.streams.video[0]
        out_stream = target.add_stream_from_template(in_stream)
        n = 0
        for packet in source.demux(in_stream):
            if packet.dts is None:
                continue
            if n >= n_frames:
                break
            packet.stream = out_stream
            target.mux(packet)
            n += 1
    return Path(dst)
