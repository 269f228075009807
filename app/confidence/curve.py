"""The confidence curve under the timeline strips, aligned with them frame for frame.

Draws per-frame confidence of the machine-made joints (mean: solid, lowest: faint), the threshold
line, weak gaps (:mod:`stdpose_core.suggest`) as orange bands with a triangle on the suggested
keyframe, and the playhead. Click or drag to seek. Many frames per pixel are aggregated with the
minimum, so a single bad frame stays visible when zoomed out.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.timeline.widget import LABEL_W

CURVE_H = 64


def column_values(values: np.ndarray, start: int, stop: int, width: int, how=np.fmin) -> tuple[np.ndarray, np.ndarray]:
    """``(frame_centre[n], value[n])`` of ``values[start:stop]`` reduced to at most ``width`` columns
    with ``how`` (NaN-aware minimum by default). Frames are returned as float positions."""
    n = stop - start
    if n <= 0 or width <= 0:
        return np.zeros(0), np.zeros(0)
    seg = values[start:stop].astype(np.float64)
    if n <= width:
        return np.arange(start, stop) + 0.5, seg
    cols = np.floor(np.arange(n) * (width / n)).astype(int)
    first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    filled = np.where(np.isnan(seg), np.inf, seg)
    red = how.reduceat(filled, first)
    red[np.isinf(red)] = np.nan
    centre = start + (first + np.r_[first[1:], n]) / 2.0
    return centre, red


class ConfidenceCurve(QWidget):
    def __init__(self, window, state, parent=None):
        super().__init__(parent)
        self.main, self.doc, self.state = window, window.doc, state
        self.timeline = window.timeline_dock.timeline
        self.setMinimumHeight(CURVE_H)
        self.setMaximumHeight(CURVE_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setToolTip("Confidence of propagated joints per frame (solid: mean, faint: lowest). "
                        "Orange: weak gaps, ▼ suggested extra keyframe. Click to seek.")
        state.updated.connect(self.update)
        state.threshold_changed.connect(lambda _v: self.update())
        self.doc.frame_changed.connect(lambda _f: self.update())
        self.timeline.view_changed.connect(self.update)
        self._pressed = False
        self._dx = 0.0

    # geometry shared with the timeline widget (same left label column, same frame range)
    def _offset(self) -> float:
        """Horizontal shift between the timeline's and this widget's coordinates (0 in the dock)."""
        return float(self.timeline.mapTo(self.main, QPointF(0, 0)).x() - self.mapTo(self.main, QPointF(0, 0)).x())

    def x_of(self, frame: float) -> float:
        return self.timeline.x_of(frame) + self._dx

    def y_of(self, value: float) -> float:
        return 4 + (1.0 - value) * (self.height() - 8)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.doc.session is not None:
            self._pressed = True
            self._seek(event.position().x())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._pressed:
            self._seek(event.position().x())

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._pressed = False

    def _seek(self, x: float) -> None:
        self._dx = self._offset()
        self.doc.set_frame(self.timeline.frame_at(x - self._dx))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()  # always end: a painter left open when paintEvent returns crashes PySide6

    def _paint(self, p: QPainter) -> None:
        self._dx = self._offset()
        p.fillRect(self.rect(), QColor(24, 24, 24))
        font = QFont(p.font())
        font.setPixelSize(10)
        p.setFont(font)
        p.setPen(QColor(170, 170, 170))
        p.drawText(QRectF(4, 0, LABEL_W - 6, self.height()), Qt.AlignmentFlag.AlignVCenter, "confidence")
        if self.doc.session is None or len(self.state.mean_conf) != self.doc.num_frames:
            return
        tl = self.timeline
        n = self.doc.num_frames
        a = int(np.floor(tl.view_start))
        b = int(min(np.ceil(tl.view_start + tl.view_len), n))
        x_a, x_b = self.x_of(a), self.x_of(b)
        width = max(int(x_b - x_a), 1)
        p.setClipRect(QRectF(x_a, 0, x_b - x_a, self.height()))
        for s in self.state.suggestions:  # weak gaps and the frame to label there
            if s.stop < a or s.start > b:
                continue
            p.fillRect(QRectF(self.x_of(s.start), 0, max(self.x_of(s.stop) - self.x_of(s.start), 1), self.height()), QColor(255, 150, 0, 55))
            cx = self.x_of(s.frame + 0.5)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 160, 20))
            p.drawPolygon(QPolygonF([QPointF(cx - 5, 1), QPointF(cx + 5, 1), QPointF(cx, 9)]))
        thr = self.state.threshold
        pen = QPen(QColor(232, 65, 44), 1, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(x_a, self.y_of(thr)), QPointF(x_b, self.y_of(thr)))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for values, color, w in ((self.state.low_conf, QColor(120, 160, 120), 1.0), (self.state.mean_conf, QColor(90, 220, 120), 1.8)):
            fx, v = column_values(values, a, b, width)
            self._polyline(p, fx, v, QPen(color, w))
        # frames below the threshold get a red tick at the bottom
        fx, v = column_values(self.state.low_conf, a, b, width)
        low = np.isfinite(v) & (v < thr)
        p.setPen(QPen(QColor(232, 65, 44), 2))
        for f in fx[low].tolist():
            x = self.x_of(f)
            p.drawLine(QPointF(x, self.height() - 5), QPointF(x, self.height() - 1))
        p.setClipping(False)
        xf = self.x_of(self.doc.frame)
        p.fillRect(QRectF(xf, 0, max(self.x_of(self.doc.frame + 1) - xf, 1.5), self.height()), QColor(255, 220, 0, 110))

    def _polyline(self, p: QPainter, fx: np.ndarray, v: np.ndarray, pen: QPen) -> None:
        """One polyline per run of finite values (NaN = no machine joints = a break)."""
        p.setPen(pen)
        ok = np.isfinite(v)
        if not ok.any():
            return
        breaks = np.flatnonzero(np.diff(ok.astype(np.int8)) != 0) + 1
        for seg in np.split(np.arange(len(v)), breaks):
            if not ok[seg[0]]:
                continue
            pts = [QPointF(self.x_of(f), self.y_of(y)) for f, y in zip(fx[seg].tolist(), v[seg].tolist())]
            if len(pts) == 1:
                pts.append(QPointF(pts[0].x() + 1, pts[0].y()))
            p.drawPolyline(pts)
