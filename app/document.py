"""The open document: the one object every view observes.

It wraps a :class:`~stdpose_core.session.ProjectSession` (project in memory + SQLite file), the
QUndoStack, and the UI state that is not annotation data: current frame, selected person/joint,
the joint armed for placement and the timeline's frame range.

Signals:
  - ``changed(Change)``: project data changed (tracks x frames; ``structure`` when people were
    added/removed). Views repaint only what it names.
  - ``frame_changed(int)``: the current frame.
  - ``selection_changed()``: selected track / joint / armed joint.
  - ``range_changed()``: the timeline's selected frame range.
  - ``opened()``: a project was opened or closed (views rebuild everything).
  - ``edit_pushed(Edit)``: a user action applied an edit (not emitted for undo/redo).
  - ``error(str)``: an undo/redo could not be written to the file (the step is dropped).
  - ``edit_refused(str)``: the user tried to change a project that is open read-only.

Background work (issue 8) takes :meth:`snapshot` to a worker thread and pushes the Edit it
returns with :meth:`push` on the GUI thread: one undo step for the whole job.

Edits reach the project file through the core session: :meth:`push` is ``session.apply(edit)``, and a
drag applies its positions itself (:mod:`stdpose_core.ops.drag`). The document observes the session
(:meth:`ProjectSession.subscribe`): every committed edit becomes one undo step (the edits of one
gesture merge into one), ``changed`` is emitted, and ``edit_pushed`` for new edits. Edits are
committed before ``apply`` returns: there is no unsaved state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from stdpose_core.data import Project
from stdpose_core.data.edits import Change, Edit
from stdpose_core.project_ops import video_path
from stdpose_core.session import Applied, ProjectSession

VIEW_META_KEY = "editor_view"


@dataclass(frozen=True, eq=False)
class FollowUp:
    """The gesture of an edit a machine made because of a person's undo step ``command`` (automatic
    re-propagation): while ``command`` is still the latest step, the edit joins it, so one Ctrl+Z
    takes back the person's edit and what it caused together."""

    command: "EditCommand"


class EditCommand(QUndoCommand):
    """One undo step over core edits, applied through the session (so every step is durable).

    A drag merges its edits (same ``gesture``): all of them rewrite the same frame rows of one track,
    so undoing the first edit restores the state before the whole drag, and re-applying the last edit
    redoes it. Follow-ups (:class:`FollowUp`, e.g. the re-propagation an edit caused) are undone
    before it and redone after it.
    """

    MERGE_ID = 7001

    def __init__(self, doc: "Document", edit: Edit, gesture: object = None):
        super().__init__(edit.label)
        self._doc = doc
        self._first = edit
        self._last = edit
        self._gesture = gesture
        self._follow_ups: list[Edit] = []
        self._applied = True  # made for an edit the session just applied; the stack's first redo is a no-op

    @property
    def edit(self) -> Edit:
        return self._last

    @property
    def follow_ups(self) -> list[Edit]:
        return list(self._follow_ups)

    def add_follow_up(self, edit: Edit) -> None:
        """``edit`` (already applied) becomes part of this step."""
        self._follow_ups.append(edit)

    def id(self) -> int:
        return self.MERGE_ID if self._gesture is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, EditCommand) or other._gesture is not self._gesture:
            return False
        self._last = other._last
        return True

    def redo(self) -> None:
        if self._applied:
            return
        try:
            self._doc.session.apply(self._last, redo=True)
            self._applied = True
            for e in self._follow_ups:
                self._doc.session.apply(e, redo=True)
        except Exception as exc:  # noqa: BLE001 - the session restored memory; drop this step
            self._failed(exc)

    def undo(self) -> None:
        try:
            for e in reversed(self._follow_ups):
                self._doc.session.revert(e)
            self._doc.session.revert(self._first)
            self._applied = False
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        # The file could not take the change (disk gone, read-only…): memory was restored by the
        # session, so memory and file agree; this step leaves the history and the user is told.
        self.setObsolete(True)
        self._doc.error.emit(f"Could not {'undo' if self._applied else 'redo'} '{self.text()}': {exc}")


