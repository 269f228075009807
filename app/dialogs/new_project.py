"""Ask where to create the project for a newly opened video, and with which skeleton."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from stdpose_core.project_ops import default_project_path
from stdpose_core.skeleton import SKELETONS


@dataclass
class NewProjectChoice:
    project_path: Path
    skeleton: str
    keyframe_interval: int


class NewProjectDialog(QDialog):
    def __init__(self, source: Path, skeleton: str = "posetrack18", keyframe_interval: int = 7, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New project")
        form = QFormLayout(self)
        form.addRow(QLabel(f"Create a project for <b>{Path(source).name}</b>:"))
        self.path_edit = QLineEdit(str(default_project_path(source)))
        browse = QPushButton("…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("Project file", row)
        self.skeleton = QComboBox()
        self.skeleton.addItems(sorted(SKELETONS))
        self.skeleton.setCurrentText(skeleton)
        form.addRow("Skeleton", self.skeleton)
        self.interval = QSpinBox()
        self.interval.setRange(1, 1000)
        self.interval.setValue(keyframe_interval)
        form.addRow("Keyframe every T frames", self.interval)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Project file", self.path_edit.text(), "STDPose project (*.stdpose)")
        if path:
            self.path_edit.setText(path if path.endswith(".stdpose") else path + ".stdpose")

    def choice(self) -> NewProjectChoice:
        return NewProjectChoice(Path(self.path_edit.text()), self.skeleton.currentText(), self.interval.value())


def ask_new_project(source: Path, skeleton: str, keyframe_interval: int, parent: QWidget | None = None) -> NewProjectChoice | None:
    dlg = NewProjectDialog(source, skeleton, keyframe_interval, parent)
    return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None
