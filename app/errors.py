"""Showing errors to the user: one dialog (one line naming the file and the problem), the app keeps
running. The wording is the CLI's (:func:`stdpose_core.errors.describe`).

With ``--screenshot`` (no one is there to click OK) dialogs are replaced by a line on stderr:
:func:`set_interactive` ``(False)``; :data:`reported` keeps what was reported for the exit code.
"""

from __future__ import annotations

import sys
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from stdpose_core.errors import describe as describe_error

_interactive = True
#: (title, message) of every error reported while not interactive.
reported: list[tuple[str, str]] = []


def set_interactive(on: bool) -> None:
    """False: errors go to stderr instead of a modal dialog (batch runs such as ``--screenshot``)."""
    global _interactive
    _interactive = on


def describe(exc: BaseException) -> str:
    """One line for the user: our own errors already name the file and the problem."""
    return describe_error(exc)[0]


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> None:
    text = exc if isinstance(exc, str) else describe(exc)
    if not _interactive:
        reported.append((title, text))
        print(f"error: {title}: {text}", file=sys.stderr)
        return
    QMessageBox.critical(parent, title, text)


def install_excepthook() -> None:
    """An exception nobody caught (a Qt slot, a timer) becomes a message box instead of only a
    traceback on the console; the traceback still goes to stderr for bug reports."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return sys.__excepthook__(exc_type, exc, tb)
        message, expected = describe_error(exc)
        if not expected:
            traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
        try:
            show_error(None, "Unexpected error" if not expected else "Error", message)
        except Exception:  # noqa: BLE001 - no QApplication (yet): the console line must do
            print(f"error: {message}", file=sys.stderr)

    sys.excepthook = hook