class Document(QObject):
    changed = Signal(object)
    frame_changed = Signal(int)
    selection_changed = Signal()
    range_changed = Signal()
    opened = Signal()
    edit_pushed = Signal(object)  # the Edit a user action just applied (not undo/redo): e.g. auto re-propagation
    error = Signal(str)  # a change could not be written; the window shows it
    edit_refused = Signal(str)  # an edit was attempted while the project is open read-only

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.undo_stack = QUndoStack(self)
        self.frame = 0
        self.track_id: int | None = None
        self.joint: int | None = None
        self.armed_joint: int | None = None  # the joint the next image click places
        self.frame_range: tuple[int, int] | None = None  # [start, stop)
        #: Optional pre-label provider (issue 8 installs the detector's): (frame, box) -> SetPoseRange values or None.
        self.prelabel: Callable[[int, tuple[float, float, float, float]], dict | None] | None = None

    # ---- project -----------------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.session.project if self.session else None

    @property
    def path(self) -> Path | None:
        return self.session.path if self.session else None

    @property
    def num_frames(self) -> int:
        return self.project.num_frames if self.session else 0

    @property
    def read_only(self) -> bool:
        """The project is open read-only (another session is its writer): every edit is refused."""
        return self.session is not None and self.session.read_only

    def read_only_message(self) -> str:
        s = self.session
        why = s.read_only_reason if s is not None and s.read_only_reason else "opened read-only"
        return f"Read-only: {self.path.name} is {why}. Nothing can be changed here." if s else ""

    def refuse_edit(self) -> None:
        """Tell the user (through ``edit_refused``) that this read-only project cannot be changed."""
        self.edit_refused.emit(self.read_only_message())

    def video_path(self) -> Path | None:
        """The project's video file or image folder (stored relative to the project file when possible)."""
        return video_path(self.session) if self.session else None

    def set_session(self, session: ProjectSession | None) -> None:
        """Show ``session`` (closing the previous one) and restore its saved view state."""
        if self.session is not None:
            self.save_view_state()
            self.session.unsubscribe(self._on_applied)
            self.session.close()
        self.session = session
        if session is not None:
            session.subscribe(self._on_applied)
        self.undo_stack.clear()
        self.frame, self.track_id, self.joint, self.armed_joint, self.frame_range = 0, None, None, None, None
        if session is not None:
            state = self.view_state()
            self.frame = min(max(int(state.get("frame", 0)), 0), max(self.num_frames - 1, 0))
            tid = state.get("track")
            self.track_id = tid if tid in session.project.tracks else None
            joint = state.get("joint")
            self.joint = joint if self.track_id is not None and isinstance(joint, int) and 0 <= joint < session.project.num_joints else None
        self.opened.emit()
        self.frame_changed.emit(self.frame)
        self.selection_changed.emit()

    def close(self) -> None:
        self.set_session(None)

    # ---- view state (stored in the project file, not an edit) ---------------------------------
    def view_state(self) -> dict:
        return dict(self.project.meta.get(VIEW_META_KEY, {})) if self.session else {}

    def update_view_state(self, **values) -> None:
        """Remember view values (zoom, centre…) in memory; written by :meth:`save_view_state`."""
        if self.session:
            state = self.view_state()
            state.update(values)
            self.project.meta[VIEW_META_KEY] = state

    def save_view_state(self) -> None:
        if not self.session or self.session.read_only:
            return
        self.update_view_state(frame=self.frame, track=self.track_id, joint=self.joint)
        try:
            self.session.save_settings()
        except Exception:  # noqa: BLE001 - view state is a convenience; never block closing on it
            pass

    # ---- edits -------------------------------------------------------------------------------
    def _emit(self, change: Change) -> None:
        if change.structure and self.track_id is not None and self.track_id not in self.project.tracks:
            self.select(None)
        self.changed.emit(change)

    def push(self, edit: Edit, follows: EditCommand | None = None) -> Edit:
        """Apply ``edit`` through the session (committed to the file): one undo step. Returns it.

        ``follows``: the person's step that caused this machine edit; while that step is the latest
        one, ``edit`` joins it instead of becoming a step of its own (see :class:`FollowUp`).
        If applying fails (e.g. the disk is gone, or the project is open read-only) the exception propagates and nothing is recorded.
        """
        if self.read_only:
            self.refuse_edit()
        self.session.apply(edit, gesture=FollowUp(follows) if follows is not None else None)
        return edit

    def latest_step(self) -> EditCommand | None:
        """The undo step Ctrl+Z would take back now (None when there is none)."""
        stack = self.undo_stack
        cmd = stack.command(stack.index() - 1) if stack.index() > 0 else None
        return cmd if isinstance(cmd, EditCommand) else None

    def _on_applied(self, event: Applied) -> None:
        """The session committed an edit: record new ones as undo steps, repaint what changed."""
        if event.kind == "do":
            g = event.gesture
            if isinstance(g, FollowUp) and g.command is self.latest_step():
                g.command.add_follow_up(event.edit)
            else:
                self.undo_stack.push(EditCommand(self, event.edit, None if isinstance(g, FollowUp) else g))
        self._emit(event.change)
        if event.kind == "do":
            self.edit_pushed.emit(event.edit)

    # ---- navigation and selection ------------------------------------------------------------
    def set_frame(self, frame: int) -> None:
        if not self.session:
            return
        frame = min(max(int(frame), 0), self.num_frames - 1)
        if frame != self.frame:
            self.frame = frame
            self.frame_changed.emit(frame)

    def step(self, delta: int) -> None:
        self.set_frame(self.frame + delta)

    def select(self, track_id: int | None, joint: int | None = None, armed: int | None = None) -> None:
        if (track_id, joint, armed) != (self.track_id, self.joint, self.armed_joint):
            self.track_id, self.joint, self.armed_joint = track_id, joint, armed
            self.selection_changed.emit()

    def set_range(self, frame_range: tuple[int, int] | None) -> None:
        if frame_range is not None:
            a, b = sorted(frame_range)
            frame_range = (max(a, 0), min(b, self.num_frames))
            if frame_range[1] <= frame_range[0]:
                frame_range = None
        if frame_range != self.frame_range:
            self.frame_range = frame_range
            self.range_changed.emit()

    def snapshot(self) -> Project:
        """An independent copy of the project for worker threads (they must never touch the live one).

        Tracks are deep-copied; skeleton and video info are immutable in practice and shared.
        """
        p = self.project
        return Project(p.skeleton, p.video, {tid: t.copy() for tid, t in p.tracks.items()}, p.keyframe_interval,
                       p.labeled.copy(), {f: [a.copy() for a in polys] for f, polys in p.ignore_regions.items()},
                       list(p.model_versions), dict(p.meta))

    def selected_track(self):
        return self.project.tracks.get(self.track_id) if self.session and self.track_id is not None else None
