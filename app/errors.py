"""Showing errors to the user: one dialog, the app keeps running."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from stdpose_core.errors import StdposeError


def describe(exc: BaseException) -> str:
    """One line for the user: our own errors already name the file and the problem."""
    if isinstance(exc, StdposeError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> None:
    QMessageBox.critical(parent, title, exc if isinstance(exc, str) else describe(exc))
