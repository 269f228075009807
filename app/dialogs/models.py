"""Model → Models…: the trained STDPose models in the registry, which one propagation uses, importing
a weight file, and a clear note when none is installed (then 'auto' propagation uses optical flow).

The registry is :mod:`stdpose_core.training.registry` (one JSON file in the user's models folder);
'auto' uses the active entry when it is a validated propagation model whose file exists
(:func:`stdpose_core.propagation.stdpose.validated_checkpoint`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.shortcuts import ActionSpec
from stdpose_core.progress import Progress

MODELS = ActionSpec("model.manage", "&Models…", (), "Model", "Installed STDPose models: choose the active one, import weights")
COLUMNS = ("", "Model", "Architecture", "PCKh@0.5", "mAP", "Trained on", "Created", "File")


def describe_active(registry: str | None = None) -> tuple[bool, str]:
    """``(uses_stdpose, sentence)`` about what 'auto' propagation uses now."""
    from stdpose_core.propagation.stdpose import validated_checkpoint

    try:
        from stdpose_core.training.registry import get_active

        active = get_active(registry)
    except Exception as exc:  # noqa: BLE001 - an unreadable registry must not hide the dialog
        return False, f"The model registry cannot be read ({exc}); propagation uses optical flow."
    if active is None:
        return False, "No STDPose model is active: propagation ('auto') uses optical flow. Train one (Model → Retrain) or import a weight file."
    if registry is None and validated_checkpoint() is None:
        return False, (f"The active model {active['id']} is not usable for propagation (no validation metrics, or its file is "
                       "missing): 'auto' uses optical flow.")
    return True, f"Propagation ('auto') uses the STDPose model {active['id']}."


def import_work(src: Path, dest_dir: Path, registry: str | None = None):
    """Job: copy a ``.pt``/``.onnx`` weight file into ``dest_dir`` and register it; returns the entry."""

    def work(_project):
        from stdpose_core.errors import InputError
        from stdpose_core.training.registry import add_model

        yield Progress(0, 1, f"reading {src.name}")
        entry: dict = {"name": src.stem, "mode": "propagation", "data": [], "metrics": {}}
        if src.suffix.lower() == ".pt":
            from stdpose_core.model.checkpoint import load_checkpoint

            ck = load_checkpoint(src)
            meta = ck.meta
            entry.update(name=ck.config.name, metrics=dict(meta.get("metrics") or {}), data=list(meta.get("data") or []),
                         mode=meta.get("mode", "propagation"))
        elif src.suffix.lower() != ".onnx":
            raise InputError(src, "a weight file must be a .pt checkpoint or an .onnx model")
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / src.name
        if dest.resolve() != src.resolve():
            shutil.copy2(src, dest)
        entry["path"] = str(dest)
        entry["imported_from"] = str(src)
        yield Progress(1, 1, "registered")
        return add_model(entry, registry)

    return work


class ModelsDialog(QDialog):
    def __init__(self, window, registry: str | None = None):
        super().__init__(window)
        self.main, self.registry = window, registry
        self.setWindowTitle("STDPose models")
        self.resize(900, 380)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.use_button = QPushButton("Use selected")
        self.flow_button = QPushButton("Use optical flow (no model)")
        self.import_button = QPushButton("Import weight file…")
        self.remove_button = QPushButton("Remove from list")
        close = QPushButton("Close")
        self.use_button.clicked.connect(self.use_selected)
        self.flow_button.clicked.connect(lambda: self._activate(None))
        self.import_button.clicked.connect(self.ask_import)
        self.remove_button.clicked.connect(self.remove_selected)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for b in (self.use_button, self.flow_button, self.import_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        self.models: list[dict] = []
        self.refresh()

    def refresh(self) -> None:
        from stdpose_core.training.registry import load_registry

        try:
            doc = load_registry(self.registry)
        except Exception as exc:  # noqa: BLE001
            doc = {"models": [], "active": None}
            self.banner.setText(f"The model registry cannot be read: {exc}")
        self.models = list(doc["models"])
        active = doc.get("active")
        self.table.setRowCount(len(self.models))
        for r, m in enumerate(self.models):
            metrics = m.get("metrics") or {}
            data = ", ".join(Path(str(d).split(":")[0]).name for d in m.get("data") or []) or "—"
            exists = Path(m.get("path", "")).is_file()
            cells = ("●" if m["id"] == active else "", m["id"], m.get("name", ""), _num(metrics.get("pckh05")), _num(metrics.get("map")),
                     data, str(m.get("created", ""))[:19].replace("T", " "), ("" if exists else "missing: ") + str(m.get("path", "")))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not exists:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        uses, sentence = describe_active(self.registry)
        if not self.models:
            sentence = "No STDPose weights are installed: propagation uses optical flow. " + \
                       "Train a model on your labels (Model → Retrain) or import a .pt/.onnx file."
        self.banner.setText(sentence)
        self.banner.setStyleSheet("padding:6px; border-radius:3px; " + ("background:#1f3d1f; color:#b6f5b6;" if uses else "background:#4a3510; color:#ffd27f;"))
        self.use_button.setEnabled(bool(self.models))
        self.remove_button.setEnabled(bool(self.models))

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.models[rows[0].row()] if rows else None

    def _activate(self, model_id: str | None) -> None:
        from stdpose_core.training.registry import set_active

        set_active(model_id, self.registry)
        self.refresh()

    def use_selected(self) -> None:
        m = self.selected()
        if m is not None:
            self._activate(m["id"])

    def remove_selected(self) -> None:
        from stdpose_core.training.registry import remove_model

        m = self.selected()
        if m is not None:
            remove_model(m["id"], self.registry)
            self.refresh()

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import STDPose weights", "", "STDPose weights (*.pt *.onnx)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> bool:
        """Copy and register ``path`` in the background; the list refreshes when it is done."""
        from stdpose_core.paths import user_models_dir

        def done(entry: dict) -> None:
            self.refresh()
            if not (entry.get("metrics")):
                QMessageBox.information(self, "Imported", f"{path.name} is registered. It has no validation metrics, so 'auto' "
                                        "propagation keeps using optical flow until you choose it here and pick the 'stdpose' method.")

        return self.main.jobs.run("Importing model", import_work(path, user_models_dir() / "imported", self.registry), done)


def _num(v) -> str:
    return f"{v:.1f}" if isinstance(v, (int, float)) else "—"
