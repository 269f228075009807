"""Progress reporting for long core operations, and the one way to drive them.

Long operations are generators that ``yield Progress(...)`` and ``return`` their result. Every
driver goes through :func:`run_to_completion`: tests with no arguments, the CLI's progress bar
(:func:`run_with_bar`) and the GUI's worker threads with ``on_progress`` and ``cancelled`` (stop
iterating and close the generator, so its ``finally`` blocks run). A job built from another job
re-yields the inner one's steps with :func:`relay`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Generator, TypeVar

T = TypeVar("T")
S = TypeVar("S")
U = TypeVar("U")

Job = Generator["Progress", None, T]


@dataclass(frozen=True)
class Progress:
    """One step of a long job: ``done`` of ``total`` units (total 0 = unknown)."""

    done: int
    total: int
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total > 0 else 0.0


class Cancelled(Exception):
    """Raised by :func:`run_to_completion` when ``cancelled()`` turned true between two steps."""


def run_to_completion(job: Generator[S, None, T], on_progress: Callable[[S], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> T:
    """Iterate ``job`` to the end and return its result.

    ``on_progress`` receives every value the job yields (usually :class:`Progress`). ``cancelled`` is
    asked before each step; once it answers True the job is closed (its ``finally`` blocks run) and
    :class:`Cancelled` is raised, so nothing the job would have returned is used.
    """
    while True:
        if cancelled is not None and cancelled():
            job.close()
            raise Cancelled()
        try:
            step = next(job)
        except StopIteration as stop:
            return stop.value
        if on_progress is not None:
            on_progress(step)


def relay(job: Generator[S, None, T], convert: Callable[[S], U]) -> Generator[U, None, T]:
    """Yield ``convert(step)`` for every step of ``job`` and return its result; use it as
    ``result = yield from relay(inner_job, lambda p: Progress(...))`` (closing the outer job closes ``job``)."""
    result = None

    def inner():
        nonlocal result
        result = yield from job

    steps = inner()
    try:
        for step in steps:
            yield convert(step)
    finally:
        steps.close()
    return result


def run_with_bar(job: Job[T], desc: str = "", enabled: bool | None = None) -> T:
    """Drive ``job`` with a tqdm bar on a terminal (quiet when stderr is piped)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return run_to_completion(job)
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="it", dynamic_ncols=True)

    def show(p: Progress) -> None:
        if p.total and bar.total != p.total:
            bar.total = p.total
        bar.n = p.done
        if p.message:
            bar.set_postfix_str(p.message, refresh=False)
        bar.refresh()

    try:
        return run_to_completion(job, show)
    finally:
        bar.close()
