"""A project open for editing: the Project in memory plus its store, kept in step edit by edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from stdpose_core.data.edits import Change, Edit
from stdpose_core.data.project import Project
from stdpose_core.store import ProjectStore

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
    """

    def __init__(self, project: Project, store: ProjectStore):
        self.project = project
        self.store = store
        self._listeners: list[Listener] = []

    @classmethod
    def create(cls, path: str | Path, project: Project) -> "ProjectSession":
        return cls(project, ProjectStore.create(path, project))

    @classmethod
    def open(cls, path: str | Path) -> "ProjectSession":
        store, project = ProjectStore.open(path)
        return cls(project, store)

    @property
    def path(self) -> Path:
        return self.store.path

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def apply(self, edit: Edit, gesture: object | None = None, redo: bool = False) -> Change:
        """Apply ``edit`` and commit it. ``gesture``: see :class:`Applied`; ``redo``: the edit comes
        from the undo history (listeners do not record it again)."""
        change = edit.apply(self.project)
        try:
            self.store.commit(self.project, change, edit.label)
        except BaseException:
            edit.revert(self.project)
            raise
        self._tell(Applied(edit, change, "redo" if redo else "do", gesture))
        return change

    def revert(self, edit: Edit) -> Change:
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
        self.store.save_settings(self.project)

    def close(self) -> None:
        self._listeners.clear()
        self.store.close()

    def __enter__(self) -> "ProjectSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
