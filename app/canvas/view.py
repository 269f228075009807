"""The canvas view: zoom (wheel, fit, 1:1), pan, and turning mouse gestures into edits.

Gestures (left button):
  - on a joint: select it and drag it (one undo step per drag);
  - on a handle of the selected person's box (corners, edge midpoints): resize the box alone;
    Shift on a corner: scale the pose with its box; inside the box: move the whole pose;
  - with a joint armed (joint list or guided mode): place it (Shift = occluded) -> ``place_requested``;
  - in draw-box mode: draw a new person's box -> ``box_drawn``;
  - in region mode: click points of an ignore region (click the first point or double-click to close
    -> ``region_drawn``), drag a region's point to move it;
  - on empty image: deselect and pan.
Right button: visibility / delete menu for the joint or person under the cursor.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem, QGraphicsView, QMenu

from app.canvas.pose_item import HANDLE_PX, JOINT_RADIUS_PX, pick_joint
from app.canvas.scene import CanvasScene
from app.document import Document
from stdpose_core.data import MACHINE_SOURCES, Source
from stdpose_core.data.track import person_name
from stdpose_core.ops import annotate
from stdpose_core.ops.drag import BoxDrag, Drag, JointDrag, PoseDrag, handle_points

SOURCE_NAMES = {int(s): s.name.lower() for s in Source}
VIS_NAMES = {0: "not labelled", 1: "occluded", 2: "visible"}
#: A drag writes to the project file at most this often (each write is a durable SQLite commit);
#: the position in between is kept and written by a timer, and the last one on release.
DRAG_WRITE_INTERVAL_S = 0.025


@dataclass
class PanDrag:
    """Panning the view: ``last`` is the previous pointer position (viewport pixels)."""

    last: QPointF


@dataclass
class DrawBox:
    """Drawing a new person's box from ``start`` (scene pixels)."""

    start: QPointF


#: What a press started: an edit gesture of the core (joint, box, move/scale pose) or a view gesture.
Gesture = Drag | PanDrag | DrawBox


