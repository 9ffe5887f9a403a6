"""Stand-in per-clip tasks for batch tests (importable by spawned worker processes).

``run_batch(..., task="batch_tasks:fake_task")`` runs :func:`fake_task` instead of the pipeline.
It behaves by the clip's name: ``hang`` sleeps for ever, ``slow`` sleeps ``$BATCH_TEST_SLOW``
seconds (30), ``crash`` kills its own process, ``boom`` raises; anything else writes a small
complete ``report.json`` (with the job's run key and the clip's real SHA-256) after
``$BATCH_TEST_SLEEP`` seconds. Every analysis appends the clip's label to ``$BATCH_TEST_LOG``,
so a test can count how often each clip was analysed.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from sprintbal.batch import ClipJob, row_from_report
from sprintbal.report.jsonutil import write_json


def fake_report(job: ClipJob) -> dict[str, Any]:
    digest = hashlib.sha256(Path(job.clip).read_bytes()).hexdigest()
    frames = len(Path(job.clip).read_bytes()) % 97 + 10
    return {
        "sprintbal_version": "test",
        "run_key": job.run_key,
        "clip": {"name": job.clip.name, "path": str(job.clip), "sha256": digest},
        "pose": {"frames": frames, "detection_rate": 0.9},
        "kinematics": {"n_contacts": 6, "cadence_steps_per_min": 240.0, "median_contact_s": 0.11,
                       "mean_frame_confidence": 0.8},
        "balance": {"events": [{"t": 1.0}], "scores": {"overall": 77.0}},
    }


def fake_task(job: ClipJob, on_progress: Any = None) -> dict[str, Any]:
    name = job.clip.name
    log = os.environ.get("BATCH_TEST_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{job.label}\n")
    if "hang" in name:
        time.sleep(3600)
    if "crash" in name:
        os._exit(3)
    if "slow" in name:
        time.sleep(float(os.environ.get("BATCH_TEST_SLOW", "30")))
    if "boom" in name:
        raise RuntimeError("kaboom")
    t0 = time.perf_counter()
    time.sleep(float(os.environ.get("BATCH_TEST_SLEEP", "0")))
    if on_progress is not None:
        on_progress("pose", 1, 1)
    report = fake_report(job)
    job.folder.mkdir(parents=True, exist_ok=True)
    write_json(job.folder / "report.json", report)
    return row_from_report(report, label=job.label, folder=job.folder, status="ok", reason="",
                           seconds=time.perf_counter() - t0)
