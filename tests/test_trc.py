from __future__ import annotations

from pathlib import Path

import numpy as np

from sprintbal.pose.landmarks import LANDMARK_NAMES, MIRROR
from sprintbal.report.trc import read_trc, write_trc


def test_trc_round_trip_with_header(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(10) / 60.0
    xyz = rng.normal(size=(10, 33, 3))
    xyz[3, 5] = np.nan
    path = tmp_path / "m.trc"
    write_trc(path, t, LANDMARK_NAMES, xyz, 60.0)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("PathFileType\t4\t(X/Y/Z)")
    assert lines[1].split("\t")[:5] == ["DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units"]
    assert lines[2].split("\t")[2:5] == ["10", "33", "m"]
    assert lines[3].startswith("Frame#\tTime\tnose")
    back = read_trc(path)
    assert back.markers == LANDMARK_NAMES
    assert back.units == "m" and back.data_rate == 60.0
    np.testing.assert_allclose(back.t, t, atol=1e-6)
    np.testing.assert_allclose(back.xyz, xyz, atol=1e-5)
    assert np.isnan(back.xyz[3, 5]).all()


def test_mirror_table_is_an_involution() -> None:
    assert all(MIRROR[MIRROR[i]] == i for i in range(33))
    assert MIRROR[0] == 0
    assert LANDMARK_NAMES[MIRROR[LANDMARK_NAMES.index("left_knee")]] == "right_knee"
    assert LANDMARK_NAMES[MIRROR[LANDMARK_NAMES.index("mouth_left")]] == "mouth_right"
