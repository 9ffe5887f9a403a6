"""Check whether downscaling large frames before the model (``PoseConfig.max_side_px``) changes landmarks or speed.

Usage::

    python benchmarks/downscale.py CLIP [--frames 90] [--factor 3]

Upscales the first ``--frames`` frames of CLIP by ``--factor`` (bicubic; a 720x1280 clip becomes 2160x3840,
"4K"), encodes them (x264 crf 18), then runs :func:`sprintbal.pose.estimator.estimate_track` on the 4K clip
with the default ``max_side_px`` (frames downscaled to 1920 px before the model) and with no limit (full 4K
frames converted and handed to the model), and on the original clip. Prints the time of each run and the
median / 90th percentile landmark difference in pixels OF THE ORIGINAL CLIP (4K pixels / factor) over frames
and landmarks where both runs found a person and the landmark's visibility is >= 0.5. Asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np


def upscale_clip(src: Path, dst: Path, frames: int, factor: int) -> int:
    import av
    import cv2

    n = 0
    with av.open(str(src)) as source, av.open(str(dst), "w", format="mp4") as target:
        stream_in = source.streams.video[0]
        rate = Fraction(stream_in.average_rate or 30).limit_denominator(100000)
        out = target.add_stream("libx264", rate=rate)
        out.pix_fmt = "yuv420p"
        out.options = {"crf": "18", "preset": "ultrafast"}
        for frame in source.decode(stream_in):
            img = frame.to_ndarray(format="rgb24")
            big = cv2.resize(img, (img.shape[1] * factor, img.shape[0] * factor), interpolation=cv2.INTER_CUBIC)
            if n == 0:
                out.width, out.height = big.shape[1], big.shape[0]
            vf = av.VideoFrame.from_ndarray(big, format="rgb24")
            vf.pts = n
            vf.time_base = 1 / rate
            for packet in out.encode(vf):
                target.mux(packet)
            n += 1
            if n >= frames:
                break
        for packet in out.encode():
            target.mux(packet)
    return n


def _diff(a: object, b: object, scale: float) -> tuple[float, float, int]:
    both = a.detected & b.detected  # type: ignore[attr-defined]
    vis = (a.visibility >= 0.5) & (b.visibility >= 0.5)  # type: ignore[attr-defined]
    d = np.linalg.norm(a.xy - b.xy, axis=-1) / scale  # type: ignore[attr-defined]
    sel = d[both[:, None] & vis & np.isfinite(d)]
    if not sel.size:
        return float("nan"), float("nan"), 0
    return float(np.median(sel)), float(np.percentile(sel, 90)), int(sel.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--frames", type=int, default=90)
    parser.add_argument("--factor", type=int, default=3)
    args = parser.parse_args()

    from sprintbal.config import PoseConfig
    from sprintbal.pose.estimator import estimate_track
    from sprintbal.video import probe

    work = Path(tempfile.mkdtemp(prefix="sprintbal-downscale-"))
    try:
        big = work / "uhd.mp4"
        n = upscale_clip(args.clip, big, args.frames, args.factor)
        small = work / "orig.mp4"
        from throughput import _clip_prefix  # benchmarks/ is on sys.path when run as a script

        small = _clip_prefix(args.clip, n, work)
        info_big, info_small = probe(big), probe(small)
        print(f"{args.clip.name}: first {n} frames, original {info_small.width}x{info_small.height}, "
              f"upscaled x{args.factor} to {info_big.width}x{info_big.height}")
        import mediapipe  # noqa: F401

        default = PoseConfig()
        runs = {}
        for name, clip, info, cfg in (
            ("original clip", small, info_small, default),
            (f"4K, max_side_px={default.max_side_px}", big, info_big, default),
            ("4K, max_side_px=None (full frames)", big, info_big, dataclasses.replace(default, max_side_px=None)),
        ):
            t0 = time.perf_counter()
            track = estimate_track(clip, info, cfg)
            dt = time.perf_counter() - t0
            runs[name] = track
            print(f"{name:40s} {dt:7.2f} s {track.n_frames / dt:6.1f} frames/s detected {track.detection_rate:.1%}")
        names = list(runs)
        f = float(args.factor)
        for a, b, sa, sb in ((names[1], names[2], f, f), (names[1], names[0], f, 1.0), (names[2], names[0], f, 1.0)):
            ta, tb = runs[a], runs[b]
            # bring both to original-clip pixels
            ta_o = dataclasses.replace(ta, xy=ta.xy / sa)
            tb_o = dataclasses.replace(tb, xy=tb.xy / sb)
            med, p90, k = _diff(ta_o, tb_o, 1.0)
            print(f"landmark difference [{a}] vs [{b}]: median {med:.2f} px, p90 {p90:.2f} px "
                  f"(original-clip pixels, {k} landmarks)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
