"""Background decoding around the current position, so that stepping and playing hit the cache.

The window is sized from the cache budget (at most 64 frames on the leading side and 48 on the
trailing side). The side in the direction of the last move is filled first. The forward side is
filled in short runs of sequential decoding, so a new position is picked up quickly. The backward
side costs a seek and a decode from a keyframe per run, so it is refilled only once ``RUN`` of its
frames are missing, and then in one run that caches every frame from the keyframe (or from as far
back as about half the cache budget allows) up to the cached block: stepping backwards through a
250-frame GOP costs one GOP decode per ~100-200 steps instead of one per step. While only a few
frames are cached behind the position (right after a jump) the run is short, as the frame wanted
first is the run's last: it arrives sooner, and the long runs follow once there is a buffer.

Frames a jump kept as YUV planes (:class:`~.buffers.PackedFrame`) are made RGB, nearest the
position first, so stepping onto them costs no conversion either: when moving backwards (and after
a jump) before the leading side is decoded, otherwise once the window is full.

A jump (a move of more than ``RUN`` frames) puts the trailing side first: its decode from the
keyframe is the slow one and should start at once, while the jump's decoder stands right at the
leading side (a 1080p file with 250-frame GOPs and the editor's 512 MB cache, with the frames a jump
keeps: backward steps in the second after a jump p95 13-16 ms, 3 of 288 over 50 ms; v0.1 1.2 s;
``benchmarks/bench_video.py``, docs/adr/0023). Sources that read ahead
for a job keep the leading side first: their reader waits for it.
"""

from __future__ import annotations

import threading

from stdpose_core.video.decoder import SEEK_PENALTY

LEAD_MAX, TRAIL_MAX = 64, 48
RUN = 8  # frames per leading-side run


class Prefetcher:
    """Decodes frames around ``set_position(i)`` into ``source.cache`` on a daemon thread."""

    def __init__(self, source):
        self.source = source
        fit = source.cache.capacity_frames(source.frame_bytes)
        self.lead = max(1, min(LEAD_MAX, int(fit * 0.4)))
        self.trail = max(1, min(TRAIL_MAX, int(fit * 0.3)))
        self.max_fill = max(self.lead, int(fit * 0.55))  # longest backward refill run
        self._cond = threading.Condition()
        self._pos: int | None = None
        self._dir = 1
        self._gen = 0
        self._idle = True
        self._stopped = False
        self._inflight: tuple[int, int] | None = None
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name="stdpose-prefetch", daemon=True)
        self._thread.start()

    def set_position(self, i: int) -> None:
        with self._cond:
            if self._pos is not None and i != self._pos:
                jump = abs(i - self._pos) > RUN and not self.source.read_ahead
                # after a jump the trailing side goes first: it costs a decode from the keyframe, which
                # should start at once, while the jump's decoder stands right at the leading side
                self._dir = -1 if jump or i < self._pos else 1
            self._pos = i
            self._gen += 1
            self._idle = False
            lo, hi = self._window(i, self._dir)
            self._cond.notify_all()
        self.source.cache.protect(lo, hi)

    def is_coming(self, i: int) -> bool:
        """True while a running decode will deliver frame ``i`` about as soon as a read of its own
        could: the run covers ``i`` and has got past ``i``'s keyframe (less what a seek costs). A run
        from an earlier keyframe that is still far from ``i`` (the previous GOP's decode, after a jump
        just past a keyframe) would keep the reader waiting for most of a GOP (0.85 s at 1080p)."""
        r = self._inflight
        return r is not None and r[0] <= i < r[1] and r[0] >= self.source._seek_point(i) - SEEK_PENALTY

    def busy(self) -> bool:
        """True while the window around the last position is still being filled."""
        return not self._idle and not self._stopped

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._idle or self._stopped, timeout)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _window(self, p: int, d: int) -> tuple[int, int]:
        """Inclusive frame range kept around position ``p`` when moving in direction ``d``."""
        ahead, behind = (self.lead, self.trail) if d > 0 else (self.trail, self.lead)
        return max(0, p - behind), min(len(self.source) - 1, p + ahead)

    def _plan(self, p: int, d: int) -> tuple[int, int] | None:
        """The next run ``[start, stop)`` to decode, or None when the window is full."""
        cache = self.source.cache
        lo, hi = self._window(p, d)
        runs = []
        # forward side: the first missing frame at/after p, up to RUN frames or the next cached one
        k = cache.cached_run(p, 1, hi - p + 1)
        if p + k <= hi:
            start = p + k
            stop = start + 1
            while stop <= hi and stop - start < RUN and stop not in cache:
                stop += 1
            runs.append((start, stop))
        # backward side: refill once RUN frames are missing, from the keyframe the decoder needs anyway
        c = cache.cached_run(p - 1, -1, p - lo)
        if p - 1 - c >= lo and c <= max(0, p - lo - RUN):
            stop = p - c
            # while few frames are cached behind (right after a jump) a short run, whose last frame
            # (the one wanted first) comes sooner; once there is a buffer, long runs (fewer GOP decodes)
            fill = min(self.max_fill, max(2 * RUN, 2 * c))
            runs.append((max(self.source._seek_point(lo), stop - fill), stop))
        if d < 0:
            runs.reverse()
        return runs[0] if runs else None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (self._pos is None or self._idle):
                    self._cond.wait()
                if self._stopped:
                    return
                gen, p, d = self._gen, self._pos, self._dir
            plan = self._plan(p, d) if not self.source._closed else None
            # moving backwards (or just jumped), the frames right behind come before the leading side
            if (plan is None or (d < 0 and plan[0] > p)) and self._unpack_one(p, d):
                continue
            if plan is None:
                with self._cond:
                    if gen == self._gen:
                        self._idle = True
                        self._cond.notify_all()
                continue
            self._decode(plan, gen)

    def _unpack_one(self, p: int, d: int) -> bool:
        """Make the packed frame nearest ``p`` in the window RGB (frames a jump kept on the way:
        stepping onto one then costs no conversion); False when none is left."""
        if self.source._closed:
            return False
        lo, hi = self._window(p, d)
        j = self.source.cache.packed_near(p, lo, hi)
        if j is None:
            return False
        self.source.cache.unpack(j)
        return True

    def _decode(self, plan: tuple[int, int], gen: int) -> None:
        start, stop = plan
        cache = self.source.cache

        def sink(i: int, rgb) -> bool:
            if i not in cache:
                cache.put(i, rgb)
            self._inflight = (i + 1, stop)
            if self._stopped:
                return False
            if gen == self._gen:
                return True
            lo, hi = self._window(self._pos, self._dir)  # moved: go on while the run is still wanted
            return i + 1 <= hi and stop > lo

        self._inflight = (start, stop)
        try:
            self.source._read_run(start, stop, sink)
        except Exception as e:  # noqa: BLE001 - a damaged region: remember, and wait for the next move
            self.errors.append(str(e))
            with self._cond:
                if gen == self._gen:
                    self._idle = True
                    self._cond.notify_all()
        finally:
            self._inflight = None
            with cache.cond:
                cache.cond.notify_all()
