"""``VideoFileSource``: a FrameSource over a video file (PyAV), with a small pool of decoders.

Each decoder keeps its position, and a read goes to the free decoder that reaches the wanted frame
with the least decoding (one that can simply continue wins). So a propagation worker reading
sequentially, the GUI jumping around and the prefetch thread each tend to keep their own decoder
instead of making one decoder seek back and forth.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.video.base import FrameSource, Sink
from stdpose_core.video.cache import DEFAULT_CACHE_BYTES
from stdpose_core.video.decoder import SEEK_PENALTY, Decoder, TimestampMismatch
from stdpose_core.video.frame_index import REENCODE_HINT, FrameIndex, load_or_build

MAX_DECODERS = 3
#: Frames before the target that a read which has to seek (a jump) keeps in the cache, at most this
#: share of the cache's bytes: the first second of stepping backwards at 25 Hz is then served from
#: memory while the prefetcher fills the rest (in a 250-frame GOP each uncached backward step used to
#: decode the whole GOP again, ~1.1 s at 1080p). They are kept as their YUV planes
#: (:class:`~.buffers.PackedFrame`: half an RGB frame, 0.7 ms at 1080p instead of ~9 ms for the RGB
#: frame, made when the frame is first shown), so the jump pays mostly for decoding their B-frames
#: (otherwise skipped); formats that cannot be packed are kept as RGB, twice the bytes.
JUMP_KEEP = 32
JUMP_KEEP_SHARE = 0.2


class VideoFileSource(FrameSource):
    """Frames of a video file (H.264/H.265/MPEG-4/MJPEG/... in mp4/mkv/avi/mov; B-frames; VFR).

    ``index``: the :class:`FrameIndex` (timestamps, keyframes; read from the index cache or built, unless
    one is passed in); ``seek_exact`` mirrors it.
    """

    def __init__(self, path: str | Path, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True,
                 max_decoders: int = MAX_DECODERS, pixels: str = "rgb", index: FrameIndex | None = None,
                 read_ahead: bool = False):
        super().__init__(path, cache_bytes, prefetch, pixels, read_ahead)
        if not self.path.exists():
            raise InputError(self.path, "file not found")
        if not self.path.is_file():
            raise InputError(self.path, "not a file")
        self.index: FrameIndex = index if index is not None else load_or_build(self.path)
        self.seek_exact = self.index.seek_exact
        self.warnings = list(self.index.warnings)
        self._pts_to_index = {t: i for i, t in enumerate(self.index.pts)}
        self._timestamps = self.index.timestamps()
        self._timestamps.flags.writeable = False
        # Reading ahead: one decoder, shared by the job and the thread ahead of it, so a job that catches
        # up waits for the next frame instead of seeking a second decoder to it and decoding it twice.
        self.max_decoders = 1 if read_ahead else max(1, max_decoders)
        self._decoders: list[Decoder] = []
        self._busy: set[int] = set()
        self._pool = threading.Condition()
        self.jump_keep = JUMP_KEEP  # frames kept before a jump's target (0: only the target)

    def __len__(self) -> int:
        return self.index.num_frames

    def reopened(self, pixels: str, cache_bytes: int) -> "VideoFileSource":
        src = VideoFileSource(self.path, cache_bytes, pixels=pixels, index=self.index, read_ahead=True)
        src.seek_exact, src.warnings = self.seek_exact, list(self.warnings)  # what reading this file taught
        return src

    @property
    def fps(self) -> float:
        return self.index.fps

    @property
    def size(self) -> tuple[int, int]:
        return self.index.width, self.index.height

    @property
    def timestamps(self) -> np.ndarray:
        return self._timestamps

    @property
    def longest_gop(self) -> int:
        """Most frames between two keyframes: a cold seek decodes up to this many frames.

        Above ~60 at 1080p, random access takes noticeably long; the GUI may offer ``stdpose reencode``.
        """
        keys = self.index.key_frames + [len(self)]
        return max(b - a for a, b in zip(keys, keys[1:])) if self.seek_exact else len(self)

    @property
    def seeks(self) -> int:
        """How many seeks the decoders made so far (tests check that sequential reads do not seek)."""
        return sum(d.seeks for d in self._decoders)

    def _seek_point(self, i: int) -> int:
        return self.index.key_at_or_before(i) if self.seek_exact else 0

    def _jump_start(self, i: int) -> int:
        packed_bytes = self.frame_bytes // 2 if self.pixels == "rgb" else self.frame_bytes  # 4:2:0 YUV
        keep = min(self.jump_keep, int(JUMP_KEEP_SHARE * self.cache.capacity_frames(packed_bytes)))
        if keep <= 0 or not self.seek_exact:
            return i
        key = self._seek_point(i)
        with self._pool:
            free = [d for d in self._decoders if id(d) not in self._busy]
            # a decoder that can simply go on to i decodes the frames from where it stands anyway
            on_the_way = [d.next_index for d in free if d.cost(i, True) < i - key + SEEK_PENALTY]
        start = max([key, i - keep] + on_the_way)
        while start < i and start in self.cache:
            start += 1
        return start

    def _read_run(self, start: int, stop: int, sink: Sink, pack_before: int | None = None) -> None:
        dec = self._acquire(start)
        try:
            dec.read_run(start, stop, sink, self.seek_exact, pack_before)
        except TimestampMismatch as e:
            self._fall_back_to_counting(str(e))
            dec.next_index = None
            dec.read_run(start, stop, sink, False)
        finally:
            self._release(dec)

    def _fall_back_to_counting(self, why: str) -> None:
        with self._pool:
            if self.seek_exact:
                self.seek_exact = False
                self.warnings.append(f"exact seeking is not possible: {why}; frames are read by counting "
                                     f"from the start (slow for long videos); {REENCODE_HINT}")

    def _acquire(self, start: int) -> Decoder:
        with self._pool:
            while True:
                if self._closed:
                    raise InputError(self.path, "the video was closed")
                free = [d for d in self._decoders if id(d) not in self._busy]
                best = min(free, key=lambda d: d.cost(start, self.seek_exact), default=None)
                seek_cost = start - self._seek_point(start) + SEEK_PENALTY
                needs_seek = best is None or best.cost(start, self.seek_exact) >= seek_cost
                if needs_seek and len(self._decoders) < self.max_decoders:
                    # a fresh decoder seeks as fast as a used one and keeps the others' positions
                    best = Decoder(self.path, self.index, self._pts_to_index, self.pixels)
                    self._decoders.append(best)
                if best is not None:
                    self._busy.add(id(best))
                    return best
                self._pool.wait()

    def _release(self, dec: Decoder) -> None:
        with self._pool:
            self._busy.discard(id(dec))
            if self._closed:
                dec.close()
            self._pool.notify_all()

    def _close(self) -> None:
        with self._pool:
            for d in self._decoders:
                if id(d) not in self._busy:  # busy ones are closed by their reader on release
                    d.close()
            self._pool.notify_all()