class CanvasView(QGraphicsView):
    place_requested = Signal(float, float, bool)  # x, y, occluded
    box_drawn = Signal(float, float, float, float)
    region_drawn = Signal(object)  # [(x, y), ...] pixels of a closed ignore-region polygon
    context_menu_requested = Signal(object, object)  # QMenu to fill, global pos — window adds person actions
    zoom_changed = Signal(float)

    def __init__(self, doc: Document, scene: CanvasScene, parent=None):
        super().__init__(scene, parent)
        self.doc = doc
        self.canvas = scene
        self.draw_box_mode = False
        self.region_mode = False
        self._drag: Gesture | None = None
        self._pending: tuple[Drag, float, float] | None = None  # a drag position not yet written
        self._refused_drag = False  # this drag was refused (read-only project) and the user told so
        self._last_write = 0.0
        self._drag_timer = QTimer(self, singleShot=True)
        self._drag_timer.timeout.connect(self._flush_drag)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setMouseTracking(True)
        self.setAcceptDrops(False)  # the window handles file drops
        self._hover = QGraphicsSimpleTextItem()
        self._hover.setFlag(self._hover.GraphicsItemFlag.ItemIgnoresTransformations)
        self._hover.setBrush(QColor(255, 255, 255))
        self._hover.setPen(QPen(QColor(0, 0, 0), 0.5))
        self._hover.setZValue(100)
        self._hover.hide()
        self._hover_at: QPointF | None = None  # where the pointer rests (scene pixels)
        scene.addItem(self._hover)
        # The hover label describes a joint's state: after V/O/X (or any change) and on another frame it is re-read.
        doc.changed.connect(lambda _c: self._refresh_hover())
        doc.frame_changed.connect(lambda _f: self._refresh_hover())
        self._rubber = QGraphicsRectItem()
        pen = QPen(QColor(255, 255, 0), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        self._rubber.setZValue(90)
        self._rubber.hide()
        scene.addItem(self._rubber)

    # ---- zoom --------------------------------------------------------------------------------
    def scale_factor(self) -> float:
        return self.transform().m11()

    def _scaled(self) -> None:
        s = self.scale_factor()
        self.canvas.set_view_scale(s)
        self.zoom_changed.emit(s)

    def zoom_by(self, factor: float) -> None:
        s = self.scale_factor()
        factor = min(max(factor, 0.02 / s), 40.0 / s)
        self.scale(factor, factor)
        self._scaled()

    def fit(self) -> None:
        self.fitInView(self.canvas.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._scaled()

    def actual_size(self) -> None:
        self.resetTransform()
        self._scaled()

    def set_zoom(self, scale: float, center: tuple[float, float] | None = None) -> None:
        self.resetTransform()
        self.scale(scale, scale)
        if center is not None:
            self.centerOn(QPointF(*center))
        self._scaled()

    def view_center(self) -> tuple[float, float]:
        c = self.mapToScene(self.viewport().rect().center())
        return (c.x(), c.y())

    def wheelEvent(self, event) -> None:  # noqa: N802
        self.zoom_by(1.25 ** (event.angleDelta().y() / 120.0))

    # ---- picking -----------------------------------------------------------------------------
    def _radius(self) -> float:
        return (JOINT_RADIUS_PX + 4) / max(self.scale_factor(), 1e-3)

    def joint_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(track, joint) under scene point ``pos``; the selected person wins ties."""
        p = self.doc.project
        order = sorted(self.canvas.items_by_track, key=lambda t: t != self.doc.track_id)
        for tid in order:
            t = p.tracks[tid]
            k = pick_joint(t.xy[self.doc.frame], t.vis[self.doc.frame], (pos.x(), pos.y()), self._radius())
            if k is not None:
                return tid, k
        return None

    def box_at(self, pos: QPointF) -> int | None:
        f = self.doc.frame
        hits = []
        for tid in self.canvas.items_by_track:
            b = self.doc.project.tracks[tid].bbox[f]
            if np.isfinite(b).all() and b[0] <= pos.x() <= b[2] and b[1] <= pos.y() <= b[3]:
                hits.append(((b[2] - b[0]) * (b[3] - b[1]), tid != self.doc.track_id, tid))
        return min(hits)[2] if hits else None

    def handle_at(self, tid: int, pos: QPointF) -> str | None:
        """The box handle of person ``tid`` under ``pos`` ('nw', 'n', … see ``BOX_HANDLES``), or None."""
        b = self.doc.project.tracks[tid].bbox[self.doc.frame]
        if not np.isfinite(b).all():
            return None
        r = HANDLE_PX / max(self.scale_factor(), 1e-3)
        for name, (x, y) in handle_points(b).items():
            if abs(pos.x() - x) <= r and abs(pos.y() - y) <= r:
                return name
        return None

    # ---- mouse -------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.doc.session is None:
            return
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MouseButton.MiddleButton:
            self._drag = PanDrag(event.position())
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        doc = self.doc
        if self.region_mode:
            self._region_press(pos)
            return
        if self.draw_box_mode:
            self._drag = DrawBox(pos)
            self._rubber.setRect(QRectF(pos, pos))
            self._rubber.show()
            return
        self._refused_drag = False
        if doc.armed_joint is not None and doc.track_id is not None:
            if doc.read_only:
                doc.refuse_edit()
                return
            occluded = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.place_requested.emit(pos.x(), pos.y(), occluded)
            return
        hit = self.joint_at(pos)
        if hit is not None:
            doc.select(hit[0], hit[1])
            self._drag = JointDrag(hit[0], doc.frame, hit[1])
            return
        sel = doc.track_id
        if sel is not None and sel in self.canvas.items_by_track:
            handle = self.handle_at(sel, pos)
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if handle is not None and not (shift and len(handle) == 2):
                self._drag = BoxDrag.start(doc.project, sel, doc.frame, handle)
                return
            if handle is not None or self.box_at(pos) == sel:
                self._drag = PoseDrag.start(doc.project, sel, doc.frame, (pos.x(), pos.y()), scale=handle is not None)
                return
        tid = self.box_at(pos)
        if tid is not None:
            doc.select(tid)
            return
        doc.select(None)
        self._drag = PanDrag(event.position())

    def _region_press(self, pos: QPointF) -> None:
        """Region mode: grab a point of an existing region, or add a point to the polygon being drawn."""
        from stdpose_core.ops.regions import VertexDrag, vertex_at

        items = self.canvas.regions
        r = HANDLE_PX / max(self.scale_factor(), 1e-3)
        draft = items.draft
        if len(draft) >= 3 and np.hypot(pos.x() - draft[0][0], pos.y() - draft[0][1]) <= r:
            self.finish_region()
            return
        if not draft:
            hit = vertex_at(self.doc.project, self.doc.frame, (pos.x(), pos.y()), r)
            if hit is not None:
                self._drag = VertexDrag(-1, self.doc.frame, hit[0], hit[1])
                return
        draft.append((pos.x(), pos.y()))
        items.update()

    def finish_region(self) -> None:
        """Close the polygon being drawn (at least 3 points) -> ``region_drawn``."""
        items = self.canvas.regions
        points, items.draft, items.hover = list(items.draft), [], None
        items.update()
        if len(points) >= 3:
            self.region_drawn.emit(points)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.region_mode:
            self.finish_region()  # the double-click's first press added its point already
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = self.mapToScene(event.position().toPoint())
        d = self._drag
        if d is None and self.region_mode and self.canvas.regions.draft:
            self.canvas.regions.hover = (pos.x(), pos.y())
            self.canvas.regions.update()
        if d is None:
            self._update_hover(pos)
            return super().mouseMoveEvent(event)
        if isinstance(d, PanDrag):
            delta = event.position() - d.last
            d.last = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
        elif isinstance(d, DrawBox):
            self._rubber.setRect(QRectF(d.start, pos).normalized())
        elif self.doc.read_only:  # a joint or box drag on a read-only project: say so once per drag
            if not self._refused_drag:
                self._refused_drag = True
                self.doc.refuse_edit()
        else:
            if d.frame != self.doc.frame:  # stepped to another frame while dragging: a new undo step there
                self._flush_drag()
                d = self._drag = dataclasses.replace(d, frame=self.doc.frame)
            self._queue_drag(d, pos.x(), pos.y())

    def _queue_drag(self, drag: Drag, x: float, y: float) -> None:
        """Write this drag position now, or when the write interval has passed (newest wins)."""
        self._pending = (drag, x, y)
        wait = DRAG_WRITE_INTERVAL_S - (time.perf_counter() - self._last_write)
        if wait <= 0:
            self._flush_drag()
        elif not self._drag_timer.isActive():
            self._drag_timer.start(int(wait * 1000) + 1)

    def _flush_drag(self) -> None:
        """Apply the pending position through the core gesture (the document records the undo step)."""
        self._drag_timer.stop()
        if self._pending is None:
            return
        drag, x, y = self._pending
        self._pending = None
        self._last_write = time.perf_counter()
        try:
            drag.move_to(self.doc.session, x, y)
        except Exception as exc:  # noqa: BLE001 - e.g. the file became unwritable mid-drag
            self._drag = None
            from app.errors import show_error

            show_error(self, "Edit", exc)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        d, self._drag = self._drag, None
        if d is None:
            return super().mouseReleaseEvent(event)
        self._flush_drag()  # the final position is always written
        if isinstance(d, DrawBox):
            self._rubber.hide()
            r = self._rubber.rect().intersected(self.canvas.sceneRect())
            if r.width() >= 4 and r.height() >= 4:
                self.box_drawn.emit(r.left(), r.top(), r.right(), r.bottom())

    def _refresh_hover(self) -> None:
        if self._hover_at is not None and self._drag is None:
            self._update_hover(self._hover_at)

    def _update_hover(self, pos: QPointF) -> None:
        self._hover_at = pos
        if self.doc.session is None:
            self._hover.hide()
            return
        hit = self.joint_at(pos)
        if hit is None:
            self._hover.hide()
            return
        tid, k = hit
        t = self.doc.project.tracks[tid]
        f = self.doc.frame
        src = SOURCE_NAMES.get(int(t.source[f, k]), "?")
        text = f"{person_name(tid)} {self.doc.project.skeleton.joint_names[k]} — {src}, {VIS_NAMES[int(t.vis[f, k])]}"
        if int(t.source[f, k]) in MACHINE_SOURCES:
            text += f", score {t.score[f, k]:.2f}"
        self._hover.setText(text)
        self._hover.setPos(pos + QPointF(8 / self.scale_factor(), 8 / self.scale_factor()))
        self._hover.show()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover_at = None
        self._hover.hide()
        super().leaveEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        if self.doc.session is None:
            return
        pos = self.mapToScene(event.pos())
        hit = self.joint_at(pos)
        menu = QMenu(self)
        if hit is not None:
            tid, k = hit
            self.doc.select(tid, k)
            name = self.doc.project.skeleton.joint_names[k]
            for vis, text in ((2, "Visible"), (1, "Occluded"), (0, "Not labelled")):
                act = menu.addAction(f"{name}: {text}")
                act.setCheckable(True)
                act.setChecked(int(self.doc.project.tracks[tid].vis[self.doc.frame, k]) == vis)
                act.setEnabled(not self.doc.read_only)
                act.triggered.connect(
                    lambda _=False, v=vis, t=tid, j=k: self.doc.push(annotate.set_visibility(self.doc.project, t, self.doc.frame, j, v)))
            menu.addSeparator()
        else:
            tid = self.box_at(pos)
            if tid is not None:
                self.doc.select(tid)
        from stdpose_core.ops.regions import delete_region, region_at

        region = region_at(self.doc.project, self.doc.frame, (pos.x(), pos.y()))
        if region is not None:
            f = self.doc.frame
            menu.addAction("Delete this ignore region").triggered.connect(
                lambda _=False: self.doc.push(delete_region(self.doc.project, f, region)))
            menu.addSeparator()
        self.context_menu_requested.emit(menu, event.globalPos())
        if not menu.isEmpty():
            self.exec_menu(menu, event.globalPos())

    def exec_menu(self, menu: QMenu, global_pos) -> None:
        """Show a context menu modally (tests replace this to pick an entry without a modal loop)."""
        menu.exec(global_pos)
