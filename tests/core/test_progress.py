"""The one way to drive a job: run_to_completion (progress, cancel) and relay (re-yield an inner job)."""

from __future__ import annotations

import pytest

from stdpose_core.progress import Cancelled, Progress, relay, run_to_completion


def counting(n: int, closed: list):
    try:
        for i in range(n):
            yield Progress(i + 1, n, f"step {i + 1}")
        return "done"
    finally:
        closed.append(True)


def test_progress_reaches_the_callback_and_the_result_is_returned():
    seen, closed = [], []
    assert run_to_completion(counting(3, closed), seen.append) == "done"
    assert [p.done for p in seen] == [1, 2, 3] and closed == [True]


def test_cancel_closes_the_job_between_steps():
    seen, closed = [], []
    with pytest.raises(Cancelled):
        run_to_completion(counting(10, closed), seen.append, cancelled=lambda: len(seen) >= 2)
    assert len(seen) == 2 and closed == [True]  # the job's finally ran


def test_relay_converts_steps_and_passes_the_result_on():
    closed = []

    def outer():
        result = yield from relay(counting(2, closed), lambda p: Progress(p.done * 10, p.total * 10, p.message + "!"))
        return result.upper()

    seen = []
    assert run_to_completion(outer(), seen.append) == "DONE"
    assert [(p.done, p.message) for p in seen] == [(10, "step 1!"), (20, "step 2!")]


def test_closing_a_relaying_job_closes_the_inner_one():
    closed = []
    job = relay(counting(5, closed), lambda p: p)
    next(job)
    job.close()
    assert closed == [True]
