"""Background jobs of the editor (issue 8): detect, propagate, automatic re-propagation, export.

``install(window)`` (called by :mod:`app.extensions`) sets ``window.jobs`` to a
:class:`~app.jobs.controller.LoopJobs`: the Jobs menu, toolbar buttons and the status-bar progress.
"""

from __future__ import annotations


def install(window) -> None:
    from app.jobs.controller import LoopJobs

    window.jobs = LoopJobs(window)
