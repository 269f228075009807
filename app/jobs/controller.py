"""The window's background jobs: Detect people, Propagate, automatic re-propagation, method choice.

Owns the :class:`JobRunner` (one job at a time), its status-bar widget and the Jobs menu. Other
features (export, models) start their jobs through :meth:`LoopJobs.run`. The jobs themselves are the
core's (:mod:`stdpose_core.ops.jobs`, the same the CLI runs); they read the frames through the
window's frame loader's source (one index, one decoder pool, one cache sized by the user's setting).
"""

from __future__ import annotations

import threading
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup

from app import settings as app_settings
from app.dialogs.suggest_interval import SUGGEST_INTERVAL, SuggestIntervalDialog
from app.errors import show_error
from app.jobs.auto import AutoRepropagate
from app.jobs.runner import JobRunner
from app.jobs.status import JobStatus
from app.shortcuts import ActionSpec
from stdpose_core.data import Project
from stdpose_core.data.edits import Edit, edit_is_empty
from stdpose_core.ops.jobs import Targets, detect_job, propagate_job
from stdpose_core.ops.repropagate import Touches, repropagate_job
from stdpose_core.progress import Job
from stdpose_core.propagation import available_methods, get_propagator

ACTIONS = (
    ActionSpec("jobs.detect", "&Detect people", ("Ctrl+D",), "Jobs",
               "Find people, their ids and pose pre-labels (selected range or whole video)", edits=True),
    ActionSpec("jobs.propagate", "&Propagate", ("P",), "Jobs", "Fill the frames between keyframes (selected range or whole video)", edits=True),
    ActionSpec("jobs.cancel", "&Cancel job", ("Ctrl+.",), "Jobs", "Stop the running job; nothing of it is applied"),
    ActionSpec("jobs.auto", "Re-propagate &automatically after keyframe edits", (), "Jobs"),
    SUGGEST_INTERVAL,
)
METHOD_KEY, AUTO_KEY = "loop/method", "loop/auto_repropagate"


