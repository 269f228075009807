"""Guided "label this keyframe" mode: walks the joints of one person in order, keyboard-first.

The controller arms one joint at a time (``Document.armed_joint``); a click on the image places it
(visible, or occluded with Shift or after pressing O), S/Tab skips, Backspace goes back, Esc stops.
Each placement is its own undo step. The banner text describes what to do next.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.document import Document
from stdpose_core.data.track import person_name
from stdpose_core.ops import annotate


class GuidedMode(QObject):
    state_changed = Signal()

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.active = False
        self.order: list[int] = []
        self.index = 0
        self.occluded_next = False
        self.placed = 0
        doc.opened.connect(self.stop)
        doc.frame_changed.connect(lambda _f: self.stop())

    @property
    def joint(self) -> int | None:
        return self.order[self.index] if self.active and self.index < len(self.order) else None

    def start(self, track_id: int) -> None:
        skel = self.doc.project.skeleton
        self.order = [int(k) for k in skel.used_joints]
        self.index, self.placed, self.occluded_next, self.active = 0, 0, False, True
        self.doc.select(track_id, self.order[0], armed=self.order[0])
        self.state_changed.emit()

    def stop(self) -> None:
        if self.active:
            self.active = False
            if self.doc.armed_joint is not None:
                self.doc.select(self.doc.track_id)
            self.state_changed.emit()

    def _go(self, index: int) -> None:
        self.index = max(index, 0)
        self.occluded_next = False
        if self.index >= len(self.order):
            self.stop()
            return
        k = self.order[self.index]
        self.doc.select(self.doc.track_id, k, armed=k)
        self.state_changed.emit()

    def place(self, x: float, y: float, occluded: bool = False) -> None:
        doc = self.doc
        vis = 1 if (occluded or self.occluded_next) else 2
        doc.push(annotate.place_joint(doc.project, doc.track_id, doc.frame, self.joint, (x, y), vis))
        self.placed += 1
        self._go(self.index + 1)

    def skip(self) -> None:
        self._go(self.index + 1)

    def back(self) -> None:
        self._go(self.index - 1)

    def toggle_occluded(self) -> None:
        self.occluded_next = not self.occluded_next
        self.state_changed.emit()

    def banner(self) -> str:
        if not self.active or self.joint is None:
            return ""
        name = self.doc.project.skeleton.joint_names[self.joint].replace("_", " ").upper()
        occ = " as OCCLUDED" if self.occluded_next else ""
        return (f"{person_name(self.doc.track_id)}: click {name}{occ}  ({self.index + 1}/{len(self.order)})    "
                "S skip · O occluded · Shift+click occluded · Backspace back · Esc stop")
