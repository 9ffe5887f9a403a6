from __future__ import annotations

import os
from pathlib import Path

import pytest

from sprintbal.atomic import atomic_open, write_text_atomic
from sprintbal.errors import OutputError


def test_write_replaces_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left behind
    write_text_atomic(target, "new")
    assert target.read_text() == "new"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_folder_is_output_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            write_text_atomic(ro / "x.txt", "x")
    finally:
        ro.chmod(0o700)


def test_output_under_a_file_is_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(OutputError):
        write_text_atomic(blocker / "x.txt", "x")


def test_written_files_have_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "p.txt"
    write_text_atomic(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~mask)
