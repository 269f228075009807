"""Command objects: ``ask`` (dialogs, may return None = cancelled) and ``do`` (push one edit).

Tests call ``do`` directly with the parameters a dialog would have returned, so every command runs
without a window. ``run`` is what menu actions call. A ValueError from the edit builder is shown as
a message (the user asked for something impossible); nothing is pushed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.document import Document
from stdpose_core.data.track import person_name
from stdpose_core.ops import annotate


@dataclass
class Context:
    doc: Document
    parent: QWidget | None = None


class Command:
    """Base: override ``ask`` (default asks nothing) and ``do``."""

    title = "command"

    def ask(self, ctx: Context) -> dict[str, Any] | None:
        return {}

    def do(self, doc: Document, **params) -> None:
        raise NotImplementedError

    def run(self, ctx: Context) -> bool:
        """Ask, then do; returns True if something was done."""
        if ctx.doc.session is None:
            return False
        try:
            params = self.ask(ctx)
            if params is None:
                return False
            self.do(ctx.doc, **params)
            return True
        except ValueError as exc:
            QMessageBox.information(ctx.parent, self.title, str(exc))
            return False


def _need_person(doc: Document) -> int:
    if doc.track_id is None or doc.track_id not in doc.project.tracks:
        raise ValueError("Select a person first (click it or press its number key).")
    return doc.track_id


def _other_person(ctx: Context, title: str, prompt: str) -> int | None:
    doc = ctx.doc
    me = _need_person(doc)
    others = [t for t in doc.project.tracks if t != me]
    if not others:
        raise ValueError("There is no other person.")
    present = {t.track_id for t in doc.project.tracks_at(doc.frame)}
    labels = [person_name(t) + ("" if t in present else " (not on this frame)") for t in others]
    choice, ok = QInputDialog.getItem(ctx.parent, title, prompt, labels, 0, False)
    return others[labels.index(choice)] if ok else None


class DeletePerson(Command):
    title = "Delete person"

    def __init__(self, scope: str):
        self.scope = scope

    def ask(self, ctx):
        return {"track_id": _need_person(ctx.doc), "frame": ctx.doc.frame}

    def do(self, doc, track_id: int, frame: int):
        doc.push(annotate.delete_person(doc.project, track_id, frame, self.scope))


class CopyPreviousPose(Command):
    title = "Copy previous keyframe's pose"

    def ask(self, ctx):
        tid = ctx.doc.track_id
        return {"frame": ctx.doc.frame, "track_ids": None if tid is None else [tid]}

    def do(self, doc, frame: int, track_ids: list[int] | None = None):
        doc.push(annotate.copy_previous_pose(doc.project, frame, track_ids))


class SwapIds(Command):
    title = "Swap ids"

    def ask(self, ctx):
        other = _other_person(ctx, self.title, f"Swap {person_name(ctx.doc.track_id)} with (from frame {ctx.doc.frame} on):")
        return None if other is None else {"a": ctx.doc.track_id, "b": other, "frame": ctx.doc.frame}

    def do(self, doc, a: int, b: int, frame: int):
        doc.push(annotate.swap_ids(doc.project, a, b, frame))


def ask_merge_conflict(parent, conflict: annotate.MergeConflict) -> str | None:
    """Where both people are present, whose poses stay: 'target', 'source' or None (cancel)."""
    src, dst = person_name(conflict.src), person_name(conflict.dst)
    box = QMessageBox(QMessageBox.Icon.Question, "Merge tracks",
                      f"{conflict.describe()}.\n\nWhose poses should stay on those frames? The other's are "
                      f"removed there (Ctrl+Z brings them back).", parent=parent)
    keep_dst = box.addButton(f"Keep {dst}'s poses", QMessageBox.ButtonRole.AcceptRole)
    keep_src = box.addButton(f"Keep {src}'s poses", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep_dst)
    box.exec()
    return {keep_dst: "target", keep_src: "source"}.get(box.clickedButton())


class MergeTracks(Command):
    """Merge the selected person into another; shared frames are shown and the user chooses."""

    title = "Merge tracks"
    #: Asks whose poses stay on shared frames (tests replace it): (parent, MergeConflict) -> keep or None.
    resolve = staticmethod(ask_merge_conflict)

    def ask(self, ctx):
        other = _other_person(ctx, self.title, f"Merge {person_name(ctx.doc.track_id)} into:")
        if other is None:
            return None
        src = ctx.doc.track_id
        conflict = annotate.merge_conflict(ctx.doc.project, src, other)
        keep = "target"
        if conflict:
            keep = self.resolve(ctx.parent, conflict)
            if keep is None:
                return None
        return {"src": src, "dst": other, "keep": keep}

    def do(self, doc, src: int, dst: int, keep: str = "refuse"):
        doc.push(annotate.merge_tracks(doc.project, src, dst, keep))
        doc.select(dst)


class AcceptPrelabels(Command):
    """A: the detector's pose of the selected person (or of everyone) on this frame, accepted as it is."""

    title = "Accept pre-labels"

    def ask(self, ctx):
        tid = ctx.doc.track_id
        return {"frame": ctx.doc.frame, "track_ids": None if tid is None else [tid]}

    def do(self, doc, frame: int, track_ids: list[int] | None = None):
        doc.push(annotate.accept_prelabels(doc.project, frame, track_ids))


