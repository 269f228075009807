"""Live training plot drawn with QPainter: loss per step (left axis, log scale) and the validation
metric (right axis, 0–100) against optimizer steps."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

LOSS_COLOR = QColor(90, 170, 255)
METRIC_COLOR = QColor(255, 170, 40)


class TrainingPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss: list[tuple[int, float]] = []
        self.metric_pts: list[tuple[int, float]] = []
        self.total_steps = 0
        self.metric_name = "metric"
        self.setMinimumSize(420, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def clear(self) -> None:
        self.loss, self.metric_pts, self.total_steps = [], [], 0
        self.update()

    def add_event(self, ev: dict) -> None:
        """Feed one ``--progress jsonl`` event (start, step, val; others are ignored)."""
        name = ev.get("event")
        if name == "start":
            self.total_steps = int(ev.get("total_steps") or 0)
        elif name == "step" and isinstance(ev.get("loss"), (int, float)) and math.isfinite(ev["loss"]):
            self.loss.append((int(ev.get("step", len(self.loss))), float(ev["loss"])))
        elif name == "val" and isinstance(ev.get("metric"), (int, float)):
            self.metric_pts.append((int(ev.get("step", 0)), float(ev["metric"])))
            self.metric_name = str(ev.get("metric_name") or "metric")
        else:
            return
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()  # always end: a painter left open when paintEvent returns crashes PySide6

    def _paint(self, p: QPainter) -> None:
        p.fillRect(self.rect(), QColor(28, 28, 28))
        font = QFont(p.font())
        font.setPixelSize(11)
        p.setFont(font)
        area = QRectF(58, 24, self.width() - 58 - 54, self.height() - 24 - 34)
        p.setPen(QColor(90, 90, 90))
        p.drawRect(area)
        steps = [s for s, _ in self.loss] + [s for s, _ in self.metric_pts]
        x_max = max([self.total_steps, *steps, 1])

        def x_of(step: float) -> float:
            return area.left() + step / x_max * area.width()

        # x axis: steps
        p.setPen(QColor(170, 170, 170))
        tick = max(1, math.ceil(x_max / 6))
        for s in range(0, x_max + 1, tick):
            x = x_of(s)
            p.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 4))
            p.drawText(QRectF(x - 30, area.bottom() + 5, 60, 14), Qt.AlignmentFlag.AlignCenter, f"{s}")
        p.drawText(QRectF(area.left(), self.height() - 15, area.width(), 14), Qt.AlignmentFlag.AlignCenter, "optimizer steps")
        p.setPen(LOSS_COLOR)
        p.drawText(QRectF(4, 4, 250, 16), Qt.AlignmentFlag.AlignLeft, "● training loss (log scale)")
        p.setPen(METRIC_COLOR)
        p.drawText(QRectF(self.width() - 264, 4, 260, 16), Qt.AlignmentFlag.AlignRight, f"{self.metric_name} (validation) ●")
        if not self.loss and not self.metric_pts:
            p.setPen(QColor(150, 150, 150))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "waiting for the first training step…")
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.loss:
            logs = [math.log10(max(v, 1e-12)) for _, v in self.loss]
            lo, hi = min(logs), max(logs)
            if hi - lo < 1e-6:
                lo, hi = lo - 0.5, hi + 0.5
            pad = (hi - lo) * 0.08
            lo, hi = lo - pad, hi + pad

            def y_loss(lv: float) -> float:
                return area.bottom() - (lv - lo) / (hi - lo) * area.height()

            p.setPen(QColor(170, 170, 170))
            for i in range(5):
                lv = lo + (hi - lo) * i / 4
                y = y_loss(lv)
                p.drawText(QRectF(0, y - 7, 54, 14), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{10 ** lv:.2g}")
            p.setPen(QPen(LOSS_COLOR, 1.8))
            pts = [QPointF(x_of(s), y_loss(lv)) for (s, _), lv in zip(self.loss, logs)]
            if len(pts) == 1:
                p.drawEllipse(pts[0], 2.5, 2.5)
            else:
                p.drawPolyline(pts)

        def y_metric(v: float) -> float:
            return area.bottom() - min(max(v, 0.0), 100.0) / 100.0 * area.height()

        p.setPen(QColor(170, 170, 170))
        for v in (0, 25, 50, 75, 100):
            p.drawText(QRectF(area.right() + 4, y_metric(v) - 7, 48, 14), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{v}")
        if self.metric_pts:
            p.setPen(QPen(METRIC_COLOR, 2.0))
            pts = [QPointF(x_of(s), y_metric(v)) for s, v in self.metric_pts]
            if len(pts) > 1:
                p.drawPolyline(pts)
            p.setBrush(METRIC_COLOR)
            for q in pts:
                p.drawEllipse(q, 3.5, 3.5)
