"""Cleaning of raw pose tracks: visibility, left/right swaps, outliers, gaps, low-pass.

Order of operations in :func:`clean_track` (each step a pure ``compute_*`` function):

1. low visibility -> NaN (:func:`compute_low_visibility_mask`);
2. left/right swap correction for legs and for arms (:func:`compute_lr_swaps`), applied to
   ``xy``, ``z``, ``world`` and ``visibility``;
3. Hampel outlier rejection -> NaN (:func:`compute_hampel`);
4. bounded-length gap filling by shape-preserving (PCHIP) interpolation (:func:`compute_gap_fill`);
5. zero-lag 4th-order Butterworth low-pass on real capture time (:func:`compute_lowpass`), cut-off
   from the configuration or from Winter's residual analysis (:func:`compute_residual_cutoff`).

Time is axis 0 everywhere. Frame times may be non-uniform (variable-frame-rate phone files): the
Hampel window and the gap length are measured in seconds of ``t``; the low-pass resamples a
non-uniform segment onto a uniform grid at the median frame interval, filters, and interpolates back.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sprintbal.config import CleaningConfig
from sprintbal.pose.landmarks import ARM_PAIRS, INDEX, LEG_PAIRS, N_LANDMARKS
from sprintbal.pose.track import PoseTrack

#: Sensible range of low-pass cut-offs for sprinting, Hz (Pose2Sim advises 6-15 Hz for running; fast
#: swing legs need the upper end).
CUTOFF_RANGE_HZ = (6.0, 20.0)

#: Landmarks whose motion decides the residual-analysis cut-off (the fast-moving limb ends).
_FAST_LANDMARKS = tuple(
    INDEX[n]
    for n in (
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_knee", "right_knee",
        "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
    )
)  # fmt: skip


@dataclass(frozen=True)
class CleanTrack:
    """A cleaned pose track. Time is axis 0 (T frames).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Capture time, seconds.
    xy : ndarray, shape (T, 33, 2)
        Cleaned image landmarks, pixels (x right, y DOWN). NaN where unknown.
    world : ndarray, shape (T, 33, 3)
        Cleaned MediaPipe world landmarks, metres (x right, y down, z away from the camera, origin
        between the hips). NaN where unknown.
    visibility : ndarray, shape (T, 33)
        Visibility in [0, 1] after swap correction (NaN where nobody was found).
    observed : ndarray of bool, shape (T, 33)
        The raw point was kept (visible enough and not an outlier).
    filled : ndarray of bool, shape (T, 33)
        The point was missing and was filled by interpolation.
    swapped_legs, swapped_arms : ndarray of bool, shape (T,)
        Frames whose left/right leg (arm) labels were exchanged by the swap correction.
    cutoff_hz : float
        Low-pass cut-off used, Hz of real capture time (NaN if no filtering was possible).
    counts : dict of str to int
        ``other_person_frames`` frames dropped as showing someone else (:func:`compute_main_person`);
        ``low_visibility`` points set NaN for low visibility; ``collapsed_pairs`` points of a left/right
        pair collapsed onto one limb (:func:`compute_collapsed_pairs`); ``hampel_outliers`` image points rejected
        as outliers (all their channels); ``edge_outliers`` first or last points of a seen run that
        disagree with the run's continuation (:func:`compute_edge_outliers`); ``world_outliers`` points
        whose world coordinates alone were rejected (and refilled); ``gap_filled`` points filled;
        ``leg_swap_frames`` and ``arm_swap_frames`` frames corrected; ``left_nan`` points still NaN after
        cleaning.
    z : ndarray, shape (T, 33)
        MediaPipe relative image depth (pixels, smaller = nearer), swap-corrected and cleaned like ``xy``.
    cutoff_source : str
        ``"config"``, ``"residual"`` or ``"default"``: where the cut-off came from.
    xy_unfiltered : ndarray, shape (T, 33, 2)
        Image landmarks after swap correction, outlier rejection and gap filling but before the
        low-pass (pixels, y down): for segment lengths (scale) and for event timing, which the low-pass
        would blur at low frame rates.
    """

    t: np.ndarray
    xy: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    observed: np.ndarray
    filled: np.ndarray
    swapped_legs: np.ndarray
    swapped_arms: np.ndarray
    cutoff_hz: float
    counts: dict[str, int]
    z: np.ndarray = field(default_factory=lambda: np.zeros((0, N_LANDMARKS)))
    cutoff_source: str = "config"
    xy_unfiltered: np.ndarray = field(default_factory=lambda: np.zeros((0, N_LANDMARKS, 2)))

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return int(self.t.shape[0])


# --------------------------------------------------------------------------------------------- helpers


def _median_dt(t: np.ndarray) -> float:
    """Return the median positive frame interval of ``t`` (NaN if fewer than two frames)."""
    t = np.asarray(t, dtype=float)
    if t.shape[0] < 2:
        return float("nan")
    d = np.diff(t)
    d = d[np.isfinite(d) & (d > 0)]
    return float(np.median(d)) if d.size else float("nan")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Return ``[(start, stop), ...]`` (stop exclusive) of the True runs of a 1-D bool array."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return []
    d = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


# ------------------------------------------------------------------------------------------- visibility


def compute_low_visibility_mask(visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    """Return where landmarks are too poorly seen to keep.

    Parameters
    ----------
    visibility : ndarray, shape (T, 33)
        MediaPipe visibility in [0, 1]; NaN where nobody was found.
    min_visibility : float
        Threshold; points strictly below it are rejected.

    Returns
    -------
    ndarray of bool, shape (T, 33)
        True where the point should be set NaN (low or unknown visibility).
    """
    v = np.asarray(visibility, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~(v >= min_visibility)


# ------------------------------------------------------------------------------------------ identity


def compute_main_person(xy: np.ndarray, *, max_jump: float = 1.0, max_size_ratio: float = 1.6) -> np.ndarray:
    """Return the frames that show the clip's main person.

    BlazePose follows one person, but when the runner leaves the frame it may latch on to someone else
    in the very next frame (a bystander, a runner in another lane), and the landmarks then jump.
    Consecutive frames with a body are split where the mid-hip moves by more than ``max_jump`` times the
    body's hip-to-ankle length per frame elapsed (a sprinter covers about 0.35 of it per frame at 10 m/s
    and 30 fps; across a gap of undetected frames the allowance grows with the gap) or the hip-to-ankle
    length changes by more than ``max_size_ratio`` either way. The longest resulting run of frames is the
    main person; the others are dropped.
    Frames without the hips or ankles cannot be tested and join the run they sit in. Seen on the real
    sprint start sprint_start_side_hato72_b13: as the runner leaves, the next frame's body stands 7 m
    back down the track, for the last 19 frames.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks, pixels, NaN where not found.
    max_jump : float
        Largest mid-hip move per frame between two frames with a body, in hip-to-ankle lengths.
    max_size_ratio : float
        Largest change of the hip-to-ankle length between two consecutive frames.

    Returns
    -------
    ndarray of bool, shape (T,)
        True on the frames kept (all True when no split is found).
    """
    xy = np.asarray(xy, dtype=float)
    n = xy.shape[0]
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    hips = [INDEX["left_hip"], INDEX["right_hip"]]
    ankles = [INDEX["left_ankle"], INDEX["right_ankle"]]
    mid = xy[:, hips].mean(axis=1)  # (T, 2)
    legs = np.linalg.norm(xy[:, hips] - xy[:, ankles], axis=-1)  # (T, 2)
    n_legs = np.isfinite(legs).sum(axis=1)
    size = np.where(n_legs > 0, np.nansum(legs, axis=1) / np.maximum(n_legs, 1), np.nan)
    ok = np.isfinite(mid).all(axis=1) & np.isfinite(size) & (size > 0)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return keep
    a, b = idx[:-1], idx[1:]
    ref = np.fmax(size[a], size[b])
    jump = np.linalg.norm(mid[b] - mid[a], axis=1) / ref / (b - a)  # per frame elapsed
    ratio = np.fmax(size[b] / size[a], size[a] / size[b])
    cut = (jump > max_jump) | (ratio > max_size_ratio)
    if not cut.any():
        return keep
    starts = np.concatenate([[0], b[cut]])
    ends = np.concatenate([b[cut], [n]])
    counts = [int(ok[s_:e_].sum()) for s_, e_ in zip(starts, ends, strict=True)]
    j = int(np.argmax(counts))
    keep[:] = False
    keep[starts[j] : ends[j]] = True
    return keep


# -------------------------------------------------------------------------------------------- L/R swaps


def _pair_scale(xy: np.ndarray, first: int, last: int) -> float:
    """Body scale of a limb pair's passes: the median distance between landmarks ``first`` and ``last``.

    ``xy`` is (T, K, 2); returns 1.0 when the distance is never known or not positive.
    """
    seg = np.linalg.norm(xy[:, first] - xy[:, last], axis=-1)
    scale = float(np.median(seg[np.isfinite(seg)])) if np.isfinite(seg).any() else 1.0
    return scale if scale > 0 else 1.0


def _central_residual(q: np.ndarray, t: np.ndarray, k: int) -> np.ndarray:
    """Return the summed distance of each frame's points from the time-interpolation of frames ``i - k`` and ``i + k``.

    ``q`` is (K, M, 2); returns (K,), NaN where the stencil leaves the clip. Missing points count 0.
    """
    n = q.shape[0]
    out = np.full(n, np.nan)
    if n <= 2 * k:
        return out
    t0, t1, tm = t[: n - 2 * k], t[2 * k :], t[k : n - k]
    w = ((tm - t0) / (t1 - t0))[:, None, None]
    mid = q[: n - 2 * k] + (q[2 * k :] - q[: n - 2 * k]) * w
    d = np.linalg.norm(q[k : n - k] - mid, axis=-1)
    out[k : n - k] = np.where(np.isfinite(d), d, 0.0).sum(axis=-1)
    return out


#: Most a single landmark's deviation from its predicted position counts in a frame's continuity cost of
#: :func:`compute_lr_swaps` (body scales: the limb pair's median first-to-last landmark distance, hip to toe
#: for the legs, shoulder to thumb for the arms; at 60 fps, widened by (60 Hz * frame interval)**2 below
#: 60 fps). A correctly labelled point moves off its constant-velocity prediction by a * dt**2 (a sprinter's
#: hand or foot at up to ~200 m/s**2: ~6 cm at 60 fps, ~22 cm at 30 fps, hence the widening) plus the
#: detector's noise; a point off by more is either exchanged with its partner or misplaced by the detector.
#: Near an arm crossing BlazePose often puts the hidden far hand 20-40 px (0.4-0.7 arm scale) off, and
#: uncapped, counted four times over (the wrist, pinky, index and thumb points), that one misplaced hand
#: bought 1-3 frame exchanges of correct arm labels (at crossings on 29 of 142 rendered clips; the three
#: looked at frame by frame were this). Capped, an
#: exchange must be supported by most of the pair's points, as a real one is. A point placed in a slot with
#: no prediction (that limb hidden, NaN, in the frames before) costs the cap, not 0: otherwise the hidden
#: far arm's empty slot took the visible near arm for nothing. Crossed frames of the labels clean_track
#: gives, on the points it keeps (``benchmarks/label_crossings.py``, 144 rendered clips): arms 129 -> 46 (the
#: detector's own: 50), legs 116 -> 71. Cap 0.3 / 0.4 / 0.7: arms 55 / 58 / 44, legs 71 / 70 / 89; below 0.5
#: one jump's evidence no longer fixes a 0.5 s leg exchange from the clip start (a test); 0.1 breaks the leg
#: pass.
POINT_COST_CAP = 0.5
#: Frame rate at which :data:`POINT_COST_CAP` holds as it is (Hz).
_POINT_CAP_REF_HZ = 60.0

#: Largest bias (body scales) toward the labels as given when a frame taken out of the continuity pass as a
#: detector glitch is given the hypothesis closer to its labelled neighbours' midpoint.
_BRIDGE_TIE = 0.2


def compute_lr_swaps(
    xy: np.ndarray,
    pairs: tuple[tuple[int, int], ...] = LEG_PAIRS,
    t: np.ndarray | None = None,
    *,
    swap_penalty: float = 0.2,
    penalty_ref_fps: float | None = None,
    glitch_factor: float = 3.0,
    max_rounds: int = 4,
    max_rate_hz: float | None = 60.0,
    unary: np.ndarray | None = None,
    point_cap: float | None = POINT_COST_CAP,
) -> np.ndarray:
    """Find frames whose left/right labels of a limb pair are exchanged.

    Two hypotheses per frame (labels as given / exchanged). The transition cost between
    consecutive frames is the summed distance of every pair landmark from its constant-velocity
    prediction from the two previous frames (first-order: from the previous frame when only one is
    known), normalised by a body scale (median first-to-last pair landmark distance, e.g. hip to toe),
    each landmark's distance capped at ``point_cap`` body scales (a detector's misplaced point must not
    outweigh the rest of the limb: :data:`POINT_COST_CAP`).
    A constant-velocity prediction is needed because in a side view the legs (and arms) cross twice per
    stride, and a distance to the previous frame alone cannot tell a crossing from a bounce. A
    second-order Viterbi pass (state = hypotheses of two consecutive frames) finds the cheapest labelling
    of the whole clip, so a run of swapped frames flips together. A per-frame penalty (``swap_penalty``
    body scales) on the exchanged hypothesis keeps the labels the detector gave most of the time and
    breaks ties in favour of no swap.

    Detector glitches (a frame whose limb points jump off and back, which no relabelling explains)
    would otherwise give the pass a cheap place to flip a long stretch. After each pass, frames whose
    distance from the interpolation of their labelled neighbours (the larger of the one- and two-frame
    stencils, so two-frame glitches are caught too) is a local maximum above ``glitch_factor`` times
    the clip's median (and above 0.5 body scales) are taken out of the chain (the prediction bridges
    over them) and the pass is repeated, at most ``max_rounds`` times. A frame taken out gets
    the hypothesis closer to the midpoint of its labelled neighbours.

    Above ``max_rate_hz`` (e.g. 120 or 240 fps) the clip is split into ``m = floor(fps / max_rate_hz)``
    interleaved sub-sequences (frames ``r, r + m, ...``) handled separately: at high frame rates
    BlazePose hands a label over from one leg to the other across several frames, which looks
    continuous frame to frame; at about 60 fps the hand-over is a jump.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks (any unit), NaN where unknown.
    pairs : tuple of (int, int)
        (left, right) landmark index pairs of one limb group (default legs, hip to toe).
    t : ndarray, shape (T,), optional
        Frame times, seconds; used to scale the constant-velocity prediction on non-uniform frames.
    swap_penalty : float
        Cost of labelling a frame as swapped, in body-scale units.
    glitch_factor : float
        Threshold for glitch frames, in multiples of the median central second difference.
    max_rounds : int
        Most glitch-removal rounds (0: plain Viterbi over every usable frame).
    penalty_ref_fps : float or None
        If given (with ``t``), ``swap_penalty`` is per frame at this frame rate and scaled by the clip's
        frame interval (a penalty per second); None: per frame whatever the rate.
    max_rate_hz : float or None
        Frame rate above which interleaved sub-sequences are used (None: never).
    unary : ndarray, shape (T, 2), optional
        Extra per-frame cost of (labels as given, exchanged), body-scale units, added to the pass
        (e.g. :func:`compute_contralateral_cost`); NaN counts 0.
    point_cap : float or None
        Largest cost of one landmark in one frame, body scales, at 60 fps or more (times
        ``(60 Hz * dt)**2`` at lower rates); also the cost of a point whose slot has no prediction.
        None: uncapped, and a point without prediction costs 0.

    Returns
    -------
    ndarray of bool, shape (T,)
        True on frames where exchanging left and right makes the trajectories more continuous.
    """
    xy = np.asarray(xy, dtype=float)
    n = xy.shape[0]
    out = np.zeros(n, dtype=bool)
    if n < 3 or not pairs:
        return out
    tt = np.arange(n, dtype=float) if t is None else np.asarray(t, dtype=float)
    if max_rate_hz is not None and t is not None:
        dt0 = _median_dt(tt)
        m = int(np.floor(1.0 / (dt0 * max_rate_hz))) if np.isfinite(dt0) and dt0 > 0 else 1
        if m >= 2 and n >= 3 * m:
            # high frame rates: each of the m interleaved sub-sequences (about max_rate_hz) on its own,
            # so the detector's gradual hand-over between labels becomes a jump the pass can see
            sub = np.zeros(n, dtype=bool)
            for r in range(m):
                sl = slice(r, None, m)
                sub[sl] = compute_lr_swaps(
                    xy[sl], pairs, tt[sl], swap_penalty=swap_penalty, penalty_ref_fps=penalty_ref_fps,
                    glitch_factor=glitch_factor, max_rounds=max_rounds, max_rate_hz=None,
                    unary=None if unary is None else unary[sl], point_cap=point_cap,
                )
            return sub
    # only the pair's landmarks from here on (left ones first): no copies of the whole (T, 33, 2) array
    n_pairs = len(pairs)
    xy = xy[:, [p[0] for p in pairs] + [p[1] for p in pairs]]  # (T, 2P, 2)
    pairs = tuple((i, n_pairs + i) for i in range(n_pairs))
    left = np.arange(n_pairs)
    right = left + n_pairs
    usable = np.isfinite(xy[:, left]).all(axis=-1).any(axis=1) & np.isfinite(xy[:, right]).all(axis=-1).any(axis=1)
    scale = _pair_scale(xy, int(left[0]), int(left[-1]))
    keep = np.flatnonzero(usable)
    if keep.size < 3:
        return out
    dt_med = _median_dt(tt)
    if penalty_ref_fps is not None and t is not None and np.isfinite(dt_med) and dt_med > 0:
        swap_penalty = swap_penalty * penalty_ref_fps * dt_med
    if point_cap is not None and t is not None and np.isfinite(dt_med) and dt_med > 0:
        # below 60 fps a correct point's own deviation from constant velocity grows as dt**2: so does the cap
        point_cap = point_cap * max(1.0, (dt_med * _POINT_CAP_REF_HZ) ** 2)
    dropped = np.zeros(n, dtype=bool)
    states = np.zeros(keep.size, dtype=bool)
    for _round in range(max_rounds + 1):
        states = _viterbi_swaps(
            xy[keep], pairs, None if t is None else tt[keep], swap_penalty=swap_penalty,
            unary=None if unary is None else unary[keep], point_cap=point_cap,
        )  # fmt: skip
        if _round == max_rounds or keep.size < 5:
            break
        q = apply_lr_swaps(xy[keep], states, pairs)  # (K, 2P, 2)
        e = np.maximum(_central_residual(q, tt[keep], 1), _central_residual(q, tt[keep], 2)) / scale
        med = float(np.median(e[np.isfinite(e)])) if np.isfinite(e).any() else 0.0
        thr = max(glitch_factor * med, 0.5)
        e = np.where(np.isfinite(e), e, 0.0)
        # non-maximum suppression within +-2 frames: a glitch also raises its neighbours' residuals
        peak = np.zeros(e.size, dtype=bool)
        taken = np.zeros(e.size, dtype=bool)
        for i in np.argsort(-e):
            if e[i] <= thr:
                break
            if not taken[i] and 0 < i < e.size - 1:
                peak[i] = True
                taken[max(0, i - 2) : i + 3] = True
        new = keep[peak]
        if new.size == 0:
            break
        dropped[new] = True
        keep = np.setdiff1d(keep, new)
        if keep.size < 3:
            return out
    out[keep] = states
    # frames taken out (or unusable): the hypothesis closer to the labelled neighbours' midpoint
    rest = np.flatnonzero(~np.isin(np.arange(n), keep))
    fixed = apply_lr_swaps(xy, out, pairs)
    for k in rest:
        j = int(np.searchsorted(keep, k))
        prev_k = keep[j - 1] if j > 0 else None
        next_k = keep[j] if j < keep.size else None
        if prev_k is None and next_k is None:
            continue
        refs = [fixed[r] for r in (prev_k, next_k) if r is not None]
        ref = 0.5 * (refs[0] + refs[1]) if len(refs) == 2 else refs[0]
        if not dropped[k]:  # unusable frame: follow the labelled neighbour
            out[k] = out[prev_k if prev_k is not None else next_k]
            continue
        cand = [xy[k], xy[k][np.concatenate([right, left])]]
        costs = [float(np.nansum(np.linalg.norm(c - ref, axis=-1))) for c in cand]
        # a tie-breaker toward the labels as given, never more than the default per-frame penalty: a pass run
        # with a higher penalty (the arms: compute_limb_labels) must not keep a bridged frame against its
        # neighbours' labelling for that reason alone
        out[k] = costs[1] + min(swap_penalty, _BRIDGE_TIE) * scale < costs[0]
    return out


#: Frames whose transition costs :func:`_viterbi_swaps` computes at once (bounds its temporary memory).
_VITERBI_CHUNK = 2048


def _viterbi_swaps(
    xy: np.ndarray,
    pairs: tuple[tuple[int, int], ...] = LEG_PAIRS,
    t: np.ndarray | None = None,
    *,
    swap_penalty: float = 0.1,
    unary: np.ndarray | None = None,
    point_cap: float | None = None,
) -> np.ndarray:
    """Second-order Viterbi over (as given, exchanged) per frame; see :func:`compute_lr_swaps`."""
    xy = np.asarray(xy, dtype=float)
    n = xy.shape[0]
    out = np.zeros(n, dtype=bool)
    if n < 3 or not pairs:
        return out
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    a = np.concatenate([xy[:, left], xy[:, right]], axis=1)  # (T, 2P, 2) labels as given
    b = np.concatenate([xy[:, right], xy[:, left]], axis=1)  # exchanged
    hyp = np.stack([a, b], axis=0)  # (2, T, 2P, 2)
    # body scale: median distance between hip and ankle-ish landmarks (first and third pair) or spread
    seg = np.linalg.norm(xy[:, left[0]] - xy[:, left[-1]], axis=-1)
    spread = float(np.median(seg[np.isfinite(seg)])) if np.isfinite(seg).any() else np.nan
    if not np.isfinite(spread) or spread <= 0:
        finite = a[np.isfinite(a).all(axis=-1)]
        spread = float(np.ptp(finite, axis=0).max()) if finite.size else 1.0
        spread = spread if spread > 0 else 1.0
    if t is None:
        ratio = np.ones(n)
    else:
        tt = np.asarray(t, dtype=float)
        dtt = np.diff(tt)
        ratio = np.ones(n)
        # ratio[k] scales the velocity from frames (k-2, k-1) to predict frame k
        with np.errstate(divide="ignore", invalid="ignore"):
            r = dtt[1:] / dtt[:-1]
        ratio[2:] = np.where(np.isfinite(r) & (r > 0), r, 1.0)

    def dist(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        diff = p - q  # (..., 2P, 2); the Euclidean norm as np.linalg.norm takes it, without its overhead
        d = np.sqrt(diff[..., 0] * diff[..., 0] + diff[..., 1] * diff[..., 1])  # (..., 2P)
        if point_cap is not None:
            d = np.minimum(d, point_cap * spread)  # NaN stays NaN (counts 0 below)
            # a point put in a slot with no prediction (that limb hidden in the frames before) is not free: it
            # costs as much as a point far off, or a hidden far arm's empty slot takes the near arm for nothing
            d = np.where(np.isfinite(p[..., 0]) & ~np.isfinite(q[..., 0]), point_cap * spread, d)
        return np.where(np.isfinite(d), d, 0.0).sum(axis=-1) / spread

    # first-order cost c1[s_prev, s_cur] between frames 0 and 1 (where the recursion starts)
    c1 = dist(hyp[None, :, 1], hyp[:, None, 0])  # (2, 2)
    # second-order cost of frame k from frames k-2 (s2) and k-1 (s1) with frame k as s0, all eight
    # (s2, s1, s0) at once, flattened to column s2 * 4 + s1 * 2 + s0; in chunks of frames on long clips
    c2 = np.zeros((n, 8))
    for a in range(2, n, _VITERBI_CHUNK):
        b = min(n, a + _VITERBI_CHUNK)
        p1 = hyp[None, :, a - 1 : b - 1]  # (1, 2 s1, m, 2P, 2)
        p2 = hyp[:, None, a - 2 : b - 2]  # (2 s2, 1, m, 2P, 2)
        pred = p1 + (p1 - p2) * ratio[a:b, None, None]
        # fall back to the first-order prediction where the older frame is unknown
        pred = np.where(np.isfinite(pred), pred, p1)  # (2 s2, 2 s1, m, 2P, 2)
        cost_k = dist(hyp[None, None, :, a:b], pred[:, :, None])  # (2 s2, 2 s1, 2 s0, m)
        c2[a:b] = np.moveaxis(cost_k, 3, 0).reshape(b - a, 8)
    frame_cost = np.zeros((n, 2)) if unary is None else np.nan_to_num(np.asarray(unary, dtype=float)).reshape(n, 2)
    frame_cost[:, 1] += swap_penalty  # (T, 2): per-frame cost of (as given, exchanged)
    # Viterbi over pair states (s_{k-1}, s_k). The recursion is sequential in time: plain Python floats (same
    # IEEE arithmetic as numpy float64, and np.argmin's tie and NaN rules: the first minimum, a NaN first),
    # unrolled over the four pair states, instead of small numpy calls per frame.
    u = frame_cost.tolist()
    c00, c01, c10, c11 = (
        u[0][s0] + u[1][s1] + float(c1[s0, s1]) for s0, s1 in ((0, 0), (0, 1), (1, 0), (1, 1))
    )  # c<s_prev><s_cur>
    back: list[tuple[int, int, int, int]] = []  # per frame k >= 2: best s_{k-2} for (s1, s0) = 00, 01, 10, 11
    for k, (e0, e1, e2, e3, e4, e5, e6, e7) in enumerate(c2.tolist()[2:], start=2):
        u0, u1 = u[k]
        a0, a1 = c00 + e0, c10 + e4
        j00 = 1 if a1 < a0 or (a1 != a1 and a0 == a0) else 0
        n00 = (a1 if j00 else a0) + u0
        a0, a1 = c00 + e1, c10 + e5
        j01 = 1 if a1 < a0 or (a1 != a1 and a0 == a0) else 0
        n01 = (a1 if j01 else a0) + u1
        a0, a1 = c01 + e2, c11 + e6
        j10 = 1 if a1 < a0 or (a1 != a1 and a0 == a0) else 0
        n10 = (a1 if j10 else a0) + u0
        a0, a1 = c01 + e3, c11 + e7
        j11 = 1 if a1 < a0 or (a1 != a1 and a0 == a0) else 0
        n11 = (a1 if j11 else a0) + u1
        back.append((j00, j01, j10, j11))
        c00, c01, c10, c11 = n00, n01, n10, n11
    best = int(np.argmin(np.array([c00, c01, c10, c11])))
    states = np.zeros(n, dtype=np.int8)
    s1, s0 = best // 2, best % 2
    states[n - 2], states[n - 1] = s1, s0
    for k in range(n - 1, 1, -1):
        s1, s0 = back[k - 2][2 * s1 + s0], s1
        states[k - 2] = s1
    out[:] = states.astype(bool)
    return out


def compute_contralateral_cost(
    xy: np.ndarray, weight: float = 1.0, min_ratio: float = 2.0, gate_xy: np.ndarray | None = None
) -> np.ndarray:
    """Per-frame cost of each labelling of one limb pair from arm-leg opposition (the other pair labelled).

    In running (and walking) each arm swings opposite its own leg: when the left knee and ankle are
    ahead of the right ones, the left elbow and wrist are behind the right ones. With ``dl`` the
    forward lead of the left leg (knee + ankle, image x) and ``da`` that of the left arm (elbow +
    wrist), ``dl * da > 0`` says the legs or the arms are labelled the wrong way round. This is an
    absolute cue, unlike the continuity of :func:`compute_lr_swaps`, which can only say that labels
    changed: it decides a stretch that continuity joins to the rest only through a confused leg
    crossing (e.g. the first frames of a clip, anchored by a single jump). The product does not depend
    on the running direction and is near 0 where the limbs cross or an arm is unknown.

    The cue is only used when the clip as labelled (``gate_xy``: both pairs after their continuity
    pass) shows arm-leg opposition: summed over frames, the opposed part of the product must be at
    least ``min_ratio`` times the same-side part. Otherwise
    (jumping, a start from the blocks, an arm hidden most of the time) all costs are 0: the cue must
    fix stretches of a gait that has opposition, never relabel a whole clip. (Synthetic sprints
    through BlazePose: 2.7-370, the low end a side view to the left whose continuity pass left 59 leg
    frames crossed; real side-view sprint and treadmill clips: no arm seen on both sides, 0; a
    jumping-jacks clip 0.16; a start from the blocks 0.18. The default 2 sits between.)

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks: the pair to be decided as given, the other pair's labels already fixed; NaN
        where unknown.
    weight : float
        Cost per unit ``dl * da / scale**2`` (scale: median hip-to-toe distance), body-scale units.
    min_ratio : float
        Least ratio of opposed to same-side product (summed) for the cue to be used.
    gate_xy : ndarray, shape (T, 33, 2), optional
        Landmarks the ratio is taken from (default ``xy``).

    Returns
    -------
    ndarray, shape (T, 2)
        Cost of (as given, exchanged) for the undecided pair (exchanging the legs or the arms flips
        the product alike); 0 where unknown or when the clip shows no opposition.
    """
    xy = np.asarray(xy, dtype=float)
    n = xy.shape[0]
    out = np.zeros((n, 2))
    i = INDEX
    seg = np.linalg.norm(xy[:, i["left_hip"]] - xy[:, i["left_foot_index"]], axis=-1)
    if n == 0 or not np.isfinite(seg).any():
        return out
    scale = float(np.median(seg[np.isfinite(seg)]))
    if not scale > 0:
        return out

    def product(q: np.ndarray) -> np.ndarray:
        x = q[..., 0]
        dl = x[:, i["left_knee"]] + x[:, i["left_ankle"]] - x[:, i["right_knee"]] - x[:, i["right_ankle"]]
        da = x[:, i["left_elbow"]] + x[:, i["left_wrist"]] - x[:, i["right_elbow"]] - x[:, i["right_wrist"]]
        return np.asarray(np.nan_to_num(dl * da / (scale * scale)))

    prod = product(xy)
    gate = prod if gate_xy is None else product(np.asarray(gate_xy, dtype=float))
    opposed, same = float(np.maximum(-gate, 0.0).sum()), float(np.maximum(gate, 0.0).sum())
    if not opposed > 0.0 or opposed < min_ratio * same:
        return out
    out[:, 0] = weight * np.maximum(prod, 0.0)
    out[:, 1] = weight * np.maximum(-prod, 0.0)
    return out


#: Cost of labelling a leg frame as exchanged in :func:`compute_limb_labels` (body scales; as
#: :func:`compute_lr_swaps`'s default).
LEG_SWAP_PENALTY = 0.2
#: The same for the arms. BlazePose exchanges arm labels far less often than leg labels (over 142 rendered
#: clips with truth: 44 crossed arm frames against 4,138 crossed leg frames as detected), so an arm swap needs
#: more evidence: with 0.2 the arms' continuity pass crossed 136 arm frames that were right and the joint
#: labelling left 109 crossed; 0.5 -> 80 (legs 115 -> 112); 1.0 -> 39, better than the detector, but then a
#: frame where the analytic runner's arms cross at 30 fps keeps its given label (a test fails), so 0.5.
#: Balance events over 126 clips and the kinematics figures are the same with 0.2 and 0.5. (Figures before
#: the per-point cap :data:`POINT_COST_CAP`; with it, ``benchmarks/label_crossings.py``: 0.2 / 0.5 / 1.0 leave
#: 53 / 46 / 42 arm frames crossed.)
ARM_SWAP_PENALTY = 0.5


def compute_limb_labels(xy: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decide the left/right labels of the legs and the arms together.

    Each pair first gets its continuity pass (:func:`compute_lr_swaps`). When the clip shows arm-leg
    opposition, one pair's labels then anchor the other's (:func:`compute_contralateral_cost` as the
    pass's per-frame cost) and the other's, so re-decided, anchor the first's back. Which pair should
    anchor first depends on the clip: in a side view BlazePose mislabels the far leg at many crossings
    while it keeps the arms right (a runner going to the left: 48 of 200 leg frames crossed, 1 arm
    frame), and a wrong anchor carries its errors into the other pair. Both orders are run and the
    labelling whose limb trajectories are smoother (:func:`compute_labelling_cost`, the criterion the
    continuity passes minimise) is kept. Frames a pass left unsettled (:func:`compute_label_ambiguity`)
    anchor nothing.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks as the detector labelled them, NaN where unknown.
    t : ndarray, shape (T,)
        Frame times, s.

    Returns
    -------
    swapped_legs, swapped_arms : ndarray of bool, shape (T,)
        Frames whose leg / arm labels are to be exchanged.
    """
    pairs = {"legs": LEG_PAIRS, "arms": ARM_PAIRS}
    penalty = {"legs": LEG_SWAP_PENALTY, "arms": ARM_SWAP_PENALTY}
    first_pass = {k: compute_lr_swaps(xy, p, t, swap_penalty=penalty[k]) for k, p in pairs.items()}
    gate = apply_lr_swaps(apply_lr_swaps(xy, first_pass["legs"], LEG_PAIRS), first_pass["arms"], ARM_PAIRS)
    if not compute_contralateral_cost(xy, gate_xy=gate).any():
        return first_pass["legs"], first_pass["arms"]  # no arm-leg opposition in the clip: continuity stands
    # a pair re-decided against the other's labels depends on nothing else: the two orders often ask for
    # the same pass (e.g. when anchoring changed nothing), so each is computed once
    anchored: dict[tuple[str, bytes], np.ndarray] = {}

    def against(name: str, anchor: str, anchor_sw: np.ndarray) -> np.ndarray:
        key = (name, np.packbits(anchor_sw).tobytes())
        if key not in anchored:
            contra = compute_contralateral_cost(apply_lr_swaps(xy, anchor_sw, pairs[anchor]), gate_xy=gate)
            contra[compute_label_ambiguity(anchor_sw)] = 0.0
            anchored[key] = compute_lr_swaps(xy, pairs[name], t, swap_penalty=penalty[name], unary=contra)
        return anchored[key]

    best: tuple[float, dict[str, np.ndarray]] | None = None
    for anchor, other in (("legs", "arms"), ("arms", "legs")):
        sw = dict(first_pass)
        sw[other] = against(other, anchor, sw[anchor])
        sw[anchor] = against(anchor, other, sw[other])
        cost = compute_labelling_cost(xy, t, sw["legs"], sw["arms"])
        if best is None or cost < best[0]:
            best = (cost, sw)
    assert best is not None
    return best[1]["legs"], best[1]["arms"]