class LoopJobs(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        self.runner = JobRunner(self.doc, self)
        self.status = JobStatus(self.runner)
        window.statusBar().addPermanentWidget(self.status)
        qs = app_settings.qsettings()
        method = str(qs.value(METHOD_KEY, "auto"))
        self.method = method if method in available_methods() else "auto"
        self.auto = AutoRepropagate(self.doc, self.runner, self.repropagate, self)
        self.auto.enabled = str(qs.value(AUTO_KEY, "true")).lower() != "false"
        #: Builds the person detector on the worker thread (tests may replace it).
        self.make_detector: Callable[[], object] = self._default_detector
        self._quiet = False  # automatic jobs report errors in the status bar, not in a dialog
        self._propagator = None  # (key, Propagator) reused between jobs

        handlers = {"jobs.detect": self.detect, "jobs.propagate": self.propagate, "jobs.cancel": self.runner.cancel,
                    "jobs.auto": self._toggle_auto, "jobs.suggest_interval": self.suggest_interval}
        self.actions: dict[str, QAction] = {s.id: window.add_action(s, handlers[s.id]) for s in ACTIONS}
        #: Shows a probe result and returns the T to use, or None (tests replace it).
        self.ask_interval: Callable[[dict, int], int | None] = self._ask_interval
        auto = self.actions["jobs.auto"]
        auto.setCheckable(True)
        auto.setChecked(self.auto.enabled)
        self._method_menu(window.menu("Jobs").addMenu("Propagation &method"))
        window.toolbar.addSeparator()
        window.toolbar.addAction(self.actions["jobs.detect"])
        window.toolbar.addAction(self.actions["jobs.propagate"])
        self.runner.busy_changed.connect(self._busy)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(lambda name: window.statusBar().showMessage(f"{name}: cancelled, nothing changed", 4000))
        self.runner.finished.connect(self._finished)
        QTimer.singleShot(1500, self._warm_up)

    @staticmethod
    def _warm_up() -> None:
        """Import the propagation code once in the background soon after start-up: importing it at
        the first job's start held the interpreter lock long enough to stall the window ~100 ms."""

        def load() -> None:
            try:
                get_propagator("flow")
            except Exception:  # noqa: BLE001 - only an optimisation; the job reports real errors
                pass

        threading.Thread(target=load, name="warm-up", daemon=True).start()

    # ---- menu --------------------------------------------------------------------------------
    def _method_menu(self, menu) -> None:
        group = QActionGroup(self)
        tips = {"auto": "STDPose where a model beats optical flow (the project's adapted one or the active one), else flow",
                "flow": "optical flow (no weights)",
                "stdpose": "the project's adapted or the active STDPose model", "interp": "linear interpolation"}
        for m in available_methods():
            act = menu.addAction(f"{m} — {tips[m]}")
            act.setCheckable(True)
            act.setChecked(m == self.method)
            act.triggered.connect(lambda _=False, m=m: self.set_method(m))
            group.addAction(act)

    def set_method(self, method: str) -> None:
        self.method = method
        app_settings.qsettings().setValue(METHOD_KEY, method)

    def _toggle_auto(self) -> None:
        self.auto.enabled = self.actions["jobs.auto"].isChecked()
        app_settings.qsettings().setValue(AUTO_KEY, "true" if self.auto.enabled else "false")

    # ---- starting jobs -----------------------------------------------------------------------
    def _options(self, method: str) -> dict:
        """The user's settings as options of ``method`` (device and weights apply to STDPose only)."""
        s = self.window.settings
        if method not in ("auto", "stdpose"):
            return {}
        opts = {"device": s.device, "weights": s.stdpose_weights or None}
        if self.doc.path is not None:
            opts["project_path"] = str(self.doc.path)  # its adapted model comes first
        return opts

    def _make_propagator(self):
        """The chosen method's Propagator, reused between jobs so a loaded model stays loaded
        (rebuilt when the method, its options or the weights the gate picks change — e.g. after
        Model → Adapt or activating another model). Runs on the worker thread; jobs never overlap,
        so one instance is never used twice at once."""
        from stdpose_core.trained.gate import choose_weights

        opts = self._options(self.method)
        key: tuple = (self.method, tuple(sorted((k, str(v)) for k, v in opts.items())))
        if self.method in ("auto", "stdpose"):
            path = choose_weights(opts.get("weights"), opts.get("project_path"), gated=self.method == "auto").path
            key += (path, _mtime(path))
        cached = self._propagator
        if cached is None or cached[0] != key:
            self._propagator = cached = (key, get_propagator(self.method, **opts))
        return cached[1]

    def propagation_work(self, method: str | None = None, targets: Targets | None = None,
                         label: str | None = None) -> Callable[[Project], Job[Edit]]:
        """The propagation job (:func:`stdpose_core.ops.jobs.propagate_job`) as ``work(project)`` for the
        runner, over the frame loader's source. ``method`` None = the chosen method (its cached Propagator)."""
        source = self.window.loader.source
        if method is None:
            make = self._make_propagator
        else:
            def make():
                return get_propagator(method, **self._options(method))
        return lambda project: propagate_job(project, source, make, targets, label)

    def _refuse(self, edits: bool = True) -> bool:
        if self.doc.session is None:
            return True
        if edits and self.doc.read_only:
            self.doc.refuse_edit()
            return True
        if self.runner.busy:
            self.window.statusBar().showMessage(f"'{self.runner.name}' is still running: wait or cancel it", 4000)
            return True
        return False

    def run(self, name: str, work, on_result=None) -> bool:
        """Start another extension's job (export…): errors in a dialog, refused while a job runs.
        Such jobs only read the project (their results are not pushed), so they run read-only too."""
        if self._refuse(edits=False):
            return False
        self._quiet = False
        return self.runner.start(name, work, on_result)

    def propagate(self) -> bool:
        """Propagate the selected frame range, or the whole video."""
        if self._refuse():
            return False
        rng = self.doc.frame_range
        label = f"propagate frames {rng[0]}–{rng[1] - 1}" if rng else None
        self._quiet = False
        return self.runner.start("Propagating", self.propagation_work(None, [(None, rng)], label), label=label)

    def repropagate(self, touches: Touches, label: str, on_result: Callable[[Edit], None]) -> bool:
        """Re-propagate what the touched joints anchor (:func:`stdpose_core.ops.repropagate.repropagate_job`,
        the chosen method); ``on_result`` gets the edit (automatic re-propagation decides its undo step)."""
        if self.doc.session is None or self.runner.busy or self.doc.read_only:
            return False
        self._quiet = True
        source = self.window.loader.source
        work = lambda project: repropagate_job(project, source, self._make_propagator, touches, label)  # noqa: E731
        return self.runner.start("Re-propagating", work, on_result, label=label)

    def detect(self) -> bool:
        """Detect people on the selected frame range, or the whole video."""
        if self._refuse():
            return False
        start, stop = self.doc.frame_range or (0, self.doc.num_frames)
        self._quiet = False
        source = self.window.loader.source
        return self.runner.start("Detecting people",
                                 lambda project: detect_job(project, source, self.make_detector, start, stop))

    def suggest_interval(self) -> bool:
        """Probe the video (:func:`stdpose_core.ops.suggest_interval.suggest_interval_job`) with the chosen
        method and offer the T with the least effort."""
        from stdpose_core.ops.suggest_interval import suggest_interval_job

        if self._refuse():
            return False
        self._quiet = False
        source = self.window.loader.source

        def work(project):
            return suggest_interval_job(project, source, self._make_propagator())

        return self.runner.start("Suggesting a keyframe interval", work, self._interval_found)

    def _interval_found(self, result: dict) -> None:
        project = self.doc.project
        if project is None:
            return
        chosen = self.ask_interval(result, project.keyframe_interval)
        if chosen is not None and chosen != project.keyframe_interval:
            self.window.set_keyframe_interval(chosen)

    def _ask_interval(self, result: dict, current: int) -> int | None:
        dlg = SuggestIntervalDialog(result, current, self.window)
        return dlg.suggested if dlg.exec() else None

    def _default_detector(self):
        from app.settings import detector_imgsz
        from stdpose_core.detection import create_detector

        s = self.window.settings
        return create_detector(s.detector_weights or None, device=s.device, imgsz=detector_imgsz(s))

    # ---- reactions ---------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        for aid in ("jobs.detect", "jobs.propagate"):
            self.actions[aid].setEnabled(not busy and not self.doc.read_only)
        source = self.window.loader.source
        if not busy and source is not None and hasattr(source, "release_job_frames"):
            source.release_job_frames()  # the job read through the loader's cache: back to the idle footprint

    def _failed(self, name: str, message: str) -> None:
        if self._quiet:
            self.window.statusBar().showMessage(f"{name} failed: {message}", 8000)
        else:
            show_error(self.window, f"{name} failed", message)

    def _finished(self, name: str, result) -> None:
        """Status line of a finished job; only an edit that reached the undo history says Ctrl+Z undoes it."""
        bar = self.window.statusBar()
        note = getattr(self._propagator[1], "note", "") if self._propagator else ""
        extra = f"; {note}" if note and isinstance(result, Edit) else ""
        if result is None or (isinstance(result, Edit) and edit_is_empty(result)):
            bar.showMessage(f"{name}: nothing to change", 4000)
        elif not isinstance(result, Edit):
            bar.showMessage(f"{name}: done", 5000)
        elif name == "Re-propagating":  # it joined the undo step of the edit that caused it
            bar.showMessage(f"{name}: done — {result.label}{extra}", 8000 if extra else 5000)
        else:
            bar.showMessage(f"{name}: done — {result.label} (Ctrl+Z undoes it){extra}", 8000 if extra else 5000)


def _mtime(path: str | None) -> float | None:
    import os

    try:
        return os.stat(path).st_mtime if path else None
    except OSError:
        return None
