"""Which batch job finished on which video: one small JSON record per video per job.

``DIR/.stdpose-dataset/jobs/<job key>/<video name>.json`` holds ``{"job", "params", "video",
"finished", "edits", "host", "pid", "seconds", "summary"}``. The job key is the job's name plus a
short hash of the parameters that change its result (an export to another folder or in another
format is another job). A record is written atomically after the video's result is in its project or
output file, so a batch killed at any moment leaves either no record (the video is done again on the
next run) or a true one; records of different videos never share a file, so shards on different
machines never write the same file.

A record counts as done while the project has not been edited since (``edits``, the number of
edits in the project's log, is unchanged) — except for detection, whose frames stay detected
(``stdpose detect`` itself skips frames detected before).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path

from stdpose_core.dataset.manifest import WORK_DIR, work_dir

#: Jobs whose record stays valid however the project is edited afterwards.
EDIT_PROOF_JOBS = ("detect",)


def job_key(job: str, params: dict | None = None) -> str:
    """``job`` or ``job-<hash of params>``: the folder name of the job's records."""
    if not params:
        return job
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{job}-{digest}"


def record_path(root: str | Path, key: str, name: str) -> Path:
    return Path(root, WORK_DIR, "jobs", key, f"{name}.json")


def write_record(root: str | Path, job: str, params: dict, name: str, edits: int | None, seconds: float,
                 summary: dict) -> dict:
    from stdpose_core.io.atomic import atomic_write_bytes

    record = {"job": job, "params": params, "video": name, "finished": round(time.time(), 3), "edits": edits,
              "host": socket.gethostname(), "pid": os.getpid(), "seconds": round(seconds, 3), "summary": summary}
    folder = work_dir(root, "jobs", job_key(job, params))
    atomic_write_bytes(folder / f"{name}.json", json.dumps(record, default=str).encode("utf-8"))
    return record


def read_record(root: str | Path, job: str, params: dict, name: str) -> dict | None:
    """The record, or None (none written, or a damaged one: the job simply runs again)."""
    try:
        record = json.loads(record_path(root, job_key(job, params), name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_done(record: dict | None, job: str, edits: int | None) -> bool:
    """True when ``record`` says the job finished and the project has not been edited since."""
    if not record:
        return False
    if job in EDIT_PROOF_JOBS:
        return True
    return edits is not None and record.get("edits") == edits


def finished_jobs(root: str | Path, name: str) -> dict[str, float]:
    """Job name → when it last finished on video ``name`` (any parameters), for status."""
    out: dict[str, float] = {}
    base = Path(root, WORK_DIR, "jobs")
    if not base.is_dir():
        return out
    for folder in base.iterdir():
        path = folder / f"{name}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            job, when = str(record["job"]), float(record["finished"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if when > out.get(job, 0.0):
            out[job] = when
    return out
