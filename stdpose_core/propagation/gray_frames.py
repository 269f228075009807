"""Grayscale regions of frames and their image pyramids for LK tracking, made on demand and kept
for a bounded run.

Converting a whole 1080p frame to gray costs as much as tracking a person in it, so only the
regions the tracker asks for are converted (grown by :data:`SLACK` px, so the next step's slightly
moved region is usually covered already). A frame keeps the pieces converted so far; asking for a
region no piece covers converts a new piece from the source's frame (merged with the pieces it
overlaps, so overlapping requests do not pile up). A piece's pyramid (``cv2.pyrDown`` per level,
what ``cv2.calcOpticalFlowPyrLK`` builds inside) is built once when first asked for, so every LK
step that reads the frame (the forward step into it, the forward step out of it, both backward
steps) shares it. Piece corners lie on a grid of :data:`ALIGN` px, so a region's pyramid is a view
of its piece's. At most ``chunk`` frames are kept, so a 10,000-frame gap streams. Any object with
``len(src)`` and ``src.frame(i) -> (H,W,3) uint8 RGB`` is a source; one of ``(H,W) uint8`` gray
frames (``open_source(path, pixels="gray")``: a video's own luma plane) needs no conversion.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from stdpose_core.errors import StdposeError

#: Pixels converted beyond a requested region on each side.
SLACK = 64
#: A piece covering more than this share of the frame is made the whole frame (a later, slightly
#: bigger request then needs no second conversion and pyramid).
WHOLE_SHARE = 0.6
#: :meth:`GrayFrames.cover` converts several regions as one piece when their union is at most this
#: much bigger than they are together.
COVER_SLACK = 2.5
#: Pieces start on multiples of this many pixels (a power of two at least ``2**levels``), so every
#: pyramid level of a region inside a piece is a whole-pixel view of the piece's level.
ALIGN = 64

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1: pixels, x1/y1 exclusive


class GrayFrames:
    """Gray parts of a source's frames: ``view(i, rect)`` is the ``(y1-y0, x1-x0)`` uint8 region."""

    def __init__(self, source, chunk: int = 64):
        if source is None:
            raise StdposeError("this propagation method needs the video frames (no frame source given)")
        self.source = source
        self.chunk = max(2, chunk)
        self._cache: dict[int, list[tuple[Rect, list[np.ndarray]]]] = {}  # frame -> pieces (rect, [gray, level 1, ...])
        self.converted_pixels = 0  # benchmarks and tests read it
        self.pyramid_pixels = 0  # pixels of pyramid levels built (tests read it)
        self._size: tuple[int, int] | None = None
        self._held_frames: dict[int, np.ndarray] = {}  # the source's frames of the current batch (hold)
        self._frame_bytes: int | None = None

    def _rgb(self, i: int) -> np.ndarray:
        held = self._held_frames.get(i)
        if held is not None:
            return held
        try:
            return self.source.frame(i)
        except IndexError:
            raise StdposeError(f"frame {i} is missing from the video/image source") from None

    def _convert(self, i: int, rect: Rect | None) -> tuple[Rect, list[np.ndarray]]:
        rgb = self._rgb(i)
        h, w = rgb.shape[:2]
        pieces = self._cache.get(i, [])
        if rect is None:
            box = (0, 0, w, h)
        else:
            box = (max(0, (rect[0] - SLACK) // ALIGN * ALIGN), max(0, (rect[1] - SLACK) // ALIGN * ALIGN),
                   min(w, rect[2] + SLACK), min(h, rect[3] + SLACK))
            for r, _ in pieces:  # grow over the pieces it overlaps; they are replaced by the new one
                if _overlaps(r, box):
                    box = (min(box[0], r[0]), min(box[1], r[1]), max(box[2], r[2]), max(box[3], r[3]))
            if (box[2] - box[0]) * (box[3] - box[1]) > WHOLE_SHARE * w * h:
                box = (0, 0, w, h)
        part = rgb[box[1] : box[3], box[0] : box[2]]  # a strided view: no copy
        if part.ndim == 2:  # a gray source (open_source(pixels="gray")): nothing to convert
            gray = part
        else:
            gray = cv2.cvtColor(part, cv2.COLOR_RGB2GRAY)
            self.converted_pixels += gray.size
        if i not in self._cache and len(self._cache) >= self.chunk:
            self._cache.pop(next(iter(self._cache)))
        levels = [gray]
        self._cache[i] = [(r, g) for r, g in pieces if not _covers(box, r)] + [(box, levels)]
        return box, levels

    def _held(self, i: int, rect: Rect) -> tuple[Rect, list[np.ndarray]] | None:
        """The piece of frame ``i`` that covers ``rect``, or None."""
        return next(((r, g) for r, g in self._cache.get(i, ()) if _covers(r, rect)), None)

    def _piece(self, i: int, rect: Rect) -> tuple[Rect, list[np.ndarray]]:
        piece = self._held(i, rect)
        return piece if piece is not None else self._convert(i, rect)

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
        (x0, y0, _, _), levels = self._piece(i, rect)
        return levels[0][rect[1] - y0 : rect[3] - y0, rect[0] - x0 : rect[2] - x0]

    def pyramid(self, i: int, rect: Rect, levels: int) -> list[np.ndarray]:
        """Levels 0..``levels`` of frame ``i``'s gray pyramid over ``rect``, whose corner must lie on
        the grid of ``2**levels`` px: level ``l`` covers ``rect`` at ``1/2**l`` scale (pixel ``(x, y)``
        of the frame is ``(x - x0, y - y0) / 2**l`` there). Built once per piece and shared."""
        step = 2**levels
        if rect[0] % step or rect[1] % step or ALIGN % step:
            raise ValueError(f"region {rect} does not lie on the {step}-px grid of a {levels}-level pyramid")
        (px, py, _, _), pyr = self._piece(i, rect)
        while len(pyr) <= levels:
            pyr.append(cv2.pyrDown(pyr[-1]))
            self.pyramid_pixels += pyr[-1].size
        out = []
        for lvl in range(levels + 1):
            s = 2**lvl
            y0, x0 = (rect[1] - py) // s, (rect[0] - px) // s
            out.append(pyr[lvl][y0 : -(-(rect[3] - py) // s), x0 : -(-(rect[2] - px) // s)])
        return out

    def cover(self, i: int, rects: Sequence[Rect]) -> None:
        """Make sure frame ``i`` has gray pixels over all ``rects``: one conversion of their union when
        some are missing (asking region by region would convert a piece, then a bigger one over it)."""
        missing = [r for r in rects if self._held(i, r) is None]
        if not missing:
            return
        union = (min(r[0] for r in missing), min(r[1] for r in missing), max(r[2] for r in missing),
                 max(r[3] for r in missing))
        if _area(union) <= COVER_SLACK * sum(_area(r) for r in missing):
            self._convert(i, union)
        else:  # far apart: each on its own (a union would convert the empty frame between them)
            for r in missing:
                self._piece(i, r)

    def frame_bytes(self, i: int) -> int:
        """Bytes of one of the source's frames (gray or RGB, as the source gives them), read from frame
        ``i`` the first time (a source's frames are all alike)."""
        if self._frame_bytes is None:
            self._frame_bytes = int(self._rgb(i).nbytes)
        return self._frame_bytes

    def hold(self, frames: Sequence[int]) -> None:
        """Read ``frames`` from the source now, in increasing order (a video decodes them sequentially),
        and keep them until the next ``hold``, so steps that visit them in any order never go back to
        the source; nothing is converted yet. ``hold([])`` lets them go."""
        self._held_frames = {}  # the last batch's frames go first, and are not what _rgb finds now
        self._held_frames = {f: self._rgb(f) for f in sorted(set(frames))}

    def holds(self, frames: Sequence[int]) -> bool:
        """Whether every frame of ``frames`` is held (:meth:`hold`)."""
        return all(f in self._held_frames for f in frames)

    def load(self, frames: Sequence[int]) -> None:
        """Keep only ``frames`` (at most ``chunk``), converting the missing ones whole, in increasing
        order (a video decodes them sequentially); what was converted before is kept."""
        self._cache = {f: self._cache[f] for f in frames if f in self._cache}
        for f in sorted(frames):
            if f not in self._cache:
                self._convert(f, None)


def _area(r: Rect) -> int:
    return max(0, r[2] - r[0]) * max(0, r[3] - r[1])


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _covers(outer: Rect, inner: Rect) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]
