"""Grayscale regions of frames for LK tracking, converted on demand and kept for a bounded run.

Converting a whole 1080p frame to gray costs as much as tracking a person in it, so only the
regions the tracker asks for are converted (grown by :data:`SLACK` px, so the next step's slightly
moved region is usually covered already). A frame's converted part grows to the union of what was
asked; asking beyond it converts the union again from the source's frame. At most ``chunk``
frames are kept, so a 10,000-frame gap streams. Any object with ``len(src)`` and
``src.frame(i) -> (H,W,3) uint8 RGB`` is a source.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from stdpose_core.errors import StdposeError

#: Pixels converted beyond a requested region on each side.
SLACK = 64

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1: pixels, x1/y1 exclusive


class GrayFrames:
    """Gray parts of a source's frames: ``view(i, rect)`` is the ``(y1-y0, x1-x0)`` uint8 region."""

    def __init__(self, source, chunk: int = 64):
        if source is None:
            raise StdposeError("this propagation method needs the video frames (no frame source given)")
        self.source = source
        self.chunk = max(2, chunk)
        self._cache: dict[int, tuple[Rect, np.ndarray]] = {}  # frame -> (converted rect, gray of it)
        self.converted_pixels = 0  # benchmarks and tests read it
        self._size: tuple[int, int] | None = None

    def _rgb(self, i: int) -> np.ndarray:
        try:
            return self.source.frame(i)
        except IndexError:
            raise StdposeError(f"frame {i} is missing from the video/image source") from None

    def _convert(self, i: int, rect: Rect | None) -> None:
        rgb = self._rgb(i)
        h, w = rgb.shape[:2]
        if rect is None:
            x0, y0, x1, y1 = 0, 0, w, h
        else:
            x0, y0 = max(0, rect[0] - SLACK), max(0, rect[1] - SLACK)
            x1, y1 = min(w, rect[2] + SLACK), min(h, rect[3] + SLACK)
            old = self._cache.get(i)
            if old is not None:  # grow to the union, so earlier regions stay available
                (a0, b0, a1, b1), _ = old
                x0, y0, x1, y1 = min(x0, a0), min(y0, b0), max(x1, a1), max(y1, b1)
        gray = cv2.cvtColor(rgb[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)  # a strided view: no copy
        self.converted_pixels += gray.size
        if i not in self._cache and len(self._cache) >= self.chunk:
            self._cache.pop(next(iter(self._cache)))
        self._cache[i] = ((x0, y0, x1, y1), gray)

    @property
    def size(self) -> tuple[int, int]:
        """``(W, H)`` of the frames."""
        if self._size is None:
            size = getattr(self.source, "size", None)
            if size is None:
                h, w = self._rgb(0).shape[:2]
                size = (w, h)
            self._size = (int(size[0]), int(size[1]))
        return self._size

    def view(self, i: int, rect: Rect) -> np.ndarray:
        """The gray pixels of frame ``i`` inside ``rect`` (converted now when not yet)."""
        got = self._cache.get(i)
        if got is None or not _covers(got[0], rect):
            self._convert(i, rect)
            got = self._cache[i]
        (x0, y0, _, _), gray = got
        return gray[rect[1] - y0 : rect[3] - y0, rect[0] - x0 : rect[2] - x0]

    def load(self, frames: Sequence[int]) -> None:
        """Keep only ``frames`` (at most ``chunk``), converting the missing ones whole, in increasing
        order (a video decodes them sequentially); what was converted before is kept."""
        self._cache = {f: self._cache[f] for f in frames if f in self._cache}
        for f in sorted(frames):
            if f not in self._cache:
                self._convert(f, None)


def _covers(outer: Rect, inner: Rect) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]
