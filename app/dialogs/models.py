"""Model → Models…: the trained STDPose models in the registry with their validation score next to
flow's (same clips, same T), which one propagation uses, importing a weight file, and a clear note
when none is used (then 'auto' propagation uses optical flow).

The registry is :mod:`stdpose_core.trained.model_registry` (one JSON file in the user's models
folder); 'auto' uses the active entry only if it beats flow (:mod:`stdpose_core.trained.gate`).
Activating a model that loses asks first and says by how much.
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
COLUMNS = ("", "Model", "Architecture", "PCK@0.2 model", "flow", "+/−", "T", "Trained on", "Created", "File")


def describe_active(registry: str | None = None, project_path=None) -> tuple[bool, str]:
    """``(uses_stdpose, sentence)`` about what 'auto' propagation uses now (on ``project_path``)."""
    from stdpose_core.trained.gate import choose_weights

    pick = choose_weights(project_path=project_path, registry=registry, gated=True)
    if pick.origin == "project":
        return True, f"Propagation ('auto') on this project uses its adapted model ({pick.gate.summary()})."
    if pick.origin == "registry":
        return True, f"Propagation ('auto') uses the active STDPose model ({pick.gate.summary()})."
    why = pick.note or "no trained STDPose model is active"
    return False, (f"Propagation ('auto') uses optical flow: {why}. Train a model (Model → Retrain), adapt one to this "
                   "video (Model → Adapt to this video) or import a weight file.")


def import_work(src: Path, dest_dir: Path, registry: str | None = None):
    """Job: copy a ``.pt``/``.onnx`` weight file into ``dest_dir`` and register it; returns the entry."""

    def work(_project):
        from stdpose_core.errors import InputError
        from stdpose_core.trained.model_registry import add_model

        yield Progress(0, 1, f"reading {src.name}")
        entry: dict = {"name": src.stem, "mode": "propagation", "data": [], "metrics": {}}
        if src.suffix.lower() not in (".pt", ".onnx"):
            raise InputError(src, "a weight file must be a .pt checkpoint or an .onnx model")
        # The file describes itself (config + meta, with the gate when it was trained by stdpose-retrain).
        from stdpose_core.model import load_runtime

        rt = load_runtime(src, "cpu")
        meta = dict(getattr(rt, "meta", None) or {})
        rt.close()
        entry.update(name=rt.config.name, metrics=dict(meta.get("metrics") or {}), data=list(meta.get("data") or []),
                     mode=meta.get("mode", "propagation"), gate=meta.get("gate"))
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
        self.project_path = getattr(getattr(window, "doc", None), "path", None)
        self.setWindowTitle("STDPose models")
        self.resize(1000, 380)
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
        from stdpose_core.trained.gate import gate_of
        from stdpose_core.trained.model_registry import load_registry

        try:
            doc = load_registry(self.registry)
        except Exception as exc:  # noqa: BLE001
            doc = {"models": [], "active": None}
            self.banner.setText(f"The model registry cannot be read: {exc}")
        self.models = list(doc["models"])
        active = doc.get("active")
        self.table.setRowCount(len(self.models))
        for r, m in enumerate(self.models):
            gate = gate_of(m)
            data = ", ".join(Path(str(d).split(":")[0]).name for d in m.get("data") or []) or "—"
            if len(data) > 60:
                data = f"{len(m.get('data') or [])} sources"
            exists = Path(m.get("path", "")).is_file()
            model_v, flow_v = (gate.model.get(gate.metric), gate.flow.get(gate.metric)) if gate else (None, None)
            margin = gate.margin if gate else None
            cells = ("●" if m["id"] == active else "", m["id"], m.get("name", ""), _num(model_v), _num(flow_v),
                     "not compared" if gate is None else _num(margin, signed=True), str(gate.every) if gate else "—",
                     data, str(m.get("created", ""))[:19].replace("T", " "), ("" if exists else "missing: ") + str(m.get("path", "")))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 5 and gate is not None:
                    item.setForeground(Qt.GlobalColor.darkGreen if gate.beats_flow else Qt.GlobalColor.red)
                    item.setToolTip(gate.summary())
                if not exists:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        uses, sentence = describe_active(self.registry, self.project_path)
        if not self.models:
            sentence = "No STDPose weights are installed: propagation uses optical flow. " + \
                       "Train a model on your labels (Model → Retrain) or import a .pt/.onnx file."
        self.banner.setText(sentence)
        colours = "background:#1f3d1f; color:#b6f5b6;" if uses else "background:#4a3510; color:#ffd27f;"
        self.banner.setStyleSheet("padding:6px; border-radius:3px; " + colours)
        self.use_button.setEnabled(bool(self.models))
        self.remove_button.setEnabled(bool(self.models))

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.models[rows[0].row()] if rows else None

    def _activate(self, model_id: str | None, forced: bool = False) -> None:
        from stdpose_core.trained.model_registry import set_active

        set_active(model_id, self.registry, forced=forced)
        self.refresh()

    def use_selected(self) -> bool:
        """Activate the selected model; one that loses to flow (or was never compared) asks first."""
        m = self.selected()
        if m is None:
            return False
        return confirm_and_activate(self, m, self.registry, after=self.refresh)

    def remove_selected(self) -> None:
        from stdpose_core.trained.model_registry import remove_model

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
            if not entry.get("gate"):
                QMessageBox.information(self, "Imported", f"{path.name} is registered. It was never compared with optical flow, "
                                        "so 'auto' propagation keeps using flow (score it: stdpose models score ID --data ...); "
                                        "the 'stdpose' method uses it once it is active.")

        return self.main.jobs.run("Importing model", import_work(path, user_models_dir() / "imported", self.registry), done)


def confirm_and_activate(parent, entry: dict, registry: str | None = None, after=None) -> bool:
    """Make ``entry`` active; when the gate says it loses to flow, ask first and say by how much.
    Returns whether it was activated."""
    from stdpose_core.trained.gate import activation_warning
    from stdpose_core.trained.model_registry import set_active

    warning = activation_warning(entry)
    if warning:
        answer = QMessageBox.question(parent, "Use a model that does not beat optical flow?", f"{warning}\n\nActivate it anyway?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
    set_active(entry["id"], registry, forced=bool(warning))
    if after is not None:
        after()
    return True


def _num(v, signed: bool = False) -> str:
    if not isinstance(v, (int, float)) or v != v:
        return "—"
    return f"{v:+.1f}" if signed else f"{v:.1f}"

