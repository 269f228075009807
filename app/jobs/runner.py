"""Runs one core generator job at a time on a worker thread; the GUI thread applies its result.

The worker gets a *copy* of the project (:meth:`Document.snapshot`) and never touches the live one.
It iterates the job (``yield Progress`` … ``return result``), checking a cancel flag between yields;
progress reaches the GUI thread as queued signals (throttled to ~20 per second so a fast job cannot
flood the event loop). When the job returns, the GUI thread pushes the Edit it made as ONE undo step
(after :func:`protect_human` drops writes over joints a person placed while the job ran) or hands a
non-Edit result to the caller's ``on_result``.

At most one job runs at a time (model jobs share the CPU/GPU; two would only slow each other down):
:meth:`JobRunner.start` refuses a second one and says so.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from PySide6.QtCore import QObject, Signal

from stdpose_core.data import Project
from stdpose_core.data.edits import Compound, Edit, edit_is_empty
from stdpose_core.ops.human_wins import protect_human
from stdpose_core.progress import Cancelled, Job, Progress, run_to_completion

ProgressInterval = 0.05  # seconds between progress signals


class JobRunner(QObject):
    """One background job at a time for a :class:`~app.document.Document`.

    Signals: ``started(name)``, ``progress(done, total, message)``, ``finished(name, result)``
    (after the result was applied), ``failed(name, message)``, ``cancelled(name)``,
    ``busy_changed(bool)``.
    """

    started = Signal(str)
    progress = Signal(int, int, str)
    finished = Signal(str, object)
    failed = Signal(str, str)
    cancelled = Signal(str)
    busy_changed = Signal(bool)
    _done = Signal(int, object, object, bool)  # serial, result, error, cancelled (worker -> GUI thread)
    _progress = Signal(int, int, int, str)  # serial, done, total, message

    def __init__(self, doc, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self.name = ""
        self.pushing = False  # True while this runner pushes a result (auto re-propagation ignores it)
        self._serial = 0
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._on_result: Callable[[object], None] | None = None
        self._label: str | None = None
        self._session = None  # the session a running job belongs to
        self._done.connect(self._finish)
        self._progress.connect(self._relay_progress)
        doc.opened.connect(self._on_opened)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, name: str, work: Callable[[Project], Job], on_result: Callable[[object], None] | None = None,
              label: str | None = None) -> bool:
        """Run ``work(snapshot)`` (a generator job) in the background. Returns False when a job is
        already running or no project is open. ``on_result`` receives a non-Edit result (or an Edit
        instead of it being pushed); ``label`` names the undo step."""
        if self.busy or self.doc.session is None:
            return False
        self._serial += 1
        self.name, self._on_result, self._label = name, on_result, label
        self._cancel.clear()
        snapshot = self.doc.snapshot()
        self._session = self.doc.session
        serial = self._serial
        self._thread = threading.Thread(target=self._work, args=(serial, work, snapshot), name=f"job-{name}", daemon=True)
        self.started.emit(name)
        self.busy_changed.emit(True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Ask the job to stop at its next progress step; nothing of it is applied."""
        if self.busy:
            self._cancel.set()

    def _on_opened(self) -> None:
        # Another project was opened (or this one closed): a running job's result belongs to the old one.
        if self.busy and self.doc.session is not self._session:
            self.cancel()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the worker thread ended (tests, shutdown); the result still arrives as an event."""
        t = self._thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True

    # ---- worker thread ---------------------------------------------------------------------
    def _work(self, serial: int, work: Callable[[Project], Job], snapshot: Project) -> None:
        result, error, cancelled = None, None, False
        last = 0.0

        def report(p) -> None:
            nonlocal last
            now = time.monotonic()
            if isinstance(p, Progress) and (now - last >= ProgressInterval or p.done == p.total):
                last = now
                self._progress.emit(serial, int(p.done), int(p.total), str(p.message))

        try:
            result = run_to_completion(work(snapshot), report, self._cancel.is_set)
        except Cancelled:
            cancelled = True
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the GUI thread
            # A job cancelled because another project was opened may fail first (its video was closed).
            cancelled = self._cancel.is_set()
            error = None if cancelled else exc
        self._done.emit(serial, result, error, cancelled)

    # ---- GUI thread ------------------------------------------------------------------------
    def _relay_progress(self, serial: int, done: int, total: int, message: str) -> None:
        if serial == self._serial and self.busy:
            self.progress.emit(done, total, message)

    def _finish(self, serial: int, result, error, cancelled: bool) -> None:
        if serial != self._serial:
            return
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None
        name, on_result = self.name, self._on_result
        self.busy_changed.emit(False)
        if cancelled:
            self.cancelled.emit(name)
            return
        if error is not None:
            from app.errors import describe

            self.failed.emit(name, describe(error))
            return
        try:
            if isinstance(result, Edit) and on_result is None:
                result = self.apply(result)
            elif on_result is not None:
                on_result(result)
        except Exception as exc:  # noqa: BLE001 - e.g. the project changed so the edit no longer fits
            from app.errors import describe

            self.failed.emit(name, describe(exc))
            return
        self.finished.emit(name, result)

    def apply(self, edit: Edit, follows=None) -> Edit | None:
        """Push a job's edit as one undo step (None when it changes nothing); ``follows``: the
        person's undo step it belongs to (see :meth:`Document.push`)."""
        if self.doc.session is None or self.doc.session is not self._session:
            return None  # the project the job ran on is no longer open
        edit = protect_human(edit, self.doc.project)
        if edit_is_empty(edit):
            return None
        if self._label and isinstance(edit, Compound):
            edit.label = self._label
        self.pushing = True
        try:
            self.doc.push(edit, follows=follows)
        finally:
            self.pushing = False
        return edit
