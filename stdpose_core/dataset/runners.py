"""Where a batch's videos run: in this process, in a local process pool, or on a Ray cluster.

A runner takes the videos' :class:`~stdpose_core.dataset.work.VideoTask` list and yields their
:class:`~stdpose_core.dataset.work.VideoOutcome` as each finishes. None of them schedules anything
itself: the pool is :mod:`concurrent.futures`, the cluster is Ray's (``pip install
stdpose-annotator[cluster]``), and machines without either split the work by ``--shard`` under any
scheduler (SLURM arrays, Kubernetes indexed Jobs).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator, Protocol

from stdpose_core.dataset.work import VideoOutcome, VideoTask, init_worker, release_models, run_video, video_job
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Progress, relay

#: How often a runner waiting for its workers yields a step (the caller may cancel in between).
HEARTBEAT_S = 0.5


class Runner(Protocol):
    name: str

    def run(self, tasks: list[VideoTask]) -> Iterator[VideoOutcome | Progress]:
        """Outcomes in the order the videos finish, and (where the runner sees them) the running
        video's steps as Progress; closing the iterator stops the videos not finished."""


def _threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class SerialRunner:
    """Every video in this process, one after the other (models loaded once)."""

    name = "this process"

    def run(self, tasks):
        try:
            for task in tasks:
                yield (yield from relay(video_job(task), lambda p, n=task.name: Progress(p.done, p.total, f"{n}: {p.message}")))
        finally:
            release_models()


class PoolRunner:
    """``workers`` local processes (spawned: no state shared with this process, safe beside threads),
    at ``nice`` lower CPU priority (the GUI's batch jobs: the window stays responsive)."""

    def __init__(self, workers: int, nice: int = 0):
        if workers < 1:
            raise StdposeError(f"--workers must be >= 1, got {workers}")
        self.workers, self.nice = workers, nice
        self.name = f"a pool of {workers} process{'es' if workers > 1 else ''}"

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(_threads_per_worker(self.workers), self.nice))

    def run(self, tasks):
        queue, strikes = list(tasks), {}
        while queue:
            pool = self._pool()
            futures = {pool.submit(run_video, t): t for t in queue}
            queue = []
            finished = False
            try:
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=HEARTBEAT_S, return_when=FIRST_COMPLETED)
                    if not done:  # a step for the caller: a cancel is seen within HEARTBEAT_S
                        yield Progress(0, 0, f"{len(pending)} videos left on {self.name}")
                    for fut in done:
                        task = futures[fut]
                        try:
                            yield fut.result()
                        except BrokenProcessPool:
                            # A worker died (killed, out of memory, a crash in native code): every
                            # unfinished video is tried again in a fresh pool; one that breaks a pool
                            # twice is reported failed.
                            strikes[task.name] = strikes.get(task.name, 0) + 1
                            if strikes[task.name] >= 2:
                                yield VideoOutcome(task.name, "failed", "its worker process died twice (out of memory or a crash)")
                            else:
                                queue.append(task)
                finished = True
            finally:
                if finished:
                    pool.shutdown(wait=True)
                else:  # closed early (cancelled) or a pool broken by a dead worker
                    _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down now: cancel what has not started and end the workers still running (a
    video killed mid-way is simply done again by the next run)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public API for this
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(5)


class RayRunner:
    """Each video a Ray task (one CPU each). ``address`` None starts a local Ray instance with
    ``workers`` CPUs (stopped afterwards); ``"auto"`` or ``ray://host:10001`` joins a cluster, whose
    nodes must see the dataset folder at the same path (a shared drive)."""

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import ray
        except ImportError:
            raise StdposeError("Ray is not installed: pip install 'stdpose-annotator[cluster]', or use --workers N "
                               "(a local process pool) or --shard i/N under your scheduler") from None
        self._ray = ray
        self.address, self.workers = address, workers
        self.name = f"Ray ({address or 'local'})"

    def start(self) -> bool:
        """Start (or join) Ray unless it runs in this process already; True when this call started it."""
        ray = self._ray
        if ray.is_initialized():
            return False
        threads = _threads_per_worker(self.workers or (os.cpu_count() or 1))
        from stdpose_core.openmp import WAIT_POLICY

        env = {"env_vars": {"OMP_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", WAIT_POLICY),
                            "PYTHONPATH": os.environ.get("PYTHONPATH", "")}}
        ray.init(address=self.address, num_cpus=self.workers if self.address is None else None,
                 include_dashboard=False, log_to_driver=False, runtime_env=env, configure_logging=False)
        return True

    def __enter__(self) -> "RayRunner":
        """``with RayRunner(...) as r:`` keeps one Ray instance for several batches."""
        self._owned = self.start()
        return self

    def __exit__(self, *exc) -> None:
        if getattr(self, "_owned", False):
            self._ray.shutdown()
            self._owned = False

    def run(self, tasks):
        ray = self._ray
        started = self.start()
        remote = ray.remote(num_cpus=1, max_retries=1)(run_video)
        refs = {remote.remote(t): t for t in tasks}
        pending = list(refs)
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1, timeout=HEARTBEAT_S)
                if not done:
                    yield Progress(0, 0, f"{len(pending)} videos left on {self.name}")
                for ref in done:
                    try:
                        yield ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        yield VideoOutcome(refs[ref].name, "failed", f"Ray: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            for ref in pending:  # stopped early (cancelled): only tasks not finished (cancelling a finished one crashes Ray 2.60)
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001 - it may have finished meanwhile
                    pass
            if started:
                ray.shutdown()


def make_runner(workers: int = 1, ray: str | None = None) -> Runner:
    """``ray`` (an address, or "local") → :class:`RayRunner`; ``workers`` > 1 → :class:`PoolRunner`;
    else :class:`SerialRunner`."""
    if ray is not None:
        return RayRunner(None if ray == "local" else ray, workers if workers > 1 else None)
    if workers > 1:
        return PoolRunner(workers)
    if workers < 1:
        raise StdposeError(f"--workers must be >= 1, got {workers}")
    return SerialRunner()
