"""One person on the current frame: box, skeleton edges and joint handles in one item.

One item per track (not one per joint) keeps the scene small: redrawing 10 people is 10 paint
calls. Handle sizes are in screen pixels (divided by the view scale), so they stay grabbable at any
zoom. Joint hit-testing is done by :func:`pick_joint` on the arrays, not by Qt items.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from app.canvas.style import joint_kind, score_color

JOINT_RADIUS_PX = 5.0
HANDLE_PX = 7.0


def pick_joint(xy: np.ndarray, vis: np.ndarray, pos: tuple[float, float], radius: float) -> int | None:
    """Index of the labelled joint (``vis[K] > 0``) of ``xy[K,2]`` nearest to ``pos`` within ``radius``."""
    if not (vis > 0).any():
        return None
    d = np.hypot(xy[:, 0] - pos[0], xy[:, 1] - pos[1])
    d[vis <= 0] = np.inf
    k = int(np.argmin(d))
    return k if d[k] <= radius else None


class PoseItem(QGraphicsItem):
    def __init__(self, canvas, track_id: int):
        super().__init__()
        self.canvas = canvas  # CanvasScene: doc, palette, view scale
        self.track_id = track_id
        self._rect = QRectF()
        self.setZValue(10)
        self.refresh()

    # ---- data of the current frame -------------------------------------------------------------
    def arrays(self):
        doc = self.canvas.doc
        t = doc.project.tracks[self.track_id]
        f = doc.frame
        return t.xy[f], t.vis[f], t.score[f], t.source[f], t.bbox[f]

    def refresh(self) -> None:
        """Recompute the bounding rect for the current frame and schedule a repaint."""
        xy, vis, _, _, bbox = self.arrays()
        pts = xy[vis > 0]
        if np.isfinite(bbox).all():
            pts = np.concatenate([pts, bbox.reshape(2, 2)]) if len(pts) else bbox.reshape(2, 2)
        self.prepareGeometryChange()
        if len(pts) == 0:
            self._rect = QRectF()
        else:
            m = 40.0 / max(self.canvas.view_scale, 0.05)  # room for handles and the label
            (x1, y1), (x2, y2) = pts.min(0).tolist(), pts.max(0).tolist()
            self._rect = QRectF(x1 - m, y1 - m, x2 - x1 + 2 * m, y2 - y1 + 2 * m)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect

    # ---- painting ------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._rect.isEmpty():
            return
        doc = self.canvas.doc
        xy, vis, score, source, bbox = self.arrays()
        skel = doc.project.skeleton
        color = self.canvas.color(self.track_id)
        selected = doc.track_id == self.track_id
        s = max(painter.worldTransform().m11(), 1e-3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # Plain Python numbers only past this point: numpy scalars handed to Qt calls trip a
        # refcount bug in PySide6 6.12 ("deallocating None") under heavy painting.
        pts = [QPointF(x, y) for x, y in xy.tolist()]
        vis, source, score = vis.tolist(), source.tolist(), score.tolist()
        has_box = bool(np.isfinite(bbox).all())
        bbox = bbox.tolist()
        any_vis = any(v > 0 for v in vis)

        if has_box:
            pen = QPen(color, 3.0 if selected else 1.5)
            pen.setCosmetic(True)
            if not any_vis:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(QPointF(bbox[0], bbox[1]), QPointF(bbox[2], bbox[3])))
            if selected:
                h = HANDLE_PX / s
                painter.setBrush(QBrush(color))
                for cx, cy in ((bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])):
                    painter.drawRect(QRectF(cx - h / 2, cy - h / 2, h, h))

        # Edges: solid between two labelled joints, faint when either is occluded or machine-made.
        strong, faint = [], []
        for a, b in skel.edges:
            if vis[a] > 0 and vis[b] > 0:
                line = (pts[a], pts[b])
                weak = vis[a] == 1 or vis[b] == 1 or joint_kind(source[a], vis[a]) != "human" or joint_kind(source[b], vis[b]) != "human"
                (faint if weak else strong).append(line)
        for lines, alpha, width in ((strong, 230, 2.5), (faint, 150, 1.5)):
            if lines:
                c = QColor(color)
                c.setAlpha(alpha)
                pen = QPen(c, width)
                pen.setCosmetic(True)
                painter.setPen(pen)
                for p, q in lines:
                    painter.drawLine(p, q)

        r = JOINT_RADIUS_PX / s
        outline_w = QPen(QColor(255, 255, 255), 1.2)
        outline_w.setCosmetic(True)
        for k in range(len(vis)):
            kind = joint_kind(source[k], vis[k])
            if kind == "hidden":
                continue
            p = pts[k]
            fill = color if kind == "human" else score_color(score[k]) if kind == "machine" else QColor(color.red(), color.green(), color.blue(), 140)
            if vis[k] == 1:  # occluded: hollow ring in the state colour
                pen = QPen(fill, 2.2)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            else:
                edge = QPen(color, 1.5) if kind == "machine" else outline_w
                if kind == "detected":
                    edge = QPen(color, 1.2, Qt.PenStyle.DashLine)
                edge.setCosmetic(True)
                painter.setPen(edge)
                painter.setBrush(QBrush(fill))
            if kind == "detected":
                painter.drawRect(QRectF(p.x() - r * 0.8, p.y() - r * 0.8, 1.6 * r, 1.6 * r))
            else:
                painter.drawEllipse(p, r, r)
            if selected and doc.joint == k:
                ring = QPen(QColor(255, 255, 0), 2.0)
                ring.setCosmetic(True)
                painter.setPen(ring)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(p, r * 1.8, r * 1.8)

        if has_box:
            self._paint_label(painter, bbox[0], bbox[1], color, s)
        elif any_vis:
            self._paint_label(painter, min(q.x() for q, v in zip(pts, vis) if v > 0), min(q.y() for q, v in zip(pts, vis) if v > 0), color, s)

    def _paint_label(self, painter: QPainter, x: float, y: float, color: QColor, s: float) -> None:
        painter.save()
        painter.translate(x, y)
        painter.scale(1 / s, 1 / s)
        font = QFont(painter.font())
        font.setPixelSize(12)
        font.setBold(True)
        painter.setFont(font)
        text = f"{self.canvas.label_index(self.track_id)}: P{self.track_id}"
        w = painter.fontMetrics().horizontalAdvance(text) + 8
        painter.fillRect(QRectF(0, -17, w, 17), color)
        painter.setPen(QColor(0, 0, 0) if color.lightness() > 140 else QColor(255, 255, 255))
        painter.drawText(QRectF(0, -17, w, 17), Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class TrailItem(QGraphicsItem):
    """Motion trails of the selected person's joints over ±N frames (older = fainter)."""

    def __init__(self, canvas):
        super().__init__()
        self.canvas = canvas
        self.length = 0
        self._paths: list[np.ndarray] = []  # each [n,2] for one joint
        self._rect = QRectF()
        self.setZValue(5)

    def refresh(self) -> None:
        doc = self.canvas.doc
        self.prepareGeometryChange()
        self._paths, self._rect = [], QRectF()
        t = doc.selected_track()
        if self.length <= 0 or t is None:
            self.update()
            return
        a, b = max(doc.frame - self.length, 0), min(doc.frame + self.length + 1, doc.num_frames)
        xy, vis = t.xy[a:b], t.vis[a:b]
        for k in range(xy.shape[1]):
            pts = xy[vis[:, k] > 0, k]
            if len(pts) >= 2:
                self._paths.append(pts)
        if self._paths:
            allp = np.concatenate(self._paths)
            (x1, y1), (x2, y2) = allp.min(0).tolist(), allp.max(0).tolist()
            self._rect = QRectF(x1 - 4, y1 - 4, x2 - x1 + 8, y2 - y1 + 8)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self._paths:
            return
        color = QColor(self.canvas.color(self.canvas.doc.track_id))
        color.setAlpha(140)
        pen = QPen(color, 1.5)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pts in self._paths:
            painter.drawPolyline([QPointF(x, y) for x, y in pts.tolist()])
