"""Automatic re-propagation: the moment a person edits joints, re-fill what those joints anchor.

Listens to ``Document.edit_pushed`` (user edits only, not undo/redo), collects the joints an edit
touched (:func:`stdpose_core.ops.repropagate.touched_joints`) and, after a short debounce (a drag or a
guided run of placements is one burst), starts one job of the core policy
(:func:`stdpose_core.ops.repropagate.repropagate_job`: per joint, never over reviewed frames; the
simulated annotator's ``app`` strategy runs the same). If a job is running, the request waits until
it ends.

Its result joins the undo step of the edit that caused it (one Ctrl+Z takes back both) while that
step is still the latest; after a later edit it becomes a step of its own. If the causing step was
undone meanwhile, the result is dropped (it was computed for joints that are gone).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.jobs.runner import JobRunner
from stdpose_core.ops.repropagate import Touches, touched_joints

DEBOUNCE_MS = 400


class AutoRepropagate(QObject):
    def __init__(self, doc, runner: JobRunner, start: Callable[[Touches, str, Callable], bool], parent=None,
                 delay_ms: int = DEBOUNCE_MS):
        """``start(touches, label, on_result)`` starts the re-propagation job (the window's chosen method)."""
        super().__init__(parent)
        self.doc, self.runner, self._start = doc, runner, start
        self.enabled = True
        self.pending: Touches = set()
        self._cause = None  # the latest undo step whose touches are pending
        self.timer = QTimer(self, singleShot=True, interval=delay_ms)
        self.timer.timeout.connect(self._fire)
        doc.edit_pushed.connect(self._on_edit)
        doc.opened.connect(self._reset)
        doc.undo_stack.indexChanged.connect(self._on_undo_index)
        runner.busy_changed.connect(lambda busy: None if busy or not self.pending else self.timer.start())

    def _reset(self) -> None:
        self.pending.clear()
        self._cause = None

    def _on_edit(self, edit) -> None:
        if not self.enabled or self.runner.pushing or self.doc.session is None:
            return
        touched = touched_joints(edit)
        if touched:
            self.pending |= touched
            self._cause = self.doc.latest_step()
            self.timer.start()

    def _on_undo_index(self, _index: int) -> None:
        # Undoing the step whose joints are waiting: they are gone, nothing to re-propagate for them.
        if self._cause is not None and self._undone(self._cause):
            self.pending.clear()
            self._cause = None

    def _undone(self, cmd) -> bool:
        stack = self.doc.undo_stack
        return all(stack.command(i) is not cmd for i in range(stack.index()))

    def _fire(self) -> None:
        if not self.pending or self.doc.session is None:
            return
        if self.runner.busy:
            return  # restarted when the running job ends
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.timer.start()  # a drag is still going on: its edits merge into one undo step first
            return
        touched, cause = self.pending, self._cause
        self.pending, self._cause = set(), None
        frames = sorted({f for _, f, _ in touched})
        where = f"frame {frames[0]}" if len(frames) == 1 else f"frames {frames[0]}–{frames[-1]}"
        self._start(touched, f"re-propagate around {where}", lambda edit: self._deliver(edit, cause))

    def _deliver(self, edit, cause) -> None:
        """The job's edit: joins ``cause``, or its own step after later edits, or dropped if ``cause`` was undone."""
        if cause is not None and self._undone(cause):
            return
        self.runner.apply(edit, follows=cause)
