"""Automatic re-propagation: the moment a keyframe is edited, re-fill the two gaps around it.

Listens to ``Document.edit_pushed`` (user edits only, not undo/redo), collects the (track, frame)
keyframes an edit touched and, after a short debounce (a drag or a guided run of placements is one
burst), starts one propagation job restricted to those tracks and the gaps next to those frames.
If a job is running, the request waits until it ends. Its result is one more undo step.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.jobs.runner import JobRunner
from stdpose_core.ops.human_wins import human_touches
from stdpose_core.ops.jobs import targets_around

DEBOUNCE_MS = 400


class AutoRepropagate(QObject):
    def __init__(self, doc, runner: JobRunner, start: Callable[[list, str], bool], parent=None, delay_ms: int = DEBOUNCE_MS):
        """``start(targets, label)`` starts the propagation job (the window's chosen method)."""
        super().__init__(parent)
        self.doc, self.runner, self._start = doc, runner, start
        self.enabled = True
        self.pending: set[tuple[int, int]] = set()
        self.timer = QTimer(self, singleShot=True, interval=delay_ms)
        self.timer.timeout.connect(self._fire)
        doc.edit_pushed.connect(self._on_edit)
        doc.opened.connect(self.pending.clear)
        runner.busy_changed.connect(lambda busy: None if busy or not self.pending else self.timer.start())

    def _on_edit(self, edit) -> None:
        if not self.enabled or self.runner.pushing or self.doc.session is None:
            return
        touched = human_touches(edit)
        if touched:
            self.pending |= touched
            self.timer.start()

    def _fire(self) -> None:
        if not self.pending or self.doc.session is None:
            return
        if self.runner.busy:
            return  # restarted when the running job ends
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.timer.start()  # a drag is still going on: its edits merge into one undo step first
            return
        touched, self.pending = self.pending, set()
        targets = targets_around(touched, self.doc.project)
        if not targets:
            return
        frames = sorted({f for _, f in touched})
        where = f"frame {frames[0]}" if len(frames) == 1 else f"frames {frames[0]}–{frames[-1]}"
        self._start(targets, f"re-propagate around {where}")
