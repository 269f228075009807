"""The current frame's ignore regions on the canvas: translucent polygons, the one being drawn, vertex handles.

Drawn under the people (nobody is annotated inside a region). Vertex handles show in region mode,
where the view lets the user drag them (:class:`stdpose_core.ops.regions.VertexDrag`).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

HANDLE_PX = 6.0


class RegionsItem(QGraphicsItem):
    def __init__(self, canvas):
        super().__init__()
        self.canvas = canvas
        self.editing = False  # region mode: vertex handles shown
        self.draft: list[tuple[float, float]] = []  # the polygon being drawn (pixels)
        self.hover: tuple[float, float] | None = None  # the pointer while drawing
        self._rect = QRectF()
        self.setZValue(3)
        fill = QColor(200, 200, 200, 70)
        self._brush = QBrush(fill, Qt.BrushStyle.BDiagPattern)
        self._pen = QPen(QColor(230, 230, 230), 1.5, Qt.PenStyle.DashLine)
        self._pen.setCosmetic(True)
        self._draft_pen = QPen(QColor(255, 220, 0), 1.5)
        self._draft_pen.setCosmetic(True)

    def polygons(self) -> list:
        doc = self.canvas.doc
        if doc.session is None:
            return []
        return doc.project.ignore_regions.get(doc.frame, [])

    def refresh(self) -> None:
        self.prepareGeometryChange()
        doc = self.canvas.doc
        if doc.session is None:
            self._rect = QRectF()
        else:
            v = doc.project.video
            self._rect = QRectF(-20, -20, v.width + 40, v.height + 40)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        polys = self.polygons()
        if not polys and not self.draft:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        s = max(painter.worldTransform().m11(), 1e-3)
        h = HANDLE_PX / s
        for poly in polys:
            qp = QPolygonF([QPointF(x, y) for x, y in poly.tolist()])
            painter.setPen(self._pen)
            painter.setBrush(self._brush)
            painter.drawPolygon(qp)
            if self.editing:
                painter.setBrush(QColor(230, 230, 230))
                painter.drawRects([QRectF(x - h / 2, y - h / 2, h, h) for x, y in poly.tolist()])
        if self.draft:
            pts = [QPointF(x, y) for x, y in self.draft]
            if self.hover is not None:
                pts.append(QPointF(*self.hover))
            painter.setPen(self._draft_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolyline(QPolygonF(pts))
            painter.setBrush(QColor(255, 220, 0))
            painter.drawRects([QRectF(x - h / 2, y - h / 2, h, h) for x, y in self.draft])
