"""Help → Keyboard Shortcuts: the action table with the keys in effect."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from app.shortcuts import ACTIONS, ActionSpec, effective_keys


def shortcut_rows(overrides: dict[str, str], specs: Sequence[ActionSpec] = ACTIONS) -> list[tuple[str, str, str]]:
    """(group, action text, keys) for every action with a key, in table order."""
    rows = []
    for spec in specs:
        keys = effective_keys(spec, overrides)
        if keys:
            rows.append((spec.menu or "Canvas", spec.text.replace("&", ""), ", ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, overrides: dict[str, str], specs: Sequence[ActionSpec] = ACTIONS, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(520, 640)
        lay = QVBoxLayout(self)
        rows = shortcut_rows(overrides, specs)
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
