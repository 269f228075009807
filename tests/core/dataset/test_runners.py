"""Runners: a local process pool that survives a killed worker, and Ray (a local instance here;
skipped when Ray is not installed)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pytest

from stdpose_core.dataset import batch_job, load
from stdpose_core.dataset.runners import PoolRunner, RayRunner, SerialRunner, make_runner
from stdpose_core.dataset.work import VideoOutcome, VideoTask
from stdpose_core.errors import StdposeError
from stdpose_core.progress import run_to_completion


def tasks_for(root, job="propagate", params=None):
    root = root.resolve()
    return [VideoTask(str(root), e.name, str(e.video_path(root)), str(e.project_path(root)), job, params or {"method": "flow"})
            for e in load(root).entries]


def test_make_runner_picks_by_options():
    assert isinstance(make_runner(1), SerialRunner) and isinstance(make_runner(3), PoolRunner)
    with pytest.raises(StdposeError, match="--workers must be >= 1"):
        make_runner(0)


def test_ray_missing_is_one_clear_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *a, **k):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(StdposeError, match=r"stdpose-annotator\[cluster\].*--workers N"):
        RayRunner()


@pytest.mark.slow
def test_pool_survives_a_killed_worker(dataset):
    """A worker killed mid-batch (the out-of-memory killer, an operator): its videos run again in a
    fresh pool and every video ends done."""
    steps = (s for s in PoolRunner(2).run(tasks_for(dataset)) if isinstance(s, VideoOutcome))  # not the heartbeats
    first = next(steps)
    victims = [p for p in multiprocessing.active_children() if p.is_alive()]
    assert victims, "no worker process to kill"
    os.kill(victims[0].pid, signal.SIGKILL)
    rest = list(steps)
    outcomes = {o.name: o.status for o in [first, *rest]}
    assert sorted(outcomes) == sorted(load(dataset).names())
    # A worker killed after it saved a video but before it reported it: the fresh pool finds that video
    # done before ("skipped"); anything else would be a lost or failed video.
    assert set(outcomes.values()) <= {"done", "skipped"} and list(outcomes.values()).count("skipped") <= 1
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]  # the pool is gone
    again = {o.name: o.status for o in PoolRunner(2).run(tasks_for(dataset)) if isinstance(o, VideoOutcome)}
    assert set(again.values()) == {"skipped"}  # every video's propagation is saved


@pytest.mark.slow
def test_ray_local_instance_runs_the_batch(dataset, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "pt"
    result = run_to_completion(batch_job(dataset, "propagate", {"method": "flow"}, runner=RayRunner(workers=2)))
    assert {o.status for o in result.outcomes} == {"done"} and result.runner == "Ray (local)"
    import ray

    assert not ray.is_initialized()  # the local instance it started is stopped again
    exported = run_to_completion(batch_job(dataset, "export", {"format": "posetrack18", "output": str(out)},
                                           runner=RayRunner(workers=2)))
    assert {o.status for o in exported.outcomes} == {"done"}
    doc = json.loads((out / "v00_clip.json").read_text())
    assert len(doc["images"]) == 16
