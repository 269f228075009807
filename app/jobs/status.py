"""The job's face in the status bar: what runs, a progress bar and Cancel (hidden when idle)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.jobs.runner import JobRunner


class JobStatus(QWidget):
    def __init__(self, runner: JobRunner, parent=None):
        super().__init__(parent)
        self.runner = runner
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(220)
        self.bar.setTextVisible(True)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.clicked.connect(runner.cancel)
        for w in (self.label, self.bar, self.cancel_button):
            lay.addWidget(w)
        runner.started.connect(self._started)
        runner.progress.connect(self._progress)
        runner.busy_changed.connect(lambda busy: self.setVisible(busy))
        self.hide()

    def _started(self, name: str) -> None:
        self.label.setText(name)
        self.bar.setRange(0, 0)  # busy indicator until the job reports a total
        self.cancel_button.setEnabled(True)

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{message}  %p%" if message else "%p%")
        else:
            self.bar.setRange(0, 0)
        self.label.setText(self.runner.name)
