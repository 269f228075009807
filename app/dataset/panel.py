"""File → Open dataset…: the dataset's videos in a dock — progress, state, assignee, who writes what.

Double-click opens a video's project in the editor; State and Assignee are edited in place; "Take
next" hands you the next unassigned video and opens it; "Run on all" starts a batch job (detect,
propagate, export, eval) over the dataset in worker processes. The table comes from
:func:`stdpose_core.dataset.dataset_status` computed off the GUI thread (refreshed when the dataset
file changes, every few seconds, and after each video a batch finishes); the row of the project open
in the editor follows its edits live.
"""

from __future__ import annotations

import getpass
import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import settings as app_settings
from app.dataset.delegates import ProgressDelegate, StateDelegate
from app.dataset.model import BAR_COLUMNS, COL, DatasetFilter, DatasetModel
from app.dataset.workers import BatchRunner, StatusLoader
from app.errors import show_error
from stdpose_core.dataset import STATES, load, set_fields, take_next
from stdpose_core.dataset.status import project_counts

ME_KEY, WORKERS_KEY = "dataset/me", "dataset/workers"
REFRESH_MS = 5000
#: Batch workers run below the window's priority, so a batch never makes the editor stutter.
WORKER_NICE = 10


class DatasetPanel(QDockWidget):
    def __init__(self, window, root: str | Path):
        super().__init__("Dataset", window)
        self.setObjectName("dataset_dock")
        self.window_ = window
        self.root = Path(root)
        self.model = DatasetModel(self._write_field, self)
        self.proxy = DatasetFilter(self)
        self.proxy.setSourceModel(self.model)
        self.loader = StatusLoader(self)
        self.batch = BatchRunner(self)
        self.problems: list[str] = []
        self._edited_at: float | None = None
        self.last_result = None
        self._build()
        self._connect()
        self.set_root(self.root)

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        qs = app_settings.qsettings()
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit(placeholderText="Filter by video or assignee")
        self.state_box = QComboBox()
        self.state_box.addItems(["All states", *STATES])
        self.mine_box = QCheckBox("Mine")
        self.me_edit = QLineEdit(str(qs.value(ME_KEY, "") or getpass.getuser()))
        self.me_edit.setMaximumWidth(120)
        self.me_edit.setToolTip("Your name in the Assignee column")
        self.next_button = QPushButton("Take next")
        self.next_button.setToolTip("Assign the next unassigned 'todo' video to you and open it")
        self.run_button = QToolButton(text="Run on all", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.run_button)
        for text, job in (("Detect people", "detect"), ("Propagate", "propagate"), ("Export…", "export"), ("Evaluate", "eval")):
            menu.addAction(text, lambda job=job: self.run_batch(job))
        self.run_button.setMenu(menu)
        self.workers_box = QSpinBox(minimum=1, maximum=64, value=int(qs.value(WORKERS_KEY, 1) or 1))
        self.workers_box.setToolTip("Worker processes for 'Run on all'")
        self.refresh_button = QToolButton(text="Refresh")
        for w in (self.filter_edit, self.state_box, self.mine_box, QLabel("Me:"), self.me_edit, self.next_button,
                  self.run_button, QLabel("Processes:"), self.workers_box, self.refresh_button):
            top.addWidget(w)
        lay.addLayout(top)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.SelectedClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._bars = ProgressDelegate(self.table)
        for col in BAR_COLUMNS:
            self.table.setItemDelegateForColumn(col, self._bars)
            self.table.setColumnWidth(col, 110)
        self._states = StateDelegate(self.table)
        self.table.setItemDelegateForColumn(COL["state"], self._states)
        self.table.setColumnWidth(COL["name"], 160)
        lay.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.summary = QLabel()
        self.batch_label = QLabel()
        self.batch_bar = QProgressBar(maximumWidth=260)
        self.cancel_button = QToolButton(text="Cancel")
        bottom.addWidget(self.summary, 1)
        for w in (self.batch_label, self.batch_bar, self.cancel_button):
            bottom.addWidget(w)
            w.hide()
        lay.addLayout(bottom)
        self.setWidget(body)

    def _connect(self) -> None:
        self.filter_edit.textChanged.connect(lambda t: self.proxy.set_filter(text=t))
        self.state_box.currentTextChanged.connect(lambda t: self.proxy.set_filter(state=None if t == "All states" else t))
        self.mine_box.toggled.connect(lambda on: self.proxy.set_filter(mine=self.me() if on else None))
        self.me_edit.editingFinished.connect(self._me_changed)
        self.next_button.clicked.connect(self.take_next)
        self.refresh_button.clicked.connect(self.refresh)
        self.workers_box.valueChanged.connect(lambda v: app_settings.qsettings().setValue(WORKERS_KEY, v))
        self.table.doubleClicked.connect(self._double_clicked)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(lambda _root, msg: self.summary.setText(f"Cannot read the dataset: {msg}"))
        self.batch.progress.connect(self._batch_progress)
        self.batch.finished.connect(self._batch_finished)
        self.batch.failed.connect(self._batch_failed)
        self.batch.busy_changed.connect(self._batch_busy)
        self.cancel_button.clicked.connect(self.batch.cancel)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(lambda _p: self._file_changed())
        self.watcher.directoryChanged.connect(lambda _p: self._file_changed())
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._batch_refresh = QTimer(self, singleShot=True, interval=1000)
        self._batch_refresh.timeout.connect(self.refresh)
        self._live = QTimer(self, singleShot=True, interval=300)
        self._live.timeout.connect(self._update_current)
        doc = self.window_.doc
        doc.changed.connect(lambda _c: self._edited())
        doc.opened.connect(self._doc_opened)

    # ---- dataset ----------------------------------------------------------------------------
    def set_root(self, root: str | Path) -> None:
        """Show the dataset at ``root`` (checked first: a broken file is an error, not an empty table)."""
        load(root)  # raises with the file's problem in one line
        self.root = Path(root)
        self.setWindowTitle(f"Dataset — {self.root.name}")
        for paths in (self.watcher.files(), self.watcher.directories()):
            if paths:
                self.watcher.removePaths(paths)
        self.watcher.addPath(str(self.root))
        self.watcher.addPath(str(self.root / "stdpose-dataset.json"))
        self.model.set_rows([])
        self.summary.setText("Reading the dataset…")
        self.refresh()

    def refresh(self) -> None:
        self.loader.request(self.root)

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _file_changed(self) -> None:
        path = str(self.root / "stdpose-dataset.json")
        if path not in self.watcher.files() and Path(path).exists():
            self.watcher.addPath(path)  # an atomic replace is a new file: watch it again
        self.refresh()

    def _loaded(self, root: str, rows, problems) -> None:
        if Path(root) != self.root:
            return
        self.problems = list(problems)
        self.model.set_rows(rows)
        self._doc_opened()
        self._update_current()
        self._summarize()

    def _summarize(self) -> None:
        rows = self.model.rows
        by_state = ", ".join(f"{sum(1 for r in rows if r.state == s)} {s}" for s in STATES)
        text = f"{len(rows)} videos: {by_state}"
        if self.problems:
            text += f" — {len(self.problems)} problem(s) in the dataset file"
        self.summary.setText(text)
        self.summary.setToolTip("\n".join(self.problems))

    def me(self) -> str:
        return self.me_edit.text().strip()

    def _me_changed(self) -> None:
        app_settings.qsettings().setValue(ME_KEY, self.me())
        if self.mine_box.isChecked():
            self.proxy.set_filter(mine=self.me())

    def _row_at(self, proxy_index):
        return self.model.rows[self.proxy.mapToSource(proxy_index).row()]

    # ---- the open project ----------------------------------------------------------------------
    def _current_name(self) -> str | None:
        doc = self.window_.doc
        if doc.session is None:
            return None
        path = Path(doc.path).resolve()
        return next((r.name for r in self.model.rows if (self.root / r.project).resolve() == path), None)

    def _doc_opened(self) -> None:
        name = self._current_name()
        if name == self.model.current:
            return
        self._edited_at = None
        before, self.model.current = self.model.current, name
        for n in (before, name):
            i = self.model.row_of(n) if n else -1
            if i >= 0:
                self.model.dataChanged.emit(self.model.index(i, 0), self.model.index(i, len(COL) - 1))

    def _edited(self) -> None:
        self._edited_at = time.time()
        self._live.start()

    def _update_current(self) -> None:
        """The open project's row from the project in memory (its edits show at once)."""
        name = self.model.current
        doc = self.window_.doc
        if name is None or doc.project is None:
            return
        fields = project_counts(doc.project)
        if self._edited_at is not None:
            fields["last_edited"] = self._edited_at
        self.model.update_row(name, **fields)

    # ---- actions -----------------------------------------------------------------------------
    def _double_clicked(self, index) -> None:
        if index.column() in (COL["state"], COL["assignee"]):
            return  # those cells are edited, not opened
        self.open_video(self._row_at(index).name)

    def open_video(self, name: str) -> bool:
        row = self.model.rows[self.model.row_of(name)]
        if row.problem:
            show_error(self, "Cannot open the video", row.problem)
            return False
        return self.window_.open_path(self.root / row.project)

    def _write_field(self, name: str, field: str, value: str) -> bool:
        try:
            set_fields(self.root, name, **{field: value})
        except Exception as exc:  # noqa: BLE001 - shown; the cell keeps its old value
            show_error(self, "Dataset", exc)
            return False
        return True

    def take_next(self) -> None:
        me = self.me()
        try:
            entry, mine = take_next(self.root, me)
        except Exception as exc:  # noqa: BLE001
            show_error(self, "Take next", exc)
            return
        self.refresh()
        if entry is None:
            QMessageBox.information(self, "Take next", "No unassigned video is left." +
                                    (f"\nYou have {', '.join(mine)} in progress." if mine else ""))
            return
        self.window_.open_path(self.root / entry.project)

    # ---- batch jobs --------------------------------------------------------------------------
    def _params(self, job: str) -> dict | None:
        s = self.window_.settings
        if job == "detect":
            return {"weights": s.detector_weights or None, "device": s.device}
        if job == "propagate":
            jobs = self.window_.jobs
            method = jobs.method if jobs is not None else "auto"
            return {"method": method, **({"weights": s.stdpose_weights or None, "device": s.device} if method in ("auto", "stdpose") else {})}
        if job == "export":
            fmt, ok = QInputDialog.getItem(self, "Export the dataset", "Format:",
                                           ["posetrack18", "posetrack21", "coco", "yolo-pose"], 0, False)
            if not ok:
                return None
            if fmt == "coco":
                out, _ = QFileDialog.getSaveFileName(self, "Merged COCO file", str(self.root / "coco.json"), "JSON (*.json)")
            elif fmt == "yolo-pose":
                out, _ = QFileDialog.getSaveFileName(self, "New folder for the YOLO-pose dataset", str(self.root.parent / "yolo"))
            else:
                out = QFileDialog.getExistingDirectory(self, "Folder for one file per video", str(self.root))
            return {"format": fmt, "output": out} if out else None
        return {}

    def run_batch(self, job: str, params: dict | None = None) -> bool:
        """Start ``job`` over the dataset (``params`` None: ask / take them from the settings)."""
        from stdpose_core.dataset import batch_job
        from stdpose_core.dataset.runners import PoolRunner

        if self.batch.busy:
            self.window_.statusBar().showMessage(f"'{self.batch.name}' is still running", 4000)
            return False
        params = self._params(job) if params is None else params
        if params is None:
            return False
        params = {k: v for k, v in params.items() if v is not None}
        doc = self.window_.doc
        leave_out = {Path(doc.path)} if doc.session is not None else set()
        try:
            work = batch_job(self.root, job, params, runner=PoolRunner(self.workers_box.value(), nice=WORKER_NICE),
                             leave_out=leave_out)
        except Exception as exc:  # noqa: BLE001
            show_error(self, "Run on all", exc)
            return False
        return self.batch.start(f"{job} on all videos", work)

    def _batch_busy(self, busy: bool) -> None:
        for w in (self.batch_label, self.batch_bar, self.cancel_button):
            w.setVisible(busy)
        self.run_button.setEnabled(not busy)
        if busy:
            self.batch_label.setText(self.batch.name)
            self.batch_bar.setRange(0, 0)

    def _batch_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.batch_bar.setRange(0, total)
            self.batch_bar.setValue(done)
            self.batch_bar.setFormat("%v/%m videos")
        self.batch_bar.setToolTip(message)
        if done and not self._batch_refresh.isActive():
            self._batch_refresh.start()  # at most one status refresh a second while videos finish

    def _batch_finished(self, result) -> None:
        self.refresh()
        self.last_result = result
        counts = ", ".join(f"{v} {k}" for k, v in result.counts().items())
        lines = [o.line() for o in result.failed]
        self.window_.statusBar().showMessage(f"{result.job} on all videos: {counts}", 8000)
        if lines:
            QMessageBox.warning(self, f"{result.job}: {len(lines)} video(s) not done", "\n".join(lines[:30]))

    def _batch_failed(self, message: str) -> None:
        self.refresh()
        show_error(self, "Run on all", message)

    def close_dataset(self) -> None:
        self.timer.stop()
        self.batch.cancel()
        self.batch.wait(30)
