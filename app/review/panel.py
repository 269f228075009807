"""The review queue dock: machine-made joints to check, riskiest first; Ctrl+→ / Ctrl+← walk it.

Selecting an item shows its frame and selects the person and joint, so the user can drag the joint
(it becomes CORRECTED and the gaps around it are re-propagated) or press R to mark the frame
reviewed (its items leave the queue). The header counts the joints still to check.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.canvas.style import score_color
from app.review.state import ReviewState
from stdpose_core.data.track import person_name
from stdpose_core.review import ReviewQueue, reason_text

COLUMNS = ("Frame", "Person", "Joint", "Score", "Why")  # sorted by risk; the risk itself is in the tooltip


class QueueModel(QAbstractTableModel):
    def __init__(self, joint_names: list[str] | None = None, parent=None):
        super().__init__(parent)
        self.queue = ReviewQueue.empty()
        self.joint_names = joint_names or []

    def set_queue(self, queue: ReviewQueue, joint_names: list[str]) -> None:
        self.beginResetModel()
        self.queue, self.joint_names = queue, joint_names
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.queue)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        q, r, c = self.queue, index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return int(q.frame[r])
            if c == 1:
                return person_name(int(q.track[r]))
            if c == 2:
                k = int(q.joint[r])
                return self.joint_names[k] if k < len(self.joint_names) else str(k)
            if c == 3:
                return f"{float(q.score[r]):.2f}"
            return reason_text(int(q.reasons[r]), short=True)
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole reason, however narrow the dock
            k = int(q.joint[r])
            name = self.joint_names[k] if k < len(self.joint_names) else str(k)
            return (f"frame {int(q.frame[r])}, {person_name(int(q.track[r]))} {name}: score {float(q.score[r]):.2f}, "
                    f"risk {float(q.risk[r]):.2f} — {reason_text(int(q.reasons[r]))}")
        if role == Qt.ItemDataRole.BackgroundRole and c == 3:
            col = QColor(score_color(float(q.score[r])))
            col.setAlpha(110)
            return col
        return None

    def key(self, row: int) -> tuple[int, int, int]:
        q = self.queue
        return int(q.frame[row]), int(q.track[row]), int(q.joint[row])

    def row_of(self, key: tuple[int, int, int]) -> int:
        q = self.queue
        hit = ((q.frame == key[0]) & (q.track == key[1]) & (q.joint == key[2])).nonzero()[0]
        return int(hit[0]) if len(hit) else -1


class ReviewPanel(QDockWidget):
    def __init__(self, window, state: ReviewState):
        super().__init__("Review queue", window)
        self.setObjectName("review_dock")
        self.main, self.doc, self.state = window, window.doc, state
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-weight:bold;")
        self.count_label.setWordWrap(True)
        lay.addWidget(self.count_label)
        self.model = QueueModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(20)
        # Fixed widths: ResizeToContents would ask every row for its text (thousands of items, ~0.5 s).
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((44, 50, 92, 40)):
            header.resizeSection(col, width)
        # "Why" is as wide as its longest text (a handful of reason combinations, measured once per
        # refresh); the table scrolls sideways in a narrow dock instead of cutting the reason off.
        header.setStretchLastSection(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys stay with the editor
        self.table.clicked.connect(lambda idx: self.go(idx.row()))
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.prev_button, self.next_button = QPushButton("◀ Previous"), QPushButton("Next ▶")
        self.prev_button.setToolTip("Previous joint to check (Ctrl+←)")
        self.next_button.setToolTip("Next joint to check (Ctrl+→)")
        self.reviewed_button = QPushButton("Frame reviewed (R)")
        self.reviewed_button.setToolTip("Mark everyone on this frame checked: its items leave the queue")
        for b in (self.prev_button, self.next_button, self.reviewed_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        mark = window.actions_by_id["edit.mark_reviewed"]
        self.reviewed_button.clicked.connect(mark.trigger)
        mark.changed.connect(lambda: self.reviewed_button.setEnabled(mark.isEnabled()))  # off while read-only
        lay.addLayout(buttons)
        self.setWidget(body)
        self._current: tuple[int, int, int] | None = None
        self._row = -1
        state.updated.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        names = list(self.doc.project.skeleton.joint_names) if self.doc.project else []
        self.model.set_queue(self.state.queue, names)
        q = self.state.queue
        texts = [reason_text(int(m), short=True) for m in np.unique(q.reasons)] + ["Why"]
        fm = self.table.fontMetrics()
        self.table.horizontalHeader().resizeSection(len(COLUMNS) - 1, max(fm.horizontalAdvance(t) for t in texts) + 16)
        if self.doc.project is None:
            self.count_label.setText("No project open")
        elif len(q) == 0:
            self.count_label.setText(f"Nothing to check below confidence {self.state.threshold:.2f} ✓")
        else:
            self.count_label.setText(f"{len(q)} joints to check on {len(q.frames)} frames (confidence < {self.state.threshold:.2f} or suspicious)")
        # Keep the place: the same item if it is still queued, else the one that slid into its row.
        row = self.model.row_of(self._current) if self._current else -1
        if row < 0 and self._row >= 0 and len(q):
            row = min(self._row, len(q) - 1)
        self._select_row(row)

    def _select_row(self, row: int) -> None:
        self._row = row
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
            self._current = self.model.key(row)
        else:
            self.table.clearSelection()
            self._current = None

    def go(self, row: int) -> None:
        """Show item ``row``: its frame, person and joint selected and in view."""
        if not 0 <= row < self.model.rowCount():
            return
        self._select_row(row)
        f, tid, k = self.model.key(row)
        self.doc.set_frame(f)
        self.doc.select(tid, k)
        x, y = self.doc.project.tracks[tid].xy[f, k].tolist()
        self.main.view.ensureVisible(x - 60, y - 60, 120, 120)

    def step(self, direction: int) -> None:
        """Next (+1) / previous (-1) item of the queue (Ctrl+→ / Ctrl+←)."""
        n = self.model.rowCount()
        if n == 0:
            self.main.statusBar().showMessage("Nothing left to check", 3000)
            return
        cur = self.model.row_of(self._current) if self._current is not None else -1
        if cur < 0:
            row = 0 if direction > 0 else n - 1
        elif self._on_current():
            row = cur + direction
        else:
            row = cur  # the selected item (e.g. the one after a fixed joint) is not shown yet: show it
        self.go(min(max(row, 0), n - 1))

    def _on_current(self) -> bool:
        f, tid, k = self._current
        return self.doc.frame == f and self.doc.track_id == tid and self.doc.joint == k
