"""Frames for image-driven methods: an in-memory frame source and bounded grayscale pyramid reading.

Any object with ``len(src)`` and ``src.frame(i) -> (H,W,3) uint8 RGB`` works as a frame source
(``stdpose_core.video.open_source`` returns one). Methods read frames in increasing order inside a
chunk and keep at most ``chunk`` pyramids in memory, so a 10,000-frame gap streams.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from stdpose_core.errors import StdposeError


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


class PyramidReader:
    """Grayscale frames for LK, read from ``source`` in increasing order, cached per chunk.

    (OpenCV 5's Python binding no longer accepts prebuilt pyramids in ``calcOpticalFlowPyrLK``, so
    the cache holds the grayscale images; ``win``/``levels`` are kept for callers.)
    """

    def __init__(self, source, win: int = 21, levels: int = 3, chunk: int = 64):
        if source is None:
            raise StdposeError("this propagation method needs the video frames (no frame source given)")
        self.source = source
        self.win = win
        self.levels = levels
        self.chunk = chunk
        self._cache: dict[int, np.ndarray] = {}

    def _build(self, i: int) -> np.ndarray:
        try:
            rgb = self.source.frame(i)
        except IndexError:
            raise StdposeError(f"frame {i} is missing from the video/image source") from None
        return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)

    def load(self, frames: Sequence[int]) -> None:
        """Make ``frames`` (at most ``chunk``) available; drops everything else from the cache."""
        keep = {f: self._cache[f] for f in frames if f in self._cache}
        self._cache = keep
        for f in sorted(frames):
            if f not in self._cache:
                self._cache[f] = self._build(f)

    def get(self, i: int) -> np.ndarray:
        if i not in self._cache:
            if len(self._cache) >= self.chunk:
                self._cache.pop(next(iter(self._cache)))
            self._cache[i] = self._build(i)
        return self._cache[i]


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
