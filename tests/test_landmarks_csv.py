"""The landmark and TRC tables' number formatting: array layout, character for character Python's ``%`` formatting."""

from __future__ import annotations

import numpy as np
import pytest

from sprintbal.report.landmarks_csv import format_rows


def _python(values: np.ndarray, formats: list[str], sep: str = ",") -> str:
    fmt = sep.join(formats)
    text = "\n".join(fmt % tuple(row) for row in values.tolist()) + "\n"
    return text.replace("-inf", "").replace("inf", "").replace("nan", "")


@pytest.mark.parametrize("seed", range(8))
def test_fixed_point_cells_are_pythons(seed: int) -> None:
    rng = np.random.default_rng(seed)
    r, c = 40, 12
    values = rng.normal(0, 10.0 ** rng.uniform(-3, 5), (r, c))
    values[:, 0] = rng.integers(-3000, 3000, r) / 8.0  # exact ties at every number of decimals up to 3
    values[:, 1] = rng.integers(-10**6, 10**6, r) / 1000.0 + 0.0005  # near ties
    values[:5, 2] = [-0.0, -1e-9, 0.0, 1e15, -2.5]
    values[rng.random((r, c)) < 0.1] = np.nan
    values[0, 3], values[1, 3] = np.inf, -np.inf
    formats = [f"%.{k}f" for k in rng.integers(0, 8, c)]
    for sep in (",", "\t"):
        assert format_rows(values, formats, sep) == _python(values, formats, sep)


def test_other_formats_and_huge_values_take_the_general_path() -> None:
    values = np.array([[1.5, 2e17, 3.25], [np.nan, -4.0, 1e-7]])
    for formats in (["%.2f", "%.3f", "%.6g"], ["%.2f", "%.3f", "%.1f"]):
        assert format_rows(values, formats) == _python(values, formats)
    assert format_rows(np.zeros((0, 3)), ["%.1f"] * 3) == ""
