"""Confidence overlays (issue 8): the threshold slider and the confidence curve under the timeline,
plus keyframe suggestions (weak gaps) with "next suggested keyframe" (K).

Joints themselves are coloured by confidence on the canvas already (:mod:`app.canvas.style`,
green 1 → yellow 0.5 → red 0); the threshold decides what counts as low (timeline strips, review queue).
The window builds the row over the review's shared :class:`~app.review.state.ReviewState`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from app import settings as app_settings
from app.shortcuts import ActionSpec

NEXT_SUGGESTION = ActionSpec("review.next_suggestion", "Next &suggested keyframe", ("K",), "Navigate",
                             "Go to the next frame where an extra keyframe would help propagation most")


class ConfidenceRow(QWidget):
    """Threshold slider + suggestion summary above the curve."""

    def __init__(self, window, state):
        super().__init__()
        from app.confidence.curve import ConfidenceCurve

        self.main, self.state = window, state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        top = QHBoxLayout()
        top.addWidget(QLabel("Confidence threshold"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(round(state.threshold * 100))
        self.slider.setFixedWidth(180)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(lambda v: state.set_threshold(v / 100))
        self.slider.sliderReleased.connect(self._save)
        self.value_label = QLabel()
        self.value_label.setFixedWidth(36)
        self.suggest_label = QLabel()
        self.suggest_button = QPushButton("Next suggested keyframe (K)")
        self.suggest_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.suggest_button.clicked.connect(self.next_suggestion)
        for w in (self.slider, self.value_label, self.suggest_label, self.suggest_button):
            top.addWidget(w)
        top.addStretch(1)
        lay.addLayout(top)
        self.curve = ConfidenceCurve(window, state)
        lay.addWidget(self.curve)
        state.updated.connect(self._refresh)
        state.threshold_changed.connect(lambda _v: self._refresh())
        self._refresh()

    def _refresh(self) -> None:
        self.value_label.setText(f"{self.state.threshold:.2f}")
        n = len(self.state.suggestions)
        self.suggest_label.setText(f"   {n} weak gap{'s' if n != 1 else ''}" + (" — add a keyframe there" if n else ""))
        self.suggest_button.setEnabled(n > 0)

    def _save(self) -> None:
        s = app_settings.load()
        s.low_confidence = self.state.threshold
        app_settings.save(s)

    def next_suggestion(self) -> None:
        """Go to the next suggested keyframe after the current frame (wrapping), selecting the person."""
        doc, sug = self.main.doc, self.state.suggestions
        if doc.session is None or not sug:
            self.main.statusBar().showMessage("No weak gaps: propagation looks confident everywhere", 3000)
            return
        ordered = sorted(sug, key=lambda s: (s.frame, s.track_id))
        after = [s for s in ordered if (s.frame, s.track_id) > (doc.frame, doc.track_id if doc.track_id is not None else -1)]
        s = (after or ordered)[0]
        doc.set_frame(s.frame)
        doc.select(s.track_id)
        self.main.statusBar().showMessage(
            f"Suggested keyframe: frame {s.frame}, person {s.track_id} ({s.reason} in frames {s.start}–{s.stop - 1}); press L to label it", 6000)
