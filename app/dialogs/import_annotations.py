"""File → Import annotations… (Ctrl+I): read an annotation file into the open project.

The core does the work (:func:`stdpose_core.io.read_annotations` detects the format and checks
the whole file; :func:`~stdpose_core.io.import_edit` builds one undoable edit); this module asks
what only the user can decide and shows what happens:

* a multi-video file: which video;
* the file's skeleton is not the project's: convert (the prompt states what is lost), create a
  new project for the same video with the file's skeleton, or cancel;
* a summary of what was read, what will be stored, what is kept verbatim for export and what is
  left out, with Import / Cancel.

A file that cannot be read, or does not fit the video, gives one message and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.shortcuts import ActionSpec

IMPORT = ActionSpec("file.import", "&Import annotations…", ("Ctrl+I",), "File",
                    "Import PoseTrack, COCO, SLEAP, DeepLabCut, Label Studio or labelme annotations", edits=True)
FILE_FILTER = ("Annotation files (*.json *.slp *.csv *.h5);;JSON (PoseTrack, COCO, Label Studio, labelme) (*.json);;"
               "SLEAP (*.slp);;DeepLabCut CollectedData (*.csv *.h5);;All files (*)")


class ImportSummaryDialog(QDialog):
    """What an import reads, stores, keeps and leaves out; Import / Cancel."""

    def __init__(self, summary: dict, parent: QWidget | None = None):
        from stdpose_core.io.summary import summary_lines

        super().__init__(parent)
        self.setWindowTitle("Import annotations")
        lines = summary_lines(summary)
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>{Path(summary['file']).name}</b> — detected: {summary['format_name'] or summary['format']}")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.text = QPlainTextEdit("\n".join(lines[1:]))
        self.text.setReadOnly(True)
        self.text.setMinimumSize(560, 180)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class Importer:
    """File → Import annotations… (the window's ``importer``; the flow: module docstring)."""

    def __init__(self, window):
        self.window = window
        self.last_summary: dict | None = None
        act = window.add_action(IMPORT, self.ask_and_import)
        menu = window.menu("File")  # next to Export…, before Settings/Quit
        menu.removeAction(act)
        menu.insertAction(window.actions_by_id["file.settings"], act)

    def ask_and_import(self) -> bool:
        if self.window.doc.session is None:
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Import annotations", str(self.window.doc.path.parent), FILE_FILTER)
        return self.import_file(Path(path)) if path else False

    # ---- the user's decisions (separate methods, so each is one small dialog) ----------------
    def choose_video(self, videos: list[str]) -> str | None:
        video, ok = QInputDialog.getItem(self.window, "Import annotations", "The file holds several videos. Import:", videos, 0, False)
        return video if ok else None

    def choose_skeleton(self, message: str, file_skeleton: str, can_convert: bool) -> str | None:
        """``"convert"``, ``"new"`` (a new project with the file's skeleton) or None (cancel)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Different skeleton", message, parent=self.window)
        convert = box.addButton("Convert", QMessageBox.ButtonRole.AcceptRole)
        convert.setEnabled(can_convert)
        new = box.addButton(f"New project with {file_skeleton}…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return {id(convert): "convert", id(new): "new"}.get(id(box.clickedButton()))

    def whole_folder(self, n: int) -> bool:
        """A labelme / X-AnyLabeling file was chosen among ``n`` in its folder: import them all?"""
        answer = QMessageBox.question(self.window, "Import annotations",
                                      f"The folder holds {n} labelme / X-AnyLabeling files (one per image). Import all of them?")
        return answer == QMessageBox.StandardButton.Yes

    def confirm(self, summary: dict) -> bool:
        return ImportSummaryDialog(summary, self.window).exec() == QDialog.DialogCode.Accepted

    # ---- the flow ------------------------------------------------------------------------------
    def import_file(self, path: Path, video: str | None = None) -> bool:
        from stdpose_core.data import Source
        from stdpose_core.errors import StdposeError
        from stdpose_core.io import SkeletonMismatchError, check_skeleton, import_edit, import_summary, list_videos, read_annotations

        doc = self.window.doc
        if doc.session is None:
            return False
        try:
            if video is None:
                videos = list_videos(path)
                if len(videos) > 1:
                    video = self.choose_video(videos)
                    if video is None:
                        return False
            loaded = read_annotations(path, video=video or None, reference=doc.project)
            if loaded.meta.get("format") == "labelme" and Path(path).is_file():
                siblings = _labelme_files(Path(path).parent)
                if len(siblings) > 1 and self.whole_folder(len(siblings)):
                    path = Path(path).parent
                    loaded = read_annotations(path)
            convert = False
            try:
                check_skeleton(doc.project, loaded, convert=False, path=str(path))
            except SkeletonMismatchError:
                from stdpose_core.skeleton import convertible

                can = convertible(loaded.skeleton, doc.project.skeleton)
                choice = self.choose_skeleton(_mismatch_text(loaded, doc.project, can), loaded.skeleton.name, can)
                if choice is None:
                    return False
                if choice == "new":
                    return self.new_project_with(loaded, path)
                convert = True
            summary = import_summary(loaded, doc.project)
            edit = import_edit(doc.project, loaded, Source.MANUAL, path=str(path), convert=convert)
        except StdposeError as exc:
            QMessageBox.critical(self.window, "Cannot import", f"{exc}\n\nNothing was imported.")
            return False
        if not self.confirm(summary):
            return False
        doc.push(edit)
        self.last_summary = summary
        self.window.statusBar().showMessage(
            f"Imported {summary['people']} people, {summary['stored_joints']} joints from {Path(path).name} (Ctrl+Z undoes it)", 8000)
        return True

    def new_project_with(self, loaded, path: Path) -> bool:
        """Create a project for the same video with the file's skeleton, import into it, open it."""
        from stdpose_core.data import Source
        from stdpose_core.errors import StdposeError
        from stdpose_core.io import import_edit, import_summary
        from stdpose_core.project_ops import create_project, video_path

        doc = self.window.doc
        default = doc.path.with_name(f"{doc.path.stem}_{loaded.skeleton.name}.stdpose")
        target, _ = QFileDialog.getSaveFileName(self.window, "New project with the file's skeleton", str(default), "STDPose project (*.stdpose)")
        if not target:
            return False
        target = Path(target)
        try:
            with create_project(target, video_path(doc.session), loaded.skeleton, doc.project.keyframe_interval) as s:
                summary = import_summary(loaded, s.project)
                try:
                    s.apply(import_edit(s.project, loaded, Source.MANUAL, path=str(path)))
                except BaseException:
                    s.close()
                    target.unlink(missing_ok=True)
                    raise
        except (StdposeError, OSError) as exc:
            QMessageBox.critical(self.window, "Cannot import", f"{exc}\n\nNo project was created.")
            return False
        self.last_summary = summary
        return self.window.open_path(target)


def _labelme_files(folder: Path) -> list[Path]:
    from stdpose_core.io.format_detection import looks_like_labelme

    return [p for p in sorted(folder.glob("*.json")) if looks_like_labelme(p)]


def _mismatch_text(loaded, project, can_convert: bool) -> str:
    import numpy as np

    from stdpose_core.skeleton import conversion_loss, describe_loss

    head = f"The file has {loaded.skeleton.name} keypoints; this project uses {project.skeleton.name}.\n\n"
    if not can_convert:
        return head + "They have no joint in common. Create a new project for this video with the file's skeleton?"
    vis = np.concatenate([t.vis for t in loaded.tracks.values()]) if loaded.tracks else np.zeros((0, loaded.num_joints), np.int8)
    loss = describe_loss(conversion_loss(vis, loaded.skeleton, project.skeleton), loaded.skeleton, project.skeleton)
    return head + loss[0].upper() + loss[1:] + ".\n\nConvert with that loss, or create a new project for this video with the file's skeleton?"
