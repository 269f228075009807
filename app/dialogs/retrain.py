"""Model → Retrain…: runs ``stdpose-retrain`` on this project (plus optional more data) as a
separate process (QProcess), plots its ``--progress jsonl`` events live, and at the end shows the new
model's validation score next to flow's and lets the user use it (activate it in the registry; a
model that loses to flow asks first) or discard it. "Include propagated frames" adds the projects'
propagated joints as pseudo-labels weighted by their confidence (``--pseudo``).

The models offered are the shipped configs, by name (``stdpose_core.paths.package_models_dir``: a
checkout, a wheel and the desktop build alike); the trainer program comes from
``stdpose_core.programs`` (the desktop build starts its own ``stdpose-retrain`` executable).

The training process is a child process, so a crash or out-of-memory there cannot take the editor
down: the dialog shows the exit code and the last lines the process printed. Stop sends SIGTERM
(the trainer saves ``last.pt`` and exits), then kills it if it does not end within a few seconds.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QProcess, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.dialogs.retrain_plot import TrainingPlot
from app.shortcuts import ActionSpec

RETRAIN = ActionSpec("model.retrain", "&Retrain on this project…", (), "Model", "Train STDPose on your corrected labels")
LOG_LINES = 40
KILL_AFTER_MS = 8000


def model_configs() -> list[str]:
    """Names of the shipped model configs (smallest first); ``--config NAME`` finds each."""
    from stdpose_core.training.config import shipped_config_names

    return shipped_config_names()


def runs_dir() -> Path:
    from stdpose_core.paths import user_models_dir

    return user_models_dir() / "runs"


class RetrainDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.main = window
        self.setWindowTitle("Retrain STDPose")
        self.proc: QProcess | None = None
        self.finished_state: str | None = None  # 'done' | 'failed' | 'stopped'
        self.registry_id: str | None = None
        self.run_dir: Path | None = None
        self.extra_args: list[str] = []  # more stdpose-retrain flags (tests, power users)
        self.registry: str | None = None  # registry file (default: the user's)
        self._log: deque[str] = deque(maxlen=LOG_LINES)
        self._out_buf = b""
        self._stop_requested = False

        self.config = QComboBox()
        for name in model_configs():
            self.config.addItem(name, name)
        self.data = QListWidget()
        self.data.setMaximumHeight(70)
        if window.doc.path is not None:
            self.data.addItem(str(window.doc.path))
        add = QPushButton("Add project or dataset…")
        add.clicked.connect(self._add_data)
        self.epochs, self.steps, self.batch = QSpinBox(), QSpinBox(), QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(10)
        self.steps.setRange(0, 100000)
        self.steps.setSpecialValueText("one pass")
        self.batch.setRange(1, 256)
        self.batch.setValue(8)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(window.settings.device if window.settings.device in ("auto", "cpu", "cuda") else "auto")
        self.pseudo = QCheckBox("Include propagated frames (pseudo-labels weighted by their confidence)")
        self.pseudo.setToolTip("Also train on the projects' propagated and detected joints, each weighted by its score; "
                               "manual and corrected joints keep full weight (stdpose-retrain --pseudo)")
        form = QFormLayout()
        form.addRow("Model", self.config)
        data_row = QVBoxLayout()
        data_row.addWidget(self.data)
        data_row.addWidget(add)
        form.addRow("Training data", data_row)
        nums = QHBoxLayout()
        for label, w in (("Epochs", self.epochs), ("Steps/epoch", self.steps), ("Batch", self.batch), ("Device", self.device)):
            nums.addWidget(QLabel(label))
            nums.addWidget(w)
        nums.addStretch(1)
        form.addRow(nums)
        form.addRow(self.pseudo)

        self.plot = TrainingPlot()
        self.status = QLabel("Ready. Training uses the manual and corrected joints of the projects above.")
        self.status.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(110)
        self.start_button, self.stop_button = QPushButton("Start training"), QPushButton("Stop")
        self.use_button, self.discard_button, self.close_button = QPushButton("Use this model"), QPushButton("Discard"), QPushButton("Close")
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self.use_model)
        self.discard_button.clicked.connect(self.discard)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.use_button, self.discard_button, self.close_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.status)
        lay.addWidget(self.log)
        lay.addLayout(buttons)
        self._kill_timer = QTimer(self, singleShot=True, interval=KILL_AFTER_MS)
        self._kill_timer.timeout.connect(self._kill)
        self._buttons()

    # ---- setup ---------------------------------------------------------------------------------
    def _add_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Training data", "", "Projects and annotations (*.stdpose *.json)")
        if not path:
            return
        if path.endswith(".json"):
            root, ok = QInputDialog.getText(self, "Images", "Image folder of this annotation file (empty = next to it):")
            if not ok:
                return
            path = f"{path}:{root}" if root else path
        self.data.addItem(path)

    def command(self) -> list[str]:
        """The stdpose-retrain command line (program first)."""
        from stdpose_core.programs import program_command

        self.run_dir = runs_dir() / f"{Path(self.data.item(0).text().split(':')[0]).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        args = [*program_command("stdpose-retrain"), "--config", str(self.config.currentData()),
                "--out", str(self.run_dir), "--epochs", str(self.epochs.value()), "--batch-size", str(self.batch.value()),
                "--device", self.device.currentText(), "--progress", "jsonl"]
        for i in range(self.data.count()):
            args += ["--data", self.data.item(i).text()]
        if self.pseudo.isChecked():
            args += [a for i in range(self.data.count()) if self.data.item(i).text().endswith(".stdpose")
                     for a in ("--pseudo", self.data.item(i).text())]
        if self.steps.value():
            args += ["--steps-per-epoch", str(self.steps.value())]
        if self.registry:
            args += ["--registry", self.registry]
        return args + self.extra_args

    # ---- process -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.proc is not None or self.data.count() == 0:
            return
        if self.config.currentData() is None:
            self.status.setText("No model config is installed (the stdpose_models package is missing): reinstall the app.")
            return
        args = self.command()
        self.plot.clear()
        self._log.clear()
        self.log.clear()
        self.finished_state, self.registry_id, self._out_buf, self._stop_requested = None, None, b"", False
        self.proc = QProcess(self)
        self.proc.setProgram(args[0])
        self.proc.setArguments(args[1:])
        self.proc.readyReadStandardOutput.connect(self._read_stdout)
        self.proc.readyReadStandardError.connect(self._read_stderr)
        self.proc.finished.connect(self._finished)
        self.proc.errorOccurred.connect(self._error)
        self.status.setText(f"Starting training of {self.config.currentText()} … (run folder {self.run_dir})")
        self.proc.start()
        self._buttons()

    def stop(self) -> None:
        if self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning:
            self._stop_requested = True
            self.status.setText("Stopping (the trainer saves last.pt first)…")
            self.proc.terminate()
            self._kill_timer.start()

    def _kill(self) -> None:
        if self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning:
            self.proc.kill()

    def _append(self, line: str) -> None:
        self._log.append(line)
        self.log.appendPlainText(line)

    def _read_stdout(self) -> None:
        self._out_buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._out_buf = self._out_buf.split(b"\n")
        for raw in lines:
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                ev = json.loads(text)
            except ValueError:
                self._append(text)
                continue
            if isinstance(ev, dict):
                self._event(ev)

    def _read_stderr(self) -> None:
        for line in bytes(self.proc.readAllStandardError()).decode("utf-8", "replace").splitlines():
            if line.strip():
                self._append(line.rstrip())

    def _event(self, ev: dict) -> None:
        self.plot.add_event(ev)
        name = ev.get("event")
        if name == "start":
            self.status.setText(f"Training {ev.get('model')} on {ev.get('device')}: {ev.get('train_samples')} samples, "
                                f"{ev.get('epochs')} epochs, {ev.get('total_steps')} steps ({ev.get('split', '')})")
        elif name == "step":
            eta = ev.get("eta")
            self.status.setText(f"Epoch {ev.get('epoch')}  step {ev.get('step')}/{ev.get('total_steps')}  loss {ev.get('loss', 0):.4g}"
                                + (f"  — about {eta:.0f} s left" if isinstance(eta, (int, float)) else ""))
        elif name == "val":
            m = ev.get("metric")
            text = f"{m:.1f}" if isinstance(m, (int, float)) else "n/a"
            self._append(f"epoch {ev.get('epoch')}: validation {ev.get('metric_name')} {text}" + (" (best so far)" if ev.get("best") else ""))
        elif name == "done":
            self.registry_id = ev.get("registry_id")
            m = ev.get("metric")
            self._append(f"done: best checkpoint {ev.get('best')}" + (f" ({m:.1f})" if isinstance(m, (int, float)) else ""))
        elif name == "error":
            self._append(f"error: {ev.get('message')}")
        elif name == "cancelled":
            self._append(f"stopped; last checkpoint {ev.get('last')}")

    def _error(self, err) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self._append(f"could not start {self.proc.program()}: {self.proc.errorString()}")
            self._finished(-1, QProcess.ExitStatus.CrashExit)

    def _finished(self, code: int, status) -> None:
        if self.proc is None:
            return
        self._read_stdout()
        self._read_stderr()
        self._kill_timer.stop()
        self.proc.deleteLater()
        self.proc = None
        if code == 0 and self.registry_id:
            self.finished_state = "done"
            self.status.setText(f"Training finished. {self.gate_sentence()} Use this model for propagation, or discard it.")
        elif self._stop_requested:
            self.finished_state = "stopped"
            self.status.setText("Stopped. The run folder keeps last.pt.")
        else:
            self.finished_state = "failed"
            last = [line for line in self._log if line.strip()][-6:]
            self.status.setText(f"<b style='color:#e8412c'>Training failed (exit code {code}).</b> Last lines:<br>"
                                + "<br>".join(_html(line) for line in last))
        self._buttons()

    # ---- outcome -------------------------------------------------------------------------------
    def gate_sentence(self) -> str:
        """The new model's validation score next to flow's, and what 'auto' will do with it."""
        from stdpose_core.trained.gate import gate_of
        from stdpose_core.trained.model_registry import get_model

        try:
            gate = gate_of(get_model(self.registry_id, self.registry))
        except Exception:  # noqa: BLE001 - the sentence is informative only
            return ""
        if gate is None:
            return "It was not compared with optical flow (no validation frames between keyframes)."
        verdict = "it beats flow" if gate.beats_flow else "flow is better: 'auto' keeps using flow"
        return f"Validation: {gate.summary()} — {verdict}."

    def use_model(self) -> None:
        from app.dialogs.models import confirm_and_activate
        from stdpose_core.trained.gate import gate_of
        from stdpose_core.trained.model_registry import get_model

        if not self.registry_id:
            return
        entry = get_model(self.registry_id, self.registry)
        if not confirm_and_activate(self, entry, self.registry):
            return
        gate = gate_of(entry)
        auto = "'auto' propagation uses it" if gate is not None and gate.beats_flow else \
            "'auto' keeps using optical flow; the 'stdpose' method uses it"
        self.status.setText(f"Model {self.registry_id} is now active: {auto}.")
        self.use_button.setEnabled(False)
        self.discard_button.setEnabled(False)

    def discard(self) -> None:
        from stdpose_core.trained.model_registry import remove_model

        if not self.registry_id:
            return
        remove_model(self.registry_id, self.registry)
        if self.run_dir is not None and self.run_dir.is_dir():
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.status.setText("Discarded: the model was removed from the registry and its run folder deleted.")
        self.registry_id = None
        self._buttons()

    def _buttons(self) -> None:
        running = self.proc is not None
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        done = self.finished_state == "done" and self.registry_id is not None
        self.use_button.setEnabled(done)
        self.discard_button.setEnabled(done)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.proc is not None:
            if QMessageBox.question(self, "Retrain", "Training is running. Stop it?") != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.stop()
            self.proc.waitForFinished(KILL_AFTER_MS)
            self._kill()
        super().closeEvent(event)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_retrain(window) -> None:
    """Model → Retrain…: the dialog for the open project (a message when none is open)."""
    if window.doc.session is None:
        QMessageBox.information(window, "Retrain", "Open a project first: training uses its labelled keyframes.")
        return
    RetrainDialog(window).exec()
