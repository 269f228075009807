"""The bottom dock: controls row (play, frame, speed, zoom, legend) above the timeline widget.

Other features add rows under the strips with :meth:`TimelineDock.add_row` (e.g. a confidence curve).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.document import Document
from app.timeline.playback import Playback
from app.timeline.states import STATE_COLORS, STATE_NAMES
from app.timeline.widget import TimelineWidget


class TimelineDock(QDockWidget):
    def __init__(self, doc: Document, playback: Playback, palette: list[str], low_confidence: float, parent=None):
        super().__init__("Timeline", parent)
        self.setObjectName("timeline_dock")
        self.doc = doc
        self.playback = playback
        body = QWidget()
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(4, 2, 4, 2)
        self.layout_.setSpacing(2)
        controls = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(playback.toggle)
        playback.playing_changed.connect(lambda on: self.play_button.setText("⏸ Pause" if on else "▶ Play"))
        self.frame_box = QSpinBox()
        self.frame_box.setKeyboardTracking(False)
        self.frame_box.valueChanged.connect(doc.set_frame)
        # After typing a frame number, give the keys back to the window (arrows step frames again).
        self.frame_box.editingFinished.connect(lambda: self.window().setFocus() if self.window() else None)
        self.total = QLabel("/ 0")
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for s in ("0.25x", "0.5x", "1x", "2x", "4x"):
            self.speed.addItem(s, float(s[:-1]))
        self.speed.setCurrentIndex(2)
        self.speed.currentIndexChanged.connect(lambda i: playback.set_speed(self.speed.itemData(i)))
        self.timeline = TimelineWidget(doc, palette, low_confidence)
        zoom_in, zoom_out, zoom_all = (QPushButton(t) for t in ("+", "−", "All"))
        for btn, fn in ((zoom_in, lambda: self.timeline.zoom(2)), (zoom_out, lambda: self.timeline.zoom(0.5)), (zoom_all, self.timeline.zoom_all)):
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.setFixedWidth(36)
            btn.clicked.connect(fn)
        for w in (self.play_button, QLabel("Frame"), self.frame_box, self.total, self.speed, QLabel("Zoom"), zoom_in, zoom_out, zoom_all):
            controls.addWidget(w)
        controls.addSpacing(12)
        for name, color in zip(STATE_NAMES, STATE_COLORS):
            controls.addWidget(self._legend(name, color))
        controls.addStretch(1)
        self.layout_.addLayout(controls)
        self.layout_.addWidget(self.timeline, 1)
        self.setWidget(body)
        doc.opened.connect(self._on_opened)
        doc.frame_changed.connect(self._on_frame)

    @staticmethod
    def _legend(name: str, color: str) -> QLabel:
        fg = "#000" if QColor(color).lightness() > 140 else "#fff"
        label = QLabel(f" {name} ")
        label.setStyleSheet(f"background:{color}; color:{fg}; border:1px solid #555; border-radius:3px; padding:1px;")
        return label

    def add_row(self, widget: QWidget, stretch: int = 0) -> None:
        """Add a widget under the strips (confidence curve, suggestions…)."""
        self.layout_.addWidget(widget, stretch)

    def _on_opened(self) -> None:
        n = self.doc.num_frames
        self.frame_box.blockSignals(True)
        self.frame_box.setRange(0, max(n - 1, 0))
        self.frame_box.setValue(self.doc.frame)
        self.frame_box.blockSignals(False)
        self.total.setText(f"/ {max(n - 1, 0)}")

    def _on_frame(self, frame: int) -> None:
        self.frame_box.blockSignals(True)
        self.frame_box.setValue(frame)
        self.frame_box.blockSignals(False)
