"""The timeline strip widget: ruler, keyframe markers and one state strip per track.

Everything is drawn with QPainter in ``paintEvent`` from cached per-track state arrays aggregated
into pixel columns (:func:`~app.timeline.states.column_states`); the columns of all strips become
one small image (colour lookup in numpy) drawn row by row, so the cost depends on the widget's
width, not on the video's length or how often states alternate. Caches (states, human keyframes)
are refreshed only for the tracks a Change names.

Many people: rows never get thinner than :data:`MIN_ROW_H` (labels stay legible); rows that do not
fit scroll (mouse wheel over the names, or the dock's scroll bar; ``rows_changed`` tells it), the
selected person is scrolled into view, and ``only_in_view`` hides people absent from the frames
shown. The "all" row always sums up everyone.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.document import Document
from app.timeline.states import STATE_COLORS, column_states, track_states
from stdpose_core.data.edits import Change
from stdpose_core.data.track import person_name

LABEL_W = 64
RULER_H = 20
KEY_H = 12
ALL_H = 10
ROW_H = 18
MIN_ROW_H = 14
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000)


class TimelineWidget(QWidget):
    view_changed = Signal()
    rows_changed = Signal(int, int, int)  # first shown row, rows that fit, rows in all

    def __init__(self, doc: Document, palette: list[str], low_confidence: float = 0.5, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.palette = palette
        self.low_confidence = low_confidence
        self.view_start = 0.0
        self.view_len = 1.0
        self._states: dict[int, np.ndarray] = {}
        self._keys: dict[int, np.ndarray] = {}  # per track: frames with human-placed joints
        self._human_keys: np.ndarray | None = None
        self._press: tuple[str, int] | None = None
        self.row_offset = 0  # first track row shown
        self.only_in_view = False  # hide people absent from the frames shown
        self._colors = [QColor(c) for c in STATE_COLORS]
        # ARGB32 pixel value of each state, for building strip images with one numpy lookup
        self._lut = np.array([QColor(c).rgba() for c in STATE_COLORS], np.uint32)
        self.setMinimumHeight(RULER_H + KEY_H + ALL_H + 2 * ROW_H + 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        doc.opened.connect(self.reset)
        doc.changed.connect(self.on_change)
        doc.frame_changed.connect(self.on_frame)
        doc.range_changed.connect(self.update)
        doc.selection_changed.connect(self._on_selection)

    # ---- geometry -------------------------------------------------------------------------
    @property
    def strip_width(self) -> int:
        return max(self.width() - LABEL_W - 4, 1)

    def x_of(self, frame: float) -> float:
        return LABEL_W + (frame - self.view_start) / self.view_len * self.strip_width

    def frame_at(self, x: float) -> int:
        f = self.view_start + (x - LABEL_W) / self.strip_width * self.view_len
        return int(min(max(np.floor(f), 0), max(self.doc.num_frames - 1, 0)))

    def _free_height(self) -> int:
        return max(self.height() - RULER_H - KEY_H - ALL_H - 4, 0)

    def row_height(self) -> int:
        n = max(len(self.rows()), 1)
        return int(min(ROW_H, max(self._free_height() // n, MIN_ROW_H)))

    def rows_fitting(self) -> int:
        """How many track rows fit the widget's height."""
        return max(self._free_height() // self.row_height(), 1)

    def row_top(self, i: int) -> int:
        """Top of the ``i``-th *shown* row (0 = the first row on screen)."""
        return RULER_H + KEY_H + ALL_H + 4 + i * self.row_height()

    def _track_ids(self) -> list[int]:
        return list(self.doc.project.tracks) if self.doc.session else []

    def rows(self) -> list[int]:
        """Track ids with a row, in order (all, or with ``only_in_view`` those present in the frames shown)."""
        ids = self._track_ids()
        if not self.only_in_view or not ids:
            return ids
        a = int(np.floor(self.view_start))
        b = int(min(np.ceil(self.view_start + self.view_len), self.doc.num_frames))
        return [t for t in ids if self.doc.project.tracks[t].present()[a:b].any() or t == self.doc.track_id]

    def shown_rows(self) -> list[int]:
        """The rows on screen now: ``rows()`` from ``row_offset``, as many as fit."""
        rows = self.rows()
        self._clamp_offset(len(rows))
        return rows[self.row_offset : self.row_offset + self.rows_fitting()]

    def _clamp_offset(self, n: int) -> None:
        self.row_offset = int(min(max(self.row_offset, 0), max(n - self.rows_fitting(), 0)))

    def scroll_rows(self, first: int) -> None:
        """Show rows from ``first`` on (clamped)."""
        old = self.row_offset
        self.row_offset = first
        self._clamp_offset(len(self.rows()))
        if self.row_offset != old:
            self.update()
        self._tell_rows()

    def set_only_in_view(self, on: bool) -> None:
        self.only_in_view = bool(on)
        self.row_offset = 0
        self.update()
        self._tell_rows()

    def _tell_rows(self) -> None:
        self.rows_changed.emit(self.row_offset, self.rows_fitting(), len(self.rows()))

    def _on_selection(self) -> None:
        """Keep the selected person's row on screen."""
        rows = self.rows()
        tid = self.doc.track_id
        if tid in rows:
            i = rows.index(tid)
            if not self.row_offset <= i < self.row_offset + self.rows_fitting():
                self.scroll_rows(i - self.rows_fitting() // 2)
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._clamp_offset(len(self.rows()))
        self._tell_rows()

    # ---- caches ---------------------------------------------------------------------------
    def reset(self) -> None:
        self._states.clear()
        self._keys.clear()
        self._human_keys = None
        self.view_start, self.view_len = 0.0, float(max(self.doc.num_frames, 1))
        self.row_offset = 0
        self.update()
        self._tell_rows()

    def on_change(self, change: Change) -> None:
        for tid in change.tracks:
            self._states.pop(tid, None)
            self._keys.pop(tid, None)
        if change.structure:
            self._states = {t: s for t, s in self._states.items() if t in self.doc.project.tracks}
            self._keys = {t: k for t, k in self._keys.items() if t in self.doc.project.tracks}
        if change.tracks:
            self._human_keys = None
        if change.structure:
            self._tell_rows()
        self.update()

    def set_low_confidence(self, value: float) -> None:
        self.low_confidence = value
        self._states.clear()
        self.update()

    def states(self, tid: int) -> np.ndarray:
        s = self._states.get(tid)
        if s is None:
            s = self._states[tid] = track_states(self.doc.project.tracks[tid], self.low_confidence)
        return s

    def human_keys(self) -> np.ndarray:
        """Sorted frames where anyone has a human-placed joint (cached per track)."""
        if self._human_keys is None:
            for tid, t in self.doc.project.tracks.items():
                if tid not in self._keys:
                    self._keys[tid] = t.keyframes()
            keys = list(self._keys.values())
            self._human_keys = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
        return self._human_keys

    def on_frame(self, frame: int) -> None:
        if frame < self.view_start or frame >= self.view_start + self.view_len:  # keep the playhead in view
            self.view_start = float(min(max(frame - self.view_len * 0.1, 0), max(self.doc.num_frames - self.view_len, 0)))
            self.view_changed.emit()
        self.update()

    # ---- zoom ------------------------------------------------------------------------------
    def zoom(self, factor: float, around: float | None = None) -> None:
        n = max(self.doc.num_frames, 1)
        around = self.doc.frame if around is None else around
        new_len = float(min(max(self.view_len / factor, 10.0), n))
        rel = (around - self.view_start) / self.view_len
        self.view_start = float(min(max(around - rel * new_len, 0), n - new_len))
        self.view_len = new_len
        self.view_changed.emit()
        self.update()

    def zoom_all(self) -> None:
        self.view_start, self.view_len = 0.0, float(max(self.doc.num_frames, 1))
        self.view_changed.emit()
        self.update()

    def wheelEvent(self, event) -> None:  # noqa: N802
        dy = event.angleDelta().y() or event.angleDelta().x()
        if event.position().x() < LABEL_W and event.position().y() >= self.row_top(0):  # over the names: scroll rows
            self.scroll_rows(self.row_offset - int(np.sign(dy)) * 3)
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # pan
            n = self.doc.num_frames
            self.view_start = float(min(max(self.view_start - dy / 120 * self.view_len * 0.1, 0), max(n - self.view_len, 0)))
            self.update()
        else:
            self.zoom(1.25 ** (dy / 120), self.view_start + (event.position().x() - LABEL_W) / self.strip_width * self.view_len)

    # ---- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.doc.session is None or event.button() != Qt.MouseButton.LeftButton:
            return
        x, y = event.position().x(), event.position().y()
        if x < LABEL_W:
            ids = self.shown_rows()
            i = int((y - self.row_top(0)) // self.row_height()) if y >= self.row_top(0) else -1
            if 0 <= i < len(ids):
                self.doc.select(ids[i])
            return
        f = self.frame_at(x)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._press = ("range", f)
            self.doc.set_range((f, f + 1))
        else:
            self._press = ("scrub", f)
            self.doc.set_frame(f)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._press is None:
            return
        f = self.frame_at(event.position().x())
        if self._press[0] == "range":
            a = self._press[1]
            self.doc.set_range((min(a, f), max(a, f) + 1))
        else:
            self.doc.set_frame(f)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._press = None

    # ---- painting --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(30, 30, 30))
        if self.doc.session is None:
            p.setPen(QColor(150, 150, 150))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No video open")
            return
        font = QFont(p.font())
        font.setPixelSize(10)
        p.setFont(font)
        n = self.doc.num_frames
        a = int(np.floor(self.view_start))
        b = int(min(np.ceil(self.view_start + self.view_len), n))
        x_a = int(round(self.x_of(a)))
        w_ab = max(int(round(self.x_of(b))) - x_a, 1)
        self._paint_ruler(p, a, b)
        self._paint_keys(p, a, b)
        everyone = self._track_ids()
        ids = self.shown_rows()
        rh = self.row_height()
        cols = np.zeros((len(ids) + 1, w_ab), np.uint8)  # row 0: 'all' = worst state of anyone
        for i, tid in enumerate(ids):
            cols[i + 1] = column_states(self.states(tid), a, b, w_ab)
        for tid in everyone:
            cols[0] = np.maximum(cols[0], column_states(self.states(tid), a, b, w_ab))
        pixels = np.ascontiguousarray(self._lut[cols])
        image = QImage(pixels.data, w_ab, len(ids) + 1, 4 * w_ab, QImage.Format.Format_ARGB32)
        y_all = RULER_H + KEY_H + 1
        p.drawImage(QRectF(x_a, y_all, w_ab, ALL_H - 2), image, QRectF(0, 0, w_ab, 1))
        for i, tid in enumerate(ids):
            top = self.row_top(i)
            p.drawImage(QRectF(x_a, top, w_ab, rh - 1), image, QRectF(0, i + 1, w_ab, 1))
            color = QColor(self.palette[tid % len(self.palette)])
            p.fillRect(QRectF(2, top, 6, rh - 1), color)
            p.setPen(QColor(255, 255, 0) if tid == self.doc.track_id else QColor(210, 210, 210))
            p.drawText(QRectF(10, top, LABEL_W - 12, rh), Qt.AlignmentFlag.AlignVCenter, person_name(tid))

        del image, pixels  # the image borrowed the numpy buffer: both go together
        p.setPen(QColor(170, 170, 170))
        p.drawText(QRectF(10, y_all - 1, LABEL_W - 12, ALL_H), Qt.AlignmentFlag.AlignVCenter, "all")
        if self.doc.frame_range:
            r0, r1 = self.doc.frame_range
            p.fillRect(QRectF(self.x_of(r0), 0, max(self.x_of(r1) - self.x_of(r0), 1), self.height()), QColor(80, 140, 255, 60))
        xf = self.x_of(self.doc.frame)
        pw = max(self.x_of(self.doc.frame + 1) - xf, 1.5)
        p.fillRect(QRectF(xf, 0, pw, self.height()), QColor(255, 220, 0, 110 if pw > 3 else 255))
        p.end()

    def _paint_ruler(self, p: QPainter, a: int, b: int) -> None:
        px_per_frame = self.strip_width / self.view_len
        step = next((s for s in TICK_STEPS if s * px_per_frame >= 60), TICK_STEPS[-1])
        p.setPen(QColor(170, 170, 170))
        for f in range((a // step) * step, b + 1, step):
            x = self.x_of(f)
            if x < LABEL_W:
                continue
            p.drawLine(QPointF(x, RULER_H - 6), QPointF(x, RULER_H))
            p.drawText(QPointF(x + 2, RULER_H - 8), str(f))
        p.drawText(QRectF(4, 0, LABEL_W - 6, RULER_H), Qt.AlignmentFlag.AlignVCenter, f"{self.doc.frame}/{self.doc.num_frames - 1}")

    def _paint_keys(self, p: QPainter, a: int, b: int) -> None:
        top = RULER_H
        T = max(self.doc.project.keyframe_interval, 1)
        if self.strip_width / self.view_len * T >= 3:  # every-T ticks only when they are not a grey wash
            p.setPen(QPen(QColor(110, 110, 110), 1))
            for f in range(((a + T - 1) // T) * T, b, T):
                x = self.x_of(f)
                p.drawLine(QPointF(x, top + 2), QPointF(x, top + KEY_H - 2))
        keys = self.human_keys()
        keys = keys[(keys >= a) & (keys < b)]
        # Pixel positions in numpy; when zoomed out many keyframes share a few pixels: keep one
        # diamond per 3 px so the loop below is bounded by the widget width, not the key count.
        xs = LABEL_W + ((keys + 0.5) - self.view_start) / self.view_len * self.strip_width
        cells = np.unique(np.floor(xs / 3.0)) * 3.0 + 1.5 if len(xs) > self.strip_width // 3 else xs
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255))
        half = KEY_H / 2 - 1
        cy = top + KEY_H / 2
        for x in cells.tolist():
            p.drawPolygon(QPolygonF([QPointF(x, cy - half), QPointF(x + half * 0.7, cy), QPointF(x, cy + half), QPointF(x - half * 0.7, cy)]))
