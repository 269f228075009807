"""The dataset table: one row per video (:class:`~stdpose_core.dataset.VideoStatus`), sortable and
filterable; state and assignee are edited in place and written through the core (``on_edit``)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from stdpose_core.dataset import STATES, VideoStatus
from stdpose_core.dataset.status import ago

#: Sort key of a cell (numbers sort as numbers) and a bar cell's fraction in [0, 1].
SORT_ROLE = Qt.ItemDataRole.UserRole
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2

#: (title, VideoStatus attribute); "posed" and "reviewed" are drawn as progress bars.
COLUMNS = (("Video", "name"), ("State", "state"), ("Assignee", "assignee"), ("Frames", "frames"), ("People", "people"),
           ("Keyframes", "keyframes"), ("Propagated", "propagated"), ("Posed", "posed"), ("Reviewed", "reviewed"),
           ("Last edited", "last_edited"), ("Written by", "holder"), ("Problem", "problem"))
COL = {attr: i for i, (_, attr) in enumerate(COLUMNS)}
BAR_COLUMNS = (COL["posed"], COL["reviewed"])
EDITABLE = (COL["state"], COL["assignee"])
NUMBERS = (COL["frames"], COL["people"], COL["keyframes"], COL["propagated"])


class DatasetModel(QAbstractTableModel):
    """Rows of video statuses. ``on_edit(name, field, value)`` writes a state/assignee change and
    says whether it was written; ``current`` names the video open in the editor (shown bold)."""

    def __init__(self, on_edit: Callable[[str, str, str], bool], parent=None):
        super().__init__(parent)
        self.rows: list[VideoStatus] = []
        self.on_edit = on_edit
        self.current: str | None = None

    # ---- content -----------------------------------------------------------------------------
    def set_rows(self, rows: list[VideoStatus]) -> None:
        """Replace all rows (a fresh status), keeping the view's selection and sort where it can."""
        if [r.name for r in rows] == [r.name for r in self.rows]:
            old, self.rows = self.rows, rows
            for i, (a, b) in enumerate(zip(old, rows)):
                if a != b:  # repaint only the rows that changed (a refresh usually changes one or none)
                    self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def update_row(self, name: str, **fields) -> None:
        for i, r in enumerate(self.rows):
            if r.name == name:
                for k, v in fields.items():
                    setattr(r, k, v)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                return

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.name == name), -1)

    # ---- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def flags(self, index):
        f = super().flags(index)
        return f | Qt.ItemFlag.ItemIsEditable if index.column() in EDITABLE else f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, col = self.rows[index.row()], index.column()
        attr = COLUMNS[col][1]
        value = getattr(r, attr)
        if role == Qt.ItemDataRole.DisplayRole:
            if col in BAR_COLUMNS:
                return "-" if value is None or r.frames is None else f"{value}/{r.frames}"
            if attr == "last_edited":
                return ago(value)
            if attr == "holder":
                return "this window" if r.name == self.current else (value or "")
            if attr in ("problem", "assignee"):
                return value or ""
            return "-" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.EditRole:
            return value or ""
        if role == SORT_ROLE:
            if col in BAR_COLUMNS:
                return r.fraction(attr)
            if attr == "state":
                return STATES.index(value) if value in STATES else -1
            return -1 if value is None else value if isinstance(value, (int, float)) else str(value).lower()
        if role == FRACTION_ROLE and col in BAR_COLUMNS:
            return r.fraction(attr)
        if role == NAME_ROLE:
            return r.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.problem or r.holder or f"{r.project}"
        if role == Qt.ItemDataRole.ForegroundRole and r.problem:
            return QBrush(QColor("#c0392b"))
        if role == Qt.ItemDataRole.FontRole and r.name == self.current:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        r = self.rows[index.row()]
        attr = COLUMNS[index.column()][1]
        value = str(value).strip()
        if value == (getattr(r, attr) or ""):
            return False
        if not self.on_edit(r.name, attr, value):
            return False
        setattr(r, attr, value)
        self.dataChanged.emit(index.siblingAtColumn(0), index.siblingAtColumn(len(COLUMNS) - 1))
        return True


class DatasetFilter(QSortFilterProxyModel):
    """Rows whose name or assignee contains ``text`` (any case), in ``state`` (None = any),
    assigned to ``mine`` (None = anyone)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text, self.state, self.mine = "", None, None
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str | None = None, state: str | None = "", mine: str | None = "") -> None:
        changing = getattr(self, "beginFilterChange", None)  # Qt >= 6.9; invalidateFilter before
        if changing:
            changing()
        if text is not None:
            self.text = text.strip().lower()
        if state != "":
            self.state = state
        if mine != "":
            self.mine = mine
        if changing:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        r = self.sourceModel().rows[row]
        if self.state is not None and r.state != self.state:
            return False
        if self.mine is not None and r.assignee != self.mine:
            return False
        return not self.text or self.text in r.name.lower() or self.text in (r.assignee or "").lower()
