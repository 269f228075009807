"""File → Locate video…: point the open project at its moved or renamed video.

The check is the core's (:func:`stdpose_core.ops.relink.relink`): frame count, frame size, image names
and content fingerprint must match, so a different video is refused with the reason and the project
stays as it was. Opening a project whose video cannot be read offers this at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.errors import describe
from stdpose_core.errors import InputError

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg);;All files (*)"


class VideoLocator:
    def __init__(self, window):
        self.window = window
        #: Asks for the new place of the video (tests replace it): (start folder, is_folder) -> path or None.
        self.ask_path: Callable[[Path, bool], Path | None] = self._ask_path
        #: Asks whether to accept a file whose content differs though frames and size match.
        self.ask_force: Callable[[str], bool] = self._ask_force
        #: Says why the video cannot be read and asks whether to locate it (tests replace it).
        self.ask_locate: Callable[[str], bool] = self._ask_locate

    def offer(self, problem: BaseException) -> bool:
        """The video could not be read on opening: say why and offer to locate it. True when relinked."""
        if self.window.doc.session is None:
            return False
        message = (f"{describe(problem)}\n\nLocate the video to see its frames; without it the annotations "
                   "are shown over an empty frame.")
        return self.ask_locate(message) and self.locate()

    def _ask_locate(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot read the video", message, parent=self.window)
        locate = box.addButton("Locate video…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Continue without video", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(locate)
        box.exec()
        return box.clickedButton() is locate

    def locate(self) -> bool:
        """Ask for the video until a matching one is chosen or the user cancels; True when relinked."""
        from stdpose_core.ops.relink import relink

        w, doc = self.window, self.window.doc
        if doc.session is None:
            return False
        is_folder = bool(doc.project.video.frame_names)
        start = doc.video_path() or doc.path
        while True:
            path = self.ask_path(Path(start).parent if start else Path.home(), is_folder)
            if path is None:
                return False
            try:
                result = relink(doc.session, path)
            except InputError as exc:
                if "re-encoded copy" in exc.problem and self.ask_force(describe(exc)):
                    result = relink(doc.session, path, force=True)
                else:
                    QMessageBox.warning(w, "Not this project's video", f"{describe(exc)}\n\nThe project was not changed.")
                    start = path
                    continue
            break
        try:
            w.loader.set_source(doc.video_path(), w.settings.cache_mb)
        except Exception as exc:  # noqa: BLE001
            w.loader.set_source(None)
            QMessageBox.critical(w, "Cannot read the video", describe(exc))
            return False
        doc.frame_changed.emit(doc.frame)
        w.statusBar().showMessage(f"Video relinked: {result['path']}", 6000)
        return True

    def _ask_path(self, start: Path, is_folder: bool) -> Path | None:
        if is_folder:
            path = QFileDialog.getExistingDirectory(self.window, "Locate the image folder", str(start))
        else:
            path, _ = QFileDialog.getOpenFileName(self.window, "Locate the video", str(start), VIDEO_FILTER)
        return Path(path) if path else None

    def _ask_force(self, reason: str) -> bool:
        answer = QMessageBox.question(self.window, "Same frames, other file",
                                      f"{reason}\n\nUse this file anyway (e.g. a re-encoded copy)?")
        return answer == QMessageBox.StandardButton.Yes
