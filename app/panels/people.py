"""People panel: the people on this frame and, for the selected one, the list of joints.

Clicking a person selects it; clicking a joint that is not labelled arms it (the next click on
the image places it); clicking a labelled joint selects it (V/O/X then set its visibility).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QDockWidget, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from app.document import Document
from stdpose_core.data import MACHINE_SOURCES, Source, TrackFlag
from stdpose_core.data.track import person_name

SOURCE_SHORT = {Source.NONE: "", Source.MANUAL: "manual", Source.CORRECTED: "corrected", Source.PROPAGATED: "propagated",
                Source.INTERPOLATED: "interpolated", Source.DETECTED: "detected",
                Source.APPROXIMATED: "approximated from the detected pose"}
VIS_SHORT = {0: "—", 1: "occluded", 2: "visible"}


class PeoplePanel(QDockWidget):
    def __init__(self, doc: Document, palette: list[str], parent=None):
        super().__init__("People", parent)
        self.setObjectName("people_dock")
        self.doc = doc
        self.palette = palette
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 2, 2, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        self.people = QListWidget()
        self.joints = QListWidget()
        for w in (self.people, self.joints):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the window's shortcuts
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        split.addWidget(self.people)
        split.addWidget(self.joints)
        split.setSizes([140, 360])
        lay.addWidget(split, 1)
        flags = QHBoxLayout()
        self.outside = QCheckBox("Out of view")
        self.outside.setToolTip("The selected person is not in view on this frame (or the selected range): "
                                "their pose and box go, and propagation stops there")
        self.truncated = QCheckBox("Truncated")
        self.truncated.setToolTip("The selected person is cut off by the image edge on this frame (or the selected range)")
        for box, name in ((self.outside, "outside"), (self.truncated, "truncated")):
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.clicked.connect(lambda on, n=name: self._set_flag(n, on))
            flags.addWidget(box)
        flags.addStretch(1)
        lay.addLayout(flags)
        lay.addWidget(self.hint)
        self.setWidget(body)
        self.people.itemClicked.connect(self._person_clicked)
        self.joints.itemClicked.connect(self._joint_clicked)
        doc.opened.connect(self.refresh)
        doc.frame_changed.connect(lambda _f: self.refresh())
        doc.selection_changed.connect(self.refresh)
        doc.changed.connect(lambda ch: self.refresh() if ch.structure or (ch.start <= doc.frame < ch.stop) else None)

    def refresh(self) -> None:
        doc = self.doc
        self.people.clear()
        self.joints.clear()
        if doc.session is None:
            self.hint.setText("")
            return
        present = doc.project.tracks_at(doc.frame)
        for i, t in enumerate(present):
            n = int((t.vis[doc.frame] > 0).sum())
            key = f"[{(i + 1) % 10}] " if i < 10 else ""
            cut = "  ✂ truncated" if t.flags[doc.frame] & TrackFlag.TRUNCATED else ""
            item = QListWidgetItem(f"{key}{person_name(t.track_id)}  ·  {n} joints" + ("  ✓" if t.reviewed[doc.frame] else "") + cut)
            item.setData(Qt.ItemDataRole.UserRole, t.track_id)
            item.setForeground(QBrush(QColor(self.palette[t.track_id % len(self.palette)])))
            self.people.addItem(item)
            if t.track_id == doc.track_id:
                item.setSelected(True)
        t = doc.selected_track()
        for box, flag in ((self.outside, TrackFlag.OUTSIDE), (self.truncated, TrackFlag.TRUNCATED)):
            box.setEnabled(t is not None)
            box.blockSignals(True)
            box.setChecked(t is not None and bool(t.flags[doc.frame] & flag))
            box.blockSignals(False)
        if t is None:
            self.hint.setText("Click a person, or press B and draw a box to add one.")
            return
        if t.flags[doc.frame] & TrackFlag.OUTSIDE:
            self.hint.setText(f"{person_name(t.track_id)} is marked out of view on this frame.")
            return
        skel = doc.project.skeleton
        f = doc.frame
        for k, name in enumerate(skel.joint_names):
            if k in skel.unused:
                continue
            vis, src = int(t.vis[f, k]), Source(int(t.source[f, k]))
            state = "not labelled (click to place)" if vis == 0 else f"{VIS_SHORT[vis]}, {SOURCE_SHORT[src]}"
            if vis > 0 and src in MACHINE_SOURCES:
                state += f" {t.score[f, k]:.2f}"
            item = QListWidgetItem(f"{name}: {state}")
            item.setData(Qt.ItemDataRole.UserRole, k)
            if vis == 0:
                item.setForeground(QBrush(QColor(150, 150, 150)))
            if k == doc.armed_joint:
                item.setBackground(QBrush(QColor(255, 220, 0, 120)))
                item.setText(f"▶ {name}: click the image to place")
            elif k == doc.joint:
                item.setSelected(True)
            self.joints.addItem(item)
        self.hint.setText(f"{person_name(t.track_id)}: drag joints or box handles (Shift+corner scales the pose); "
                          "V/O/X set visibility; L labels joints in order.")

    def _set_flag(self, flag: str, on: bool) -> None:
        """A flag box was clicked: set it for the selected person on this frame or the selected range."""
        from stdpose_core.ops.annotate import set_flag

        doc = self.doc
        if doc.selected_track() is None:
            return
        start, stop = doc.frame_range or (doc.frame, doc.frame + 1)
        try:
            doc.push(set_flag(doc.project, doc.track_id, start, stop, flag, on))
        except ValueError as exc:
            from app.errors import show_error

            show_error(self, "Person flags", str(exc))

    def _person_clicked(self, item: QListWidgetItem) -> None:
        self.doc.select(item.data(Qt.ItemDataRole.UserRole))

    def _joint_clicked(self, item: QListWidgetItem) -> None:
        doc = self.doc
        k = item.data(Qt.ItemDataRole.UserRole)
        t = doc.selected_track()
        if t is None:
            return
        if int(t.vis[doc.frame, k]) == 0:
            doc.select(doc.track_id, k, armed=k)
        else:
            doc.select(doc.track_id, k)
