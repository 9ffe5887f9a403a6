"""Gait events from sagittal landmark trajectories: touchdown, toe-off, steps, cadence, push side.

Method (works on a track and on a treadmill or under a camera travelling with the runner, 30 to 240 fps):

1. For each foot, the height ``h(t)`` of its lowest point (lower of heel and toe) above that foot's
   own stance level, after a light 20 Hz zero-lag low-pass. The stance level is the median of the
   lowest quarter of the foot's heights (per foot, because under perspective the far foot's ground
   sits higher in the image, by 6 cm on a real 30 fps sprint start filmed from a few metres; a foot
   whose level is more than 10 cm above the other's is held to the other's, so a foot that never lands
   is not given contacts).
2. Contact candidates: runs of frames with ``h`` inside a ground band (``4 x`` the stance-level noise,
   clamped to 2-6 cm). Runs separated by less than ``min_contact_s`` are merged, then trimmed at both
   ends to the frames where the slower of heel and toe moves forward at under 35% of the running speed
   in the ground frame (relative to the hips minus the belt speed on a treadmill): a swing foot
   skimming low before landing is not yet down. Shorter runs and contacts shorter than
   ``min_contact_s`` are dropped.
3. Sub-frame events by a hinge fit: around each run edge, ``h`` is modelled as two straight lines
   meeting at the event, a steep one on the air side (descent before touchdown, rise after toe-off) and
   a nearly flat one on the contact side, the level and both slopes free per contact; the hinge time
   is found by robust least squares (Tukey's biweight) on a fine grid from the last frame outside the
   band to ~30 ms inside it. This is the vertical-position criterion of Fellin et al. 2010 (foot strike
   from the lowest point of the foot), made sub-frame; it needs no ground line in metres, only a still
   ground in the image.
4. A note is added when, on a track, a "planted" foot moves forward with the hips (a low swing).
5. Cadence (:func:`compute_cadence`): the slope of a straight line through (step number, touchdown time)
   over all touchdowns, whichever foot; a touchdown less than half a step after the previous one is a
   spurious extra contact and is dropped, an interval of about k steps counts k steps (a missed contact).

A contact that starts before the clip or ends after it keeps a NaN touchdown or toe-off. Running is
declared only when contacts alternate between the feet (or only one foot is seen), no foot is down half
the time or more, flight frames exist, the feet do not land together, and on a track the hips travel.

Known limits (measured, see docs/kinematics.md): touchdowns on the rendered clips are still ~0.5 frame
early at 120 fps (median signed error -0.2 to -1.1 frames) and an oblique view times events ~0.4 frame
early at 60 fps.
On real 30 fps treadmill footage BlazePose's landing foot lags what the eye sees by about two frames
(touchdowns ~2 frames after the first visible shoe-belt contact; about 0.7 frame of that is MediaPipe's
own landmark smoothing), which shifts contacts but not the cadence (docs/kinematics.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sprintbal.kinematics.cleaning import compute_lowpass
from sprintbal.kinematics.result import (
    PHASE_DOUBLE,
    PHASE_FLIGHT,
    PHASE_LEFT,
    PHASE_RIGHT,
    PHASE_UNKNOWN,
    SIDE_LEFT,
    SIDE_RIGHT,
    SIDE_UNKNOWN,
    Steps,
)
from sprintbal.pose.landmarks import INDEX

#: Event-method error added in quadrature to half a frame interval (s). BlazePose against Vicon on
#: treadmill running: 0.010-0.014 s (Young 2023). This method with BlazePose on 18 rendered sprint clips
#: (30-240 fps: the samples, benchmarks/accuracy.py --speed-clip --kin-set and six clean balance clips):
#: touchdown median |error| 6.1 ms, 90th percentile 11.4 ms (6.5 / 12.5 before the running-rhythm step,
#: :func:`compute_rhythm_touchdowns`); toe-off 4.0 / 12.1 ms. Real footage is worse (see the treadmill note
#: above; its far foot scatters about 50 ms), so the literature's upper figure stands.
METHOD_ERROR_S = 0.015
#: Scale (m) of the hinge fit's robust loss (Tukey's biweight): residuals beyond it get no weight. One
#: frame in which BlazePose throws the fast-moving foot up by 5-15 cm just before landing or after leaving
#: (motion blur; seen on the rendered clips) should not drag the event, while ordinary landmark noise
#: (about 1 cm) is fitted as least squares would (5 cm is ~4.7 noise SDs, Tukey's usual 95% efficiency).
_HINGE_ROBUST_M = 0.05
#: Ridge terms added to the diagonal of the hinge fit's normal equations (level, air slope, contact
#: slope): a Gaussian prior of SD 1 cm on the level (relative to the stance level) and 0.3 m/s on the
#: contact slope, for landmark noise of 1 cm, i.e. (0.01 / 0.01)^2 and (0.01 / 0.3)^2. With many samples
#: (high frame rates) the data decide; with the four or five samples of a 30 fps contact edge the fit
#: falls back to a flat stance at the stance level instead of bending its free lines through noise.
_HINGE_PRIOR = (1.0, 1e-12, (0.01 / 0.3) ** 2)
_FOOT = {
    SIDE_LEFT: (INDEX["left_heel"], INDEX["left_foot_index"], INDEX["left_ankle"]),
    SIDE_RIGHT: (INDEX["right_heel"], INDEX["right_foot_index"], INDEX["right_ankle"]),
}
_HIPS = (INDEX["left_hip"], INDEX["right_hip"])


@dataclass(frozen=True)
class GaitEvents:
    """Gait events of one clip. Time is axis 0 (T frames).

    Attributes
    ----------
    contact : ndarray of bool, shape (T, 2)
        Foot on the ground per frame; column 0 left, 1 right.
    phase : ndarray of int8, shape (T,)
        Phase codes of :mod:`sprintbal.kinematics.result` (-1 unknown, 0 flight, 1 left, 2 right, 3 both).
    steps : Steps
        One entry per contact, sorted by time.
    is_running : bool
        Whether the clip shows running.
    running_reason : str
        One sentence on why.
    cadence_spm : float
        Steps per minute (NaN if fewer than two consecutive alternating touchdowns).
    cadence_uncertainty_spm : float
        Its standard uncertainty, steps per minute.
    notes : tuple of str
        Caveats, one sentence each.
    """

    contact: np.ndarray
    phase: np.ndarray
    steps: Steps
    is_running: bool
    running_reason: str
    cadence_spm: float
    cadence_uncertainty_spm: float
    notes: tuple[str, ...] = ()


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    m = np.asarray(mask, dtype=bool)
    d = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _merge_runs(
    runs: list[tuple[int, int]], gap: int, bridge: Callable[[int, int], bool] | None = None
) -> list[tuple[int, int]]:
    """Join consecutive runs ``(i0, i1)`` separated by at most ``gap`` frames.

    With ``bridge``, only where ``bridge(end_of_previous, start_of_next)`` allows it.
    """
    merged: list[tuple[int, int]] = []
    for r in runs:
        if merged and r[0] - merged[-1][1] <= gap and (bridge is None or bridge(merged[-1][1], r[0])):
            merged[-1] = (merged[-1][0], r[1])
        else:
            merged.append(r)
    return merged


def _hinge(t: np.ndarray, h: np.ndarray, lo: float, hi: float, rising: bool) -> float:
    """Hinge time in [lo, hi]: where ``h`` stops falling onto (or starts rising from) the ground.

    Model: two straight lines meeting at the hinge time ``tc``: ``c + a * d`` on the air side and
    ``c - b * |d|`` on the contact side (``d`` the time from the hinge), with the level ``c`` and both
    slopes free for every contact. A free level absorbs a stance height a centimetre or two off the
    clip's stance level (a foot point that is not on the sole, perspective, a rolling foot); a free
    contact slope absorbs the foot still settling (heel lowering, toe pressing in). The former model
    (exactly zero on the contact side) timed touchdowns early on both counts. The three coefficients are
    linear least squares for each of 81 candidate times, reweighted three times for Tukey's biweight with
    scale :data:`_HINGE_ROBUST_M` (a glitched frame does not move the event); the candidate with the
    lowest biweight loss wins. NaN with fewer than four finite samples.
    """
    return float(_hinge_batch([(t, h, lo, hi, rising)])[0])


_HingeProblem = tuple[np.ndarray, np.ndarray, float, float, bool]
#: Hinge problems solved together (about 1 MB per array at 120 fps).
_HINGE_CHUNK = 64


def _hinge_batch(problems: list[_HingeProblem]) -> np.ndarray:
    """Solve many :func:`_hinge` fits at once (one clip's contact edges), padded to a common length.

    Parameters
    ----------
    problems : list of (t, h, lo, hi, rising)
        As the arguments of :func:`_hinge`.

    Returns
    -------
    ndarray, shape (len(problems),)
        Hinge times, s (NaN where a problem has fewer than two finite samples or an empty range).
    """
    m = len(problems)
    if m > _HINGE_CHUNK:  # bounded temporaries on long clips: (chunk, 81, samples) arrays
        return np.concatenate([_hinge_batch(problems[i : i + _HINGE_CHUNK]) for i in range(0, m, _HINGE_CHUNK)])
    out = np.full(m, np.nan)
    if m == 0:
        return out
    sizes = [int(np.sum(np.isfinite(p[0]) & np.isfinite(p[1]))) for p in problems]
    width = max(max(sizes), 1)
    tt = np.zeros((m, width))
    hh = np.zeros((m, width))
    valid = np.zeros((m, width), dtype=bool)
    grid = np.zeros((m, 81))
    sign = np.ones((m, 1, 1))
    solvable = np.zeros(m, dtype=bool)
    for i, (t, h, lo, hi, rising) in enumerate(problems):
        ok = np.isfinite(t) & np.isfinite(h)
        k = int(ok.sum())
        if k < 2 or not hi > lo:
            continue
        solvable[i] = True
        tt[i, :k], hh[i, :k], valid[i, :k] = np.asarray(t)[ok], np.asarray(h)[ok], True
        grid[i] = np.linspace(lo, hi, 81)
        sign[i] = 1.0 if rising else -1.0
    # d > 0 on the air side: after the hinge for a rising edge (toe-off), before it for touchdown
    d = sign * (tt[:, None, :] - grid[:, :, None])  # (M, G, S)
    air = np.where(valid[:, None, :] & (d > 0), d, 0.0)
    gnd = np.where(valid[:, None, :] & (d <= 0), d, 0.0)
    c = _HINGE_ROBUST_M
    h3 = hh[:, None, :]
    w = np.broadcast_to(valid[:, None, :], d.shape).astype(float)
    r = np.zeros(d.shape)
    p0, p1, p2 = _HINGE_PRIOR
    for _ in range(3):
        # normal equations of [1, air, gnd] with weights w and the ridge prior; air * gnd = 0, so
        # [[s0, sa, sg], [sa, saa, 0], [sg, 0, sgg]] [c, a, b] = [r0, ra, rg] is solved in closed form
        wa, wg = w * air, w * gnd
        s0 = w.sum(axis=-1) + p0
        sa, sg = wa.sum(axis=-1), wg.sum(axis=-1)
        saa = (wa * air).sum(axis=-1) + p1
        sgg = (wg * gnd).sum(axis=-1) + p2
        r0, ra, rg = (w * h3).sum(axis=-1), (wa * h3).sum(axis=-1), (wg * h3).sum(axis=-1)
        level = (r0 - sa * ra / saa - sg * rg / sgg) / (s0 - sa * sa / saa - sg * sg / sgg)
        slope_air = (ra - sa * level) / saa
        slope_gnd = (rg - sg * level) / sgg
        r = np.abs(h3 - (level[..., None] + slope_air[..., None] * air + slope_gnd[..., None] * gnd))
        w = np.where(valid[:, None, :] & (r <= c), (1.0 - (r / c) ** 2) ** 2, 0.0)  # Tukey's biweight
    rho = np.where(r <= c, (c * c / 6.0) * (1.0 - (1.0 - (r / c) ** 2) ** 3), c * c / 6.0)
    loss = np.sum(np.where(valid[:, None, :], rho, 0.0), axis=-1)  # (M, G)
    best = np.argmin(loss, axis=1)
    out[solvable] = grid[np.arange(m), best][solvable]
    return out


def _interp(t: np.ndarray, y: np.ndarray, tq: float) -> float:
    ok = np.isfinite(y)
    if not np.isfinite(tq) or ok.sum() < 2:
        return float("nan")
    return float(np.interp(tq, t[ok], y[ok], left=np.nan, right=np.nan))


def _slow_foot(
    sag: np.ndarray,
    t: np.ndarray,
    dt: float,
    heel: int,
    toe: int,
    h: np.ndarray,
    hip: np.ndarray,
    treadmill: bool,
    smooth_hz: float | None,
) -> np.ndarray:
    """Frames where the slower of heel and toe moves forward at less than 35% of the running speed.

    The slower of the two because the foot pivots about the toe (or rolls off the heel) while planted.
    On a track the ground frame is the image (the point's own forward velocity). On a treadmill (or
    under a camera moving with the runner) the point's velocity relative to the hips minus the belt
    velocity, the belt velocity being the median relative velocity over the foot's lowest frames (lowest
    tenth of ``h``), where it is surely planted. Returns all True when the speeds cannot be estimated.
    """
    n = t.shape[0]
    ok = np.ones(n, dtype=bool)
    fin_h = np.isfinite(h)
    if n < 7 or not np.isfinite(dt) or fin_h.sum() < 7:
        return ok
    hx = hip[:, 0]
    if np.isfinite(hx).sum() < 7:
        return ok
    vh = np.gradient(compute_lowpass(hx, t, min(10.0, 0.4 / dt)), t)
    lowest = fin_h & (h <= np.nanpercentile(h, 10))
    speeds = []
    for k in (heel, toe):
        x = sag[:, k, 0]
        if smooth_hz is not None:
            x = compute_lowpass(x, t, min(float(smooth_hz), 0.4 / dt))
        if np.isfinite(x).sum() < 7:
            return ok
        v = np.gradient(x, t)
        if treadmill:
            rel = v - vh
            sel = lowest & np.isfinite(rel)
            if sel.sum() < 2:
                return ok
            v = rel - float(np.median(rel[sel]))
        speeds.append(np.abs(v))
    vhf = vh[np.isfinite(vh)]
    if treadmill:
        rel_h = np.gradient(compute_lowpass(sag[:, toe, 0], t, min(10.0, 0.4 / dt)), t) - vh
        sel = lowest & np.isfinite(rel_h)
        run_speed = abs(float(np.median(rel_h[sel]))) if sel.any() else float("nan")
    else:
        run_speed = float(np.median(np.abs(vhf))) if vhf.size else float("nan")
    if not np.isfinite(run_speed) or run_speed < 1.0:
        return ok  # too slow to tell a planted foot from a moving one by speed
    slowest = np.fmin(speeds[0], speeds[1])
    return ~(slowest > 0.35 * run_speed)  # NaN velocity: no objection


@dataclass(frozen=True)
class _Contact:
    """One ground contact.

    Foot, sub-frame touchdown / toe-off (s, NaN if outside the clip or untimed), median forward position
    of the foot (m) and its in-band frames ``i0..i1-1``.
    """

    foot: int
    td: float
    to: float
    x: float
    i0: int
    i1: int


def _foot_levels(
    sag: np.ndarray, t: np.ndarray, dt: float, smooth_hz: float | None
) -> tuple[dict[int, np.ndarray], dict[int, float], dict[int, float], np.ndarray, list[str]]:
    """Per foot: lowest-point height (m, lightly low-passed), stance level, stance-level noise (m).

    Returns the heights, levels and noises of the feet with at least four finite frames, the (T, 2)
    mask of frames where each foot's height is known, and notes. The stance level is the median of the
    lowest quarter of the heights; a foot whose level sits more than 10 cm above the other's is held to
    the other's (it never reaches the ground).
    """
    n = t.shape[0]
    known = np.zeros((n, 2), dtype=bool)
    heights: dict[int, np.ndarray] = {}
    levels: dict[int, float] = {}
    noises: dict[int, float] = {}
    notes: list[str] = []
    for foot in (SIDE_LEFT, SIDE_RIGHT):
        heel, toe, _ = _FOOT[foot]
        hy = np.fmin(sag[:, heel, 1], sag[:, toe, 1])
        if smooth_hz is not None and np.isfinite(dt) and n >= 7:
            hy = compute_lowpass(hy, t, min(float(smooth_hz), 0.4 / dt))
        known[:, foot] = np.isfinite(hy)
        if known[:, foot].sum() < 4:
            continue
        v = hy[known[:, foot]]
        q = np.percentile(v, 25)
        levels[foot] = float(np.median(v[v <= q]))
        low = v[v <= q] - levels[foot]
        noises[foot] = 1.4826 * float(np.median(np.abs(low - np.median(low)))) if low.size > 2 else 0.0
        heights[foot] = hy
    # each foot has its own stance level (perspective puts the far foot's ground a little higher), but
    # a foot whose lowest positions sit well above the other's never reaches the ground (10 cm: the far foot
    # of the real sprint start sprint_start_side_hato72_a3 stands 6 cm higher in the image than the near one)
    if levels:
        ground = min(levels.values())
        for foot, lev in list(levels.items()):
            if lev - ground > 0.10:
                levels[foot] = ground
                side_name = "left" if foot == SIDE_LEFT else "right"
                notes.append(f"The {side_name} foot stays {100 * (lev - ground):.0f} cm above the other foot's ground.")
    return heights, levels, noises, known, notes


def _contact_runs(h: np.ndarray, band: float, slow: np.ndarray | None, gap_n: int) -> list[tuple[int, int]]:
    """Return the runs ``(i0, i1)`` of frames with the foot inside the ground band.

    Runs are merged across gaps of at most ``gap_n`` frames that stay under twice the band, then trimmed
    at both ends to the frames where the foot is nearly still (``slow``; a run with no still frame is kept).
    """
    inband = np.isfinite(h) & (h <= band)
    merged = _merge_runs(_runs(inband), gap_n, lambda a, b: bool(np.all(h[a:b] <= 2 * band)))
    if slow is None:
        return merged
    # a swing foot skimming low before landing (or after leaving) is not yet on the ground
    trimmed = []
    for i0, i1 in merged:
        still = np.flatnonzero(slow[i0:i1])
        trimmed.append((i0 + int(still[0]), i0 + int(still[-1]) + 1) if still.size else (i0, i1))
    return trimmed


def _contact_edges(
    t: np.ndarray, h: np.ndarray, dt: float, i0: int, i1: int
) -> tuple[_HingeProblem | None, _HingeProblem | None]:
    """Return the :func:`_hinge` problems timing the touchdown and toe-off of the in-band frames ``i0..i1-1``.

    None at a clip edge or next to an unknown height (the event stays NaN). The band is entered up to
    ~band/speed before the true touchdown, which at high frame rates is several frames: each search runs
    from the last frame outside the band to ~30 ms inside it.
    """
    n = t.shape[0]
    k = max(1, round(0.03 / dt))
    td: _HingeProblem | None = None
    to: _HingeProblem | None = None
    if i0 > 0 and np.isfinite(h[i0 - 1]):
        hi_i = min(i1 - 1, i0 + k)
        sl = slice(max(0, i0 - max(2, k)), min(i1, hi_i + max(2, k) + 1))
        td = (t[sl], h[sl], float(t[i0 - 1]), float(t[hi_i] if hi_i > i0 - 1 else t[i0]), False)
    if i1 < n and np.isfinite(h[i1]):
        lo_i = max(i0, i1 - 1 - k)
        sl = slice(max(i0, lo_i - max(2, k)), min(n, i1 + max(2, k)))
        to = (t[sl], h[sl], float(t[lo_i] if lo_i < i1 else t[i1 - 1]), float(t[i1]), True)
    return td, to


def _low_swing_note(sag: np.ndarray, hip: np.ndarray, t: np.ndarray, foot: int, i0: int, i1: int) -> str | None:
    """Return a note when, on a track, a 'planted' foot moves forward with the hips (over half as far)."""
    heel, toe, _ = _FOOT[foot]
    fx = 0.5 * (sag[i0:i1, heel, 0] + sag[i0:i1, toe, 0])
    if i1 - i0 < 2 or np.isfinite(fx).sum() < 2:
        return None
    foot_move = float(fx[np.isfinite(fx)][-1] - fx[np.isfinite(fx)][0])
    hxf = hip[i0:i1, 0][np.isfinite(hip[i0:i1, 0])]
    hip_move = float(hxf[-1] - hxf[0]) if hxf.size >= 2 else 0.0
    if hip_move > 0.05 and foot_move > 0.5 * hip_move:
        return (
            f"Contact of the {'left' if foot == SIDE_LEFT else 'right'} foot at "
            f"{t[i0]:.3f} s moves with the hips; kept, but it may be a low swing."
        )
    return None


def _find_contacts(
    sag: np.ndarray,
    t: np.ndarray,
    dt: float,
    treadmill: bool,
    observed: np.ndarray | None,
    band_m: float | None,
    smooth_hz: float | None,
    min_contact_s: float,
    use_velocity: bool,
) -> tuple[list[_Contact], np.ndarray, list[str]]:
    """All ground contacts of both feet (unsorted), the (T, 2) known-height mask, and notes."""
    n = t.shape[0]
    hip = 0.5 * (sag[:, _HIPS[0]] + sag[:, _HIPS[1]])
    heights, levels, noises, known, notes = _foot_levels(sag, t, dt, smooth_hz)
    contacts: list[_Contact] = []
    candidates: list[tuple[int, int, int, _HingeProblem | None, _HingeProblem | None]] = []
    n_unseen = 0
    gap_n = max(1, round(min_contact_s / dt)) if np.isfinite(dt) else 1
    for foot, hy in heights.items():
        heel, toe, _ = _FOOT[foot]
        band = band_m if band_m is not None else float(np.clip(4 * noises[foot], 0.02, 0.06))
        h = hy - levels[foot]
        slow = _slow_foot(sag, t, dt, heel, toe, h, hip, treadmill, smooth_hz) if use_velocity else None
        for i0, i1 in _contact_runs(h, band, slow, gap_n):
            if (i1 - i0) < gap_n and i0 > 0 and i1 < n:
                continue
            candidates.append((foot, i0, i1, *_contact_edges(t, h, dt, i0, i1)))
    # every edge of the clip timed in one vectorised fit
    problems = [p for c in candidates for p in c[3:] if p is not None]
    times = iter(_hinge_batch(problems).tolist())
    for foot, i0, i1, td_p, to_p in candidates:
        heel, toe, _ = _FOOT[foot]
        td = next(times) if td_p is not None else float("nan")
        to = next(times) if to_p is not None else float("nan")
        if np.isfinite(td) and np.isfinite(to) and to - td < min_contact_s:
            if t[i1 - 1] - t[i0] < 2 * min_contact_s:
                continue  # a graze of the band (or an edge artefact), not a ground contact
            # both fitted corners fell inside a long run of still, in-band frames (a noisy edge: a far foot at
            # 60 fps, still in the band for 100 ms, was fitted 24 ms and dropped, and the stride rules then
            # judged a three-step "stride"): the foot was down at least from the run's first to its last frame
            td, to = min(td, float(t[i0])), max(to, float(t[i1 - 1]))
        fx = 0.5 * (sag[i0:i1, heel, 0] + sag[i0:i1, toe, 0])
        cx = float(np.nanmedian(fx)) if np.isfinite(fx).any() else float("nan")
        note = None if treadmill else _low_swing_note(sag, hip, t, foot, i0, i1)
        if note:
            notes.append(note)
        if observed is not None:
            ob = np.asarray(observed, dtype=bool)
            if not (ob[max(0, i0 - 1) : i1 + 1, heel] | ob[max(0, i0 - 1) : i1 + 1, toe]).all():
                n_unseen += 1
        contacts.append(_Contact(foot, td, to, cx, i0, i1))
    if n_unseen:
        notes.append(f"{n_unseen} contact(s) rest partly on gap-filled or unseen foot points.")
    return contacts, known, notes


def _moving_window(sag: np.ndarray, t: np.ndarray, dt: float) -> tuple[int, int] | None:
    """Return the frames ``(a, b)`` (``a..b-1``) in which the hips travel, when the clip also holds a long still part.

    On a track a sprint-start clip may hold seconds of set position (both feet down, hips still) before
    the runner goes, and the running verdict and steps must come from the running part. Hip speed
    (10 Hz low-pass) above 30% of its 90th percentile marks moving frames; gaps under 0.3 s are closed
    and the longest run is the window. None (analyse the whole clip) when the hips never reach 1 m/s,
    the window covers 80% or more of the frames with hips, or it is shorter than 0.5 s.
    """
    n = t.shape[0]
    if n < 10 or not np.isfinite(dt) or dt <= 0:
        return None
    hx = 0.5 * (sag[:, _HIPS[0], 0] + sag[:, _HIPS[1], 0])
    if np.isfinite(hx).sum() < 10:
        return None
    v = np.abs(np.gradient(compute_lowpass(hx, t, min(10.0, 0.4 / dt)), t))
    if not np.isfinite(v).any():
        return None
    top = float(np.nanpercentile(v, 90))
    if top < 1.0:
        return None
    moving = np.isfinite(v) & (v > 0.3 * top)
    gap = round(0.3 / dt)
    merged = _merge_runs(_runs(moving), gap)
    if not merged:
        return None
    a, b = max(merged, key=lambda r: r[1] - r[0])
    if (b - a) >= 0.8 * np.isfinite(hx).sum() or (b - a) * dt < 0.5:
        return None
    return a, b


#: Step-to-step irregularity of a sprinter's touchdown rhythm (s, SD of a touchdown about the midpoint of
#: its neighbours, the other foot's): steady-speed sprinting repeats step times to about 1-2% of 0.22 s.
RHYTHM_SD_S = 0.003


def compute_rhythm_touchdowns(
    touchdown_t: np.ndarray, foot: np.ndarray, rhythm_sd_s: float = RHYTHM_SD_S, min_per_foot: int = 3
) -> tuple[np.ndarray, dict[int, float]]:
    """Touchdown times that borrow strength from the running rhythm.

    In running the feet alternate at a nearly constant step time, so a touchdown is also predicted by
    the midpoint of its two neighbours (the other foot's touchdowns) plus the foot's own offset (left and
    right steps may differ by a few ms). The two estimates are combined with inverse-variance weights.
    The variances come from the clip itself: for each foot the spread ``v_f`` of its touchdowns about
    their prediction is ``s_f^2 + s_o^2 / 2 + rhythm_sd_s^2`` (own timing error ``s_f``, the other
    foot's ``s_o``), two equations solved for the two timing errors. A foot seen badly (the far foot
    of a side view, partly hidden behind the near leg at landing: timed 1-2 frames off on rendered clips
    where the near foot is within half a frame) thus takes most of its timing from the near foot's
    rhythm, and a clean foot keeps its own. Touchdowns without two alternating neighbours inside
    30% of the median step time, and clips with fewer than ``min_per_foot`` such touchdowns of each
    foot, keep their times.

    Parameters
    ----------
    touchdown_t : ndarray, shape (n,)
        Touchdown times in time order, s (NaN: untimed, left alone).
    foot : ndarray of int, shape (n,)
        0 left, 1 right, per touchdown.
    rhythm_sd_s : float
        Step-to-step irregularity of the rhythm, s (see :data:`RHYTHM_SD_S`).
    min_per_foot : int
        Least number of predicted touchdowns of each foot.

    Returns
    -------
    touchdown_t : ndarray, shape (n,)
        The combined times, s.
    sigma : dict of int to float
        Estimated timing error (s) per foot; empty when the rhythm was not used.
    """
    td = np.asarray(touchdown_t, dtype=float).copy()
    ft = np.asarray(foot)
    n = td.size
    if n < 3:
        return td, {}
    steps = np.diff(td)
    med = float(np.nanmedian(steps)) if np.isfinite(steps).any() else float("nan")
    if not (np.isfinite(med) and med > 0):
        return td, {}
    i = np.arange(1, n - 1)
    ok = (
        np.isfinite(td[i - 1]) & np.isfinite(td[i]) & np.isfinite(td[i + 1])
        & (ft[i - 1] == ft[i + 1]) & (ft[i] != ft[i - 1])
        & (np.abs(steps[i - 1] - med) < 0.3 * med) & (np.abs(steps[i] - med) < 0.3 * med)
    )  # fmt: skip
    i = i[ok]
    pred = 0.5 * (td[i - 1] + td[i + 1])
    resid = td[i] - pred
    offset: dict[int, float] = {}
    spread: dict[int, float] = {}
    for f in (SIDE_LEFT, SIDE_RIGHT):
        r = resid[ft[i] == f]
        if r.size < min_per_foot:
            return td, {}
        offset[f] = float(np.median(r))
        spread[f] = (1.4826 * float(np.median(np.abs(r - offset[f])))) ** 2
    rho2 = rhythm_sd_s**2
    floor = (0.25e-3) ** 2
    vl, vr = spread[SIDE_LEFT] - rho2, spread[SIDE_RIGHT] - rho2
    var = {
        SIDE_LEFT: max(floor, 4.0 / 3.0 * (vl - 0.5 * vr)),
        SIDE_RIGHT: max(floor, 4.0 / 3.0 * (vr - 0.5 * vl)),
    }
    for j, p in zip(i, pred, strict=True):
        f = int(ft[j])
        v_own = var[f]
        v_pred = 0.5 * var[1 - f] + rho2
        td[j] = (td[j] * v_pred + (p + offset[f]) * v_own) / (v_own + v_pred)
    return td, {f: math.sqrt(v) for f, v in var.items()}


def _contact_frames(contacts: list[_Contact], t: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame contact (T, 2) from the sub-frame events, and the phase codes (T,)."""
    n = t.shape[0]
    contact = np.zeros((n, 2), dtype=bool)
    for c in contacts:
        # an event the fit could not time falls back to its frame; only a contact running off the clip is open
        a = c.td if np.isfinite(c.td) else (t[0] - 1.0 if c.i0 == 0 else float(t[c.i0]))
        b = c.to if np.isfinite(c.to) else (t[-1] + 1.0 if c.i1 >= n else float(t[c.i1 - 1]))
        contact[(t >= a) & (t <= b), c.foot] = True
        # a contact shorter than a frame still marks its nearest frame
        if not contact[c.i0 : c.i1, c.foot].any():
            contact[c.i0, c.foot] = True
    phase = np.full(n, PHASE_FLIGHT, dtype=np.int8)
    phase[contact[:, 0] & ~contact[:, 1]] = PHASE_LEFT
    phase[contact[:, 1] & ~contact[:, 0]] = PHASE_RIGHT
    phase[contact[:, 0] & contact[:, 1]] = PHASE_DOUBLE
    phase[~known.all(axis=1) & ~contact.any(axis=1)] = PHASE_UNKNOWN
    return contact, phase


def _rhythm_contacts(contacts: list[_Contact]) -> tuple[list[_Contact], dict[int, float]]:
    """Return the contacts with touchdowns combined with the running rhythm (:func:`compute_rhythm_touchdowns`).

    Also returns the estimated touchdown timing error per foot (s; empty when the rhythm was not used).
    A combined touchdown stays at least 10 ms before its contact's toe-off.
    """
    order = sorted(range(len(contacts)), key=lambda k: contacts[k].td if np.isfinite(contacts[k].td) else 1e9)
    td = np.array([contacts[k].td for k in order], dtype=float)
    ft = np.array([contacts[k].foot for k in order], dtype=np.int8)
    new_td, sigma = compute_rhythm_touchdowns(td, ft)
    out = list(contacts)
    for k, v in zip(order, new_td.tolist(), strict=True):
        c = contacts[k]
        if np.isfinite(v) and np.isfinite(c.to):
            v = min(v, c.to - 0.01)
        out[k] = _Contact(c.foot, v, c.to, c.x, c.i0, c.i1)
    return out, sigma


def _steps_table(contacts: list[_Contact], sag: np.ndarray, t: np.ndarray, treadmill: bool, unc: float) -> Steps:
    """Return the steps: contacts sorted by time, contact, flight and step times (length, speed on a track)."""
    contacts = sorted(
        contacts, key=lambda c: (c.td if np.isfinite(c.td) else (c.to - 1e3 if np.isfinite(c.to) else 1e9))
    )
    m = len(contacts)
    foot_a = np.array([c.foot for c in contacts], dtype=np.int8)
    td_a = np.array([c.td for c in contacts], dtype=float)
    to_a = np.array([c.to for c in contacts], dtype=float)
    cx_a = np.array([c.x for c in contacts], dtype=float)
    flight_s = np.full(m, np.nan)
    step_s = np.full(m, np.nan)
    step_len = np.full(m, np.nan)
    speed = np.full(m, np.nan)
    hipx = 0.5 * (sag[:, _HIPS[0], 0] + sag[:, _HIPS[1], 0])
    for k in range(m - 1):
        nxt = k + 1
        flight_s[k] = td_a[nxt] - to_a[k]
        if foot_a[nxt] != foot_a[k]:
            step_s[k] = td_a[nxt] - td_a[k]
            if not treadmill:
                step_len[k] = cx_a[nxt] - cx_a[k]
                x0, x1 = _interp(t, hipx, td_a[k]), _interp(t, hipx, td_a[nxt])
                if np.isfinite(step_s[k]) and step_s[k] > 0:
                    speed[k] = (x1 - x0) / step_s[k]
    return Steps(
        foot=foot_a,
        touchdown_t=td_a,
        toeoff_t=to_a,
        contact_s=to_a - td_a,
        flight_s=flight_s,
        step_s=step_s,
        step_length_m=step_len,
        speed_mps=speed,
        timing_uncertainty_s=unc,
    )


def _cadence_of(steps: Steps, unc: float) -> tuple[float, float, str | None]:
    """Return the cadence and its uncertainty (steps/min), and a note or None.

    From all touchdowns, or from one foot's strides when the other foot's contacts were not found.
    """
    good = np.isfinite(steps.step_s) & (steps.step_s > 0)
    if good.sum() >= 1:
        cadence, cad_unc = compute_cadence(steps.touchdown_t, float(np.median(steps.step_s[good])), unc)
        return cadence, cad_unc, None
    # only one foot's contacts: two steps per stride of that foot
    strides: list[float] = []
    for f in (SIDE_LEFT, SIDE_RIGHT):
        tf = steps.touchdown_t[(steps.foot == f) & np.isfinite(steps.touchdown_t)]
        strides += np.diff(tf).tolist()
    if not strides:
        return float("nan"), float("nan"), None
    stride_med = float(np.median(strides))
    cad_unc = 120.0 / stride_med**2 * float(np.sqrt(2.0) * unc / np.sqrt(len(strides)))
    return 120.0 / stride_med, cad_unc, "Cadence from one foot's strides (the other foot's contacts were not found)."


def compute_gait_events(
    sag: np.ndarray,
    t: np.ndarray,
    treadmill: bool,
    observed: np.ndarray | None = None,
    *,
    band_m: float | None = None,
    smooth_hz: float | None = 20.0,
    min_contact_s: float = 0.04,
    use_velocity: bool = True,
) -> GaitEvents:
    """Find foot contacts, steps, cadence and whether the clip shows running.

    Parameters
    ----------
    sag : ndarray, shape (T, 33, 2)
        Sagittal landmarks, metres: X forward (direction of travel), Y up.
    t : ndarray, shape (T,)
        Capture time, seconds.
    treadmill : bool
        The runner stays in place (treadmill or panning camera): no step lengths or speeds.
    observed : ndarray of bool, shape (T, 33), optional
        Which points were really seen (not gap-filled); events resting on unseen foot points are
        counted in the notes.
    band_m : float, optional
        Ground band height, metres; default ``max(0.02, 4 x`` stance-level noise, at most 0.06).
    smooth_hz : float or None
        Light zero-lag low-pass applied to the foot heights before the search (clamped to 0.4 of the
        frame rate); None: use ``sag`` as given. Pass unfiltered points
        (:func:`~sprintbal.kinematics.scene.compute_sagittal_points` with ``unfiltered=True``): the
        analysis low-pass (often 6-10 Hz) rounds off 3-4-frame contacts at 30 fps.
    min_contact_s : float
        Contacts shorter than this (at least one frame) are dropped as noise; in-band runs separated
        by less than this are merged first.
    use_velocity : bool
        Also require the foot to be nearly still on the ground (see :func:`_slow_foot`): a swing foot
        skimming low before landing is otherwise taken for a contact at low frame rates.

    Returns
    -------
    GaitEvents
        Contacts, phases, steps, running verdict, cadence.
    """
    sag = np.asarray(sag, dtype=float)
    t = np.asarray(t, dtype=float)
    n = t.shape[0]
    dt = float(np.median(np.diff(t))) if n > 1 else float("nan")
    unc = float(np.hypot(0.5 * dt, METHOD_ERROR_S)) if np.isfinite(dt) else float("nan")
    contacts, known, notes = _find_contacts(
        sag, t, dt, treadmill, observed, band_m, smooth_hz, min_contact_s, use_velocity
    )
    window = None if treadmill else _moving_window(sag, t, dt)
    if window is not None:
        lo_t, hi_t = float(t[window[0]]), float(t[window[1] - 1])
        contacts = [c for c in contacts if lo_t - 0.1 <= float(t[c.i0]) and float(t[c.i1 - 1]) <= hi_t + 0.1]
        notes.append(
            f"The hips travel from {lo_t:.2f} s to {hi_t:.2f} s; the rest of the clip (standing still, a set "
            "position) is not analysed as steps."
        )
    contacts, td_sigma = _rhythm_contacts(contacts)
    if td_sigma:
        worse = max(td_sigma, key=lambda f: td_sigma[f])
        if td_sigma[worse] > 2.0 * td_sigma[1 - worse] and td_sigma[worse] > 0.5 * dt:
            side_name, other_name = ("left", "right") if worse == SIDE_LEFT else ("right", "left")
            other_ms = 1e3 * td_sigma[1 - worse]
            other_txt = f"{other_ms:.0f} ms" if other_ms >= 1.0 else "under 1 ms"
            notes.append(
                f"The {side_name} foot's touchdowns are timed less well (scatter about {1e3 * td_sigma[worse]:.0f} ms, "
                f"the {other_name} foot's {other_txt}); they lean on the running rhythm of the {other_name} foot."
            )
    contact, phase = _contact_frames(contacts, t, known)
    if window is not None:
        phase[: window[0]] = PHASE_UNKNOWN
        phase[window[1] :] = PHASE_UNKNOWN
    steps = _steps_table(contacts, sag, t, treadmill, unc)
    if treadmill:
        notes.append("Treadmill or camera moving with the runner: step lengths and speeds are not measured.")
    cadence, cad_unc, cad_note = _cadence_of(steps, unc)
    if cad_note:
        notes.append(cad_note)
    hip = 0.5 * (sag[:, _HIPS[0]] + sag[:, _HIPS[1]])
    is_running, reason = _running_verdict(
        steps.foot, steps.touchdown_t, steps.toeoff_t, steps.contact_s, steps.flight_s, contact, known, t, hip,
        treadmill,
    )
    return GaitEvents(
        contact=contact,
        phase=phase,
        steps=steps,
        is_running=is_running,
        running_reason=reason,
        cadence_spm=float(cadence),
        cadence_uncertainty_spm=float(cad_unc),
        notes=tuple(dict.fromkeys(notes)),
    )


def compute_cadence(touchdown_t: np.ndarray, step_guess_s: float, timing_s: float) -> tuple[float, float]:
    """Return the cadence from all touchdowns: a line fit of touchdown time against step number.

    The step time is the slope of the least-squares line through (step number, touchdown time) (with
    two touchdowns: their time apart over the steps between them). Robust to the two ways contact
    detection goes wrong on real footage: a spurious extra contact (a touchdown less than half a step
    after the previous kept one is dropped, whichever foot it is labelled) and a missed contact (an
    interval of about k steps counts as k = round(interval / step) steps). Foot labels are not used, so
    a left/right swap does not change the cadence. The step time is refined once from the first pass.

    Parameters
    ----------
    touchdown_t : ndarray, shape (N,)
        Touchdown times of all contacts, s (NaN ignored; any order).
    step_guess_s : float
        Typical step time, s (e.g. the median of the alternating-foot step times).
    timing_s : float
        Timing uncertainty of one event, s.

    Returns
    -------
    cadence_spm, uncertainty_spm : float
        Steps per minute and its standard uncertainty (standard error of the fitted slope combined
        with the end events' timing); NaN if fewer than two touchdowns or no usable step time.
    """
    td = np.sort(np.asarray(touchdown_t, dtype=float)[np.isfinite(touchdown_t)])
    if td.size < 2 or not (np.isfinite(step_guess_s) and step_guess_s > 0):
        return float("nan"), float("nan")
    step = float(step_guess_s)
    for _ in range(2):
        kept = [float(td[0])]
        for x in td[1:]:
            if x - kept[-1] >= 0.5 * step:
                kept.append(float(x))
        d = np.diff(np.array(kept))
        if d.size == 0:
            return float("nan"), float("nan")
        k = np.maximum(1, np.round(d / step))
        n_steps = float(k.sum())
        idx = np.concatenate(([0.0], np.cumsum(k)))
        tk = np.array(kept)
        if tk.size >= 3:
            # least-squares line through (step number, touchdown time): every event counts, not only
            # the two ends, and a per-foot timing offset averages out over alternating steps
            step, _ = np.polyfit(idx, tk, 1)
            step = float(step)
        else:
            step = float(d.sum() / n_steps)
    if tk.size >= 4:
        res = tk - np.polyval(np.polyfit(idx, tk, 1), idx)
        spread = float(np.sqrt(np.sum(res**2) / (tk.size - 2) / np.sum((idx - idx.mean()) ** 2)))
    else:
        spread = 0.0
    timing = float(np.sqrt(2.0) * timing_s / n_steps)
    return 60.0 / step, 60.0 / step**2 * float(np.hypot(spread, timing))


def _running_verdict(
    foot: np.ndarray,
    td: np.ndarray,
    to: np.ndarray,
    contact_s: np.ndarray,
    flight_s: np.ndarray,
    contact: np.ndarray,
    known: np.ndarray,
    t: np.ndarray,
    hip: np.ndarray,
    treadmill: bool,
) -> tuple[bool, str]:
    """Decide whether the contacts describe running; return (verdict, one-sentence reason).

    Running: contacts alternate between the feet (or only one foot is seen and its contacts are
    periodic), neither foot touches the ground half the time or more (duty factor < 0.5: walking and
    standing have more), there are flight frames with neither foot down, the feet do not land
    together (hopping, jumping jacks), and on a track the hips travel.
    """
    if known.any(axis=1).sum() < 4:
        return False, "The feet were not seen in enough frames to find ground contacts."
    duty = np.array(
        [contact[known[:, f], f].mean() if known[:, f].sum() >= 4 else np.nan for f in (0, 1)], dtype=float
    )
    seen = np.isfinite(duty)
    complete = np.isfinite(td) & np.isfinite(to)
    if np.all(duty[seen] > 0.9):
        return False, "The feet stay on the ground (standing, or no clear steps)."
    if complete.sum() < 2:
        return False, "Fewer than two complete ground contacts were found."
    # simultaneous touchdowns of both feet (hopping on both feet, jumping jacks)
    fin = np.isfinite(td)
    tds, fts = td[fin], foot[fin]
    cs = contact_s[np.isfinite(contact_s)]
    med_contact = float(np.median(cs)) if cs.size else 0.0
    paired = sum(
        1
        for k in range(len(tds) - 1)
        if fts[k] != fts[k + 1] and abs(tds[k + 1] - tds[k]) < 0.3 * max(med_contact, 1e-3)
    )
    if paired >= max(1, 0.5 * (len(tds) // 2)):
        return False, "Both feet land together (jumping or hopping), not alternately as in running."
    if np.nanmax(duty) >= 0.5:
        return False, (
            f"A foot is on the ground {100 * float(np.nanmax(duty)):.0f}% of the time, with double support, "
            "as in walking, not running."
        )
    feet_with_contacts = set(foot[complete].tolist())
    one_foot_note = ""
    if len(feet_with_contacts) == 1:
        other = 1 - next(iter(feet_with_contacts))
        if seen[other] and known[:, other].mean() > 0.8:
            return False, "Only one foot ever touches the ground although both are seen (hopping on one leg)."
        one_foot_note = " Only one foot's contacts were seen."
    else:
        alt = float(np.mean(foot[1:] != foot[:-1]))
        if alt < 0.75:
            return False, f"Contacts do not alternate between feet ({100 * alt:.0f}% of consecutive contacts do)."
    both_known = known.all(axis=1)
    flight_frac = float((~contact[both_known].any(axis=1)).mean()) if both_known.any() else float("nan")
    fl = flight_s[np.isfinite(flight_s)]
    if (fl.size and np.median(fl) <= 0) or (np.isfinite(flight_frac) and flight_frac < 0.03):
        return False, "No flight phases between contacts, as in walking."
    if not treadmill:
        ok = np.isfinite(hip[:, 0])
        if ok.sum() >= 2:
            speed = (hip[ok, 0][-1] - hip[ok, 0][0]) / max(float(t[ok][-1] - t[ok][0]), 1e-9)
            if speed < 0.5:
                return False, f"Steps with flight, but the hips barely travel ({speed:.2f} m/s): running on the spot?"
    fl_txt = f"median flight {1000 * float(np.median(fl)):.0f} ms, " if fl.size else ""
    return True, (
        f"Alternating contacts with flight phases ({fl_txt}duty factor {100 * float(np.nanmean(duty)):.0f}%)."
        + one_foot_note
    )


def compute_push_side(contact: np.ndarray, t: np.ndarray, rule: str = "last_off") -> np.ndarray:
    """Which leg pushes in each frame.

    In single support the stance leg. In double support the foot that touched down earlier (it is the
    trailing foot, about to leave the ground); if both runs began in the same frame, unknown. In
    flight, by ``rule``: ``"last_off"`` the foot that left the ground most recently, ``"next_on"`` the
    foot that lands next. Unknown (-1) where the rule has no event to go by (before the first toe-off,
    or after the last touchdown).

    Parameters
    ----------
    contact : ndarray of bool, shape (T, 2)
        Foot on the ground; column 0 left, 1 right.
    t : ndarray, shape (T,)
        Capture time, seconds (only its length is used: the per-frame contacts already encode the order).
    rule : {"last_off", "next_on"}
        Flight rule.

    Returns
    -------
    ndarray of int8, shape (T,)
        -1 unknown, 0 left, 1 right.
    """
    if rule not in ("last_off", "next_on"):
        raise ValueError(f"unknown flight rule {rule!r}")
    c = np.asarray(contact, dtype=bool)
    n = c.shape[0]
    out = np.full(n, SIDE_UNKNOWN, dtype=np.int8)
    # start frame of the current run for each foot (-1 if not in contact)
    start = np.full((n, 2), -1, dtype=np.int64)
    for f in range(2):
        for s, e in _runs(c[:, f]):
            start[s:e, f] = s
    single_l = c[:, 0] & ~c[:, 1]
    single_r = c[:, 1] & ~c[:, 0]
    out[single_l] = SIDE_LEFT
    out[single_r] = SIDE_RIGHT
    both = c[:, 0] & c[:, 1]
    out[both & (start[:, 0] < start[:, 1])] = SIDE_LEFT
    out[both & (start[:, 1] < start[:, 0])] = SIDE_RIGHT
    flight = ~c.any(axis=1)
    if rule == "last_off":
        last = SIDE_UNKNOWN
        for i in range(n):
            if flight[i]:
                out[i] = last
            else:
                # the foot that will be the last to leave: the one in contact whose run ends last
                for f in (0, 1):
                    if c[i, f] and (i + 1 >= n or not c[i + 1, f]):
                        last = f
    else:
        nxt = SIDE_UNKNOWN
        for i in range(n - 1, -1, -1):
            if flight[i]:
                out[i] = nxt
            else:
                for f in (0, 1):
                    if c[i, f] and (i == 0 or not c[i - 1, f]):
                        nxt = f
    return out


def compute_blend_sigma(touchdown_t: np.ndarray, dt: float, cap_s: float, min_touchdowns: int = 6) -> float:
    """Return the standard uncertainty (s) of this clip's touchdown times from their scatter, for blending.

    A touchdown's random timing error shows in the second differences of successive touchdown times
    (whichever foot): ``td[k+1] - 2 td[k] + td[k-1]`` has variance ``6 sigma^2`` for independent errors,
    and a steady change of cadence (accelerating, tiring) cancels out of it. ``sigma`` is taken robustly
    (1.4826 x MAD / sqrt 6), combined with the frame quantisation ``dt / sqrt(12)``, and never exceeds
    ``cap_s`` (the stated uncertainty, :attr:`Steps.timing_uncertainty_s`). A runner's own step-to-step
    variability inflates it, so it errs toward blending more. On 16 rendered clips it followed the real
    scatter of the errors (median 7.9 ms against 7.0 ms) and raised ML swing r by 0.011 on average
    (benchmarks/accuracy.py). It cannot see a bias common to all touchdowns.

    Parameters
    ----------
    touchdown_t : ndarray, shape (N,)
        Touchdown times, s (NaN ignored; sorted here).
    dt : float
        Frame interval, s.
    cap_s : float
        Upper bound, s; returned when fewer than ``min_touchdowns`` touchdowns are timed.
    min_touchdowns : int
        Touchdowns needed for an estimate.

    Returns
    -------
    float
        Sigma, s.
    """
    td = np.sort(np.asarray(touchdown_t, dtype=float)[np.isfinite(touchdown_t)])
    if td.size < min_touchdowns or not (np.isfinite(dt) and np.isfinite(cap_s)):
        return float(cap_s)
    d2 = td[2:] - 2.0 * td[1:-1] + td[:-2]
    scatter = 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / math.sqrt(6.0)
    return float(min(cap_s, math.hypot(dt / math.sqrt(12.0), scatter)))


def compute_push_weight(
    push_side: np.ndarray, t: np.ndarray, event_t: np.ndarray, sigma_s: float
) -> np.ndarray:
    """Probability that the left leg is the push leg, given uncertain event times.

    :func:`compute_push_side` switches the push leg at an event (touchdown with ``"last_off"``,
    toe-off with ``"next_on"``), and at that switch the push and swing groups exchange a whole leg. An
    event timed one frame off therefore puts a whole leg in the wrong group for that frame. With the
    event time known only to a standard uncertainty ``sigma_s`` (Gaussian), the probability that a frame
    at time ``t`` lies after the switch at ``t_e`` is ``Phi((t - t_e) / sigma_s)``; this function returns
    that probability (as the left leg's weight) for the frames within ``3 sigma_s`` of each switch,
    bounded by the neighbouring switches, and 1 / 0 elsewhere. Summing the legs with these weights
    (:func:`~sprintbal.kinematics.momentum.compute_group_momenta`) gives the expected group momenta,
    which minimises the mean squared error against the hard grouping at the true event times.

    Parameters
    ----------
    push_side : ndarray of int, shape (T,)
        From :func:`compute_push_side`: -1 unknown, 0 left, 1 right.
    t : ndarray, shape (T,)
        Capture times, s.
    event_t : ndarray, shape (N,)
        Sub-frame event times, s (touchdowns and toe-offs of both feet; NaN ignored). The switch
        between frames ``i - 1`` and ``i`` is placed at the event inside ``[t[i-1], t[i]]`` (the one
        nearest the midpoint), else at the midpoint.
    sigma_s : float
        Standard uncertainty of an event time, s (e.g. ``Steps.timing_uncertainty_s``). NaN or
        non-positive: the hard 1 / 0 weights.

    Returns
    -------
    ndarray, shape (T,)
        In [0, 1]; NaN where the push side is unknown (no blending across unknown frames).
    """
    side = np.asarray(push_side)
    t = np.asarray(t, dtype=float)
    w = np.where(side == SIDE_LEFT, 1.0, np.where(side == SIDE_RIGHT, 0.0, np.nan))
    if not (np.isfinite(sigma_s) and sigma_s > 0) or side.size < 2:
        return w
    ev = np.asarray(event_t, dtype=float)
    ev = ev[np.isfinite(ev)]
    known = side >= 0
    sw = np.flatnonzero(known[1:] & known[:-1] & (side[1:] != side[:-1])) + 1
    out = w.copy()
    for k, i in enumerate(sw):
        lo, hi = t[i - 1], t[i]
        inside = ev[(ev >= lo) & (ev <= hi)]
        mid = 0.5 * (lo + hi)
        te = float(inside[np.argmin(np.abs(inside - mid))]) if inside.size else mid
        # frames a..b-1: from halfway to the previous switch to halfway to the next one
        a = (int(sw[k - 1]) + int(i)) // 2 if k > 0 else 0
        b = (int(i) + int(sw[k + 1])) // 2 if k + 1 < sw.size else side.size
        j = np.arange(a, b)
        j = j[known[j] & (np.abs(t[j] - te) < 3.0 * sigma_s)]
        if not j.size:
            continue
        z = (t[j] - te) / (sigma_s * math.sqrt(2.0))
        p_after = 0.5 * (1.0 + np.array([math.erf(float(x)) for x in z]))
        out[j] = p_after * w[i] + (1.0 - p_after) * w[i - 1]
    return np.asarray(out)
