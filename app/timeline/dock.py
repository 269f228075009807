"""The bottom dock: controls row (play, frame, speed, zoom, legend) above the timeline widget.

Other features add rows under the strips with :meth:`TimelineDock.add_row` (e.g. a confidence curve).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QDockWidget, QHBoxLayout, QLabel, QPushButton, QScrollBar, QSpinBox, QStyle, QVBoxLayout, QWidget

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
        # The style's own media icons: a text glyph (U+23F8) is missing from many fonts and shows a box.
        self.play_button = QPushButton()
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(playback.toggle)
        self._show_playing(False)
        playback.playing_changed.connect(self._show_playing)
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
        self.only_in_view = QCheckBox("Only people in view")
        self.only_in_view.setToolTip("Hide the rows of people who are absent from the frames shown")
        self.only_in_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.only_in_view.toggled.connect(self.timeline.set_only_in_view)
        self.rows_label = QLabel()
        controls.addWidget(self.only_in_view)
        controls.addWidget(self.rows_label)
        self.layout_.addLayout(controls)
        strips = QHBoxLayout()
        strips.setSpacing(0)
        strips.addWidget(self.timeline, 1)
        self.row_scroll = QScrollBar(Qt.Orientation.Vertical)
        self.row_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.row_scroll.valueChanged.connect(self.timeline.scroll_rows)
        self.timeline.rows_changed.connect(self._on_rows)
        self.timeline.view_changed.connect(lambda: self.timeline._tell_rows() if self.timeline.only_in_view else None)
        strips.addWidget(self.row_scroll)
        self.layout_.addLayout(strips, 1)
        self.setWidget(body)
        doc.opened.connect(self._on_opened)
        doc.frame_changed.connect(self._on_frame)

    def _show_playing(self, on: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if on else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setText("Pause" if on else "Play")

    @staticmethod
    def _legend(name: str, color: str) -> QLabel:
        fg = "#000" if QColor(color).lightness() > 140 else "#fff"
        label = QLabel(f" {name} ")
        label.setStyleSheet(f"background:{color}; color:{fg}; border:1px solid #555; border-radius:3px; padding:1px;")
        return label

    def _on_rows(self, first: int, fitting: int, total: int) -> None:
        """The strips' rows moved or changed: the scroll bar and the 'rows a–b of n' label follow."""
        self.row_scroll.blockSignals(True)
        self.row_scroll.setRange(0, max(total - fitting, 0))
        self.row_scroll.setPageStep(max(fitting, 1))
        self.row_scroll.setValue(first)
        self.row_scroll.blockSignals(False)
        self.row_scroll.setVisible(total > fitting)
        shown = min(fitting, total - first)
        self.rows_label.setText(f"people {first + 1}–{first + shown} of {total}" if total > fitting else "")

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
