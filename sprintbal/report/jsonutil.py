"""Turn numpy-laden results into strict JSON (NaN and infinities become null)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from sprintbal.atomic import write_text_atomic


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


def dumps(value: Any, indent: int | None = 2) -> str:
    """Serialise to strict JSON text (no NaN tokens)."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)


def write_json(path: Path, value: Any) -> None:
    """Write strict JSON atomically."""
    write_text_atomic(path, dumps(value) + "\n")
