"""Dataset work off the GUI thread: the status of every video, and batch jobs over the dataset.

Both run on Python threads and report back with queued signals. Status reads project files (never
on the GUI thread: a shared drive can be slow). A batch job's videos run in worker *processes*
(:class:`~stdpose_core.dataset.runners.PoolRunner`), so the models' work never competes with the
window for the interpreter; the thread here only waits for their outcomes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from stdpose_core.progress import Cancelled, Progress, run_to_completion


class StatusLoader(QObject):
    """``request(root)`` computes the dataset's status on a thread, one at a time; requests made
    meanwhile collapse into one run after it. ``loaded(root, rows, problems)`` or ``failed(root, message)``."""

    loaded = Signal(str, object, object)
    failed = Signal(str, str)
    _done = Signal(int, str, object, object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._serial = 0
        self._running = False
        self._again: str | None = None
        self._done.connect(self._finish)

    def request(self, root: str | Path) -> None:
        if self._running:  # one at a time; the newest request runs when the current one ends
            self._again = str(root)
            return
        self._serial += 1
        self._running = True
        threading.Thread(target=self._work, args=(self._serial, str(root)), name="dataset-status", daemon=True).start()

    def _work(self, serial: int, root: str) -> None:
        from stdpose_core.dataset import dataset_status

        try:
            rows, problems = dataset_status(root)
            self._done.emit(serial, root, rows, problems, None)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._done.emit(serial, root, None, None, exc)

    def _finish(self, serial: int, root: str, rows, problems, error) -> None:
        self._running = False
        if self._again is not None:  # asked again meanwhile: a newer status is on its way
            again, self._again = self._again, None
            self.request(again)
            return
        if error is not None:
            from app.errors import describe

            self.failed.emit(root, describe(error))
        else:
            self.loaded.emit(root, rows, problems)

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until no status is being computed (tests); the result still arrives as an event."""
        end = time.monotonic() + timeout
        while self._running and time.monotonic() < end:
            time.sleep(0.01)
        return not self._running


class BatchRunner(QObject):
    """One batch job at a time: ``progress(done, total, message)``, ``finished(result)``,
    ``failed(message)``, ``busy_changed(bool)``. Cancel stops the worker processes; the videos they
    were on are simply done again by the next run."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)
    _done = Signal(object, object, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self.name = ""
        self._done.connect(self._finish)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, name: str, job) -> bool:
        """Run ``job`` (a :func:`~stdpose_core.dataset.batch_job` generator); False when busy."""
        if self.busy:
            return False
        self.name = name
        self._cancel.clear()
        self._thread = threading.Thread(target=self._work, args=(job,), name=f"batch-{name}", daemon=True)
        self.busy_changed.emit(True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def _work(self, job) -> None:
        last = [0.0]

        def report(p: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.05 or p.done == p.total:
                last[0] = now
                self.progress.emit(int(p.done), int(p.total), str(p.message))

        result, error, cancelled = None, None, False
        try:
            result = run_to_completion(job, report, self._cancel.is_set)
        except Cancelled:
            cancelled = True
        except Exception as exc:  # noqa: BLE001
            error = exc
        self._done.emit(result, error, cancelled)

    def _finish(self, result, error, cancelled: bool) -> None:
        if self._thread is not None:
            self._thread.join(10)
        self._thread = None
        self.busy_changed.emit(False)
        if cancelled:
            self.failed.emit(f"{self.name}: cancelled (videos finished so far are kept)")
        elif error is not None:
            from app.errors import describe

            self.failed.emit(describe(error))
        else:
            self.finished.emit(result)

    def wait(self, timeout: float = 300.0) -> bool:
        t = self._thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True
