"""Export: File → Export… (Ctrl+E) asks format, file and "only reviewed frames"; the toolbar's
Export button repeats the last export of this project in one click.

The last choice is remembered in QSettings (format, only-reviewed, and the file per project). The
core writer (:func:`stdpose_core.io.write_annotations`) writes a temporary file, reads it back to
check it, then renames it over the target, so a failure never leaves a half-written file. The write
runs as a background job; afterwards a summary says what the file holds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app import settings as app_settings
from app.shortcuts import ActionSpec

FORMATS = (("posetrack18", "PoseTrack18 JSON"), ("posetrack21", "PoseTrack21 JSON"), ("coco", "COCO keypoints JSON"),
           ("coco-results", "COCO keypoint results JSON (list with scores)"),
           ("yolo-pose", "YOLO-pose dataset folder (ultralytics data.yaml)"))
FOLDER_FORMATS = ("yolo-pose",)  # written as a new folder, not a file
EXPORT = ActionSpec("file.export", "&Export…", ("Ctrl+E",), "File",
                    "Export PoseTrack18/21, COCO or COCO results JSON, or a YOLO-pose training folder")
EXPORT_AGAIN = ActionSpec("file.export_again", "Export (one click)", ("Ctrl+Shift+E",), "File",
                          "Export again with the last format and file")
KEY_FORMAT, KEY_REVIEWED, KEY_PATHS = "export/format", "export/only_reviewed", "export/paths"


def default_path(project_path: Path, fmt: str) -> Path:
    suffix = "" if fmt in FOLDER_FORMATS else ".json"
    return project_path.with_name(f"{project_path.stem}_{fmt}{suffix}")


def _paths(qs) -> dict[str, str]:
    """Last export file per project file (stored as one JSON object)."""
    try:
        value = json.loads(str(qs.value(KEY_PATHS, "{}")))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def remembered(project_path: Path) -> tuple[str, Path | None, bool]:
    """``(format, file or None, only_reviewed)`` last used for this project."""
    qs = app_settings.qsettings()
    fmt = str(qs.value(KEY_FORMAT, "posetrack18"))
    if fmt not in dict(FORMATS):
        fmt = "posetrack18"
    path = _paths(qs).get(str(project_path))
    return fmt, Path(path) if path else None, str(qs.value(KEY_REVIEWED, "false")).lower() == "true"


def remember(project_path: Path, fmt: str, path: Path, only_reviewed: bool) -> None:
    qs = app_settings.qsettings()
    paths = _paths(qs)
    paths[str(project_path)] = str(path)
    qs.setValue(KEY_PATHS, json.dumps(paths))
    qs.setValue(KEY_FORMAT, fmt)
    qs.setValue(KEY_REVIEWED, "true" if only_reviewed else "false")
    qs.sync()


def check_writable(path: Path, fmt: str = "posetrack18") -> str | None:
    """A one-line reason why ``path`` (a file, or a new folder for :data:`FOLDER_FORMATS`) cannot be
    written, or None."""
    folder = path.parent
    if fmt in FOLDER_FORMATS:
        from stdpose_core.io.yolo import dataset_folder_problem

        problem = dataset_folder_problem(path)
        if problem:
            return f"{path} {problem}"
    elif path.is_dir():
        return f"{path} is a folder; choose a file name"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"no permission to write in {folder}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only"
    return None


def summary_text(s: dict) -> str:
    if s["format"] in FOLDER_FORMATS:
        return (f"Wrote the YOLO-pose dataset {s['output']}{' (only reviewed frames)' if s['only_reviewed'] else ''}.\n\n"
                f"Images: {s['images']} ({s['train']} train, {s['val']} val)\nPeople: {s['people']}\n"
                + (f"Joints outside the image, left out: {s['joints_outside_image']}\n" if s["joints_outside_image"] else "")
                + f"\nTrain with: yolo pose train data={Path(s['output']) / 'data.yaml'}")
    by = ", ".join(f"{v} {k}" for k, v in s["joints_by_source"].items() if v)
    return (f"Wrote {s['path']} ({s['format']}{', only reviewed frames' if s['only_reviewed'] else ''}).\n\n"
            f"Frames with annotations: {s['frames_written']} of {s['frames']}\n"
            f"People: {s['people_written']}\n"
            f"Joints by source: {by or 'none'}\n\n"
            "The file was read back and matches the project.")


class ExportDialog(QDialog):
    def __init__(self, project_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export annotations")
        self.project_path = project_path
        fmt, path, only = remembered(project_path)
        self.format = QComboBox()
        for key, text in FORMATS:
            self.format.addItem(text, key)
        self.format.setCurrentIndex([k for k, _ in FORMATS].index(fmt))
        self.path = QLineEdit(str(path or default_path(project_path, fmt)))
        self.path.setMinimumWidth(420)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.only_reviewed = QCheckBox("Only frames marked reviewed")
        self.only_reviewed.setChecked(only)
        self.format.currentIndexChanged.connect(self._format_changed)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("File", row)
        form.addRow("", self.only_reviewed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _format_changed(self) -> None:
        cur = Path(self.path.text())
        if cur.name.startswith(self.project_path.stem + "_"):  # still the default name: follow the format
            self.path.setText(str(cur.with_name(default_path(self.project_path, self.choice()[0]).name)))

    def _browse(self) -> None:
        folder = self.choice()[0] in FOLDER_FORMATS
        path, _ = QFileDialog.getSaveFileName(self, "Export to a new folder" if folder else "Export to", self.path.text(),
                                              "Folder (*)" if folder else "JSON (*.json)")
        if path:
            self.path.setText(path)

    def choice(self) -> tuple[str, Path, bool]:
        return self.format.currentData(), Path(self.path.text()).expanduser(), self.only_reviewed.isChecked()


class Exporter:
    """File → Export… and the toolbar's one-click Export (the window's ``exporter``)."""

    def __init__(self, window):
        self.window = window
        self.last_summary: dict | None = None
        act = window.add_action(EXPORT, self.ask_and_export)
        menu = window.menu("File")  # Export… sits before Settings/Quit, not after them
        menu.removeAction(act)
        menu.insertAction(window.actions_by_id["file.settings"], act)
        again = window.add_action(EXPORT_AGAIN, self.export_again)
        again.setText("Export")
        window.toolbar.addAction(again)

    def ask_and_export(self) -> bool:
        doc = self.window.doc
        if doc.session is None:
            return False
        dlg = ExportDialog(doc.path, self.window)
        if not dlg.exec():
            return False
        return self.export(*dlg.choice())

    def export_again(self) -> bool:
        doc = self.window.doc
        if doc.session is None:
            return False
        fmt, path, only = remembered(doc.path)
        if path is None:
            return self.ask_and_export()
        return self.export(fmt, path, only)

    def export(self, fmt: str, path: Path, only_reviewed: bool) -> bool:
        """Start the export job; the summary (or the error) is shown when it ends."""
        from stdpose_core.ops.jobs import export_job

        doc = self.window.doc
        problem = check_writable(path, fmt)
        if problem:
            QMessageBox.critical(self.window, "Cannot export", f"Cannot write {path}:\n{problem}.\n\nNothing was written.")
            return False
        remember(doc.path, fmt, path, only_reviewed)
        if fmt in FOLDER_FORMATS:
            from stdpose_core.ops.jobs import yolo_pose_export_job

            images = doc.video_path()
            if images is None or not images.exists():
                QMessageBox.critical(self.window, "Cannot export", f"A YOLO-pose dataset needs the video's frames, and "
                                     f"{images or 'the video'} is not there (File → Locate video… finds it).\n\nNothing was written.")
                return False
            return self.window.jobs.run(f"Exporting {fmt}", lambda project: yolo_pose_export_job(project, path, images, only_reviewed),
                                        self._done)
        return self.window.jobs.run(f"Exporting {fmt}", lambda project: export_job(project, path, fmt, only_reviewed), self._done)

    def _done(self, summary: dict) -> None:
        self.last_summary = summary
        QMessageBox.information(self.window, "Export finished", summary_text(summary))
