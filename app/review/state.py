"""What the review views share: the confidence threshold, the review queue and the keyframe suggestions.

Recomputed (pure numpy in :mod:`stdpose_core.review` / :mod:`stdpose_core.suggest`) shortly after
the project changes, so a burst of edits costs one recomputation. Views listen to ``updated``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.review.prelabels import PrelabelMemory
from stdpose_core.review import ReviewQueue, frame_confidence, review_queue
from stdpose_core.suggest import Suggestion, suggest_keyframes

RECOMPUTE_MS = 150


class ReviewState(QObject):
    updated = Signal()
    threshold_changed = Signal(float)

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
        self._timer.timeout.connect(self.recompute)
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

    def recompute(self) -> None:
        """Rebuild queue, per-frame confidence and suggestions now."""
        self._timer.stop()
        p = self.doc.project
        if p is None:
            self.queue, self.suggestions = ReviewQueue.empty(), []
            self.mean_conf = self.low_conf = np.zeros(0, np.float32)
        else:
            self.queue = review_queue(p, self.threshold, self.prelabels.as_dict())
            self.mean_conf, self.low_conf = frame_confidence(p)
            # A gap whose weakest frame is below the threshold is weak.
            self.suggestions = suggest_keyframes(p, min_weakness=max(1.0 - self.threshold, 0.05))
        self.updated.emit()
