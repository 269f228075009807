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


class SkeletonMismatchError(StdposeError, ValueError):
    """Two joint layouts cannot be converted into each other (no joint names in common)."""


class MissingWeightsError(StdposeError):
    """No weight file was found; the message says where to put one."""


def _first_line(text: str, limit: int = 200) -> str:
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def sqlite_problem(exc: BaseException) -> str | None:
    """A plain sentence for the sqlite3 errors users meet (busy, full disk, missing folder...)."""
    import sqlite3

    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the project file is locked by another program (SQLite busy); nothing was changed, try again"
    if "full" in text:
        return "the disk is full: this change was not saved (every earlier change is in the file)"
    if "readonly" in text or "read-only" in text:
        return "the project file or its folder is read-only: this change was not saved"
    if "unable to open" in text:
        return "cannot open the project file (its folder is missing or not writable)"
    if "disk i/o" in text:
        return "the disk reported an I/O error: this change was not saved"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"damaged project file ({_first_line(exc)})"
    return f"project file error ({_first_line(exc)})"


def describe(exc: BaseException, subject: str | Path | None = None) -> tuple[str, bool]:
    """One line for the user about ``exc``, and whether it was expected (bad input or environment).

    ``subject`` names the file the command was working on, for errors that do not name one themselves
    (SQLite, numeric overflow, OpenCV). Unexpected errors are marked so the CLI can suggest --debug.
    """
    import errno

    where = f"{subject}: " if subject else ""
    if isinstance(exc, StdposeError):
        return _first_line(exc, 400), True
    sqlite = sqlite_problem(exc)
    if sqlite is not None:
        return where + sqlite, True
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else subject
        if exc.errno == errno.ENOSPC:
            what = "the disk is full (nothing was half-written)"
        else:
            what = exc.strerror or _first_line(exc) or type(exc).__name__
        return (f"{name}: {what}" if name else what), True
    if isinstance(exc, OverflowError):
        return f"{where}a number is too large ({_first_line(exc)})", True
    if isinstance(exc, UnicodeError):
        return f"{where}a file name or text is not valid {getattr(exc, 'encoding', 'UTF-8')} ({_first_line(exc)})", True
    if isinstance(exc, MemoryError):
        return f"{where}out of memory (try a smaller input, fewer frames or a smaller --imgsz)", True
    if type(exc).__name__ == "error" and type(exc).__module__.startswith("cv2"):
        return f"{where}OpenCV cannot process it ({_first_line(exc)})", True
    return f"{where}{type(exc).__name__}: {_first_line(exc)}", False
