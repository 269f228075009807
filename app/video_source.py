"""Access to the video layer (``stdpose_core.video.open_source``) for the app.

Until the core video layer is present in a build, a small stand-in (OpenCV, no cache, no prefetch)
is installed under the same name so the editor and ``project_ops.create_project`` still work. The
stand-in is used only when ``stdpose_core.video`` has no ``open_source``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}


class _OpenCVSource:
    """Minimal FrameSource: ``len``, ``fps``, ``size`` (w, h), ``frame(i)`` -> (H,W,3) uint8 RGB."""

    def __init__(self, path: str | Path):
        import cv2

        self._cv2 = cv2
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cap = None
        self.frame_names: list[str] | None = None
        if self.path.is_dir():
            self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in _IMAGE_EXT)
            if not self._files:
                raise InputError(self.path, "folder holds no images")
            first = self.frame(0)
            self.size = (first.shape[1], first.shape[0])
            self.fps = 25.0
            self.frame_names = [p.name for p in self._files]
            self._n = len(self._files)
        elif self.path.is_file():
            cap = cv2.VideoCapture(str(self.path))
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            if not cap.isOpened() or n <= 0:
                cap.release()
                raise InputError(self.path, "cannot read this file as a video")
            self._cap, self._n, self._pos = cap, n, 0
            self.fps = float(cap.get(cv2.CAP_PROP_FPS)) or 25.0
            self.size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        else:
            raise InputError(self.path, "no such file or folder")
        self.timestamps = np.arange(self._n) / self.fps

    def __len__(self) -> int:
        return self._n

    def frame(self, i: int) -> np.ndarray:
        cv2 = self._cv2
        with self._lock:
            if self._cap is None:
                img = cv2.imread(str(self._files[i]), cv2.IMREAD_COLOR)
                if img is None:
                    raise InputError(self._files[i], "cannot read image")
            else:
                if i != self._pos:
                    self._cap.set(cv2.CAP_PROP_POS_FRAMES, i)
                ok, img = self._cap.read()
                self._pos = i + 1
                if not ok:
                    raise InputError(self.path, f"cannot decode frame {i}")
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _install_stand_in() -> None:
    import stdpose_core.video as video

    if not hasattr(video, "open_source"):
        video.open_source = _OpenCVSource  # type: ignore[attr-defined]


_install_stand_in()


def open_source(path: str | Path):
    """Open a video file or image folder (raises InputError for unreadable input)."""
    import stdpose_core.video as video

    return video.open_source(path)
