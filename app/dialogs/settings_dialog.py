"""File → Settings: edits a copy of :class:`app.settings.Settings`; the caller saves and applies it."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.settings import DETECTOR_IMGSZ_RANGE, Settings, detector_imgsz
from app.shortcuts import ACTIONS, ActionSpec, effective_keys


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, project_interval: int | None, parent=None, specs: Sequence[ActionSpec] = ACTIONS):
        super().__init__(parent)
        self.specs = tuple(specs)
        self.setWindowTitle("Settings")
        self.resize(560, 560)
        self.s = copy.deepcopy(settings)
        tabs = QTabWidget()
        tabs.addTab(self._general(project_interval), "General")
        tabs.addTab(self._colors(), "Colours")
        tabs.addTab(self._models(), "Models")
        tabs.addTab(self._shortcuts(), "Shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(tabs)
        lay.addWidget(buttons)

    def _general(self, project_interval: int | None) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.interval = QSpinBox()
        self.interval.setRange(1, 1000)
        self.interval.setValue(project_interval or self.s.keyframe_interval)
        form.addRow("Keyframe interval T" + (" (this project)" if project_interval else ""), self.interval)
        self.trail = QSpinBox()
        self.trail.setRange(0, 200)
        self.trail.setValue(self.s.trail_length)
        form.addRow("Motion trail ±frames", self.trail)
        self.cache = QSpinBox()
        self.cache.setRange(64, 65536)
        self.cache.setSuffix(" MB")
        self.cache.setValue(self.s.cache_mb)
        form.addRow("Frame cache", self.cache)
        self.low = QDoubleSpinBox()
        self.low.setRange(0.0, 1.0)
        self.low.setSingleStep(0.05)
        self.low.setValue(self.s.low_confidence)
        form.addRow("Low-confidence threshold", self.low)
        self.skeleton = QComboBox()
        self.skeleton.addItems(["posetrack18", "coco17"])
        self.skeleton.setCurrentText(self.s.skeleton)
        form.addRow("Skeleton for new projects", self.skeleton)
        return w

    def _colors(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.color_buttons: list[QPushButton] = []
        row = QHBoxLayout()
        for i, c in enumerate(self.s.track_colors):
            b = QPushButton(str(i))
            b.setFixedWidth(36)
            b.setStyleSheet(f"background:{c}")
            b.clicked.connect(lambda _=False, i=i: self._pick(i))
            self.color_buttons.append(b)
            row.addWidget(b)
        lay.addLayout(row)
        lay.addStretch(1)
        return w

    def _pick(self, i: int) -> None:
        c = QColorDialog.getColor(QColor(self.s.track_colors[i]), self, f"Colour of track {i} (mod {len(self.s.track_colors)})")
        if c.isValid():
            self.s.track_colors[i] = c.name()
            self.color_buttons[i].setStyleSheet(f"background:{c.name()}")

    def _models(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(self.s.device)
        form.addRow("Device", self.device)
        self.weights = self._path_row(form, "STDPose weights", self.s.stdpose_weights)
        self.detector = self._path_row(form, "Detector weights", self.s.detector_weights)
        self.imgsz = QSpinBox()
        self.imgsz.setRange(DETECTOR_IMGSZ_RANGE[0], DETECTOR_IMGSZ_RANGE[1])
        self.imgsz.setSingleStep(32)
        self.imgsz.setSuffix(" px")
        self.imgsz.setValue(detector_imgsz(self.s))
        self.imgsz.setToolTip("Detector input size: larger finds smaller (distant) people, but detection is slower")
        form.addRow("Detector image size", self.imgsz)
        return w

    def _path_row(self, form: QFormLayout, label: str, value: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setPlaceholderText("default (model registry)")
        browse = QPushButton("…")
        browse.clicked.connect(
            lambda: edit.setText(QFileDialog.getOpenFileName(self, label, edit.text(), "Weights (*.pt *.pth *.onnx)")[0] or edit.text()))
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(browse)
        form.addRow(label, row)
        return edit

    def _shortcuts(self) -> QWidget:
        self.key_table = QTableWidget(len(self.specs), 2)
        self.key_table.setHorizontalHeaderLabels(["Action", "Key"])
        self.key_edits: dict[str, QKeySequenceEdit] = {}
        for r, spec in enumerate(self.specs):
            self.key_table.setCellWidget(r, 0, QLineEdit(spec.text.replace("&", "")))
            self.key_table.cellWidget(r, 0).setReadOnly(True)
            keys = effective_keys(spec, self.s.shortcuts)
            edit = QKeySequenceEdit(QKeySequence(keys[0]) if keys else QKeySequence())
            self.key_edits[spec.id] = edit
            self.key_table.setCellWidget(r, 1, edit)
        self.key_table.horizontalHeader().setStretchLastSection(True)
        self.key_table.setColumnWidth(0, 300)
        return self.key_table

    def result_settings(self) -> tuple[Settings, int]:
        """The edited settings and the keyframe interval chosen."""
        s = self.s
        s.trail_length, s.cache_mb, s.low_confidence = self.trail.value(), self.cache.value(), self.low.value()
        s.skeleton, s.device = self.skeleton.currentText(), self.device.currentText()
        s.stdpose_weights, s.detector_weights = self.weights.text(), self.detector.text()
        s.detector_imgsz = detector_imgsz(self.imgsz.value())
        s.keyframe_interval = self.interval.value()
        for spec in self.specs:
            text = self.key_edits[spec.id].keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            default = QKeySequence(spec.keys[0]).toString(QKeySequence.SequenceFormat.PortableText) if spec.keys else ""
            if text != default:
                # Rebinding replaces the primary key; extra default keys are dropped with it.
                s.shortcuts[spec.id] = text
            else:
                s.shortcuts.pop(spec.id, None)
        return s, self.interval.value()
