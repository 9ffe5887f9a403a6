"""Turn numpy-laden results into strict JSON (NaN and infinities become null)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sprintbal.atomic import write_text_atomic
from sprintbal.jsonable import to_jsonable

__all__ = ["dumps", "to_jsonable", "write_json"]


def dumps(value: Any, indent: int | None = 2) -> str:
    """Serialise to strict JSON text (no NaN tokens)."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)


def write_json(path: Path, value: Any) -> None:
    """Write strict JSON atomically."""
    write_text_atomic(path, dumps(value) + "\n")
