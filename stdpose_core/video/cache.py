"""A thread-safe, memory-bounded LRU cache of decoded frames.

Frames are kept raw ((H,W,3) uint8, read-only), or as their decoded YUV planes
(:class:`~.buffers.PackedFrame`, what a jump keeps on the way to its target): those become the RGB
frame, identical to a fresh decode, when first asked for. A JPEG-compressed cache would hold ~10x more frames
but costs 5-10 ms per 1080p frame to decode again, which breaks the 5 ms step budget, and it would
make a cached frame differ from a freshly decoded one. Eviction is least-recently-used, except that
frames inside the *protected* range (the prefetch window around the current position) are evicted
last, so a propagation worker reading elsewhere cannot push out the frames the annotator is stepping
through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from stdpose_core.video.buffers import PackedFrame

DEFAULT_CACHE_BYTES = 1 << 30
#: Budget of a source opened by a background job (propagate, detect): they read each frame once or
#: twice in order, so a big cache only holds memory (a 720p frame is 2.76 MB; 256 MiB = 92 frames,
#: more than a typical gap between keyframes).
JOB_CACHE_BYTES = 256 << 20


class FrameCache:
    """``index -> (H,W,3) uint8`` frames (or :class:`PackedFrame` ones, made RGB when asked for), at
    most ``max_bytes`` in total (at least one frame)."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = int(max_bytes)
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._protected = (0, -1)  # inclusive range evicted last
        self.cond = threading.Condition()  # notified on every put (waiters: frames being prefetched)
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, i: int) -> bool:
        return i in self._frames

    @property
    def nbytes(self) -> int:
        """Bytes of pixel data held now."""
        return self._bytes

    def capacity_frames(self, frame_bytes: int) -> int:
        """How many frames of ``frame_bytes`` fit in the budget (at least 1)."""
        return max(1, self.max_bytes // max(1, frame_bytes))

    def get(self, i: int) -> np.ndarray | None:
        with self.cond:
            arr = self._frames.get(i)
            if arr is None:
                self.misses += 1
                return None
            self._frames.move_to_end(i)
            self.hits += 1
        return self._unpacked(i, arr)

    def _unpacked(self, i: int, arr) -> np.ndarray | None:
        """``arr``, made the RGB frame when it is a :class:`PackedFrame` (which that frame then
        replaces in place); None when that fails (the entry is dropped: the frame is decoded again)."""
        if not isinstance(arr, PackedFrame):
            return arr
        try:
            rgb = arr.rgb()  # outside the lock: a few ms at 1080p
        except Exception:  # noqa: BLE001 - never expected; a fresh decode of the frame still works
            with self.cond:
                if self._frames.get(i) is arr:
                    self._bytes -= self._frames.pop(i).nbytes
            return None
        rgb.flags.writeable = False
        with self.cond:
            if self._frames.get(i) is arr:
                self._frames[i] = rgb  # keeps its place in the LRU order
                self._bytes += rgb.nbytes - arr.nbytes
                self._evict(keep=i)
        return rgb

    def packed_near(self, p: int, lo: int, hi: int) -> int | None:
        """The :class:`PackedFrame` in ``[lo, hi]`` nearest to ``p`` (the one behind first on a tie), or None."""
        with self.cond:
            packed = [j for j, a in self._frames.items() if lo <= j <= hi and isinstance(a, PackedFrame)]
        return min(packed, key=lambda j: (abs(j - p), j > p), default=None)

    def unpack(self, i: int) -> None:
        """Make frame ``i`` RGB now if it is cached as a :class:`PackedFrame` (its place in the LRU order kept)."""
        with self.cond:
            arr = self._frames.get(i)
        self._unpacked(i, arr)

    def put(self, i: int, arr: np.ndarray | PackedFrame) -> np.ndarray | PackedFrame:
        """Store ``arr`` (an array is made read-only) under ``i`` and return it; evicts to stay within budget."""
        if isinstance(arr, np.ndarray):
            arr.flags.writeable = False
        with self.cond:
            old = self._frames.pop(i, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._frames[i] = arr
            self._bytes += arr.nbytes
            self._evict(keep=i)
            self.cond.notify_all()
        return arr

    def protect(self, start: int, stop: int) -> None:
        """Evict frames in ``[start, stop]`` only after every other frame."""
        with self.cond:
            self._protected = (start, stop)

    def cached_run(self, start: int, step: int, limit: int) -> int:
        """How many consecutive frames ``start, start+step, ...`` (at most ``limit``) are cached."""
        with self.cond:
            n = 0
            while n < limit and (start + n * step) in self._frames:
                n += 1
            return n

    def wait_for(self, i: int, still_coming, timeout: float = 5.0) -> np.ndarray | None:
        """Wait until frame ``i`` is cached while ``still_coming()`` is true; the frame or None."""
        with self.cond:
            ok = self.cond.wait_for(lambda: i in self._frames or not still_coming(), timeout)
            arr = self._frames.get(i) if ok else None
        return None if arr is None else self._unpacked(i, arr)

    def drop_unprotected(self) -> int:
        """Drop every frame outside the protected range (the window around the annotator); bytes freed.

        After a background job read through a shared source, its frames only hold memory.
        """
        with self.cond:
            lo, hi = self._protected
            freed = 0
            for j in [j for j in self._frames if not lo <= j <= hi]:
                freed += self._frames.pop(j).nbytes
            self._bytes -= freed
            return freed

    def clear(self) -> None:
        with self.cond:
            self._frames.clear()
            self._bytes = 0

    def _evict(self, keep: int) -> None:
        if self._bytes <= self.max_bytes:
            return
        lo, hi = self._protected
        # first pass: unprotected frames, oldest first; second pass: anything but the newest
        for protected_ok in (False, True):
            for j in list(self._frames):
                if self._bytes <= self.max_bytes:
                    return
                if j == keep or (not protected_ok and lo <= j <= hi):
                    continue
                self._bytes -= self._frames.pop(j).nbytes
