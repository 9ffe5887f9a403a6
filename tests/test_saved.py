"""Reading a saved output folder back: the C parse of plain numeric tables and the csv fallback agree."""

from __future__ import annotations

import csv

import numpy as np

from sprintbal.report.saved import _numeric_block, _to_float


def _cell_by_cell(lines: list[str]) -> np.ndarray:
    return np.array([[_to_float(c) for c in row] for row in csv.reader(lines) if row], dtype=float)


def test_numeric_block_is_the_cell_by_cell_reading() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(50):
        cells = [f"{v:.{rng.integers(0, 7)}f}" for v in rng.normal(0, 100, 6)]
        for j in rng.choice(6, size=int(rng.integers(0, 4)), replace=False):
            cells[j] = ""  # empty cells, also first and last ones
        rows.append(",".join(cells) + ("\r\n" if i % 2 else "\n"))
    rows.insert(7, "\n")  # a blank line is skipped, as csv skips it
    got = _numeric_block(rows, 6)
    assert got is not None
    assert np.array_equal(got, _cell_by_cell(rows), equal_nan=True)


def test_anything_else_is_left_to_csv() -> None:
    for bad in (['1,"2",3\n'], ["1,abc,3\n"], ["1,2\n"], ["1,2,3,4\n"], ["1, ,3\n"], ["1,\t,3\n"], ["1,1_0,3\n"]):
        assert _numeric_block(bad, 3) is None
    assert _numeric_block(["\n"], 3) is not None
