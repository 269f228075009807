"""One person on the current frame: box, skeleton edges and joint handles in one item.

One item per track (not one per joint) keeps the scene small: redrawing 10 people is 10 paint
calls. Handle sizes are in screen pixels (divided by the view scale), so they stay grabbable at any
zoom. Joint hit-testing is done by :func:`pick_joint` on the arrays, not by Qt items.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from app.canvas.style import joint_kind, score_color
from stdpose_core.data.track import person_name
from stdpose_core.ops.drag import handle_points

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
        color = self.canvas.color(self.track_id)
        st = style_for(color)
        selected = doc.track_id == self.track_id
        s = max(painter.worldTransform().m11(), 1e-3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # Plain Python numbers only past this point: numpy scalars handed to Qt calls trip a
        # refcount bug in PySide6 6.12 ("deallocating None") under heavy painting.
        pts = [QPointF(x, y) for x, y in xy.tolist()]
        vis, source, score = vis.tolist(), source.tolist(), score.tolist()
        has_box = bool(np.isfinite(bbox).all())
        bbox = bbox.tolist()
        kinds = [joint_kind(source[k], vis[k]) for k in range(len(vis))]
        any_vis = any(k != "hidden" for k in kinds)

        if has_box:
            painter.setPen(st.box_selected if selected else (st.box if any_vis else st.box_empty))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(QPointF(bbox[0], bbox[1]), QPointF(bbox[2], bbox[3])))
            if selected:  # resize handles: corners and edge midpoints (the view's handle_at finds them)
                h = HANDLE_PX / s
                painter.setBrush(st.fill)
                painter.drawRects([QRectF(cx - h / 2, cy - h / 2, h, h) for cx, cy in handle_points(bbox).values()])

        # Edges: solid between two human-placed visible joints, faint otherwise. (One drawLine per
        # edge: drawLines() strokes the batch as one antialiased path, 10x slower here.)
        strong, faint = [], []
        for a, b in doc.project.skeleton.edges:
            if kinds[a] != "hidden" and kinds[b] != "hidden":
                weak = vis[a] == 1 or vis[b] == 1 or kinds[a] != "human" or kinds[b] != "human"
                (faint if weak else strong).append(QLineF(pts[a], pts[b]))
        for lines, pen in ((strong, st.edge), (faint, st.edge_faint)):
            if lines:
                painter.setPen(pen)
                for line in lines:
                    painter.drawLine(line)

        # Joints grouped by look, so pens and brushes are set once per group.
        r = JOINT_RADIUS_PX / s
        groups: dict[tuple, list[QRectF]] = {}
        for k, kind in enumerate(kinds):
            if kind == "hidden":
                continue
            p = pts[k]
            if kind == "detected":
                key = ("detected", vis[k] == 1)
                rect = QRectF(p.x() - r * 0.8, p.y() - r * 0.8, 1.6 * r, 1.6 * r)
            else:
                key = (kind, vis[k] == 1, score_bin(score[k]) if kind == "machine" else 0)
                rect = QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r)
            groups.setdefault(key, []).append(rect)
        for key, rects in groups.items():
            pen, brush = st.joint_look(key)
            painter.setPen(pen)
            painter.setBrush(brush)
            if key[0] == "detected":
                painter.drawRects(rects)
            else:
                for rect in rects:
                    painter.drawEllipse(rect)
        if selected and doc.joint is not None and kinds[doc.joint] != "hidden":
            painter.setPen(st.ring)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(pts[doc.joint], r * 1.8, r * 1.8)

        if has_box:
            self._paint_label(painter, bbox[0], bbox[1], st, s)
        elif any_vis:
            shown = [q for q, kind in zip(pts, kinds) if kind != "hidden"]
            self._paint_label(painter, min(q.x() for q in shown), min(q.y() for q in shown), st, s)

    def _paint_label(self, painter: QPainter, x: float, y: float, st: "TrackStyle", s: float) -> None:
        painter.save()
        painter.translate(x, y)
        painter.scale(1 / s, 1 / s)
        painter.setFont(LABEL_FONT)
        text = f"{self.canvas.label_index(self.track_id)}: {person_name(self.track_id)}"
        w = len(text) * 8 + 8
        rect = QRectF(0, -17, w, 17)
        painter.fillRect(rect, st.fill)
        painter.setPen(st.label_text)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def score_bin(score: float, bins: int = 10) -> int:
    """Confidence quantised to ``bins`` steps (brushes are cached per step)."""
    return min(max(int(score * bins + 0.5), 0), bins)


def _cosmetic(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    return pen


class TrackStyle:
    """Pens and brushes of one track colour, built once (creating them per paint costs more than drawing)."""

    def __init__(self, color: QColor):
        self.fill = QBrush(color)
        self.box = _cosmetic(color, 1.5)
        self.box_selected = _cosmetic(color, 3.0)
        self.box_empty = _cosmetic(color, 1.5, Qt.PenStyle.DashLine)
        # Opaque pens: translucent antialiased lines cost ~5x more in the raster engine.
        faint = QColor.fromHsvF(color.hsvHueF() % 1.0, color.hsvSaturationF() * 0.45, min(color.valueF() * 0.9 + 0.1, 1.0))
        self.edge = _cosmetic(color, 2.5)
        self.edge_faint = _cosmetic(faint, 1.5)
        self.ring = _cosmetic(QColor(255, 255, 0), 2.0)
        self.label_text = QColor(0, 0, 0) if color.lightness() > 140 else QColor(255, 255, 255)
        self._color = color
        self._looks: dict[tuple, tuple[QPen, QBrush]] = {}

    def joint_look(self, key: tuple) -> tuple[QPen, QBrush]:
        look = self._looks.get(key)
        if look is None:
            look = self._looks[key] = self._make_look(key)
        return look

    def _make_look(self, key: tuple) -> tuple[QPen, QBrush]:
        kind, occluded = key[0], key[1]
        c = self._color
        if kind == "human":
            fill = c
        elif kind == "machine":
            fill = score_color(key[2] / 10)
        else:
            fill = QColor(c.red(), c.green(), c.blue(), 140)
        if occluded:  # hollow ring in the state colour
            return _cosmetic(fill, 2.2), QBrush(Qt.BrushStyle.NoBrush)
        if kind == "human":
            return _cosmetic(QColor(255, 255, 255), 1.2), QBrush(fill)
        if kind == "machine":
            return _cosmetic(c, 1.5), QBrush(fill)
        return _cosmetic(c, 1.2, Qt.PenStyle.DashLine), QBrush(fill)


_STYLES: dict[str, TrackStyle] = {}
LABEL_FONT = QFont()
LABEL_FONT.setPixelSize(12)
LABEL_FONT.setBold(True)


def style_for(color: QColor) -> TrackStyle:
    st = _STYLES.get(color.name())
    if st is None:
        st = _STYLES[color.name()] = TrackStyle(color)
    return st


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
