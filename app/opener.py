"""Turning a path the user gave (project, video file, image folder) into an open ProjectSession."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from app.dialogs.new_project import NewProjectChoice, default_project_path
from stdpose_core.errors import InputError
from stdpose_core.session import ProjectSession

PROJECT_SUFFIX = ".stdpose"
AskNew = Callable[[Path], "NewProjectChoice | None"]


def is_project(path: Path) -> bool:
    return Path(path).suffix.lower() == PROJECT_SUFFIX


def open_session(path: str | Path, ask_new: AskNew) -> ProjectSession | None:
    """Open ``path``: a project opens as is; a video/folder opens its existing default project or
    creates one where ``ask_new`` says (None = the user cancelled). Raises StdposeError/OSError.

    An existing project another session is writing opens read-only (``session.read_only``)."""
    from stdpose_core.project_ops import create_project

    path = Path(path)
    if is_project(path):
        return ProjectSession.open(path, mode="auto")
    if not path.exists():
        raise InputError(path, "no such file or folder")
    existing = default_project_path(path)
    if existing.is_file():
        return ProjectSession.open(existing, mode="auto")
    choice = ask_new(path)
    if choice is None:
        return None
    if choice.project_path.is_file():
        return ProjectSession.open(choice.project_path, mode="auto")
    return create_project(choice.project_path, path, choice.skeleton, choice.keyframe_interval)
