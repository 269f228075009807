"""A project open for editing: the Project in memory plus its store, kept in step edit by edit."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.data.edits import Change, Edit
from stdpose_core.data.project import Project
from stdpose_core.store import ProjectStore


class ProjectSession:
    """Applies edits to the project and commits each one to the project file before returning.

    If the commit fails, the edit is reverted in memory, so memory never runs ahead of the file.
    """

    def __init__(self, project: Project, store: ProjectStore):
        self.project = project
        self.store = store

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

    def apply(self, edit: Edit) -> Change:
        change = edit.apply(self.project)
        try:
            self.store.commit(self.project, change, edit.label)
        except BaseException:
            edit.revert(self.project)
            raise
        return change

    def revert(self, edit: Edit) -> Change:
        change = edit.revert(self.project)
        try:
            self.store.commit(self.project, change, "undo " + edit.label)
        except BaseException:
            edit.apply(self.project)
            raise
        return change

    def save_settings(self) -> None:
        self.store.save_settings(self.project)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "ProjectSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
