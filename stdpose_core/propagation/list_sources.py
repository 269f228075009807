"""Frame sources held in memory or read from image files (tests, generated clips, eval-propagation).

Any object with ``len(src)`` and ``src.frame(i) -> (H,W,3) uint8 RGB`` works as a frame source
(``stdpose_core.video.open_source`` returns one). Flow reads gray regions of the frames through
:mod:`.gray_frames`, keeping at most ``chunk`` frames, so a 10,000-frame gap streams.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np


class ListSource:
    """A frame source over frames held in memory (tests, generated clips).

    ``frames``: a sequence of ``(H,W,3)`` uint8 RGB arrays, all the same size.
    """

    def __init__(self, frames: Sequence[np.ndarray], fps: float = 30.0):
        self.frames = frames
        self.fps = fps
        self.reads = 0  # how many frames were requested (tests check streaming and cancellation)

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.frames[0].shape[:2]
        return w, h

    def frame(self, i: int) -> np.ndarray:
        self.reads += 1
        return self.frames[i]

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ImageListSource(ListSource):
    """Frames from image files ``root / name`` (annotation ``file_name``s), decoded on demand.

    Raises InputError naming the first missing file, before any long work starts.
    """

    def __init__(self, root, names: Sequence[str], fps: float = 30.0):
        from pathlib import Path

        from stdpose_core.errors import InputError

        self.root = Path(root)
        self.paths = [self.root / n for n in names]
        missing = [p for p in self.paths if not p.is_file()]
        if missing:
            raise InputError(missing[0], f"image missing ({len(missing)} of {len(self.paths)} frames missing under {self.root})")
        super().__init__(self.paths, fps)
        self._size: tuple[int, int] | None = None

    @property
    def size(self) -> tuple[int, int]:
        if self._size is None:
            h, w = self.frame(0).shape[:2]
            self._size = (w, h)
        return self._size

    def frame(self, i: int) -> np.ndarray:
        from stdpose_core.errors import InputError

        self.reads += 1
        img = cv2.imread(str(self.paths[i]), cv2.IMREAD_COLOR)
        if img is None:
            raise InputError(self.paths[i], "cannot decode image")
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
