"""Decodes frames on its own thread; the newest request wins.

The UI asks for frame i with :meth:`FrameLoader.request`; a worker thread decodes it through the
video layer and emits ``frame_ready(i, QImage)`` (queued to the UI thread). Requests that arrive
while a frame is decoding replace each other, so scrubbing shows the latest frame as soon as
possible instead of working through a backlog. Errors arrive as ``failed(i, message)``.

Background jobs read their frames through the same source (:attr:`FrameLoader.source`): one frame
index, one decoder pool and one cache sized by the user's Cache setting, whose protected window
keeps the frames around the annotator while a job streams through the video.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """(H,W,3) uint8 RGB -> QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _Worker(QThread):
    def __init__(self, loader: "FrameLoader"):
        super().__init__()
        self._loader = loader

    def run(self) -> None:
        ld = self._loader
        while True:
            with ld._cond:
                while ld._wanted is None and not ld._stop:
                    ld._cond.wait()
                if ld._stop:
                    return
                index, source, generation = ld._wanted, ld._source, ld._generation
                ld._wanted = None
            if source is None:
                continue
            try:
                with ld._decode_lock:
                    image = rgb_to_qimage(source.frame(index))
            except Exception as exc:  # noqa: BLE001 - report any decode problem to the UI
                ld.failed.emit(index, str(exc))
                continue
            with ld._cond:
                current = generation == ld._generation
            if current:
                ld.frame_ready.emit(index, image)
                # Let the video layer prefetch around the position the user is at.
                set_position = getattr(source, "set_position", None)
                if set_position is not None:
                    try:
                        set_position(index)
                    except Exception:  # noqa: BLE001 - prefetch is an optimisation only
                        pass


class FrameLoader(QObject):
    frame_ready = Signal(int, QImage)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._decode_lock = threading.Lock()  # a source is never closed while it decodes
        self._wanted: int | None = None
        self._source = None
        self._generation = 0
        self._stop = False
        self._worker = _Worker(self)
        self._worker.start()

    @property
    def source(self):
        return self._source

    def set_source(self, path: str | Path | None, cache_mb: int | None = None):
        """Open ``path`` (None closes); raises InputError if it cannot be read. Returns the source."""
        from app.video_source import open_source

        new = open_source(path, cache_mb) if path is not None else None
        with self._cond:
            old, self._source = self._source, new
            self._wanted = None
            self._generation += 1
        if old is not None:
            with self._decode_lock:
                old.close()
        return new

    def request(self, index: int) -> None:
        with self._cond:
            self._wanted = int(index)
            self._cond.notify()

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._worker.wait(5000)
        if self._source is not None:
            self._source.close()
            self._source = None
