"""Jobs → Suggest keyframe interval…: the probe's effort per T (:mod:`stdpose_core.ops.suggest_interval`)
and a button that makes the suggested T the project's keyframe interval."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.shortcuts import ActionSpec

SUGGEST_INTERVAL = ActionSpec("jobs.suggest_interval", "Suggest keyframe &interval…", (), "Jobs",
                              "Probe this video: which keyframe interval T costs the fewest clicks", edits=True)


class SuggestIntervalDialog(QDialog):
    """Shows a probe result; ``accepted`` means: use ``self.suggested``."""

    def __init__(self, result: dict, current: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Suggested keyframe interval")
        self.suggested = int(result["suggested"])
        lay = QVBoxLayout(self)
        spans = ", ".join(f"{a}–{b - 1}" for a, b in result["windows"])
        intro = QLabel(f"Simulated labelling of frames {spans} (people as detected, method {result['method']}): "
                       f"share of joints you would place or fix for each keyframe interval T. "
                       f"Least effort: <b>T = {self.suggested}</b> (now {current}).")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        rows = sorted(result["candidates"].items(), key=lambda kv: int(kv[0]))
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["T", "effort"])
        self.table.verticalHeader().hide()
        for i, (T, e) in enumerate(rows):
            for j, text in enumerate((str(T), f"{100 * e['effort']:.1f}%")):
                item = QTableWidgetItem(text + ("  ← suggested" if j == 1 and int(T) == self.suggested else ""))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"Use T = {self.suggested}")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Keep T = " + str(current))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
