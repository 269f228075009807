"""The ``FrameSource`` interface: random access to the frames of a video file or image folder.

Frames are ``(H, W, 3) uint8 RGB`` arrays, or ``(H, W) uint8`` gray for a source opened with
``pixels="gray"`` (what flow reads: a video then skips making RGB frames, docs/adr/0022); frame
indices are 0-based in display order. A source keeps decoded frames in a memory-bounded cache
(:mod:`.cache`) and, once the caller reports where the user is (:meth:`FrameSource.set_position`),
a prefetch thread (:mod:`.prefetch`) decodes the frames around that position, so stepping back and
forth and playing are served from memory. All public
methods are thread-safe: a GUI loader thread and a propagation worker may read at the same time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.video.cache import DEFAULT_CACHE_BYTES, FrameCache

Sink = Callable[[int, np.ndarray], bool]
"""``sink(i, frame) -> keep_going``: receives decoded frames in increasing index order."""

#: What a source's frames are: ``(H,W,3)`` RGB or ``(H,W)`` gray (luma).
PIXELS = ("rgb", "gray")


class FrameSource(ABC):
    """Random access to frames; open one with :func:`stdpose_core.video.open_source`.

    Attributes: ``path`` (the file or folder), ``warnings`` (one-line notes about the input, e.g. a
    truncated file), ``seek_exact`` (False when the file's timestamps are unusable: frames are then
    read by counting from the start, which is exact but slow; offer ``stdpose reencode``),
    ``cache`` (the :class:`FrameCache`), ``pixels`` (``"rgb"`` or ``"gray"``: what :meth:`frame` returns).
    ``read_ahead``: every :meth:`frame` call also moves the prefetch window there (implies
    ``prefetch``), so a job that reads frames in order has the next ones decoded on a thread while it
    works on these (a propagation job over a video: up to 1.4x end to end, docs/adr/0022).
    """

    def __init__(self, path: str | Path, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True,
                 pixels: str = "rgb", read_ahead: bool = False):
        if pixels not in PIXELS:
            raise ValueError(f"pixels must be one of {PIXELS}, not {pixels!r}")
        self.pixels = pixels
        self.read_ahead = read_ahead
        prefetch = prefetch or read_ahead
        self.path = Path(path)
        self.warnings: list[str] = []
        self.seek_exact = True
        self.cache = FrameCache(cache_bytes)
        self._prefetch_enabled = prefetch
        self._prefetcher = None
        self._closed = False

    # --- what an implementation provides -------------------------------------------------------
    @abstractmethod
    def __len__(self) -> int:
        """Number of frames F."""

    @property
    @abstractmethod
    def fps(self) -> float:
        """Nominal frames per second (the average rate for variable-frame-rate files)."""

    @property
    @abstractmethod
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""

    @property
    @abstractmethod
    def timestamps(self) -> np.ndarray:
        """Presentation time of every frame in seconds from the first frame, [F] float64."""

    @property
    def frame_names(self) -> list[str] | None:
        """Image file names relative to the folder (image folders), else None."""
        return None

    @property
    def frame_sizes(self) -> list[tuple[int, int]] | None:
        """Per-frame ``(width, height)`` when frames differ in size (photo collections), else None."""
        return None

    @abstractmethod
    def _read_run(self, start: int, stop: int, sink: Sink, pack_before: int | None = None) -> None:
        """Decode frames ``start .. stop-1`` in order into ``sink`` (stop early when it returns False).

        Frames before ``pack_before`` may be handed over as :class:`~.buffers.PackedFrame` (cheaper
        to keep; the cache makes them RGB when asked for). Must be thread-safe; raises InputError when
        a frame cannot be decoded.
        """

    def _close(self) -> None:
        """Release files and decoders."""

    @abstractmethod
    def reopened(self, pixels: str, cache_bytes: int) -> "FrameSource":
        """The same frames from a new source of their own (own decoders and cache, ``read_ahead``)
        whose frames are ``pixels``, for a job that reads them in order: one that reads only gray
        then reads a video's luma without making RGB frames, and leaves this source's cache alone.
        The caller closes it."""

    def _seek_point(self, i: int) -> int:
        """The first frame a read of frame ``i`` has to decode (its keyframe for videos)."""
        return i

    def _jump_start(self, i: int) -> int:
        """Where a read of the uncached frame ``i`` starts delivering frames (default ``i``).

        Video files override it: after a jump, the frames just before ``i`` are decoded on the way
        anyway, so keeping a few makes the first steps backwards instant.
        """
        return i

    # --- the public API -----------------------------------------------------------------------
    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` (negative counts from the end) as a read-only (H,W,3) uint8 RGB array
        ((H,W) gray when the source was opened with ``pixels="gray"``).

        The array is shared with the cache: copy it before drawing on it. IndexError when out of range.
        """
        i = self._check_index(i)
        if self.read_ahead:
            self.set_position(i)
        arr = self.cache.get(i)
        if arr is not None:
            return arr
        pf = self._prefetcher

        def coming() -> bool:  # reading ahead, i is the first frame the thread decodes next
            return pf.is_coming(i) or (self.read_ahead and pf.busy())

        if pf is not None and coming():
            # the prefetch thread is decoding towards i right now: waiting beats a second seek
            arr = self.cache.wait_for(i, coming)
            if arr is not None:
                return arr
        got: list[np.ndarray] = []
        start = self._jump_start(i) if self._prefetch_enabled and not self.read_ahead else i

        def sink(j: int, arr: np.ndarray) -> bool:
            if j == i:
                got.append(self.cache.put(j, arr))
                return False
            if j not in self.cache:  # decoded on the way to i anyway: keep it for stepping back
                self.cache.put(j, arr)
            return True

        try:
            self._read_run(start, i + 1, sink, pack_before=i)
        except InputError:
            if start == i or got:
                raise
            # a damaged frame among the ones kept on the way must not cost frame i itself
            self._read_run(i, i + 1, sink)
        return got[0]

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(i, frame)`` for ``start <= i < stop`` in order (decodes sequentially, no seeks)."""
        stop = len(self) if stop is None else min(stop, len(self))
        for i in range(start, stop):
            yield i, self.frame(i)

    def set_position(self, i: int) -> None:
        """Tell the source where the user is (the frame shown); prefetches around it in the background.

        The direction of the last move decides which side gets the larger window (more ahead when
        stepping forward or playing, more behind when stepping back). No-op when prefetch is disabled.
        """
        if not self._prefetch_enabled or self._closed or len(self) == 0:
            return
        if self._prefetcher is None:
            from stdpose_core.video.prefetch import Prefetcher

            self._prefetcher = Prefetcher(self)
        self._prefetcher.set_position(self._check_index(i))

    def wait_prefetch(self, timeout: float = 10.0) -> bool:
        """Block until the prefetch window around the position is decoded; False on timeout."""
        pf = self._prefetcher
        return True if pf is None else pf.wait_idle(timeout)

    def release_job_frames(self) -> int:
        """Forget cached frames outside the prefetch window (what a finished job read) and hand the
        memory back to the operating system; bytes dropped. The annotator's frames stay cached."""
        freed = self.cache.drop_unprotected()
        if freed >= 16 << 20:
            from stdpose_core.video.buffers import release_freed_memory

            release_freed_memory()
        return freed

    @property
    def frame_bytes(self) -> int:
        w, h = self.size
        return w * h * (3 if self.pixels == "rgb" else 1)

    def close(self) -> None:
        """Stop prefetching, free the cache and release the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._prefetcher is not None:
            self._prefetcher.stop()
        self._close()
        held = self.cache.nbytes
        self.cache.clear()
        if held >= 64 << 20:  # give the freed frames' pages back (see .buffers)
            from stdpose_core.video.buffers import release_freed_memory

            release_freed_memory()

    def __enter__(self) -> "FrameSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to report to
            pass

    def _check_index(self, i: int) -> int:
        n = len(self)
        j = int(i) + n if int(i) < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(f"frame {i} is out of range (0..{n - 1})")
        return j
