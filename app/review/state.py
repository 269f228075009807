"""What the review views share: the confidence threshold, the review queue and the keyframe suggestions.

Recomputed (pure numpy in :mod:`stdpose_core.review` / :mod:`stdpose_core.suggest`) shortly after
the project changes, so a burst of edits costs one recomputation. The automatic recomputation runs
on a worker thread over a project copy (a 10,000-frame video with ten people takes seconds); a
result that is older than the latest change is dropped. :meth:`ReviewState.recompute` does the same
synchronously (tests, scripts). Views listen to ``updated``.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.review.prelabels import PrelabelMemory
from stdpose_core.review import ReviewQueue, frame_confidence, review_queue
from stdpose_core.suggest import Suggestion, suggest_keyframes

RECOMPUTE_MS = 150


def compute(project, threshold: float, prelabels: dict) -> tuple:
    """``(queue, mean_conf, low_conf, suggestions)`` of ``project`` (pure; any thread)."""
    queue = review_queue(project, threshold, prelabels)
    mean, low = frame_confidence(project)
    # A gap whose weakest frame is below the threshold is weak.
    return queue, mean, low, suggest_keyframes(project, min_weakness=max(1.0 - threshold, 0.05))


class ReviewState(QObject):
    updated = Signal()
    threshold_changed = Signal(float)
    _computed = Signal(int, object)  # generation, result (worker thread -> GUI thread)

    def __init__(self, doc, threshold: float = 0.5, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.threshold = float(threshold)
        self.queue = ReviewQueue.empty()
        self.suggestions: list[Suggestion] = []
        self.mean_conf = np.zeros(0, np.float32)
        self.low_conf = np.zeros(0, np.float32)
        self.prelabels = PrelabelMemory()
        self._timer = QTimer(self, singleShot=True, interval=RECOMPUTE_MS)
        self._timer.timeout.connect(self._recompute_async)
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._again = False
        self._computed.connect(self._take)
        doc.opened.connect(self._on_opened)
        doc.changed.connect(self._on_changed)
        self._on_opened()

    def _on_opened(self) -> None:
        self.prelabels.reset(self.doc.project)
        self.recompute()

    def _on_changed(self, change) -> None:
        if self.doc.session is None:
            return
        for tid in change.tracks:
            self.prelabels.update(self.doc.project, tid, change.start, change.stop)
        self._timer.start()

    def set_threshold(self, value: float) -> None:
        value = float(min(max(value, 0.0), 1.0))
        if abs(value - self.threshold) > 1e-9:
            self.threshold = value
            self.threshold_changed.emit(value)
            self._timer.start()

    def _inputs(self):
        self._generation += 1
        pre = {tid: (xy.copy(), vis.copy()) for tid, (xy, vis) in self.prelabels.as_dict().items()}
        return self._generation, self.doc.snapshot(), self.threshold, pre

    def recompute(self) -> None:
        """Rebuild queue, per-frame confidence and suggestions now, on this thread."""
        self._timer.stop()
        if self.doc.project is None:
            self._apply(None)
            return
        _, project, thr, pre = self._inputs()
        self._apply(compute(project, thr, pre))

    def _recompute_async(self) -> None:
        if self.doc.project is None:
            self._apply(None)
            return
        if self._worker is not None:
            self._again = True  # one more round when the running one ends
            return
        gen, project, thr, pre = self._inputs()

        def run() -> None:
            try:
                result = compute(project, thr, pre)
            except Exception:  # noqa: BLE001 - a failed refresh keeps the previous queue
                result = None
            self._computed.emit(gen, result)

        self._worker = threading.Thread(target=run, name="review-queue", daemon=True)
        self._worker.start()

    def _take(self, gen: int, result) -> None:
        self._worker = None
        if self._again:
            self._again = False
            self._recompute_async()
        elif gen == self._generation and result is not None:
            self._apply(result)

    def _apply(self, result) -> None:
        if result is None:
            self.queue, self.suggestions = ReviewQueue.empty(), []
            self.mean_conf = self.low_conf = np.zeros(0, np.float32)
        else:
            self.queue, self.mean_conf, self.low_conf, self.suggestions = result
        self.updated.emit()
