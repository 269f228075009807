"""Bars above the canvas that say something about the open project and offer a way out.

One :class:`NoticeBar` per kind of notice (read-only project, video problems): a line of text and a
few buttons. The window decides when a bar shows; the bar only lays itself out.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy

STYLES = {
    "warning": "background:#4a3410; color:#ffd9a0;",
    "locked": "background:#4a1f1f; color:#ffc4c4;",
}


class NoticeBar(QFrame):
    """A one-line notice with buttons; hidden until :meth:`show_notice`."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"notice_{kind}")
        self._style = STYLES[kind]
        self._paint(self._style)
        self._unflash = QTimer(self, singleShot=True, interval=350)  # a child: it dies with the bar
        self._unflash.timeout.connect(lambda: self._paint(self._style))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self._layout = lay
        self.hide()

    def show_notice(self, text: str, buttons: list[tuple[str, Callable[[], None]]] = ()) -> None:
        """Show ``text`` with ``buttons`` = [(label, callback)] (replacing earlier ones)."""
        for b in self._buttons:
            b.deleteLater()
        self._buttons = []
        for label, callback in buttons:
            b = QPushButton(label)
            b.clicked.connect(lambda _=False, c=callback: c())
            self._layout.addWidget(b)
            self._buttons.append(b)
        self.label.setText(text)
        self.show()

    def button(self, label: str) -> QPushButton | None:
        return next((b for b in self._buttons if b.text() == label), None)

    def flash(self) -> None:
        """Draw attention for a moment (an edit was attempted on a read-only project)."""
        self._paint("background:#a03030; color:white;")
        self._unflash.start()

    def _paint(self, style: str) -> None:
        self.setStyleSheet(f"QFrame#{self.objectName()} {{{style} padding:2px;}} QLabel {{{style}}}")
