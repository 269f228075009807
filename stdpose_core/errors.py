"""User-facing errors: one clear line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class StdposeError(Exception):
    """An error caused by input or environment that the user can fix; the CLI prints it as one line."""


class InputError(StdposeError):
    """Bad input file: ``InputError(path, problem)`` renders as ``path: problem``."""

    def __init__(self, path: str | Path | None, problem: str):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class ProjectFileError(InputError):
    """The project file cannot be opened (not SQLite, corrupt, newer version...)."""


class ProjectReadOnlyError(ProjectFileError):
    """A change was attempted on a project opened read-only (another session is its writer)."""


class MissingWeightsError(StdposeError):
    """No weight file was found; the message says where to put one."""
