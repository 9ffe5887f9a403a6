"""Property-based tests (issue 8) of the numeric stages and the report writers.

Pose tracks are built from an analytic side-view runner (or a constant pose, or pure noise), at any frame
rate from 1 to 1000 fps, 0-200 frames, pixel scales from 1e-3 to 1e4 px/m, with arbitrary NaN patterns
(random cells, whole frames, runs of frames, whole landmarks, everything). Cleaning, kinematics, balance and
every output file must never raise (warnings are errors in this suite, so a numpy RuntimeWarning fails too),
never produce an infinity, and keep NaN only where a value is documented as unknown: empty cells in the CSV
files, ``null`` in a strictly valid ``report.json``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sprintbal.balance import assess_balance
from sprintbal.config import AnalysisConfig
from sprintbal.kinematics.cleaning import clean_track
from sprintbal.kinematics.compute import compute_kinematics
from sprintbal.pose.landmarks import N_LANDMARKS
from sprintbal.pose.track import PoseTrack
from sprintbal.report.outputs import write_outputs
from sprintbal.result import AnalysisResult
from sprintbal.video import VideoInfo
from tests.fixtures_kin import runner_sagittal

CFG = AnalysisConfig()
#: Examples per property (SPRINTBAL_HYPOTHESIS_EXAMPLES=300 for a longer hunt); derandomized: CI is reproducible.
SETTINGS = settings(
    deadline=None,
    max_examples=int(os.environ.get("SPRINTBAL_HYPOTHESIS_EXAMPLES", "40")),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclasses.dataclass(frozen=True)
class Case:
    n: int
    fps: float
    px_per_m: float
    motion: str
    mask: str
    density: float
    seed: int


cases = st.builds(
    Case,
    n=st.one_of(st.sampled_from([0, 1, 2, 3, 5, 200]), st.integers(0, 200)),
    fps=st.one_of(st.sampled_from([1.0, 1000.0, 30.0, 240.0]), st.floats(1.0, 1000.0)),
    px_per_m=st.one_of(st.sampled_from([1e-3, 1e4, 200.0]), st.floats(1e-3, 1e4)),
    motion=st.sampled_from(["runner", "constant", "noise"]),
    mask=st.sampled_from(["none", "cells", "frames", "runs", "landmarks", "all", "alternate"]),
    density=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)


def _nan_mask(case: Case, rng: np.random.Generator) -> np.ndarray:
    """(T, 33) True where a landmark is missing."""
    n = case.n
    m = np.zeros((n, N_LANDMARKS), dtype=bool)
    if case.mask == "cells":
        m = rng.random((n, N_LANDMARKS)) < case.density
    elif case.mask == "frames":
        m[rng.random(n) < case.density] = True
    elif case.mask == "runs" and n:
        for _ in range(1 + int(5 * case.density)):
            a = int(rng.integers(0, n))
            m[a : a + int(rng.integers(1, max(2, n // 2)))] = True
    elif case.mask == "landmarks":
        m[:, rng.random(N_LANDMARKS) < case.density] = True
    elif case.mask == "all":
        m[:] = True
    elif case.mask == "alternate":
        m[::2] = True
    return m


def make_case_track(case: Case) -> PoseTrack:
    rng = np.random.default_rng(case.seed)
    n = case.n
    t = np.arange(n) / case.fps
    if case.motion == "runner":
        sag, _, _ = runner_sagittal(t if n else np.zeros(1))
        sag = sag[:n]
    elif case.motion == "constant":
        sag, _, _ = runner_sagittal(np.zeros(max(n, 1)))
        sag = np.repeat(sag[:1], n, axis=0)
    else:
        sag = rng.normal(0.0, 1.0, (n, N_LANDMARKS, 2))
    xy = np.empty((n, N_LANDMARKS, 2))
    xy[..., 0] = 100.0 + sag[..., 0] * case.px_per_m
    xy[..., 1] = 900.0 - sag[..., 1] * case.px_per_m
    world = np.zeros((n, N_LANDMARKS, 3))
    world[..., :2] = sag - sag[:, :1]
    world[..., 1] *= -1.0
    z = np.zeros((n, N_LANDMARKS))
    vis = rng.uniform(0.0, 1.0, (n, N_LANDMARKS)) if case.motion == "noise" else np.full((n, N_LANDMARKS), 0.99)
    missing = _nan_mask(case, rng)
    for arr in (xy, world):
        arr[missing] = np.nan
    for arr in (z, vis):
        arr[missing] = np.nan
    presence = vis.copy()
    detected = ~missing.all(axis=1)
    return PoseTrack(
        t=t, xy=xy, z=z, visibility=vis, presence=presence, world=world, detected=detected,
        image_size=(1920, 1080), model="property-test",
    )


def _float_arrays(obj: Any, path: str = "") -> list[tuple[str, np.ndarray]]:
    """Every float array or float reachable from a result dataclass (fields, dicts, tuples)."""
    out: list[tuple[str, np.ndarray]] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            out += _float_arrays(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out += _float_arrays(v, f"{path}[{k!r}]")
    elif isinstance(obj, (list, tuple)):
        for k, v in enumerate(obj):
            out += _float_arrays(v, f"{path}[{k}]")
    elif isinstance(obj, np.ndarray) and np.issubdtype(obj.dtype, np.floating):
        out.append((path, obj))
    elif isinstance(obj, (float, np.floating)):
        out.append((path, np.asarray(float(obj))))
    return out


def _assert_no_inf(obj: Any, what: str) -> None:
    bad = [name for name, arr in _float_arrays(obj) if np.isinf(arr).any()]
    assert not bad, f"{what}: infinite values in {bad}"


def _strict_json(path: Path) -> Any:
    def bad_constant(name: str) -> Any:
        raise AssertionError(f"{path}: non-standard JSON constant {name}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=bad_constant)


def _check_csv(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [row for row in csv.reader(fh) if row and not row[0].startswith("#")]  # comment lines: units
    header = rows[0]
    for row in rows[1:]:
        assert len(row) == len(header), path
        for cell in row:
            assert cell.lower().lstrip("+-") not in ("nan", "inf", "infinity"), (path, cell)
            try:
                value = float(cell)
            except ValueError:
                continue  # empty (missing) or a word
            assert math.isfinite(value), (path, cell)
    return len(rows) - 1


def _video_info(case: Case) -> VideoInfo:
    return VideoInfo(
        path="property.mp4", width=1920, height=1080, coded_width=1920, coded_height=1080, codec="h264",
        fps=case.fps, frame_count=case.n, duration_s=case.n / case.fps, rotation_deg=0, capture_fps=None,
        time_scale=1.0, variable_frame_rate=False, file_size_bytes=1,
    )


@SETTINGS
@given(case=cases)
def test_clean_track_never_raises_nor_invents_infinities(case: Case) -> None:
    track = make_case_track(case)
    clean = clean_track(track, CFG.cleaning)
    assert clean.xy.shape == track.xy.shape and clean.world.shape == track.world.shape
    _assert_no_inf(clean, "CleanTrack")
    # a value is only there where it was observed or filled; nothing appears out of nowhere
    finite = np.isfinite(clean.xy).all(axis=-1)
    assert not (finite & ~(clean.observed | clean.filled)).any()
    assert math.isnan(clean.cutoff_hz) or (math.isfinite(clean.cutoff_hz) and clean.cutoff_hz > 0)  # NaN: unfiltered


@SETTINGS
@given(case=cases)
def test_kinematics_balance_and_outputs_stay_finite_or_missing(case: Case, tmp_path_factory: Any) -> None:
    track = make_case_track(case)
    kin = compute_kinematics(track, CFG)
    assert kin.t.shape == (case.n,)
    _assert_no_inf(kin, "Kinematics")
    if not kin.is_running:
        assert kin.running_reason
    for axis, conf in kin.axis_confidence.items():
        assert conf is None or 0.0 <= conf <= 1.0, (axis, conf)
    balance = assess_balance(kin, CFG.balance)
    _assert_no_inf(balance, "BalanceAssessment")

    folder = tmp_path_factory.mktemp("out")
    result = AnalysisResult(
        clip=Path("property.mp4"), clip_sha256="0" * 64, video=_video_info(case), config=CFG, track=track,
        kinematics=kin, balance=balance, version="test",
    )
    report = write_outputs(result, folder)
    on_disk = _strict_json(folder / "report.json")
    assert on_disk["pose"]["frames"] == case.n
    assert report["kinematics"]["is_running"] is kin.is_running
    assert _check_csv(folder / "frames.csv") == case.n
    assert _check_csv(folder / "landmarks.csv") == case.n
    assert _check_csv(folder / "steps.csv") == kin.steps.n
    for name in ("events.csv", "steps_balance.csv"):
        _check_csv(folder / name)
    trc = (folder / "markers.trc").read_text(encoding="utf-8").lower()
    assert "nan" not in trc and "inf" not in trc
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fps", [1.0, 1000.0])
@pytest.mark.parametrize("px_per_m", [1e-3, 1e4])
def test_extremes_of_rate_and_scale(fps: float, px_per_m: float, tmp_path: Path) -> None:
    """The four corners, explicitly (hypothesis also visits them): a full 200-frame runner."""
    case = Case(n=200, fps=fps, px_per_m=px_per_m, motion="runner", mask="cells", density=0.1, seed=1)
    track = make_case_track(case)
    kin = compute_kinematics(track, CFG)
    _assert_no_inf(kin, "Kinematics")
    balance = assess_balance(kin, CFG.balance)
    _assert_no_inf(balance, "BalanceAssessment")