def compute_labelling_cost(
    xy: np.ndarray,
    t: np.ndarray,
    swapped_legs: np.ndarray,
    swapped_arms: np.ndarray,
    *,
    swap_penalty: float = 0.2,
    max_rate_hz: float = 60.0,
) -> float:
    """Roughness of the limb trajectories under a labelling, in body-scale units (lower is smoother).

    Per limb pair: the summed distance of every pair landmark from the time-interpolation of its
    neighbours ``m`` frames before and after (``m = floor(fps / max_rate_hz)``, as the continuity pass
    sees the clip), divided by the pair's scale (median first-to-last landmark distance), plus
    ``swap_penalty`` per exchanged frame, as in :func:`compute_lr_swaps`.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks as the detector labelled them, NaN where unknown.
    t : ndarray, shape (T,)
        Frame times, s.
    swapped_legs, swapped_arms : ndarray of bool, shape (T,)
        The labelling: frames whose leg / arm labels are exchanged.
    swap_penalty : float
        Cost per exchanged frame and pair, body-scale units.
    max_rate_hz : float
        Frame rate the stencil spacing is chosen for.

    Returns
    -------
    float
        The cost (0 for fewer than 3 frames).
    """
    xy = np.asarray(xy, dtype=float)
    t = np.asarray(t, dtype=float)
    dt = _median_dt(t)
    m = max(1, int(np.floor(1.0 / (dt * max_rate_hz)))) if np.isfinite(dt) and dt > 0 else 1
    total = 0.0
    for pairs, swapped in ((LEG_PAIRS, swapped_legs), (ARM_PAIRS, swapped_arms)):
        idx = [p[0] for p in pairs] + [p[1] for p in pairs]
        q = apply_lr_swaps(xy, swapped, pairs)[:, idx]  # (T, 2P, 2)
        resid = _central_residual(q, t, m) / _pair_scale(xy, pairs[0][0], pairs[-1][0])
        total += float(np.nansum(resid)) + swap_penalty * float(np.count_nonzero(swapped))
    return total


