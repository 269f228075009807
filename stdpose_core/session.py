"""A project open for editing: the Project in memory plus its store, kept in step edit by edit.

One writer per project: a session opened with ``mode="write"`` holds the project's write lock until it
is closed (a second writer fails at once with :class:`~stdpose_core.store.lock.ProjectBusyError`
naming the holder). ``mode="read"`` takes no lock and refuses edits; ``mode="auto"`` (the editor)
writes when it can and otherwise opens read-only, saying why in :attr:`ProjectSession.read_only_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from stdpose_core.data.edits import Change, Edit
from stdpose_core.data.project import Project
from stdpose_core.errors import ProjectFileError, ProjectReadOnlyError
from stdpose_core.store import ProjectStore
from stdpose_core.store.lock import LockHolder, ProjectBusyError

OpenMode = Literal["write", "read", "auto"]
#: ``do``: a new edit; ``undo``: an edit reverted; ``redo``: an edit of the history applied again.
Kind = Literal["do", "undo", "redo"]


@dataclass(frozen=True)
class Applied:
    """What a session just committed to the file: ``edit`` applied or reverted (``kind``), ``change``
    (tracks × frames touched) and ``gesture`` (the drag or other gesture the edit belongs to: the
    edits of one gesture form one undo step; None = a step of its own)."""

    edit: Edit
    change: Change
    kind: Kind = "do"
    gesture: object | None = None


Listener = Callable[[Applied], None]


class ProjectSession:
    """Applies edits to the project and commits each one to the project file before returning.

    If the commit fails, the edit is reverted in memory, so memory never runs ahead of the file.
    Listeners (:meth:`subscribe`, e.g. the GUI's document: undo history, repaints) hear of every
    committed edit after the commit; they observe and never apply edits themselves.
    ``read_only`` sessions refuse :meth:`apply`, :meth:`revert` and :meth:`save_settings` with
    :class:`~stdpose_core.errors.ProjectReadOnlyError` and change nothing.
    """

    def __init__(self, project: Project, store: ProjectStore, read_only_reason: str | None = None,
                 holder: LockHolder | None = None):
        self.project = project
        self.store = store
        #: Why the session is read-only (None for a writer, or a plain ``mode="read"`` reader).
        self.read_only_reason = read_only_reason
        #: The writer that made an ``auto`` session read-only, when known.
        self.holder = holder
        self._listeners: list[Listener] = []

    @classmethod
    def create(cls, path: str | Path, project: Project, command: str | None = None) -> "ProjectSession":
        return cls(project, ProjectStore.create(path, project, command))

    @classmethod
    def open(cls, path: str | Path, mode: OpenMode = "write", command: str | None = None) -> "ProjectSession":
        """Open ``path``: ``write`` (take the write lock or raise ProjectBusyError), ``read`` (no lock,
        no edits) or ``auto`` (write if possible, else read-only with :attr:`read_only_reason`)."""
        if mode not in ("write", "read", "auto"):
            raise ValueError(f"mode must be write, read or auto, got {mode!r}")
        if mode == "read":
            store, project = ProjectStore.open(path, write=False)
            return cls(project, store)
        try:
            store, project = ProjectStore.open(path, write=True, command=command)
        except ProjectBusyError as busy:
            if mode == "write":
                raise
            store, project = ProjectStore.open(path, write=False)
            who = busy.holder.describe() if busy.holder else "another program"
            return cls(project, store, f"being edited by {who}", busy.holder)
        except ProjectFileError as exc:
            if mode == "write" or "cannot be written" not in str(exc):
                raise
            store, project = ProjectStore.open(path, write=False)
            return cls(project, store, exc.problem)
        return cls(project, store)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def _refuse(self, what: str) -> None:
        why = f" ({self.read_only_reason})" if self.read_only_reason else ""
        raise ProjectReadOnlyError(self.path, f"is open read-only{why}: {what} was not saved")

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def apply(self, edit: Edit, gesture: object | None = None, redo: bool = False) -> Change:
        """Apply ``edit`` and commit it. ``gesture``: see :class:`Applied`; ``redo``: the edit comes
        from the undo history (listeners do not record it again)."""
        if self.read_only:
            self._refuse(f"'{edit.label}'")
        change = edit.apply(self.project)
        try:
            self.store.commit(self.project, change, edit.label)
        except BaseException:
            edit.revert(self.project)
            raise
        self._tell(Applied(edit, change, "redo" if redo else "do", gesture))
        return change

    def revert(self, edit: Edit) -> Change:
        if self.read_only:
            self._refuse(f"undoing '{edit.label}'")
        change = edit.revert(self.project)
        try:
            self.store.commit(self.project, change, "undo " + edit.label)
        except BaseException:
            edit.apply(self.project)
            raise
        self._tell(Applied(edit, change, "undo"))
        return change

    def _tell(self, event: Applied) -> None:
        for listener in list(self._listeners):
            listener(event)

    def save_settings(self) -> None:
        if self.read_only:
            self._refuse("the settings change")
        self.store.save_settings(self.project)

    def close(self) -> None:
        self._listeners.clear()
        self.store.close()

    def __enter__(self) -> "ProjectSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
