"""The one place the dataset package touches the single-writer project lock (stdpose_core.store.lock).

Batch jobs open a project to write with :func:`open_to_write` (the writer's lock: a second writer —
another machine, an annotator's window — fails at once and the batch reports that video busy);
status and exports open it with :func:`open_to_read` (no lock); :func:`holder` says who writes a
project now, for ``stdpose dataset status`` and the dataset view.
"""

from __future__ import annotations

from pathlib import Path

from stdpose_core.session import ProjectSession
from stdpose_core.store.lock import ProjectBusyError, read_holder

__all__ = ["ProjectBusyError", "holder", "open_to_read", "open_to_write"]


def open_to_write(path: str | Path, command: str | None = None) -> ProjectSession:
    """A session holding the project's write lock (ProjectBusyError naming the holder when taken)."""
    return ProjectSession.open(path, mode="write", command=command)


def open_to_read(path: str | Path) -> ProjectSession:
    """A session that takes no lock and writes nothing."""
    return ProjectSession.open(path, mode="read")


def holder(path: str | Path) -> str | None:
    """Who holds the write lock of ``path`` now (e.g. ``process 42 on host 'lab-3' (stdpose-annotate
    …) since …``), or None when nobody does."""
    h = read_holder(path)
    return None if h is None else h.describe()