def compute_label_ambiguity(swapped: np.ndarray, pad: int = 2) -> np.ndarray:
    """Frames whose left/right labels a swap pass left unsettled: alternating decisions frame to frame.

    Above its ``max_rate_hz`` :func:`compute_lr_swaps` decides interleaved sub-sequences separately; where
    they disagree the labels alternate frame by frame (swapped, not, swapped, ...), which no real
    hand-over between the detector's labels does: one of the sub-sequences has inverted a stretch. Such
    frames (each a decision unlike both neighbours', widened by ``pad`` frames) are ambiguous, and must
    not anchor the other limb pair's labels through :func:`compute_contralateral_cost`.

    Parameters
    ----------
    swapped : ndarray of bool, shape (T,)
        Output of :func:`compute_lr_swaps`.
    pad : int
        Frames added on each side of an alternating frame.

    Returns
    -------
    ndarray of bool, shape (T,)
        True on ambiguous frames.
    """
    sw = np.asarray(swapped, dtype=bool)
    n = sw.size
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    alt = np.flatnonzero((sw[1:-1] != sw[:-2]) & (sw[1:-1] != sw[2:])) + 1
    for k in alt:
        out[max(0, k - pad) : k + pad + 1] = True
    return out


def _swap_inplace(arr: np.ndarray, swapped: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> None:
    """:func:`apply_lr_swaps` writing into ``arr`` (only the swapped frames are copied)."""
    idx = np.flatnonzero(np.asarray(swapped, dtype=bool))
    if idx.size == 0:
        return
    left = np.array([p[0] for p in pairs])[None, :]
    right = np.array([p[1] for p in pairs])[None, :]
    rows = idx[:, None]
    was_left = arr[rows, left]
    arr[rows, left] = arr[rows, right]
    arr[rows, right] = was_left


def apply_lr_swaps(arr: np.ndarray, swapped: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Return a copy of ``arr`` with left and right landmarks of ``pairs`` exchanged on swapped frames.

    Parameters
    ----------
    arr : ndarray, shape (T, 33, ...)
        Any per-landmark array (xy, world, z, visibility).
    swapped : ndarray of bool, shape (T,)
        Frames to correct.
    pairs : tuple of (int, int)
        (left, right) landmark index pairs.

    Returns
    -------
    ndarray
        Same shape as ``arr``.
    """
    out = np.array(arr, copy=True)
    idx = np.flatnonzero(np.asarray(swapped, dtype=bool))
    if idx.size == 0:
        return out
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    src = np.asarray(arr)
    out[idx[:, None], left[None, :]] = src[idx[:, None], right[None, :]]
    out[idx[:, None], right[None, :]] = src[idx[:, None], left[None, :]]
    return out


# ----------------------------------------------------------------------------------------------- Hampel


#: Limb landmark pairs checked for a collapse onto one limb: knee to toe, where BlazePose merges the legs as
#: they pass in a side view (the arms, checked as well on the rendered clips, changed nothing and are left out).
COLLAPSE_PAIRS: tuple[tuple[int, int], ...] = LEG_PAIRS[1:]


def compute_collapsed_pairs(
    xy: np.ndarray,
    t: np.ndarray,
    min_sep_px: float,
    *,
    ratio: float = 0.5,
    pairs: tuple[tuple[int, int], ...] = COLLAPSE_PAIRS,
) -> np.ndarray:
    """Frames where BlazePose puts the left and right point of a limb pair onto one limb.

    As the legs pass each other in a side view BlazePose sometimes places both knees (or both ankles) on
    the same leg, or halfway between, for a single frame, with full visibility: neither a swap (the
    labels are not exchanged) nor an outlier of one point in its own time series (each point moves by
    about what a fast limb moves). What gives it away is the pair's separation: the vector from the
    left to the right point is much shorter than the time-interpolation of the same vector in the two
    neighbouring frames, while the limbs were well apart there. A real crossing does not trip this:
    its separation passes through zero between the neighbours, so their interpolation is short too.
    Both points of a flagged pair are taken as unknown in that frame (to be gap-filled): which one is
    wrong cannot be told from the pair alone.

    Parameters
    ----------
    xy : ndarray, shape (T, 33, 2)
        Image landmarks after swap correction, pixels; NaN where unknown.
    t : ndarray, shape (T,)
        Frame times, s.
    min_sep_px : float
        Least interpolated separation, pixels, for a frame to be judged (e.g. 20% of the hip-ankle length).
    ratio : float
        A frame is flagged when its separation is below ``ratio`` times the interpolated one.
    pairs : tuple of (int, int)
        (left, right) landmark index pairs to check.

    Returns
    -------
    ndarray of bool, shape (T, 33)
        True for both points of a collapsed pair.
    """
    xy = np.asarray(xy, dtype=float)
    t = np.asarray(t, dtype=float)
    n = xy.shape[0]
    out = np.zeros(xy.shape[:2], dtype=bool)
    if n < 3 or not pairs:
        return out
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    sep = xy[:, right] - xy[:, left]  # (T, P, 2)
    w = ((t[1:-1] - t[:-2]) / (t[2:] - t[:-2]))[:, None, None]
    pred = sep[:-2] + (sep[2:] - sep[:-2]) * w  # (T-2, P, 2) at frames 1..T-2
    obs_len = np.linalg.norm(sep[1:-1], axis=-1)
    pred_len = np.linalg.norm(pred, axis=-1)
    with np.errstate(invalid="ignore"):
        flag = (pred_len > min_sep_px) & (obs_len < ratio * pred_len)  # NaN compares False
    rows, cols = np.nonzero(flag)
    out[rows + 1, left[cols]] = True
    out[rows + 1, right[cols]] = True
    return out


def compute_hampel(
    x: np.ndarray,
    t: np.ndarray,
    window_s: float,
    n_sigmas: float,
    *,
    replace: str = "median",
    min_sigma: float = 0.0,
    chunk: int = 512,
) -> tuple[np.ndarray, np.ndarray]:
    """Hampel outlier filter on a time series (axis 0 time), window measured in seconds.

    A sample is an outlier when it lies more than ``n_sigmas`` robust standard deviations
    (1.4826 * median absolute deviation, at least ``min_sigma``) from the median of the samples
    within ``window_s`` seconds either side of it. NaNs are ignored and stay NaN.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal; every trailing element is filtered independently.
    t : ndarray, shape (T,)
        Sample times, seconds, increasing.
    window_s : float
        Half-width of the window, seconds. Windows are symmetric about each sample (at least one
        neighbour each side), truncated near the clip ends; the first and last samples are never flagged.
    n_sigmas : float
        Threshold in robust standard deviations.
    replace : {"median", "nan"}
        Replace outliers with the window median (classic Hampel) or with NaN (to gap-fill later).
    min_sigma : float
        Floor of the robust standard deviation, in the unit of ``x`` (avoids flagging tiny
        deviations of an almost noise-free signal).
    chunk : int
        Frames processed at once (memory bound only).

    Returns
    -------
    cleaned : ndarray, shape (T, ...)
        ``x`` with outliers replaced.
    outlier : ndarray of bool, shape (T, ...)
        Where outliers were found.
    """
    x = np.asarray(x, dtype=float)
    cleaned = x.copy()
    if x.shape[0] < 3 or x.size == 0:
        return cleaned, np.zeros(x.shape, dtype=bool)
    outlier, med = _hampel(x, t, window_s, n_sigmas, min_sigma, chunk, with_median=replace != "nan")
    cleaned[outlier] = np.nan if med is None else med[outlier]
    return cleaned, outlier


def _hampel(
    x: np.ndarray, t: np.ndarray, window_s: float, n_sigmas: float, min_sigma: float, chunk: int, with_median: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the outliers of :func:`compute_hampel` (and the window medians if asked), without copying ``x``.

    ``x`` (float, T >= 3, any layout: a view of a larger array is read a chunk of frames at a time).
    """
    t = np.asarray(t, dtype=float)
    n = x.shape[0]
    lo = np.searchsorted(t, t - window_s, side="left")
    hi = np.searchsorted(t, t + window_s, side="right")
    idx = np.arange(n)
    # symmetric windows (truncated at the clip ends, where a one-sided window would flag the first
    # frames of a foot moving into a flat stance), at least one neighbour each side inside the clip
    half = np.maximum(np.minimum(idx - lo, hi - 1 - idx), 1)
    half = np.minimum(half, np.minimum(idx, n - 1 - idx))
    lo = idx - half
    hi = idx + half + 1
    width = max(int((hi - lo).max()), 1)
    offs = np.arange(width)
    bad = np.zeros((n, x[0].size), dtype=bool)
    medians = np.full(bad.shape, np.nan) if with_median else None
    for c0 in range(0, n, chunk):  # everything per chunk of frames: temporary memory does not grow with T
        c1 = min(n, c0 + chunk)
        rows = lo[c0:c1, None] + offs[None, :]  # (C, W)
        valid = rows < hi[c0:c1, None]
        rows = np.minimum(rows, n - 1)
        r0, r1 = int(rows.min()), int(rows.max()) + 1
        block = x[r0:r1].reshape(r1 - r0, -1).T  # (F, rows r0..r1)
        # (W, F, C): the k-th sample of every window, NaN outside the window
        win = np.stack([np.where(valid[:, k], block[:, rows[:, k] - r0], np.nan) for k in range(width)])
        with np.errstate(invalid="ignore"):
            med = _nanmedian_first(win)  # (F, C)
            mad = _nanmedian_first(np.abs(win - med))
            sigma = np.maximum(1.4826 * mad, min_sigma)
            part = block[:, c0 - r0 : c1 - r0]
            b = np.abs(part - med) > n_sigmas * sigma
        b &= np.isfinite(part) & np.isfinite(med)
        bad[c0:c1] = b.T
        if medians is not None:
            medians[c0:c1] = med.T
    shape = x.shape
    return bad.reshape(shape), None if medians is None else medians.reshape(shape)


@functools.cache
def _edge_predict_weights() -> tuple[float, ...]:
    """Weights predicting a sample from the next four (uniform spacing) by a least-squares quadratic."""
    v = np.vander(np.arange(1.0, 5.0), 3, increasing=True)
    return tuple(float(w) for w in np.linalg.pinv(v)[0])


def _column_nanmedian(x: np.ndarray) -> np.ndarray:
    """``np.nanmedian(x, axis=0)`` of a (T, F) array, NaN for all-NaN columns, without its warnings.

    Columns with the same number of finite values are partitioned together (NaN moved last as +inf), which
    is several times faster than sorting, and a clip's columns have few distinct counts.
    """
    cols = np.ascontiguousarray(np.where(np.isnan(x), np.inf, x).T)  # (F, T)
    count = np.isfinite(x).sum(axis=0)
    out = np.full(x.shape[1], np.nan)
    for c in np.unique(count):
        if c == 0:
            continue
        sel = count == c
        lo, hi = (int(c) - 1) // 2, int(c) // 2
        part = np.partition(cols[sel], [lo, hi], axis=1)
        out[sel] = 0.5 * (part[:, lo] + part[:, hi])
    return out


def compute_edge_outliers(x: np.ndarray, n_sigmas: float, *, min_sigma: float = 0.0) -> np.ndarray:
    """Flag the first and last sample of each finite run that disagrees with its run's continuation.

    The Hampel filter cannot judge a run's edge samples (no neighbours on one side), yet these are the
    doubtful ones: BlazePose's first frame after a (re)detection comes from the detector's region
    rather than the tracker's and is often off by several centimetres (seen on rendered clips: a whole
    trunk 30 px high on frame 0), and a low-pass filter then smears it over a dozen frames. Each edge
    sample is predicted from the next (previous) four samples of its run by a least-squares quadratic,
    and flagged when the prediction misses by more than ``n_sigmas`` robust standard deviations of the
    same prediction error over the whole series (1.4826 x MAD, at least ``min_sigma`` times the
    predictor's noise gain). Samples are taken as uniformly spaced; runs shorter than five are not judged.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal, time on axis 0, NaN where missing; every trailing element is judged on its own.
    n_sigmas : float
        Threshold in robust standard deviations.
    min_sigma : float
        Noise floor of a sample, in the unit of ``x``.

    Returns
    -------
    ndarray of bool, shape (T, ...)
        True at the flagged run edges.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    out = np.zeros(x.shape, dtype=bool)
    if n < 5:
        return out
    flat = x.reshape(n, -1)
    fin = np.isfinite(flat)
    weights = _edge_predict_weights()
    gain = float(np.sqrt(1.0 + sum(w * w for w in weights)))
    zero_row = np.zeros((1, flat.shape[1]), dtype=bool)
    # robust scale of the prediction error from at most ~4096 evenly spaced frames (bounded memory)
    stride = max(1, -(-(n - 4) // 4096))
    for d in range(2):
        res = np.full(flat.shape, np.nan)
        with np.errstate(invalid="ignore"):
            if d == 0:  # sample j from j+1..j+4 (run starts)
                res[: n - 4] = flat[: n - 4] - sum(w * flat[k + 1 : n - 3 + k] for k, w in enumerate(weights))
                edge = fin & ~np.vstack([zero_row, fin[:-1]])
            else:  # sample j from j-1..j-4 (run ends)
                res[4:] = flat[4:] - sum(w * flat[3 - k : n - 1 - k] for k, w in enumerate(weights))
                edge = fin & ~np.vstack([fin[1:], zero_row])
        ok = np.isfinite(res)
        if not ok.any():
            continue
        sample = res[::stride]
        with np.errstate(invalid="ignore"):
            med = _column_nanmedian(sample)
            sigma = 1.4826 * _column_nanmedian(np.abs(sample - med))
        sigma = np.fmax(np.nan_to_num(sigma, nan=0.0), min_sigma * gain)
        bad = edge & ok & (np.abs(res - np.nan_to_num(med)) > n_sigmas * sigma)
        out.reshape(n, -1)[bad] = True
    return out


def _nanmedian_first(win: np.ndarray) -> np.ndarray:
    """``np.nanmedian(win, axis=0)`` of a (W, ...) block, NaN for all-NaN windows, by a sorting network.

    The median is numpy's arithmetic on the sorted non-NaN values (the middle one, or the mean of the
    middle two). NaN (missing) sorts last as +inf; only the first ``count`` (non-NaN) sorted values are
    read, which are the values ``np.sort`` gives there. Batcher's network of elementwise minima and maxima over
    whole slices is several times faster than sorting many short windows (the median of two exactly
    equal values is the same number; only the sign of a zero median may differ from ``np.sort``'s).
    """
    count = (~np.isnan(win)).sum(axis=0)
    ordered = np.where(np.isnan(win), np.inf, win)
    for i, j in _sorting_network(win.shape[0]):
        low = np.minimum(ordered[i], ordered[j])
        np.maximum(ordered[i], ordered[j], out=ordered[j])
        ordered[i] = low
    lo = np.maximum(count - 1, 0) // 2
    hi = np.minimum(count // 2, win.shape[0] - 1)
    a = np.take_along_axis(ordered, lo[None], axis=0)[0]
    b = np.take_along_axis(ordered, hi[None], axis=0)[0]
    out = np.where(lo == hi, a, (a + b) / 2.0)
    out[count == 0] = np.nan
    return out


@functools.lru_cache(maxsize=16)
def _sorting_network(n: int) -> tuple[tuple[int, int], ...]:
    """Return the comparator pairs of Batcher's odd-even merge sort for ``n`` inputs (ascending)."""
    pairs: list[tuple[int, int]] = []
    size = 1 << max(n - 1, 0).bit_length()
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p) and i + j + k < n:
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


class _quiet_nan:
    """Context manager silencing numpy's all-NaN-slice RuntimeWarning."""

    def __enter__(self) -> None:

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(None, None, None)


# -------------------------------------------------------------------------------------------- gap fill


def compute_gap_fill(x: np.ndarray, t: np.ndarray, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Fill interior NaN gaps no longer than ``max_gap_s`` by shape-preserving interpolation.

    A gap is a run of NaN samples with a finite sample on both sides; its duration is
    ``t[last missing] - t[first missing] + median frame interval`` (the time the point was unseen).
    Gaps are filled by PCHIP interpolation through all finite samples of that element (exact for
    linear signals, no overshoot); longer gaps and leading/trailing NaNs stay NaN.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal; every trailing element is handled independently.
    t : ndarray, shape (T,)
        Sample times, seconds, increasing.
    max_gap_s : float
        Longest gap filled, seconds.

    Returns
    -------
    filled_x : ndarray, shape (T, ...)
        ``x`` with short gaps filled.
    filled : ndarray of bool, shape (T, ...)
        Where values were filled.
    """
    return _gap_fill_inplace(np.array(x, dtype=float), t, max_gap_s)


def _gap_fill_inplace(x: np.ndarray, t: np.ndarray, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`compute_gap_fill` writing into ``x`` (a float array the caller owns).

    Every column at once: the runs of missing samples are found in one pass, and the PCHIP value of
    each sample of a short interior gap is computed from the four knots around the gap exactly as
    ``scipy.interpolate.PchipInterpolator`` computes it (its derivative rules at interior and end
    knots, its Hermite coefficients and its polynomial evaluation, operation for operation) without
    building an interpolator per column.
    """
    t = np.asarray(t, dtype=float)
    n = x.shape[0]
    if n < 3 or x.size == 0:
        return x, np.zeros(x.shape, dtype=bool)
    out = x.reshape(n, -1)
    filled = np.zeros(out.shape, dtype=bool)
    dt = _median_dt(t)
    if not np.isfinite(dt):
        return out.reshape(x.shape), filled.reshape(x.shape)
    fin = np.isfinite(out)
    # runs of missing samples, column by column: [start, end) rows, ordered by column then row
    edge = np.zeros((1, out.shape[1]), dtype=np.int8)
    step = np.diff(np.concatenate([edge, (~fin).view(np.int8), edge]), axis=0).T  # (C, T + 1)
    col, start = np.nonzero(step == 1)
    end = np.nonzero(step == -1)[1]
    del step
    # the knot before a run and the one before that (-1: none), the knot after it and the one after that (n)
    same_prev = np.concatenate([[False], col[1:] == col[:-1]])
    same_next = np.concatenate([col[:-1] == col[1:], [False]])
    prev_end = np.concatenate([[-1], end[:-1]])
    prev_start = np.concatenate([[0], start[:-1]])
    next_start = np.concatenate([start[1:], [n]])
    next_end = np.concatenate([end[1:], [n]])
    left, right = start - 1, end
    left2 = np.where(same_prev & (prev_end == left), prev_start - 1, left - 1)
    right2 = np.where(same_next & (next_start == right + 1), next_end, right + 1)
    right2 = np.where(right2 > n - 1, n, right2)
    # interior (a knot on both sides) and short: t[last missing] - t[first missing] + dt <= max_gap_s
    keep = (start > 0) & (end < n)
    keep[keep] = t[end[keep] - 1] - t[start[keep]] + dt <= max_gap_s + 1e-9
    col, start, end = col[keep], start[keep], end[keep]
    left, right, left2, right2 = left[keep], right[keep], left2[keep], right2[keep]
    if col.size == 0:
        return out.reshape(x.shape), filled.reshape(x.shape)
    # one entry per missing sample
    length = end - start
    run = np.repeat(np.arange(col.size), length)
    r = start[run] + (np.arange(run.size) - np.repeat(np.cumsum(length) - length, length))
    c, left, right, left2, right2 = col[run], left[run], right[run], left2[run], right2[run]
    two = (left2 < 0) & (right2 >= n)  # only two knots in the column: linear interpolation, as np.interp
    for j in np.unique(c[two]):
        k = two & (c == j)
        knots = fin[:, j]
        vals = np.interp(t[r[k]], t[knots], out[knots, j])
        out[r[k], j] = vals
        filled[r[k], j] = np.isfinite(vals)
    cubic = ~two
    r, c, left, right, left2, right2 = r[cubic], c[cubic], left[cubic], right[cubic], left2[cubic], right2[cubic]
    if r.size:
        first, last = left2 < 0, right2 >= n  # `left` is the column's first knot / `right` its last
        left2, right2 = np.maximum(left2, 0), np.minimum(right2, n - 1)
        y_l, y_r, y_l2, y_r2 = out[left, c], out[right, c], out[left2, c], out[right2, c]
        x_l, x_r, x_l2, x_r2 = t[left], t[right], t[left2], t[right2]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = x_r - x_l
            m = (y_r - y_l) / h
            h_p, h_n = x_l - x_l2, x_r2 - x_r
            m_p, m_n = (y_l - y_l2) / h_p, (y_r2 - y_r) / h_n
            d_l = np.where(first, _pchip_end(h, h_n, m, m_n), _pchip_inner(h_p, h, m_p, m))
            d_r = np.where(last, _pchip_end(h, h_p, m, m_p), _pchip_inner(h, h_n, m, m_n))
        # CubicHermiteSpline's coefficients on [x_l, x_r] and PPoly's evaluation at the sample
        slope = (y_r - y_l) / h
        tt = (d_l + d_r - 2 * slope) / h
        c0, c1 = tt / h, (slope - d_l) / h - tt
        s_ = t[r] - x_l
        z2 = s_ * s_
        vals = (0.0 + y_l) + d_l * s_
        vals = vals + c1 * z2
        vals = vals + c0 * (z2 * s_)
        out[r, c] = vals
        filled[r, c] = np.isfinite(vals)
    return out.reshape(x.shape), filled.reshape(x.shape)


def _pchip_inner(h0: np.ndarray, h1: np.ndarray, m0: np.ndarray, m1: np.ndarray) -> np.ndarray:
    """PCHIP derivative at an interior knot between intervals (h0, slope m0) and (h1, m1), as scipy's."""
    cond = (np.sign(m1) != np.sign(m0)) | (m1 == 0) | (m0 == 0)
    w1 = 2 * h1 + h0
    w2 = h1 + 2 * h0
    whmean = (w1 / m0 + w2 / m1) / (w1 + w2)
    return np.where(cond, 0.0, 1.0 / whmean)


def _pchip_end(h0: np.ndarray, h1: np.ndarray, m0: np.ndarray, m1: np.ndarray) -> np.ndarray:
    """PCHIP derivative at an end knot (scipy's one-sided three-point estimate, shape-preserving)."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    mask = np.sign(d) != np.sign(m0)
    mask2 = (np.sign(m0) != np.sign(m1)) & (np.abs(d) > 3.0 * np.abs(m0))
    d = np.where(mask, 0.0, d)
    return np.where(~mask & mask2, 3.0 * m0, d)


# -------------------------------------------------------------------------------------------- low-pass


def _sos(cutoff_hz: float, fs: float, order: int) -> np.ndarray | None:
    """Butterworth low-pass second-order sections (a fresh copy of a cached design)."""
    sos = _sos_design(float(cutoff_hz), float(fs), int(order))
    return None if sos is None else sos.copy()  # scipy's filters need a writable array


@functools.lru_cache(maxsize=256)
def _sos_design(cutoff_hz: float, fs: float, order: int) -> np.ndarray | None:
    """Design the filter once per (cut-off, rate, order): every column group of a clip uses it."""
    from scipy.signal import butter

    wn = cutoff_hz / (0.5 * fs)
    if not np.isfinite(wn) or wn <= 0:
        return None
    if wn >= 0.95:
        return None  # cut-off at or above Nyquist: nothing to remove
    return np.array(butter(order, wn, btype="low", output="sos"))


@functools.lru_cache(maxsize=256)
def _sos_zi(cutoff_hz: float, fs: float, order: int) -> np.ndarray | None:
    """``scipy.signal.sosfilt_zi`` of :func:`_sos_design`'s filter, computed once per design."""
    from scipy.signal import sosfilt_zi

    sos = _sos_design(cutoff_hz, fs, order)
    return None if sos is None else np.asarray(sosfilt_zi(sos.copy()))


def _sosfiltfilt(sos: np.ndarray, x: np.ndarray, padlen: int, zi: np.ndarray | None = None) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(sos, x, axis=0, padlen=padlen)`` (odd padding), step for step.

    The same operations in the same order, so the same numbers; ``zi`` (``sosfilt_zi(sos)``) may be
    given from :func:`_sos_zi` so it is not solved for again on every call.
    """
    from scipy.signal import sosfilt_zi
    from scipy.signal._arraytools import odd_ext

    x = np.asarray(x)
    if x.shape[0] <= padlen:
        raise ValueError(f"The length of the input vector x must be greater than padlen, which is {padlen}.")
    ext = odd_ext(x, padlen, axis=0) if padlen > 0 else x
    if zi is None:
        zi = sosfilt_zi(sos)
    rows = np.array(ext.reshape(ext.shape[0], -1).T, dtype=float, order="C")  # (signals, samples)
    y = _filtfilt_rows(sos, rows, np.asarray(zi, dtype=float))
    if padlen > 0:
        y = y[padlen:-padlen]
    return y.reshape(y.shape[:1] + x.shape[1:])


def _filtfilt_rows(sos: np.ndarray, rows: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """Run the forward-backward pass of :func:`_sosfiltfilt` on padded signals ``rows`` (signals, samples).

    ``rows`` (C-contiguous float64) is overwritten. Returns the result as (samples, signals), a view
    laid out as ``sosfilt`` returns it (so later arithmetic on it rounds as before).
    """
    _sosfilt_rows(sos, rows, rows[:, 0, None, None] * zi)  # initial states zi * first sample, per signal
    back = rows[:, ::-1].copy()
    _sosfilt_rows(sos, back, back[:, 0, None, None] * zi)
    return back[:, ::-1].T


def _sosfilt_rows(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> None:
    """Filter each row of ``x`` (signals, samples; C-contiguous float64) in place from states ``zi``.

    ``zi`` is (signals, sections, 2). This is the loop ``scipy.signal.sosfilt`` runs once it has
    arranged its input this way, called directly: on short clips most of sosfilt's time is that
    arranging, repeated for each of the residual analysis' 120 passes. Falls back to sosfilt itself.
    """
    core = _sosfilt_core()
    if core is not None:
        core(np.ascontiguousarray(sos, dtype=float), x, np.ascontiguousarray(zi, dtype=float))
        return
    from scipy.signal import sosfilt

    x[...] = sosfilt(sos, x, axis=-1, zi=np.moveaxis(zi, 0, 1))[0]


@functools.lru_cache(maxsize=1)
def _sosfilt_core() -> Any:
    """Return scipy's compiled second-order-sections loop (``scipy.signal._sosfilt._sosfilt``), or None."""
    try:
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:
        return None
    return _sosfilt


def _filt_segment(
    seg: np.ndarray, ts: np.ndarray, sos: np.ndarray, dt: float, zi: np.ndarray | None = None
) -> np.ndarray:
    """Zero-lag filter one NaN-free segment (rows = time), resampling if frames are non-uniform."""
    seg.shape[0]
    default_pad = 3 * (2 * len(sos) + 1)
    d = np.diff(ts)
    uniform = bool(np.all(np.abs(d - dt) <= 0.05 * dt))
    if uniform:
        grid_vals = seg
    else:
        # uniform grid spanning the segment exactly, at (nearly) the median interval
        n_grid = max(round((ts[-1] - ts[0]) / dt) + 1, 2)
        grid = np.linspace(ts[0], ts[-1], n_grid)
        grid_vals = np.stack([np.interp(grid, ts, seg[:, k]) for k in range(seg.shape[1])], axis=1)
    g = grid_vals.shape[0]
    if g < 2 * len(sos) * 2 + 1 and g < 7:
        return seg  # too short to filter meaningfully: leave unfiltered
    padlen = min(default_pad, g - 1)
    y = _sosfiltfilt(sos, grid_vals, padlen, zi)
    if uniform:
        return np.asarray(y)
    return np.stack([np.interp(ts, grid, y[:, k]) for k in range(seg.shape[1])], axis=1)


def compute_lowpass(x: np.ndarray, t: np.ndarray, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Zero-lag Butterworth low-pass (forward-backward, ``sosfiltfilt``) on real capture time.

    The sampling rate is the reciprocal of the median frame interval. Each contiguous NaN-free
    segment of each element is filtered separately (NaNs stay NaN). A segment whose frames are not
    uniform within 5% is linearly resampled onto a uniform grid at the median interval, filtered and
    interpolated back to its own times. Segments shorter than the filter's default pad length are
    filtered with a reduced pad length; segments of fewer than 7 samples are left unfiltered.
    ``order`` is the order of the underlying Butterworth design (the forward-backward pass doubles
    the attenuation and makes the response zero-phase; the -3 dB point of the combination sits
    slightly below ``cutoff_hz``).

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signal.
    t : ndarray, shape (T,)
        Sample times, seconds, increasing.
    cutoff_hz : float
        Cut-off frequency, Hz. A cut-off at or above 0.95 of the Nyquist frequency leaves ``x`` unchanged.
    order : int
        Butterworth order.

    Returns
    -------
    ndarray, shape (T, ...)
        Filtered signal.
    """
    return _lowpass_inplace(np.array(x, dtype=float), t, cutoff_hz, order)


def _lowpass_inplace(out: np.ndarray, t: np.ndarray, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """:func:`compute_lowpass` writing into ``out`` (a float array the caller owns); returns ``out``."""
    t = np.asarray(t, dtype=float)
    n = out.shape[0]
    dt = _median_dt(t)
    if n < 7 or out.size == 0 or not np.isfinite(dt):
        return out
    sos = _sos(float(cutoff_hz), 1.0 / dt, order)
    if sos is None:
        return out
    zi = _sos_zi(float(cutoff_hz), 1.0 / dt, order)
    flat = out.reshape(n, -1)
    fin = np.isfinite(flat)
    # group columns with the same NaN pattern and filter them together
    keys: dict[bytes, list[int]] = {}
    for j in range(flat.shape[1]):
        keys.setdefault(np.packbits(fin[:, j]).tobytes(), []).append(j)
    for group in keys.values():
        ok = fin[:, group[0]]
        # about _LOWPASS_BLOCK values at a time: the filter's padded copies stay small on long clips, and
        # short clips filter many columns per call
        width = max(4, _LOWPASS_BLOCK // max(n, 1))
        for c0 in range(0, len(group), width):
            cols = group[c0 : c0 + width]
            for s, e in _runs(ok):
                flat[s:e, cols] = _filt_segment(flat[s:e][:, cols], t[s:e], sos, dt, zi)
    return flat.reshape(out.shape)


#: Values (frames x columns) filtered together by :func:`compute_lowpass` (bounds its temporary memory,
#: not its result: each column is filtered on its own).
_LOWPASS_BLOCK = 1 << 18


def _residual_cutoffs(fs: float) -> np.ndarray:
    """Return the cut-offs :func:`compute_residual_cutoff` tries at the sampling rate ``fs``, Hz."""
    return np.linspace(1.0, 0.45 * fs, 60) if fs >= 30 else np.arange(1.0, 0.45 * fs, 0.5)


def warm_filter_designs(t: np.ndarray) -> None:
    """Design, once, the filters the residual analysis of :func:`clean_track` uses for frames at times ``t``.

    Designing its 60 Butterworth filters (and their initial states) takes tens of milliseconds in
    scipy. The pipeline calls this in the background while pose inference runs, with the frame times
    the clip's packet timestamps promise: the designs land in the same caches :func:`clean_track`
    reads. A guess that turns out wrong costs nothing but the designs (the track's own rate is used).

    Parameters
    ----------
    t : ndarray, shape (T,)
        Expected capture times of the frames, s.
    """
    dt = _median_dt(np.asarray(t, dtype=float))
    if not (np.isfinite(dt) and dt > 0):
        return
    fs = 1.0 / dt  # as clean_track computes it
    for fc in _residual_cutoffs(fs):
        _sos_zi(float(fc), fs, 2)  # (designs the filter too)


def compute_residual_cutoff(
    x: np.ndarray,
    fs: float,
    *,
    lo_hz: float = CUTOFF_RANGE_HZ[0],
    hi_hz: float = CUTOFF_RANGE_HZ[1],
    default_hz: float = 10.0,
    min_samples: int = 30,
) -> float:
    """Choose a low-pass cut-off from the data by Winter's residual analysis.

    Over the longest run of frames where every usable column (finite in more than half the frames) is
    finite, at least ``min_samples`` long, the RMS residual between each column and its filtered
    version is computed for 60 cut-offs from 1 Hz to 0.45 fs. A straight line is
    fitted to the noise part (upper half of the cut-off range); its intercept at 0 Hz estimates the
    noise RMS, and the column's cut-off is the lowest cut-off whose residual falls to that level
    (Winter, Biomechanics and Motor Control of Human Movement, section 3.4.4). The clip's cut-off is
    the median over columns, clamped to ``[lo_hz, min(hi_hz, 0.4 fs)]``.

    Parameters
    ----------
    x : ndarray, shape (T, ...)
        Signals sampled at ``fs`` (uniform); NaN allowed.
    fs : float
        Sampling rate, Hz.
    lo_hz, hi_hz : float
        Clamp range (default 6-20 Hz, suitable for sprinting).
    default_hz : float
        Returned when no column is long enough or the analysis is inconclusive.
    min_samples : int
        Shortest usable run of samples.

    Returns
    -------
    float
        Cut-off, Hz.
    """
    x = np.asarray(x, dtype=float)
    if not np.isfinite(fs) or fs <= 0 or x.ndim == 0 or x.shape[0] < min_samples or x.size == 0:
        return float(default_hz)
    flat = x.reshape(x.shape[0], -1)
    fcs = _residual_cutoffs(fs)
    if fcs.size < 6:
        return float(default_hz)
    # columns usable over a common NaN-free run (all columns filtered at once per cut-off)
    fin = np.isfinite(flat)
    cols = np.flatnonzero(fin.mean(axis=0) > 0.5)
    if cols.size == 0:
        return float(default_hz)
    runs = _runs(fin[:, cols].all(axis=1))
    if not runs:
        return float(default_hz)
    s0, e0 = max(runs, key=lambda r: r[1] - r[0])
    if e0 - s0 < min_samples:
        return float(default_hz)
    seg = flat[s0:e0][:, cols]
    seg = seg[:, np.ptp(seg, axis=0) > 0]
    if seg.shape[1] == 0:
        return float(default_hz)
    from scipy.signal._arraytools import odd_ext

    res = np.empty((fcs.size, seg.shape[1]))
    pad = min(9, seg.shape[0] - 1)  # _sosfiltfilt's pad length for one second-order section
    padded = np.array((odd_ext(seg, pad, axis=0) if pad > 0 else seg).T, order="C")  # the same for every cut-off
    for i, fc in enumerate(fcs):
        sos = _sos(float(fc), fs, 2)
        if sos is None:
            res[i] = 0.0
            continue
        zi = _sos_zi(float(fc), fs, 2)
        assert zi is not None  # (designed with the filter)
        y = _filtfilt_rows(sos, padded.copy(), zi)  # = _sosfiltfilt(sos, seg, pad, zi)
        y = y[pad:-pad] if pad > 0 else y
        res[i] = np.sqrt(np.mean((seg - y) ** 2, axis=0))
    half = fcs >= fcs[-1] / 2
    picks: list[float] = []
    for j in range(seg.shape[1]):
        r = res[:, j]
        _, intercept = np.polyfit(fcs[half], r[half], 1)
        if not np.isfinite(intercept) or intercept <= 0:
            continue
        below = np.flatnonzero(r <= intercept)
        if below.size == 0:
            continue
        i = int(below[0])
        if i == 0:
            picks.append(float(fcs[0]))
            continue
        r0, r1 = r[i - 1], r[i]
        frac = (r0 - intercept) / (r0 - r1) if r0 != r1 else 1.0
        picks.append(float(fcs[i - 1] + frac * (fcs[i] - fcs[i - 1])))
    if not picks:
        return float(default_hz)
    hi = min(hi_hz, 0.4 * fs)
    lo = min(lo_hz, hi)
    return float(np.clip(np.median(picks), lo, hi))


# ------------------------------------------------------------------------------------------ composition


def clean_track(track: PoseTrack, cfg: CleaningConfig) -> CleanTrack:
    """Clean a pose track: main person -> visibility -> swap fix -> merged pairs -> Hampel -> gap fill -> low-pass.

    Image (``xy``, ``z``) and world landmarks are cleaned together: a point rejected for low
    visibility, as half of a left/right pair merged onto one limb (:func:`compute_collapsed_pairs`) or
    as an image outlier is rejected in every channel; a world-only outlier only in the
    world channels (``observed`` describes the image point). Where the left/right label pass exchanges a
    limb, it exchanges the positions (image x, y; world x, y) only: BlazePose's image z, world z and
    visibility describe its label (near or far side), not the point, and stay with it. The Hampel
    filter sees image points relative to the mid-hip (hips in image coordinates) and world points
    (already hip-centred), so it catches jumps of a landmark relative to the body, not small jitter. The
    residual analysis runs on the gap-filled image coordinates of the limb ends (elbows, wrists,
    knees, ankles, heels, toes).

    Parameters
    ----------
    track : PoseTrack
        Raw landmarks.
    cfg : CleaningConfig
        Thresholds and cut-off.

    Returns
    -------
    CleanTrack
        The cleaned track.
    """
    t = np.asarray(track.t, dtype=float)
    n = t.shape[0]
    # one working array of 6 channels per point (x, y, z, world x, y, z), cleaned in place; xy, z and
    # world are views of it (long clips: no separate copies)
    stacked = np.empty((n, N_LANDMARKS, 6))
    stacked[..., :2] = track.xy
    stacked[..., 2] = track.z
    stacked[..., 3:] = track.world
    xy, z, world = stacked[..., :2], stacked[..., 2], stacked[..., 3:]
    vis = np.array(track.visibility, dtype=float)

    # 0. the main person only (BlazePose may switch to someone else when the runner leaves)
    other = ~compute_main_person(xy)
    stacked[other] = np.nan  # x, y, z and world
    raw_finite = np.isfinite(xy).all(axis=-1)

    # 1. visibility
    low = compute_low_visibility_mask(vis, cfg.min_visibility) & raw_finite
    stacked[low] = np.nan

    # 2. left/right swaps (legs and arms decided together: compute_limb_labels)
    swapped_legs = np.zeros(n, dtype=bool)
    swapped_arms = np.zeros(n, dtype=bool)
    if cfg.fix_swaps and n >= 3:
        swapped_legs, swapped_arms = compute_limb_labels(xy, t)
        # only the positions are exchanged (image x, y and world x, y: views into the working array). BlazePose's
        # depth (image z, world z) and visibility follow its label, not the point: on crossed side-view frames
        # its "left" is still the near side while its left position is the far limb's (all of ~4,100 crossed
        # rendered frames, docs/kinematics.md), so they stay with the label
        for sw, pairs in ((swapped_legs, LEG_PAIRS), (swapped_arms, ARM_PAIRS)):
            for arr in (stacked[..., 0:2], stacked[..., 3:5], low, raw_finite):
                _swap_inplace(arr, sw, pairs)

    hip_i, ankle_i = [INDEX["left_hip"], INDEX["right_hip"]], [INDEX["left_ankle"], INDEX["right_ankle"]]
    legs = np.linalg.norm(xy[:, hip_i] - xy[:, ankle_i], axis=-1)
    leg_px = float(np.median(legs[np.isfinite(legs)])) if np.isfinite(legs).any() else 0.0

    # 3. pairs collapsed onto one limb (both points unknown in that frame; judged where the limbs were at
    # least 20% of a hip-ankle length apart). Before the Hampel step, which may take one point of a merged
    # pair away and leave the other: measured on 7 rendered 120 fps clips, mean ML r push/swing/lower
    # 0.960/0.895/0.919 this way against 0.955/0.889/0.907 after it (0.949/0.888/0.899 without the step)
    collapsed = compute_collapsed_pairs(xy, t, max(1.0, 0.2 * leg_px)) & np.isfinite(xy).all(axis=-1)
    stacked[collapsed] = np.nan

    # 4. Hampel outliers (points: any coordinate flagged rejects the point)
    # image points relative to the mid-hip (the runner's translation across the frame would otherwise
    # inflate the window's spread and hide jumps); the hips themselves in image coordinates
    hips = [INDEX["left_hip"], INDEX["right_hip"]]
    hip_fin = np.isfinite(xy[:, hips]).all(axis=(1, 2))
    mid_hip = np.full((n, 2), np.nan)
    mid_hip[hip_fin] = xy[hip_fin][:, hips].mean(axis=1)
    rel = xy - mid_hip[:, None, :]
    rel[:, hips] = xy[:, hips]
    # robust-sigma floor: 2% of the hip-ankle length in pixels (about 2 cm on the body; at least 1 px),
    # so that a still landmark's tiny spread does not turn ordinary jitter into "outliers"
    floor_px = max(1.0, 0.02 * leg_px)
    # (compute_hampel's outlier masks, without its cleaned copies)
    hampel = (t, cfg.hampel_window_s, cfg.hampel_n_sigmas)
    out_xy = _hampel(rel, *hampel, floor_px, 512, with_median=False)[0] if n >= 3 else np.zeros(rel.shape, bool)
    out_w = _hampel(world, *hampel, 0.02, 512, with_median=False)[0] if n >= 3 else np.zeros(world.shape, bool)
    edge = compute_edge_outliers(rel, cfg.hampel_n_sigmas, min_sigma=floor_px).any(axis=-1)
    outlier = out_xy.any(axis=-1) | edge
    world_outlier = out_w.any(axis=-1) & ~outlier
    stacked[outlier] = np.nan  # x, y, z and world
    world[world_outlier] = np.nan
    observed = raw_finite & ~low & ~collapsed & ~outlier & np.isfinite(xy).all(axis=-1)
    del rel, mid_hip, legs, out_xy, out_w, xy, z, world  # long clips: keep only what the later steps need

    # 5. gap fill (x, y, z and world together: 6 channels per point)
    stacked, filled_c = _gap_fill_inplace(stacked, t, cfg.max_gap_s)  # stacked is this function's own
    xy_unfiltered = stacked[..., :2].copy()
    filled = filled_c[..., :2].any(axis=-1) & ~observed
    del filled_c

    # 6. low-pass
    dt = _median_dt(t)
    fs = 1.0 / dt if np.isfinite(dt) and dt > 0 else float("nan")
    if cfg.cutoff_hz is not None:
        cutoff, source = float(cfg.cutoff_hz), "config"
    else:
        cutoff = compute_residual_cutoff(
            stacked[:, list(_FAST_LANDMARKS), :2], fs, default_hz=cfg.default_cutoff_hz
        )
        source = "residual" if cutoff != cfg.default_cutoff_hz else "default"
    if np.isfinite(fs) and n >= 7:
        stacked = _lowpass_inplace(stacked, t, cutoff)  # stacked is this function's own array
    else:
        cutoff = float("nan")

    xy_c = stacked[..., :2]
    z_c = stacked[..., 2]
    world_c = stacked[..., 3:]
    counts = {
        "other_person_frames": int(other.sum()),
        "low_visibility": int(low.sum()),
        "collapsed_pairs": int(collapsed.sum()),
        "hampel_outliers": int((outlier & ~edge & ~low & ~collapsed).sum()),
        "edge_outliers": int((edge & ~low & ~collapsed).sum()),
        "world_outliers": int((world_outlier & ~low).sum()),
        "gap_filled": int(filled.sum()),
        "leg_swap_frames": int(swapped_legs.sum()),
        "arm_swap_frames": int(swapped_arms.sum()),
        "left_nan": int((~np.isfinite(xy_c).all(axis=-1)).sum()),
    }
    return CleanTrack(
        t=t,
        xy=xy_c,
        world=world_c,
        visibility=vis,
        observed=observed,
        filled=filled,
        swapped_legs=swapped_legs,
        swapped_arms=swapped_arms,
        cutoff_hz=float(cutoff),
        counts=counts,
        z=z_c,
        cutoff_source=source,
        xy_unfiltered=xy_unfiltered,
    )
