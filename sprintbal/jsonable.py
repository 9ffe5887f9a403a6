"""Plain-JSON conversion shared by every stage's ``to_dict`` and the report writers.

numpy scalars and arrays become Python numbers and lists, paths strings, tuples lists, and NaN or
infinities ``None`` (strict JSON has no NaN: ``null`` stands for "unknown").
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, paths and tuples to plain JSON types; NaN/inf to None.

    Parameters
    ----------
    value : Any
        Nested dicts, lists, tuples, numpy values, paths, numbers, strings.

    Returns
    -------
    Any
        The same structure in JSON-native types.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, Path):
        return str(value)
    return value


def dig(data: Any, *keys: str) -> Any:
    """Return ``data[k1][k2]...``, or None as soon as a level is missing or not a dict.

    Parameters
    ----------
    data : Any
        Nested dictionaries (e.g. a loaded report.json).
    *keys : str
        The path of keys.

    Returns
    -------
    Any
        The value found, or None.
    """
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
