"""Play/pause at the video's frame rate (times a speed factor), driving the document's frame."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.document import Document


class Playback(QObject):
    playing_changed = Signal(bool)

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.speed = 1.0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        doc.opened.connect(self.stop)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def toggle(self) -> None:
        self.stop() if self.playing else self.start()

    def start(self) -> None:
        if self.doc.session is None:
            return
        if self.doc.frame >= self.doc.num_frames - 1:
            self.doc.set_frame(0)
        fps = max(self.doc.project.video.fps, 1.0) * self.speed
        self._timer.start(max(int(round(1000.0 / fps)), 1))
        self.playing_changed.emit(True)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        if self.playing:
            self.start()

    def _tick(self) -> None:
        if self.doc.frame >= self.doc.num_frames - 1:
            self.stop()
        else:
            self.doc.step(1)
