from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprintbal.batch import (
    LOCK_NAME,
    SUMMARY_COLUMNS,
    BatchEvent,
    ClipLock,
    find_clips,
    merge_summary,
    output_names,
    read_summary,
    run_batch,
    run_key,
)
from sprintbal.cli import app
from sprintbal.config import AnalysisConfig, resolve_config

TESTS = Path(__file__).resolve().parent
FAKE = "batch_tasks:fake_task"
runner = CliRunner(env={"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"})


def _csv_rows(out: Path) -> list[dict[str, str]]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == SUMMARY_COLUMNS
        return list(reader)


def _clips(folder: Path, names: list[str]) -> list[Path]:
    paths = []
    for i, name in enumerate(names):
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(f"fake clip {i} {name}".encode())
        paths.append(p)
    return paths


@pytest.fixture
def fake_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "analysed.log"
    monkeypatch.setenv("BATCH_TEST_LOG", str(log))
    monkeypatch.setenv("BATCH_TEST_SLEEP", "0")
    return log


def _analysed(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


# ---- finding clips and naming folders --------------------------------------------------------------------------


def test_find_clips_recursive_case_insensitive_skips_output_and_hidden(tmp_path: Path) -> None:
    _clips(tmp_path, ["b.MOV", "a.mp4", "notes.txt", "sub/c.Mkv", "sub/d.webm", "sub/e.m4v", "f.AVI",
                      ".hidden/x.mp4", "out/y.mp4", "sub/.z.mp4"])
    # an older batch output folder elsewhere under the root is recognised and skipped too
    _clips(tmp_path, ["old_out/w.mp4"])
    (tmp_path / "old_out" / "summary.json").write_text("{}")
    (tmp_path / "old_out" / ".summary.lock").write_text("")
    found = find_clips(tmp_path, exclude=[tmp_path / "out"])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.mp4", "b.MOV", "f.AVI", "sub/c.Mkv", "sub/d.webm", "sub/e.m4v"]


def test_output_names_unique_for_same_stem(tmp_path: Path) -> None:
    clips = _clips(tmp_path, ["run/a.mp4", "walk/a.mp4", "walk/A.mov", "b.mp4"])
    names = output_names(clips, tmp_path)
    assert names[clips[3]] == "b"
    same = [names[c] for c in clips[:3]]
    assert len(set(same)) == 3 and all(n.lower().startswith("a-") and len(n) == 10 for n in same)
    # stable: depends on the path relative to the root, not on where the root lives
    moved = [tmp_path / "elsewhere" / c.relative_to(tmp_path) for c in clips]
    assert [output_names(moved, tmp_path / "elsewhere")[m] for m in moved] == [names[c] for c in clips]


def test_run_key_changes_with_options() -> None:
    a = run_key(AnalysisConfig())
    assert a == run_key(AnalysisConfig())
    assert a != run_key(resolve_config(None, {"body": {"height_m": 1.9}}))
    assert a != run_key(AnalysisConfig(), until="pose")


# ---- the real pipeline through the CLI -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from videogen import make_clip, stick_figure

    root = tmp_path_factory.mktemp("mixed")
    clips = root / "clips"
    clips.mkdir()
    good = make_clip(clips / "good.mp4", 12, 30.0, (96, 128), draw=stick_figure)
    data = good.read_bytes()
    (clips / "corrupt.mp4").write_bytes(data[: len(data) // 3])
    (clips / "notes.mp4").write_text("not a video at all\n" * 40)
    return root


@pytest.mark.video
def test_cli_batch_mixed_folder_then_resume(mixed_folder: Path) -> None:
    clips, out, cache = mixed_folder / "clips", mixed_folder / "out", mixed_folder / "cache"
    args = ["batch", str(clips), "--out", str(out), "--jobs", "2", "--cache-dir", str(cache)]
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    rows = {Path(r["clip"]).name: r for r in _csv_rows(out)}
    assert set(rows) == {"good.mp4", "corrupt.mp4", "notes.mp4"}
    assert rows["good.mp4"]["status"] == "ok" and rows["good.mp4"]["reason"] == ""
    assert rows["good.mp4"]["frames"] == "12"
    for bad in ("corrupt.mp4", "notes.mp4"):
        assert rows[bad]["status"] == "failed"
        assert bad in rows[bad]["reason"] and "\n" not in rows[bad]["reason"]
    assert "not a video" in rows["notes.mp4"]["reason"]
    report = json.loads((out / "good" / "report.json").read_text())
    assert report["run_key"] and report["pose"]["frames"] == 12
    assert not list(out.glob("*/" + LOCK_NAME)), "locks must be released"
    assert json.loads((out / "summary.json").read_text())["counts"] == {"ok": 1, "failed": 2, "skipped": 0}
    assert "1 ok, 2 failed, 0 skipped" in res.output

    # unchanged re-run: the finished clip is skipped (its metrics kept), the failures are tried again
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    status = {Path(r["clip"]).name: r["status"] for r in doc["clips"]}
    assert status == {"good.mp4": "skipped", "corrupt.mp4": "failed", "notes.mp4": "failed"}
    good_row = next(r for r in doc["clips"] if r["clip"].endswith("good.mp4"))
    assert good_row["frames"] == 12
    assert len(_csv_rows(out)) == 3

    # another option: the clip is analysed again
    res = runner.invoke(app, [*args, "--json", "--height", "1.9"])
    doc = json.loads(res.stdout)
    status = {Path(r["clip"]).name: r["status"] for r in doc["clips"]}
    assert status["good.mp4"] == "ok"
    assert json.loads((out / "good" / "report.json").read_text())["config"]["body"]["height_m"] == 1.9


def test_cli_batch_empty_folder_is_one_line_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert res.output.strip().startswith("sprintbal: error: ") and len(res.output.strip().splitlines()) == 1


# ---- orchestration with stand-in tasks (fast) ------------------------------------------------------------------


def test_timeout_crash_and_error_are_recorded_and_batch_goes_on(tmp_path: Path, fake_log: Path) -> None:
    clips = _clips(tmp_path / "in", ["a_hang.mp4", "b_crash.mp4", "c_boom.mp4", "d_ok.mp4"])
    events: list[BatchEvent] = []
    t0 = time.monotonic()
    summary = run_batch(clips, tmp_path / "out", AnalysisConfig(), jobs=2, timeout_s=1.5, task=FAKE,
                        on_event=events.append)
    assert time.monotonic() - t0 < 30
    rows = {Path(r["clip"]).stem: r for r in summary.rows}
    assert rows["a_hang"]["status"] == "failed" and rows["a_hang"]["reason"] == "timed out after 1.5 s"
    assert rows["b_crash"]["reason"] == "worker process died (exit code 3)"
    assert rows["c_boom"]["status"] == "failed" and "RuntimeError: kaboom" in rows["c_boom"]["reason"]
    assert rows["d_ok"]["status"] == "ok" and rows["d_ok"]["frames"] is not None
    assert (summary.n_ok, summary.n_failed, summary.n_skipped) == (1, 3, 0)
    assert [r["status"] for r in _csv_rows(tmp_path / "out")] == ["failed", "failed", "failed", "ok"]
    kinds = [e.kind for e in events]
    assert kinds[0] == "begin" and kinds[-1] == "end" and kinds.count("done") == 4 and kinds.count("start") == 4
    assert [e.finished for e in events if e.kind == "done"] == [1, 2, 3, 4]
    leftovers = [p.name for p in (tmp_path / "out").rglob(".*") if p.name != ".summary.lock"]
    assert leftovers == []


def test_resume_skips_and_redoes_on_option_or_clip_change(tmp_path: Path, fake_log: Path) -> None:
    clips = _clips(tmp_path / "in", ["x.mp4", "y.mp4"])
    out = tmp_path / "out"
    first = run_batch(clips, out, AnalysisConfig(), jobs=2, task=FAKE)
    assert first.n_ok == 2 and sorted(_analysed(fake_log)) == sorted(str(c) for c in clips)

    again = run_batch(clips, out, AnalysisConfig(), jobs=2, task=FAKE)
    assert again.n_skipped == 2 and len(_analysed(fake_log)) == 2
    assert all(r["frames"] is not None for r in again.rows), "a skipped clip keeps its metrics in the summary"

    clips[0].write_bytes(b"new bytes")  # a changed clip is analysed again
    third = run_batch(clips, out, AnalysisConfig(), jobs=2, task=FAKE)
    assert {Path(r["clip"]).name: r["status"] for r in third.rows} == {"x.mp4": "ok", "y.mp4": "skipped"}

    other = resolve_config(None, {"body": {"mass_kg": 80.0}})  # other options: both again
    fourth = run_batch(clips, out, other, jobs=2, task=FAKE)
    assert fourth.n_ok == 2 and len(_analysed(fake_log)) == 5


def test_stale_lock_is_taken_over_and_live_lock_is_respected(tmp_path: Path, fake_log: Path) -> None:
    clips = _clips(tmp_path / "in", ["s.mp4"])
    out = tmp_path / "out"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / "s").mkdir(parents=True)
    (out / "s" / LOCK_NAME).write_text(json.dumps({"host": os.uname().nodename, "pid": dead.pid, "start": "1"}))
    summary = run_batch(clips, out, AnalysisConfig(), task=FAKE)
    assert summary.n_ok == 1
    assert not (out / "s" / LOCK_NAME).exists()

    import socket

    from sprintbal.batch import _proc_start_time

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_file = tmp_path / "held" / LOCK_NAME
        lock_file.parent.mkdir()
        lock_file.write_text(json.dumps({"host": socket.gethostname(), "pid": alive.pid,
                                         "start": _proc_start_time(alive.pid)}))
        lock = ClipLock(lock_file.parent, tmp_path / ".guard")
        assert not lock.acquire()
        alive.kill()
        alive.wait()
        assert lock.acquire() and json.loads(lock_file.read_text())["pid"] == os.getpid()
        lock.release()
        assert not lock_file.exists()
    finally:
        alive.kill()
        alive.wait()


def test_merge_summary_keeps_rows_of_other_batches(tmp_path: Path) -> None:
    base = {c: None for c in SUMMARY_COLUMNS}
    merge_summary(tmp_path, [{**base, "clip": "a.mp4", "status": "ok", "output_folder": str(tmp_path / "a")}])
    merge_summary(tmp_path, [{**base, "clip": "b.mp4", "status": "failed", "reason": "x, \"y\"",
                              "output_folder": str(tmp_path / "b")}])
    merge_summary(tmp_path, [{**base, "clip": "a.mp4", "status": "skipped", "output_folder": str(tmp_path / "a")}])
    rows = read_summary(tmp_path)
    assert [(r["clip"], r["status"]) for r in rows] == [("a.mp4", "skipped"), ("b.mp4", "failed")]
    csv_rows = _csv_rows(tmp_path)
    assert csv_rows[1]["reason"] == 'x, "y"'


_BATCH_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from sprintbal.batch import find_clips, run_batch
    from sprintbal.config import AnalysisConfig

    if __name__ == "__main__":
        try:
            s = run_batch(find_clips(Path({src!r})), Path({out!r}), AnalysisConfig(), jobs={jobs},
                          task="batch_tasks:fake_task")
        except KeyboardInterrupt:
            sys.exit(130)
        print(s.n_ok, s.n_skipped, s.n_failed)
    """
)


def _start_batch(tmp_path: Path, src: Path, out: Path, jobs: int, name: str) -> subprocess.Popen[str]:
    script = tmp_path / f"{name}.py"
    script.write_text(_BATCH_SCRIPT.format(tests=str(TESTS), src=str(src), out=str(out), jobs=jobs))
    return subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_batches_on_one_out_analyse_each_clip_once(tmp_path: Path, fake_log: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH_TEST_SLEEP", "0.3")
    src = tmp_path / "in"
    clips = _clips(src, [f"c{i}.mp4" for i in range(4)])
    out = tmp_path / "out"
    procs = [_start_batch(tmp_path, src, out, 1, f"b{k}") for k in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, stderr
        ok, skipped, failed = map(int, stdout.split())
        assert ok + skipped == 4 and failed == 0
    assert sorted(_analysed(fake_log)) == sorted(str(c) for c in clips), "each clip analysed exactly once"
    rows = _csv_rows(out)
    assert len(rows) == 4 and {r["status"] for r in rows} <= {"ok", "skipped"}
    assert not list(out.glob("*/" + LOCK_NAME))


def test_ctrl_c_stops_workers_and_leaves_a_valid_summary(tmp_path: Path, fake_log: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    _clips(src, ["a_ok.mp4", "b_hang.mp4", "c_slow.mp4"])
    out = tmp_path / "out"
    proc = _start_batch(tmp_path, src, out, 2, "int")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / "summary.csv").exists():
        time.sleep(0.1)
    while time.monotonic() < deadline and "b_hang" not in " ".join(_analysed(fake_log)):
        time.sleep(0.1)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    rows = _csv_rows(out)
    assert [Path(r["clip"]).name for r in rows] == ["a_ok.mp4"], "only finished clips are in the summary"
    assert json.loads((out / "summary.json").read_text())["counts"]["ok"] == 1
    assert not list(out.glob("*/" + LOCK_NAME))
    leftovers = [p.name for p in out.rglob(".*") if p.name != ".summary.lock"]
    assert leftovers == []
    # the interrupted clips are done on the next run, the finished one is skipped
    monkeypatch.setenv("BATCH_TEST_SLOW", "0")
    clips = find_clips(src)
    summary = run_batch([c for c in clips if "hang" not in c.name], out, AnalysisConfig(), task=FAKE)
    assert {Path(r["clip"]).name: r["status"] for r in summary.rows} == {"a_ok.mp4": "skipped", "c_slow.mp4": "ok"}


def test_bad_arguments_are_config_errors(tmp_path: Path) -> None:
    from sprintbal.errors import ConfigError

    with pytest.raises(ConfigError, match="jobs"):
        run_batch([], tmp_path, AnalysisConfig(), jobs=0)
    with pytest.raises(ConfigError, match="timeout"):
        run_batch([], tmp_path, AnalysisConfig(), timeout_s=0)
