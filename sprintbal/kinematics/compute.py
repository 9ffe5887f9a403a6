"""The kinematics stage end to end: PoseTrack -> Kinematics.

clean_track -> compute_scene -> compute_sagittal_points -> compute_gait_events -> compute_lab_points ->
compute_body_momentum (compute_segment_kinematics -> compute_segment_momentum, a block of frames at a time) ->
compute_push_side -> compute_group_momenta.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sprintbal.config import AnalysisConfig
from sprintbal.kinematics.body_model import BodyModel, compute_body_model
from sprintbal.kinematics.cleaning import CleanTrack, clean_track
from sprintbal.kinematics.depth import (
    compute_axis_confidence,
    compute_lab_points,
    compute_side_consistency,
    compute_view,
    compute_world_lateral_axis,
)
from sprintbal.kinematics.events import (
    compute_blend_sigma,
    compute_gait_events,
    compute_push_side,
    compute_push_weight,
)
from sprintbal.kinematics.momentum import compute_body_momentum, compute_group_momenta, normalisation_factor
from sprintbal.kinematics.result import PHASE_UNKNOWN, SIDE_UNKNOWN, GroupMomenta, Kinematics, Steps
from sprintbal.kinematics.scene import compute_sagittal_points, compute_scene
from sprintbal.pose.landmarks import INDEX
from sprintbal.pose.track import PoseTrack

#: Fewest frames with a detected person for which the stage is attempted.
MIN_FRAMES = 10

#: The momentum normalisation every output states.
NORMALISATION = "H / (M * h * sqrt(g * h)), g = 9.80665 m/s^2"


def compute_frame_confidence(
    visibility: np.ndarray, observed: np.ndarray, filled: np.ndarray, model: BodyModel
) -> np.ndarray:
    """How well the landmarks behind each frame's momentum were seen.

    Each landmark scores its visibility if it was observed, half of it if it was
    gap-filled, 0 if unknown; a segment scores the mean over the landmarks its endpoints
    and mediolateral reference use; a frame scores the mass-weighted mean over segments.

    Parameters
    ----------
    visibility : ndarray, shape (T, 33)
        Landmark visibility in [0, 1] (NaN = not found).
    observed, filled : ndarray of bool, shape (T, 33)
        Really seen; gap-filled.
    model : BodyModel
        Which landmarks each segment uses, and the segment masses.

    Returns
    -------
    ndarray, shape (T,)
        In [0, 1].
    """
    vis = np.clip(np.nan_to_num(np.asarray(visibility, dtype=float), nan=0.0), 0.0, 1.0)
    score = np.where(observed, vis, np.where(filled, 0.5 * vis, 0.0))
    uses = (np.abs(model.proximal) + np.abs(model.distal) + np.abs(model.ml_reference)) > 0  # (S, 33)
    seg = (score @ uses.T.astype(float)) / uses.sum(axis=1)  # (T, S)
    w = model.mass_kg / model.mass_kg.sum()
    return np.asarray(np.clip(seg @ w, 0.0, 1.0))


_ARM_PARTS = ("elbow", "wrist", "pinky", "index", "thumb")


def compute_hidden_arm_fill(points: np.ndarray, t: np.ndarray, step_s: float) -> tuple[np.ndarray, dict[str, int]]:
    """Fill an arm hidden behind the trunk from the other arm half a stride away.

    From a side view the far arm is occluded in most frames (visibility ~0.1 on the real side-view
    clips), and one missing segment makes the whole-body COM, and so every momentum, unknown. The
    arms swing in antiphase, so the hidden arm at time t is taken as the visible arm at t + one step
    time (or t - one step time near the clip's end), relative to its own shoulder, with the sideways
    (Z) part of that relative position mirrored.

    Parameters
    ----------
    points : ndarray, shape (T, 33, 3)
        Lab-frame landmarks, m (X forward, Y up, Z right).
    t : ndarray, shape (T,)
        Capture times, s.
    step_s : float
        Step time (half a stride), s. NaN or non-positive: nothing is filled.

    Returns
    -------
    points : ndarray, shape (T, 33, 3)
        A copy with the arm landmarks (elbow to fingers) filled where the whole arm point was NaN
        and the shoulders and the shifted visible arm are known.
    counts : dict of str to int
        Frames filled per arm, ``{"left": n, "right": n}``.
    """
    out = np.array(points, dtype=float, copy=True)
    counts = {"left": 0, "right": 0}
    if not (np.isfinite(step_s) and step_s > 0) or out.shape[0] < 3:
        return out, counts
    t = np.asarray(t, dtype=float)
    mirror = np.array([1.0, 1.0, -1.0])
    for side, other in (("left", "right"), ("right", "left")):
        sh = points[:, INDEX[f"{side}_shoulder"]]
        sh_o = points[:, INDEX[f"{other}_shoulder"]]
        for part in _ARM_PARTS:
            i, j = INDEX[f"{side}_{part}"], INDEX[f"{other}_{part}"]
            rel = points[:, j] - sh_o  # the other arm relative to its shoulder
            good = np.all(np.isfinite(rel), axis=-1)
            if good.sum() < 2:
                continue
            tq = np.where(t + step_s <= t[good][-1], t + step_s, t - step_s)
            shifted = np.stack([np.interp(tq, t[good], rel[good, d]) for d in range(3)], axis=-1)
            # only inside the visible arm's time span (no extrapolation)
            inside = (tq >= t[good][0]) & (tq <= t[good][-1])
            # the nearest visible sample must be within a frame or two of tq
            near = np.interp(tq, t[good], t[good])
            gap_ok = np.abs(near - tq) <= 0.06
            need = ~np.all(np.isfinite(points[:, i]), axis=-1) & np.all(np.isfinite(sh), axis=-1) & inside & gap_ok
            out[need, i] = sh[need] + shifted[need] * mirror
            if part == "wrist":
                counts[side] = int(need.sum())
    return out, counts


def compute_stride_period(points: np.ndarray, t: np.ndarray, lo_s: float = 0.25, hi_s: float = 1.6) -> float:
    """Stride period from the autocorrelation of the two ankles' forward separation.

    The difference of the left and right ankles' X repeats once per stride (two steps) whatever
    the camera does (treadmill, panning) and is seen in nearly every frame from the side.

    Parameters
    ----------
    points : ndarray, shape (T, 33, >=2)
        Landmarks with X forward in column 0, m.
    t : ndarray, shape (T,)
        Capture times, s (resampled to a uniform grid at the median interval).
    lo_s, hi_s : float
        Range of stride periods searched, s.

    Returns
    -------
    float
        The first autocorrelation peak above 0.3 in the range (parabolic sub-sample), s; NaN if none.
    """
    t = np.asarray(t, dtype=float)
    d = points[:, INDEX["left_ankle"], 0] - points[:, INDEX["right_ankle"], 0]
    ok = np.isfinite(d)
    if ok.sum() < 8:
        return float("nan")
    dt = float(np.median(np.diff(t)))
    grid = np.arange(t[ok][0], t[ok][-1], dt)
    if grid.size < 8:
        return float("nan")
    x = np.interp(grid, t[ok], d[ok])
    x = x - x.mean()
    denom = float(np.dot(x, x))
    if denom <= 0:
        return float("nan")
    n = x.size
    lags = np.arange(1, min(n - 2, int(hi_s / dt) + 2))
    if lags.size < 3:
        return float("nan")
    ac = np.array([np.dot(x[:-k], x[k:]) / denom * n / (n - k) for k in lags])
    for m in range(1, ac.size - 1):
        lag_s = lags[m] * dt
        if lo_s <= lag_s <= hi_s and ac[m] > 0.3 and ac[m] >= ac[m - 1] and ac[m] >= ac[m + 1]:
            a, b, c = ac[m - 1], ac[m], ac[m + 1]
            den = a - 2 * b + c
            off = 0.5 * (a - c) / den if den != 0 else 0.0
            return float((lags[m] + np.clip(off, -0.5, 0.5)) * dt)
    return float("nan")


def _nan_groups(n: int) -> GroupMomenta:
    nan = np.full((n, 3), np.nan)
    return GroupMomenta(push=nan, swing=nan.copy(), lower=nan.copy(), upper=nan.copy(), total=nan.copy())


def _empty_kinematics(track: PoseTrack, cfg: AnalysisConfig, model: BodyModel, reason: str) -> Kinematics:
    """Return a Kinematics of NaNs for a clip the stage cannot analyse."""
    n = track.n_frames
    s = model.n_segments
    return Kinematics(
        t=np.asarray(track.t, dtype=float),
        points=np.full((n, 33, 3), np.nan),
        com=np.full((n, 3), np.nan),
        com_velocity=np.full((n, 3), np.nan),
        phase=np.full(n, PHASE_UNKNOWN, dtype=np.int8),
        push_side=np.full(n, SIDE_UNKNOWN, dtype=np.int8),
        segment_names=model.names,
        segment_h=np.full((n, s, 3), np.nan),
        groups=_nan_groups(n),
        norm_factor=normalisation_factor(cfg.body.mass_kg, cfg.body.height_m),
        frame_confidence=np.zeros(n),
        axis_confidence={"mediolateral": 0.0, "vertical": 0.0},
        steps=Steps.empty(),
        is_running=False,
        running_reason=reason,
        info={
            "depth_method": cfg.kinematics.depth_method,
            "flight_push_rule": cfg.kinematics.flight_push_rule,
            "normalisation": NORMALISATION,
            "n_frames": n,
            "n_detected": int(np.sum(track.detected)),
            "skipped": reason,
        },
    )


def _seen_fraction(clean: CleanTrack, model: BodyModel) -> float:
    uses = np.any((np.abs(model.proximal) + np.abs(model.distal)) > 0, axis=0)
    obs = np.asarray(clean.observed, dtype=bool)[:, uses]
    return float(obs.mean()) if obs.size else 0.0


def compute_kinematics(track: PoseTrack, cfg: AnalysisConfig) -> Kinematics:
    """Run the kinematics stage on one clip's pose track.

    Parameters
    ----------
    track : PoseTrack
        Raw landmarks.
    cfg : AnalysisConfig
        Uses ``cleaning``, ``body`` and ``kinematics``.

    Returns
    -------
    Kinematics
        Lab-frame landmarks, COM, phases, push side, segment and group angular momentum
        about the whole-body COM (kg*m^2/s), confidences, steps and running verdict. A clip
        with fewer than :data:`MIN_FRAMES` frames in which a person was found gives a
        Kinematics of NaNs with ``is_running`` False and the reason; this never raises for
        such clips.
    """
    body = cfg.body
    kcfg = cfg.kinematics
    model = compute_body_model(body.sex, body.mass_kg)
    n = track.n_frames
    n_det = int(np.sum(np.asarray(track.detected, dtype=bool) & np.all(np.isfinite(track.xy), axis=(1, 2))))
    if n < MIN_FRAMES:
        return _empty_kinematics(track, cfg, model, f"The clip has {n} frames; at least {MIN_FRAMES} are needed.")
    if n_det < MIN_FRAMES:
        return _empty_kinematics(
            track, cfg, model, f"A person was found in {n_det} frames; at least {MIN_FRAMES} are needed."
        )

    t = np.asarray(track.t, dtype=float)
    clean = clean_track(track, cfg.cleaning)
    frame_conf = compute_frame_confidence(clean.visibility, clean.observed, clean.filled, model)
    seen = _seen_fraction(clean, model)
    scene = compute_scene(clean, body.height_m)
    sag_raw = compute_sagittal_points(clean, scene, unfiltered=True)  # events need unsmoothed foot paths
    events = compute_gait_events(sag_raw, t, scene.treadmill, clean.observed)
    # long clips: every (T, 33, ...) array is freed as soon as it has been used
    del sag_raw
    clean = dataclasses.replace(clean, xy_unfiltered=np.zeros((0, 33, 2)))  # (used by the scene and events only)
    sag = compute_sagittal_points(clean, scene)
    method = kcfg.depth_method
    if method == "world" and not np.all(np.isfinite(compute_world_lateral_axis(clean.world))):
        method = "prior"  # no usable world landmarks: compute_lab_points falls back to the prior too
    points = compute_lab_points(sag, clean.world, body.height_m, method)
    view, view_angle = compute_view(clean.world)
    step_s = 0.5 * compute_stride_period(sag, t)
    del sag
    if not np.isfinite(step_s):
        steps = events.steps.step_s[np.isfinite(events.steps.step_s)]
        step_s = float(np.median(steps)) if steps.size else float("nan")
    axis_conf = compute_axis_confidence(view, method, seen)
    side_consistency = compute_side_consistency(clean.world, scene.direction)
    cutoff_hz, cutoff_source, cleaning_counts = clean.cutoff_hz, clean.cutoff_source, dict(clean.counts)
    del clean
    points, arm_fill = compute_hidden_arm_fill(points, t, step_s)
    body_h = compute_body_momentum(points, model, t)  # segment kinematics a block of frames at a time
    seg_h = body_h.segment_h
    push = compute_push_side(events.contact, t, kcfg.flight_push_rule)
    left_w = None
    blend_sigma = 0.0
    if kcfg.push_blend:
        ev_t = np.concatenate([events.steps.touchdown_t, events.steps.toeoff_t])
        dt = float(np.median(np.diff(t)))
        blend_sigma = compute_blend_sigma(events.steps.touchdown_t, dt, events.steps.timing_uncertainty_s)
        left_w = compute_push_weight(push, t, ev_t, blend_sigma)
    groups = compute_group_momenta(seg_h, model.names, push, left_w)
    info: dict[str, Any] = {
        "m_per_px": scene.m_per_px,
        "scale_source": scene.scale_source,
        "direction": scene.direction,
        "treadmill": scene.treadmill,
        "scene_confidence": scene.confidence,
        "cutoff_hz": cutoff_hz,
        "cutoff_source": cutoff_source,
        "cleaning_counts": cleaning_counts,
        "depth_method": kcfg.depth_method,
        "depth_method_used": method,
        "view": view,
        "view_angle_deg": view_angle,
        "world_side_consistency": side_consistency,
        "flight_push_rule": kcfg.flight_push_rule,
        "push_blend_sigma_s": float(blend_sigma),
        "cadence_spm": events.cadence_spm,
        "cadence_uncertainty_spm": events.cadence_uncertainty_spm,
        "normalisation": NORMALISATION,
        "arm_fill_frames": arm_fill,
        "arm_fill_shift_s": step_s,
        "body_model": f"de Leva 1996 ({model.sex}), {model.n_segments} segments",
        "segment_length_m": {name: float(v) for name, v in zip(model.names, body_h.length_m, strict=True)},
        "n_frames": n,
        "n_detected": n_det,
        "notes": [*scene.notes, *events.notes],
    }
    return Kinematics(
        t=t,
        points=points,
        com=body_h.body_com,
        com_velocity=body_h.body_com_velocity,
        phase=np.asarray(events.phase, dtype=np.int8),
        push_side=np.asarray(push, dtype=np.int8),
        segment_names=model.names,
        segment_h=seg_h,
        groups=groups,
        norm_factor=normalisation_factor(body.mass_kg, body.height_m),
        frame_confidence=frame_conf,
        axis_confidence=axis_conf,
        steps=events.steps,
        is_running=bool(events.is_running),
        running_reason=events.running_reason,
        info=info,
    )
