"""Progress reporting for long core operations.

Long operations are generators that ``yield Progress(...)`` and ``return`` their result. The CLI drives
them with a progress bar, tests with :func:`run_to_completion`, the GUI on a worker thread that checks a
cancel flag between yields (cancellation = stop iterating and close the generator).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Generator, TypeVar

T = TypeVar("T")

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
    """Raised by a driver when the user cancelled a job."""


def run_to_completion(job: Job[T]) -> T:
    """Iterate ``job`` to the end, ignoring progress, and return its result."""
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


def run_with_bar(job: Job[T], desc: str = "", enabled: bool | None = None) -> T:
    """Drive ``job`` with a tqdm bar on a terminal (quiet when stderr is piped)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return run_to_completion(job)
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="it", dynamic_ncols=True)
    try:
        while True:
            try:
                p = next(job)
            except StopIteration as stop:
                return stop.value
            if p.total and bar.total != p.total:
                bar.total = p.total
            bar.n = p.done
            if p.message:
                bar.set_postfix_str(p.message, refresh=False)
            bar.refresh()
    finally:
        bar.close()
