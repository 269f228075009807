"""The scene: the frame pixmap and one PoseItem per person, kept in step with the Document.

Repaints only what a ``Change`` names: a change on other frames or other people repaints nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

from app.canvas.pose_item import PoseItem, TrailItem
from app.canvas.regions_item import RegionsItem
from app.canvas.style import track_color
from app.document import Document
from stdpose_core.data.edits import Change


class CanvasScene(QGraphicsScene):
    def __init__(self, doc: Document, palette: list[str], parent=None):
        super().__init__(parent)
        self.doc = doc
        self.palette = palette  # shared list, edited in place by the settings dialog
        self.view_scale = 1.0
        self.setBackgroundBrush(QColor(40, 40, 40))
        self.pixmap_item = QGraphicsPixmapItem()
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.addItem(self.pixmap_item)
        self.trails = TrailItem(self)
        self.addItem(self.trails)
        self.regions = RegionsItem(self)
        self.addItem(self.regions)
        self.items_by_track: dict[int, PoseItem] = {}
        self._order: dict[int, int] = {}
        self.shown_frame = -1  # frame whose pixels are on screen
        doc.opened.connect(self.rebuild)
        doc.changed.connect(self.on_change)
        doc.frame_changed.connect(self.on_frame)
        doc.selection_changed.connect(self.on_selection)

    # ---- helpers for items ---------------------------------------------------------------------
    def color(self, track_id: int | None) -> QColor:
        return track_color(track_id or 0, self.palette)

    def label_index(self, track_id: int) -> int:
        """The number key that selects this person on the current frame (1..10, 0 if beyond)."""
        return self._order.get(track_id, 0)

    def person_order(self) -> list[int]:
        """Ids of the people present on the current frame, in number-key order."""
        return [t.track_id for t in self.doc.project.tracks_at(self.doc.frame)] if self.doc.session else []

    # ---- document events -----------------------------------------------------------------------
    def rebuild(self) -> None:
        for item in self.items_by_track.values():
            self.removeItem(item)
        self.items_by_track.clear()
        if self.doc.session is None:
            self.pixmap_item.setPixmap(QPixmap())
            return
        v = self.doc.project.video
        self.setSceneRect(QRectF(0, 0, v.width, v.height))
        if self.pixmap_item.pixmap().isNull() or self.pixmap_item.pixmap().size().width() != v.width:
            placeholder = QPixmap(v.width, v.height)
            placeholder.fill(QColor(20, 20, 20))
            self.pixmap_item.setPixmap(placeholder)
        self.on_frame(self.doc.frame)

    def _sync_items(self) -> None:
        """Items exist exactly for the people present on this frame."""
        present = self.person_order()
        self._order = {tid: (i + 1 if i < 10 else 0) for i, tid in enumerate(present)}
        for tid in list(self.items_by_track):
            if tid not in self._order:
                self.removeItem(self.items_by_track.pop(tid))
        for tid in present:
            item = self.items_by_track.get(tid)
            if item is None:
                item = self.items_by_track[tid] = PoseItem(self, tid)
                self.addItem(item)
            else:
                item.refresh()

    def on_frame(self, frame: int) -> None:
        if self.doc.session is None:
            return
        self._sync_items()
        self.trails.refresh()
        self.regions.refresh()

    def on_change(self, change: Change) -> None:
        if self.doc.session is None:
            return
        f = self.doc.frame
        if change.structure:
            self._sync_items()
        elif change.tracks and change.start <= f < change.stop:
            if set(self.person_order()) != set(self.items_by_track):
                self._sync_items()  # someone appeared on / vanished from this frame
            else:
                for tid in change.tracks & set(self.items_by_track):
                    self.items_by_track[tid].refresh()
        if self.doc.track_id in change.tracks:
            self.trails.refresh()
        if change.frame_info and change.start <= f < change.stop:
            self.regions.refresh()

    def on_selection(self) -> None:
        for item in self.items_by_track.values():
            item.update()
        self.trails.refresh()

    def set_view_scale(self, scale: float) -> None:
        if abs(scale - self.view_scale) > 1e-6:
            self.view_scale = scale
            for item in self.items_by_track.values():
                item.refresh()

    def show_image(self, frame: int, image: QImage) -> None:
        if frame == self.doc.frame:
            self.pixmap_item.setPixmap(QPixmap.fromImage(image))
            self.shown_frame = frame
