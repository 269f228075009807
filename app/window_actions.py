"""Handlers of the action table (:mod:`app.shortcuts`), by action id, for a MainWindow.

Kept apart from the window so the window file holds layout and the open/close life cycle only.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.actions import commands as C
from stdpose_core.ops.navigation import keyframe_marks, needs_review, next_in


def handlers(w) -> dict[str, Callable[[], None]]:
    """Action id -> handler for window ``w`` (a MainWindow)."""
    doc = w.doc
    ctx = C.Context(doc, w)

    def jump(frames_fn, direction: int) -> Callable[[], None]:
        def go() -> None:
            if doc.session is None:
                return
            frames = frames_fn()
            target = next_in(frames, doc.frame, direction)
            if target is None:
                w.statusBar().showMessage("No more frames in that direction", 2000)
            else:
                doc.set_frame(target)
        return go

    def review_frames():
        import numpy as np
        return np.flatnonzero(needs_review(doc.project))

    def goto() -> None:
        if doc.session is None:
            return
        f, ok = QInputDialog.getInt(w, "Go to frame", f"Frame (0–{doc.num_frames - 1}):", doc.frame, 0, doc.num_frames - 1)
        if ok:
            doc.set_frame(f)

    def select_person(n: int) -> Callable[[], None]:
        def go() -> None:
            order = w.scene.person_order()
            if n - 1 < len(order):
                doc.select(order[n - 1])
        return go

    def occluded() -> None:
        if w.guided.active:
            w.guided.toggle_occluded()
        else:
            C.SetVisibility(1).run(ctx)

    def guided() -> None:
        if doc.session is None:
            return
        if doc.track_id is None or doc.track_id not in w.scene.items_by_track:
            w.start_draw_box(then_guided=True)
        else:
            w.guided.start(doc.track_id)

    def cancel() -> None:
        if w.guided.active:
            w.guided.stop()
        elif w.view.draw_box_mode:
            w.stop_draw_box()
        elif w.view.region_mode:
            w.set_region_mode(False)
        elif doc.armed_joint is not None:
            doc.select(doc.track_id, doc.joint)
        else:
            doc.select(None)
        doc.set_range(None)

    def fresh_demo() -> None:
        from app.demo import open_demo

        open_demo(w, fresh=True)

    def about() -> None:
        QMessageBox.about(w, "About STDPose Annotator", "STDPose Annotator — label every T-th frame, propagate the rest, fix what is red.")

    table: dict[str, Callable[[], None]] = {
        "file.open": w.ask_open,
        "file.locate_video": w.video_locator.locate,
        "file.settings": w.edit_settings,
        "file.quit": w.close,
        "edit.undo": doc.undo_stack.undo,
        "edit.redo": doc.undo_stack.redo,
        "edit.history": w.toggle_history,
        "edit.add_person": lambda: w.start_draw_box(then_guided=False),
        "edit.delete_frame": lambda: C.DeletePerson("frame").run(ctx),
        "edit.delete_forward": lambda: C.DeletePerson("forward").run(ctx),
        "edit.delete_all": lambda: C.DeletePerson("all").run(ctx),
        "edit.copy_previous": lambda: C.CopyPreviousPose().run(ctx),
        "edit.swap_ids": lambda: C.SwapIds().run(ctx),
        "edit.merge": lambda: C.MergeTracks().run(ctx),
        "edit.mark_reviewed": lambda: C.MarkReviewed().run(ctx),
        "edit.accept_prelabels": lambda: C.AcceptPrelabels().run(ctx),
        "edit.vis_visible": lambda: C.SetVisibility(2).run(ctx),
        "edit.vis_occluded": occluded,
        "edit.vis_none": lambda: C.SetVisibility(0).run(ctx),
        "edit.regions": lambda: w.set_region_mode(not w.view.region_mode),
        "edit.copy_regions": lambda: C.CopyRegions().run(ctx),
        "label.guided": guided,
        "label.skip": lambda: w.guided.skip() if w.guided.active else None,
        "label.back": lambda: w.guided.back() if w.guided.active else None,
        "label.cancel": cancel,
        "view.fit": w.view.fit,
        "view.actual": w.view.actual_size,
        "view.zoom_in": lambda: w.view.zoom_by(1.25),
        "view.zoom_out": lambda: w.view.zoom_by(0.8),
        "view.trails": w.toggle_trails,
        "nav.prev": lambda: doc.step(-1),
        "nav.next": lambda: doc.step(1),
        "nav.prev_key": jump(lambda: keyframe_marks(doc.project), -1),
        "nav.next_key": jump(lambda: keyframe_marks(doc.project), 1),
        "nav.prev_review": jump(review_frames, -1),
        "nav.next_review": jump(review_frames, 1),
        "nav.first": lambda: doc.set_frame(0),
        "nav.last": lambda: doc.set_frame(doc.num_frames - 1),
        "nav.play": w.playback.toggle,
        "nav.goto": goto,
        "help.shortcuts": w.show_shortcuts,
        "help.fresh_demo": fresh_demo,
        "help.about": about,
    }
    for i in range(1, 11):
        table[f"select.person{i}"] = select_person(i)
    return table
