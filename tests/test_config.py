from __future__ import annotations

from pathlib import Path

import pytest

from sprintbal.config import AnalysisConfig, resolve_config
from sprintbal.errors import ConfigError


def test_defaults_are_frozen_and_serialisable() -> None:
    cfg = resolve_config()
    assert cfg == AnalysisConfig()
    with pytest.raises(AttributeError):
        cfg.body.height_m = 2.0  # type: ignore[misc]
    d = cfg.to_dict()
    assert d["body"]["height_m"] == 1.75
    assert d["pose"]["model_path"] is None


def test_toml_then_flags_override(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[body]\nheight_m = 1.9\nsex = "female"\n[cleaning]\ncutoff_hz = 12.0\n')
    cfg = resolve_config(f, {"body": {"height_m": 1.6, "mass_kg": None}})
    assert cfg.body.height_m == 1.6  # flag wins over file
    assert cfg.body.sex == "female"  # file wins over default
    assert cfg.body.mass_kg == 70.0  # None flag leaves the default
    assert cfg.cleaning.cutoff_hz == 12.0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[nonsense]\nx = 1\n", "unknown table"),
        ("[body]\nwingspan = 2\n", "unknown option"),
        ("[body]\nheight_m = 7\n", "height_m"),
        ("[body]\nsex = 'other'\n", "sex"),
        ("[kinematics]\ndepth_method = 'lidar'\n", "depth_method"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_error(tmp_path: Path, text: str, fragment: str) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        resolve_config(f)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        resolve_config(tmp_path / "nope.toml")


def test_model_path_becomes_path() -> None:
    cfg = resolve_config(None, {"pose": {"model_path": "x.task"}})
    assert cfg.pose.model_path == Path("x.task")
    assert cfg.pose.cache_key()["model"] == "x.task"


def test_swing_timing_options_from_toml_and_bounds(tmp_path):
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text("[balance]\nswing_drive_fraction = 0.5\nswing_timing_floor_s = 0.01\nmin_swings_baseline = 6\n")
    b = resolve_config(cfg_file).balance
    assert (b.swing_drive_fraction, b.swing_timing_floor_s, b.min_swings_baseline) == (0.5, 0.01, 6)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ConfigError, match="swing_drive_fraction"):
            resolve_config(overrides={"balance": {"swing_drive_fraction": bad}})
