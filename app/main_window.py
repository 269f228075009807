"""The main window: lays out the canvas, docks and menus, and owns the open/close life cycle.

Behaviour lives elsewhere: gestures in :mod:`app.canvas.view`, edits in :mod:`stdpose_core.ops`,
action handlers in :mod:`app.window_actions`, the action table in :mod:`app.shortcuts`. The window
builds every part explicitly, the annotation loop around the editor included (background jobs,
review by confidence, import, export, models, retraining: :meth:`MainWindow._build_loop`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QToolBar, QUndoView, QVBoxLayout, QWidget

from app import settings as app_settings
from app.actions import commands as C
from app.canvas.scene import CanvasScene
from app.canvas.view import CanvasView
from app.confidence import NEXT_SUGGESTION, ConfidenceRow
from app.dataset import OPEN_DATASET
from app.dialogs.adapt import ADAPT, start_adapt
from app.dialogs.export import Exporter
from app.dialogs.import_annotations import Importer
from app.dialogs.models import MODELS, ModelsDialog
from app.dialogs.new_project import ask_new_project
from app.dialogs.retrain import RETRAIN, open_retrain
from app.document import Document
from app.errors import show_error
from app.frame_loader import FrameLoader
from app.guided import GuidedMode
from app.indexing import ensure_indexed
from app.jobs.controller import LoopJobs
from app.notices import NoticeBar
from app.opener import is_project, open_session
from app.panels.people import PeoplePanel
from app.review.panel import ReviewPanel
from app.review.state import ReviewState
from app.shortcuts import ACTIONS, ActionSpec, effective_keys
from app.timeline.dock import TimelineDock
from app.timeline.playback import Playback
from app.video_locator import VideoLocator
from app.video_notices import show_video_notes
from app.window_actions import handlers

MENUS = ("File", "Edit", "View", "Navigate", "Label", "Help")
FILE_FILTER = "Projects, videos and images (*.stdpose *.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg);;All files (*)"
TOOLBAR_ACTIONS = ("file.open", "edit.undo", "edit.redo", "edit.add_person", "label.guided", "edit.mark_reviewed", "view.fit")


class MainWindow(QMainWindow):
    """The editor window. ``loop=False`` builds the editor alone, without the annotation loop around
    it (jobs, automatic re-propagation, review queue, export, models, retraining): tests of the
    editor itself use it, so nothing edits the project behind their back."""

    jobs: LoopJobs | None = None
    review: ReviewState | None = None
    review_panel: ReviewPanel | None = None
    confidence_row: ConfidenceRow | None = None
    exporter: Exporter | None = None
    importer: Importer | None = None
    dataset_panel = None  # app.dataset.panel.DatasetPanel once a dataset is opened

    def __init__(self, settings: app_settings.Settings | None = None, loop: bool = True):
        super().__init__()
        self.settings = settings or app_settings.load()
        self.doc = Document(self)
        self.loader = FrameLoader(self)
        self.playback = Playback(self.doc, self)
        self.guided = GuidedMode(self.doc, self)
        self.ask_new = lambda src: ask_new_project(src, self.settings.skeleton, self.settings.keyframe_interval, self)
        self.video_locator = VideoLocator(self)
        self._then_guided = False
        self.palette = list(self.settings.track_colors)  # shared by all views; edited in place
        self._build_central()
        self._build_menus()
        self._build_docks()
        self._build_actions()
        self._build_status_bar()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self._on_opened()
        if loop:
            self._build_loop()
        self._restore_window_state()

    # ---- building the window ----------------------------------------------------------------
    def _build_central(self) -> None:
        """The canvas under a banner (guided mode, draw-box mode)."""
        self.scene = CanvasScene(self.doc, self.palette, self)
        self.view = CanvasView(self.doc, self.scene)
        self.banner = QLabel()
        self.banner.setStyleSheet("background:#3a3a10; color:#ffe680; padding:4px; font-weight:bold;")
        self.banner.hide()
        self.read_only_bar = NoticeBar("locked")  # the project is open read-only (someone else writes it)
        self.video_bar = NoticeBar("warning")  # the video reader's warnings (truncated, inexact seeking…)
        self.ask_reencode_target: Callable[[Path], Path | None] | None = None  # None: a save dialog
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.read_only_bar)
        lay.addWidget(self.video_bar)
        lay.addWidget(self.banner)
        lay.addWidget(self.view, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main_toolbar")
        self.addToolBar(self.toolbar)
        self._menus = {name: self.menuBar().addMenu("&" + name) for name in MENUS}
        self._recent_menu = self._menus["File"].addMenu("Open &Recent")
        self._recent_menu.aboutToShow.connect(self._fill_recent)

    def _build_docks(self) -> None:
        """Timeline (bottom), people and undo history (right; the history starts hidden)."""
        self.timeline_dock = TimelineDock(self.doc, self.playback, self.palette, self.settings.low_confidence, self)
        self.add_dock(self.timeline_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.timeline_dock], [230], Qt.Orientation.Vertical)
        self.people_panel = PeoplePanel(self.doc, self.palette, self)
        self.add_dock(self.people_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock = QDockWidget("Undo History", self)
        self.history_dock.setObjectName("history_dock")
        self.history_dock.setWidget(QUndoView(self.doc.undo_stack))
        self.add_dock(self.history_dock, Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock.hide()

    def _build_actions(self) -> None:
        """The editor's action table with its handlers; undo/redo follow the undo stack."""
        self.actions_by_id: dict[str, QAction] = {}
        self.action_specs: list[ActionSpec] = []  # the editor's table plus what the loop adds
        self._handlers = handlers(self)
        for spec in ACTIONS:
            self.add_action(spec, self._handlers.get(spec.id))
        for aid in TOOLBAR_ACTIONS:
            self.toolbar.addAction(self.actions_by_id[aid])
        self.actions_by_id["view.trails"].setCheckable(True)
        self.actions_by_id["view.trails"].setChecked(self.settings.trails_on)
        stack, undo, redo = self.doc.undo_stack, self.actions_by_id["edit.undo"], self.actions_by_id["edit.redo"]
        undo.setEnabled(False)
        redo.setEnabled(False)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.undoTextChanged.connect(lambda t: undo.setText(f"&Undo {t}" if t else "&Undo"))
        stack.redoTextChanged.connect(lambda t: redo.setText(f"&Redo {t}" if t else "&Redo"))
        self.actions_by_id["edit.history"].setCheckable(True)
        self.history_dock.visibilityChanged.connect(self.actions_by_id["edit.history"].setChecked)
        self.scene.trails.length = self.settings.trail_length if self.settings.trails_on else 0

    def _build_status_bar(self) -> None:
        self._status_frame, self._status_zoom, self._status_saved = QLabel(), QLabel(), QLabel()
        for w in (self._status_frame, self._status_zoom, self._status_saved):
            self.statusBar().addPermanentWidget(w)
        self._save_timer = QTimer(self, singleShot=True, interval=800)
        self._save_timer.timeout.connect(self._save_view_state)

    def _connect(self) -> None:
        """Canvas gestures, decoded frames and document changes to the window's reactions."""
        self.view.place_requested.connect(self._place)
        self.view.box_drawn.connect(self._box_drawn)
        self.view.region_drawn.connect(self._region_drawn)
        self.view.zoom_changed.connect(self._on_zoom)
        self.view.context_menu_requested.connect(self._fill_context_menu)
        self.loader.frame_ready.connect(self.scene.show_image)
        self.loader.failed.connect(lambda i, msg: self.statusBar().showMessage(f"Frame {i}: {msg}", 5000))
        self.doc.frame_changed.connect(self._on_frame)
        self.doc.changed.connect(lambda _c: self._status_saved.setText(f"Saved to {self.doc.path.name}"))
        self.guided.state_changed.connect(self._update_banner)
        self.doc.opened.connect(self._on_opened)
        self.doc.error.connect(lambda msg: show_error(self, "Project file", msg))
        self.doc.edit_refused.connect(self._edit_refused)

    def _build_loop(self) -> None:
        """The annotation loop around the editor: background jobs (detect, propagate, automatic
        re-propagation), the review queue and confidence row, export, models and retraining."""
        self.jobs = LoopJobs(self)
        self.review = ReviewState(self.doc, self.settings.low_confidence, self)
        self.review_panel = ReviewPanel(self, self.review)
        self.add_dock(self.review_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.set_handler("nav.next_review", lambda: self.review_panel.step(1))
        self.set_handler("nav.prev_review", lambda: self.review_panel.step(-1))
        self.review.threshold_changed.connect(self._on_threshold)
        self.confidence_row = ConfidenceRow(self, self.review)
        self.timeline_dock.add_row(self.confidence_row)
        self.add_action(NEXT_SUGGESTION, self.confidence_row.next_suggestion)
        self.importer = Importer(self)
        self.exporter = Exporter(self)
        self.add_action(MODELS, lambda: ModelsDialog(self).exec())
        self.add_action(RETRAIN, lambda: open_retrain(self))
        self.add_action(ADAPT, lambda: start_adapt(self))
        file_menu, act = self._menus["File"], self.add_action(OPEN_DATASET, self.ask_open_dataset)
        file_menu.removeAction(act)
        entries = file_menu.actions()
        file_menu.insertAction(entries[entries.index(self.actions_by_id["file.open"]) + 1], act)  # under Open…

    def _restore_window_state(self) -> None:
        geometry, state = app_settings.load_window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)  # every dock exists by now, so each goes back to its place
        else:  # first start: room for the review queue's columns
            self.resizeDocks([self.people_panel], [380], Qt.Orientation.Horizontal)

    # ---- adding parts -----------------------------------------------------------------------
    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Add a dock and list it in View (give it an objectName so its place is remembered)."""
        self.addDockWidget(area, dock)
        self._menus["View"].addAction(dock.toggleViewAction())
        return dock

    def menu(self, name: str) -> QMenu:
        """The menu called ``name``; a new name (e.g. 'Jobs') is inserted before Help."""
        if name not in self._menus:
            m = QMenu("&" + name, self)
            self.menuBar().insertMenu(self._menus["Help"].menuAction(), m)
            self._menus[name] = m
        return self._menus[name]

    def add_action(self, spec: ActionSpec, handler: Callable[[], None] | None) -> QAction:
        """Create the QAction for ``spec`` with its keys (after user overrides) and menu entry."""
        act = QAction(spec.text, self)
        keys = effective_keys(spec, self.settings.shortcuts)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if spec.tip:
            act.setStatusTip(spec.tip)
        if handler is not None:
            act.triggered.connect(lambda _=False, h=handler, s=spec: self._safe(h, s.text.replace("&", "")))
        self.addAction(act)
        if spec.menu:
            self.menu(spec.menu).addAction(act)
        self.actions_by_id[spec.id] = act
        self.action_specs.append(spec)
        return act

    def set_handler(self, action_id: str, handler: Callable[[], None]) -> None:
        """Replace what an existing action does (e.g. Ctrl+→ driven by a review queue)."""
        act = self.actions_by_id[action_id]
        act.triggered.disconnect()
        act.triggered.connect(lambda _=False: self._safe(handler, act.text().replace("&", "")))

    def _safe(self, fn: Callable[[], None], title: str) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a dialog; the editor stays up
            show_error(self, title, exc)

    # ---- opening and closing ----------------------------------------------------------------
    def open_path(self, path: str | Path) -> bool:
        """Open a project, video or image folder (a dataset folder opens the dataset view); errors
        are shown and leave the current one open."""
        from stdpose_core.dataset import is_dataset

        if Path(path).is_dir() and is_dataset(path) and self.jobs is not None:
            return self.open_dataset(path)
        try:
            # A new video's frames are indexed on a worker thread first (progress + Cancel).
            if not is_project(Path(path)) and not ensure_indexed(self, path):
                return False
            session = open_session(path, self.ask_new)  # read-only when another session writes it
        except Exception as exc:  # noqa: BLE001
            show_error(self, "Cannot open", exc)
            return False
        if session is None:
            return False
        self.playback.stop()
        self.doc.set_session(session)
        try:
            if not ensure_indexed(self, self.doc.video_path()):
                raise RuntimeError("indexing the video was cancelled")
            self.loader.set_source(self.doc.video_path(), self.settings.cache_mb)
        except Exception as exc:  # noqa: BLE001 - annotations stay editable without pixels
            self.loader.set_source(None)
            if not self.video_locator.offer(exc):
                self.statusBar().showMessage("No video: the annotations are shown over an empty frame "
                                             "(File → Locate video… finds it)", 10000)
        show_video_notes(self, self.loader.source)  # truncated, variable frame rate…: say so, offer Re-encode…
        self.doc.frame_changed.emit(self.doc.frame)
        self._restore_zoom()
        app_settings.add_recent(str(session.path))
        return True

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project or video", "", FILE_FILTER)
        if path:
            self.open_path(path)

    def ask_open_dataset(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder (with stdpose-dataset.json)")
        if path:
            self.open_dataset(path)

    def open_dataset(self, path: str | Path) -> bool:
        """Show the dataset at ``path`` in the dataset dock (created on first use)."""
        from app.dataset.panel import DatasetPanel

        try:
            if self.dataset_panel is None:
                self.dataset_panel = DatasetPanel(self, path)
                self.add_dock(self.dataset_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
                self.tabifyDockWidget(self.timeline_dock, self.dataset_panel)
            else:
                self.dataset_panel.set_root(path)
        except Exception as exc:  # noqa: BLE001
            show_error(self, "Cannot open the dataset", exc)
            return False
        self.dataset_panel.show()
        self.dataset_panel.raise_()
        return True

    def _fill_recent(self) -> None:
        self._recent_menu.clear()
        for p in app_settings.load().recent:
            self._recent_menu.addAction(p, lambda p=p: self.open_path(p))
        if self._recent_menu.isEmpty():
            self._recent_menu.addAction("(none)").setEnabled(False)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    def closeEvent(self, event) -> None:  # noqa: N802
        self.playback.stop()
        if self.dataset_panel is not None:
            self.dataset_panel.close_dataset()
        app_settings.save_window_state(self.saveGeometry(), self.saveState())
        self._save_view_state()
        self.doc.close()
        self.loader.shutdown()
        super().closeEvent(event)

    # ---- view state -------------------------------------------------------------------------
    def _save_view_state(self) -> None:
        if self.doc.session is not None:
            self.doc.update_view_state(zoom=self.view.scale_factor(), center=list(self.view.view_center()))
            self.doc.save_view_state()

    def _restore_zoom(self) -> None:
        state = self.doc.view_state()
        if "zoom" in state:
            self.view.set_zoom(float(state["zoom"]), tuple(state.get("center") or (0, 0)))
        else:
            # Fit now, and once more when the window has its final size, unless zoomed meanwhile.
            self.view.fit()
            fitted = self.view.scale_factor()
            QTimer.singleShot(0, lambda: self.view.fit() if self.view.scale_factor() == fitted else None)

    # ---- reactions ---------------------------------------------------------------------------
    def _on_opened(self) -> None:
        doc = self.doc
        if doc.session:
            self.setWindowTitle(f"{doc.path.name}{' [read-only]' if doc.read_only else ''} — STDPose Annotator")
            self._status_saved.setText(("Read-only: " if doc.read_only else "Saved to ") + doc.path.name)
        else:
            self.setWindowTitle("STDPose Annotator")
            self._status_saved.setText("")
            self.video_bar.hide()
        self._apply_read_only()
        self._on_frame(doc.frame)

    # ---- read-only projects (another session is the writer) ---------------------------------
    def _apply_read_only(self) -> None:
        """Disable every action that changes the project while it is open read-only; show why."""
        ro = self.doc.read_only
        if ro:
            self.guided.stop()
            self.stop_draw_box()
        for spec in self.action_specs:
            if spec.edits:
                self.actions_by_id[spec.id].setEnabled(not ro)
        if ro:
            self.read_only_bar.show_notice(self.doc.read_only_message() + " Close it in the other program, then:",
                                           [("Try again", self.retry_writable)])
        else:
            self.read_only_bar.hide()

    def retry_writable(self) -> bool:
        """Reopen the read-only project for editing (works once its writer has closed it)."""
        if self.doc.session is None or not self.doc.read_only:
            return False
        from stdpose_core.session import ProjectSession

        path, frame = self.doc.path, self.doc.frame
        try:
            session = ProjectSession.open(path, mode="auto")
        except Exception as exc:  # noqa: BLE001
            show_error(self, "Cannot open", exc)
            return False
        if session.read_only:
            session.close()
            self.statusBar().showMessage(f"Still read-only: {path.name} is {session.read_only_reason}", 6000)
            self.read_only_bar.flash()
            return False
        self.doc.set_session(session)
        self.doc.set_frame(frame)
        show_video_notes(self, self.loader.source)  # Re-encode… is offered now that edits are possible
        self.statusBar().showMessage(f"{path.name} is open for editing", 4000)
        return True

    def _edit_refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)
        self.read_only_bar.flash()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Shortcuts of disabled (read-only) actions arrive here as plain key presses: say why.
        if self.doc.read_only:
            pressed = QKeySequence(event.keyCombination())
            for spec in self.action_specs:
                act = self.actions_by_id[spec.id]
                if spec.edits and any(k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in act.shortcuts()):
                    self.doc.refuse_edit()
                    return
        super().keyPressEvent(event)

    def _on_frame(self, frame: int) -> None:
        if self.doc.session is None:
            self._status_frame.setText("Open a video, an image folder or a project (Ctrl+O, or drop it here)")
            return
        self.loader.request(frame)
        fps = max(self.doc.project.video.fps, 1e-6)
        self._status_frame.setText(f"Frame {frame} / {self.doc.num_frames - 1}   {frame / fps:7.2f} s")
        self._save_timer.start()

    def _on_zoom(self, scale: float) -> None:
        self._status_zoom.setText(f"Zoom {scale * 100:.0f}%")
        self._save_timer.start()

    def _on_threshold(self, value: float) -> None:
        """The review slider moved: timeline strips and the saved setting follow."""
        self.settings.low_confidence = value
        self.timeline_dock.timeline.set_low_confidence(value)

    def _update_banner(self) -> None:
        text = self.guided.banner() or ("Draw a box around the new person (Esc cancels)" if self.view.draw_box_mode else "")
        if not text and self.view.region_mode:
            text = ("Ignore regions: click points, click the first point (or double-click) to close; drag a point to "
                    "move it; right-click a region to delete it; Shift+I copies them to the next frames; I or Esc ends")
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _place(self, x: float, y: float, occluded: bool) -> None:
        if self.guided.active:
            self._safe(lambda: self.guided.place(x, y, occluded), "Place joint")
            return
        doc = self.doc
        k = doc.armed_joint
        self._safe(lambda: C.PlaceJoint().do(doc, track_id=doc.track_id, frame=doc.frame, joint=k, xy=(x, y), vis=1 if occluded else 2),
                   "Place joint")
        doc.select(doc.track_id, k)

    def start_draw_box(self, then_guided: bool) -> None:
        if self.doc.session is None:
            return
        self.guided.stop()
        if self.view.region_mode:
            self.set_region_mode(False)
        self.view.draw_box_mode, self._then_guided = True, then_guided
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self._update_banner()

    def stop_draw_box(self) -> None:
        self.view.draw_box_mode = False
        self.view.viewport().unsetCursor()
        self._update_banner()

    def set_region_mode(self, on: bool) -> None:
        """Region mode (I): click points of ignore regions, drag their points; I or Esc ends it."""
        if self.doc.session is None:
            on = False
        if on:
            self.guided.stop()
            self.stop_draw_box()
        self.view.region_mode = on
        regions = self.scene.regions
        regions.editing, regions.draft, regions.hover = on, [], None
        regions.update()
        if on:
            self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.view.viewport().unsetCursor()
        self._update_banner()

    def _region_drawn(self, points) -> None:
        from stdpose_core.ops.regions import add_region

        self._safe(lambda: self.doc.push(add_region(self.doc.project, self.doc.frame, points)), "Ignore region")

    def _box_drawn(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.stop_draw_box()
        self._safe(lambda: C.AddPerson().do(self.doc, frame=self.doc.frame, box=(x1, y1, x2, y2)), "Add person")
        if self._then_guided and self.doc.track_id is not None:
            self.guided.start(self.doc.track_id)

    def _fill_context_menu(self, menu, _pos) -> None:
        if self.doc.track_id is None:
            for aid in ("edit.add_person",):
                menu.addAction(self.actions_by_id[aid])
            return
        for aid in ("label.guided", "edit.copy_previous", "edit.mark_reviewed", None, "edit.delete_frame", "edit.delete_forward",
                    "edit.delete_all", None, "edit.swap_ids", "edit.merge"):
            menu.addSeparator() if aid is None else menu.addAction(self.actions_by_id[aid])

    def toggle_history(self) -> None:
        self.history_dock.setVisible(not self.history_dock.isVisible())

    def toggle_trails(self) -> None:
        on = self.actions_by_id["view.trails"].isChecked()
        self.settings.trails_on = on
        self.scene.trails.length = self.settings.trail_length if on else 0
        self.scene.trails.refresh()

    def set_keyframe_interval(self, interval: int) -> None:
        """The project's keyframe interval T (a setting of the project file, not an edit)."""
        if self.doc.session is None:
            return
        if self.doc.read_only:
            self.doc.refuse_edit()
            return
        self.doc.project.keyframe_interval = int(interval)
        self.doc.session.save_settings()
        self.timeline_dock.timeline.reset()
        self.statusBar().showMessage(f"Keyframe interval T = {interval}", 4000)

    def show_shortcuts(self) -> None:
        from app.dialogs.shortcuts_help import ShortcutsDialog

        ShortcutsDialog(self.settings.shortcuts, self.action_specs, self).exec()

    def edit_settings(self) -> None:
        from app.dialogs.settings_dialog import SettingsDialog

        project = self.doc.project
        dlg = SettingsDialog(self.settings, project.keyframe_interval if project else None, self, self.action_specs)
        if not dlg.exec():
            return
        new, interval = dlg.result_settings()
        app_settings.save(new)
        self.settings = new
        if project is not None and interval != project.keyframe_interval:
            self.set_keyframe_interval(interval)  # the project's own setting (refused when read-only)
        for spec in self.action_specs:
            self.actions_by_id[spec.id].setShortcuts([QKeySequence(k) for k in effective_keys(spec, new.shortcuts)])
        self.palette[:] = new.track_colors
        self.timeline_dock.timeline.set_low_confidence(new.low_confidence)
        if self.review is not None:  # the review queue's slider follows the setting
            self.review.set_threshold(new.low_confidence)
        self.toggle_trails()
        self.scene.update()

