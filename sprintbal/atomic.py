"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader never sees a half-written file, and an existing file is replaced only
once its successor is complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sprintbal.errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    Parameters
    ----------
    target : Path
        Final file path.
    suffix : str
        Suffix for the temporary file (some writers choose a format by suffix).

    Yields
    ------
    Path
        Temporary path to write to. Removed if the body raises.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write to {target.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file for writing; rename it onto ``target`` when closed cleanly.

    Parameters
    ----------
    target : Path
        Final file path.
    mode : str
        ``"w"`` (text) or ``"wb"`` (binary).
    encoding : str or None
        Text encoding; ignored for binary mode.

    Yields
    ------
    IO
        The open temporary file.
    """
    with atomic_path(target) as tmp:
        if "b" in mode:
            with open(tmp, mode) as fh:
                yield fh
        else:
            with open(tmp, mode, encoding=encoding, newline="") as fh:
                yield fh


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (UTF-8)."""
    with atomic_open(target, "w") as fh:
        fh.write(text)
