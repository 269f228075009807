"""How dataset cells look and edit: progress bars, and a list of states to pick from."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QStyledItemDelegate, QStyleOptionProgressBar

from app.dataset.model import FRACTION_ROLE
from stdpose_core.dataset import STATES


class ProgressDelegate(QStyledItemDelegate):
    """A progress bar with the cell's text (``posed 12/60``) over its fraction."""

    def paint(self, painter, option, index) -> None:
        fraction = index.data(FRACTION_ROLE) or 0.0
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int(round(fraction * 1000))
        bar.text = index.data() or ""
        bar.textVisible = True
        bar.state = option.state
        (option.widget.style() if option.widget else QApplication.style()).drawControl(
            QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class StateDelegate(QStyledItemDelegate):
    """Edits a state with a list of :data:`~stdpose_core.dataset.STATES`."""

    def createEditor(self, parent, option, index):  # noqa: N802
        box = QComboBox(parent)
        box.addItems(list(STATES))
        return box

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        editor.setCurrentText(index.data() or STATES[0])

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        model.setData(index, editor.currentText())
