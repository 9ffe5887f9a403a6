from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sprintbal.batch import find_clips, run_batch
from sprintbal.config import AnalysisConfig
from sprintbal.errors import ConfigError

FAKE = "batch_tasks:fake_task"


def _comparable(rows: list[dict[str, object]], out: Path) -> list[dict[str, object]]:
    """Rows without what legitimately differs between runs: wall time and the output root."""
    return [{**r, "seconds": None, "output_folder": Path(str(r["output_folder"])).relative_to(out).as_posix()}
            for r in rows]


@pytest.fixture(params=[False, True], ids=["threads", "processes"])
def local_cluster(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (sprintbal[dask])")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=request.param, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.dask
@pytest.mark.video
def test_dask_gives_the_same_rows_as_local(tmp_path: Path, local_cluster: str) -> None:
    from videogen import make_clip, stick_figure

    src = tmp_path / "clips"
    src.mkdir()
    good = make_clip(src / "good.mp4", 8, 30.0, (96, 128), draw=stick_figure)
    (src / "sub").mkdir()
    (src / "sub" / "good.mp4").write_bytes(good.read_bytes()[:300])  # same stem, truncated
    clips = find_clips(src)
    cache = tmp_path / "cache"
    local = run_batch(clips, tmp_path / "local", AnalysisConfig(), jobs=2, until="pose", cache_dir=cache, root=src)
    remote = run_batch(clips, tmp_path / "dask", AnalysisConfig(), scheduler=local_cluster, timeout_s=120,
                       until="pose", cache_dir=cache, root=src)
    assert [r["status"] for r in local.rows] == ["ok", "failed"]
    assert _comparable(remote.rows, tmp_path / "dask") == _comparable(local.rows, tmp_path / "local")
    assert (tmp_path / "dask" / Path(str(remote.rows[0]["output_folder"])).name / "report.json").is_file()
    # resume works the same way through the cluster
    again = run_batch(clips, tmp_path / "dask", AnalysisConfig(), scheduler=local_cluster, until="pose",
                      cache_dir=cache, root=src)
    assert [r["status"] for r in again.rows] == ["skipped", "failed"]


@pytest.mark.dask
def test_dask_timeout_is_recorded(tmp_path: Path, local_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH_TEST_SLEEP", "0")
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a_hang.mp4", "b_ok.mp4"):
        (src / name).write_bytes(name.encode())
    summary = run_batch(find_clips(src), tmp_path / "out", AnalysisConfig(), scheduler=local_cluster, timeout_s=1.5,
                        task=FAKE)
    assert {Path(str(r["clip"])).stem: (r["status"], r["reason"]) for r in summary.rows} == {
        "a_hang": ("failed", "timed out after 1.5 s"),
        "b_ok": ("ok", ""),
    }


def test_missing_dask_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "a.mp4").write_bytes(b"x")
    with pytest.raises(ConfigError, match=r'pip install "sprintbal\[dask\]"'):
        run_batch([tmp_path / "a.mp4"], tmp_path / "out", AnalysisConfig(), scheduler="tcp://127.0.0.1:1", task=FAKE)