class MarkReviewed(Command):
    title = "Mark reviewed"

    def ask(self, ctx):
        start, stop = ctx.doc.frame_range or (ctx.doc.frame, ctx.doc.frame + 1)
        return {"start": start, "stop": stop}

    def do(self, doc, start: int, stop: int):
        doc.push(annotate.toggle_reviewed(doc.project, start, stop))


class SetVisibility(Command):
    title = "Visibility"

    def __init__(self, vis: int):
        self.vis = vis

    def ask(self, ctx):
        doc = ctx.doc
        tid = _need_person(doc)
        if doc.joint is None:
            raise ValueError("Select a joint first (click it, or pick it in the joint list).")
        return {"track_id": tid, "frame": doc.frame, "joint": doc.joint}

    def do(self, doc, track_id: int, frame: int, joint: int):
        doc.push(annotate.set_visibility(doc.project, track_id, frame, joint, self.vis))


class AddPerson(Command):
    """Adds a person from a box; the box comes from the canvas (draw mode), not from a dialog."""

    title = "Add person"

    def do(self, doc, frame: int, box: tuple[float, float, float, float]):
        pre = doc.prelabel(frame, box) if doc.prelabel is not None else None
        edit = doc.push(annotate.add_person(doc.project, frame, box, pre))
        doc.select(edit.track.track_id)


class PlaceJoint(Command):
    title = "Place joint"

    def do(self, doc, track_id: int, frame: int, joint: int, xy: tuple[float, float], vis: int = 2):
        doc.push(annotate.place_joint(doc.project, track_id, frame, joint, xy, vis))


class CopyRegions(Command):
    """Copy this frame's ignore regions to the selected range's end, or to the next N frames (asked)."""

    title = "Copy ignore regions"

    def ask(self, ctx):
        doc = ctx.doc
        if not doc.project.ignore_regions.get(doc.frame):
            raise ValueError("This frame has no ignore region: press I and draw one first.")
        rng = doc.frame_range
        if rng and rng[1] > doc.frame + 1:
            return {"frame": doc.frame, "stop": rng[1]}
        left = doc.num_frames - doc.frame - 1
        if left < 1:
            raise ValueError("This is the last frame.")
        n, ok = QInputDialog.getInt(ctx.parent, self.title, f"Copy frame {doc.frame}'s ignore regions to the next frames:",
                                    min(10, left), 1, left)
        return {"frame": doc.frame, "stop": doc.frame + 1 + n} if ok else None

    def do(self, doc, frame: int, stop: int):
        from stdpose_core.ops.regions import copy_regions

        doc.push(copy_regions(doc.project, frame, stop))
