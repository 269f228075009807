"""One PyAV decoder positioned somewhere in a video file, reading frame runs exactly.

Exact mode: seek to the keyframe at or before the wanted frame (by presentation timestamp), decode
forward, and identify every decoded frame by its timestamp in the :class:`FrameIndex`; a frame is
never identified by counting. Reading ``i+1`` right after ``i`` continues decoding without a seek.
Counting mode (files without usable timestamps): restart from the beginning and count.
Frames handed out are copies in numpy-owned memory, not views of FFmpeg's buffers (:mod:`.buffers`):
RGB, or the luma plane for ``pixels="gray"`` (no RGB frame is made), or, for frames a read only
passes on the way to the ones it wants (``pack_before``), their YUV planes (:class:`~.buffers.PackedFrame`).
Not thread-safe by itself: :class:`VideoFileSource` hands each decoder to one thread at a time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.video.buffers import frame_rgb, owned_luma, packed
from stdpose_core.video.frame_index import FrameIndex, open_container

SEEK_PENALTY = 8  # a seek costs about as much as decoding this many frames (flush + refill)
#: FFmpeg threads per decoder (frame or slice threading, as the codec allows). 1080p H.264 with 2
#: threads on 2 cores: sequential reading 114 vs 83 frames/s, cold seek p95 1.0 vs 1.3 s, a jump
#: p50 0.51 vs 0.60 s (``benchmarks/bench_video.py``). Capped: a source has up to three decoders,
#: and each thread holds frames in flight.
DECODER_THREADS = max(1, min(4, os.cpu_count() or 1))
#: Packets in a row the decoder may reject before a read gives up (a damaged stretch, not a damaged file).
MAX_BAD_PACKETS = 50


def _open_threaded(path: Path):
    """``open_container(path)`` with the video stream decoded on :data:`DECODER_THREADS` threads."""
    container, stream = open_container(path)
    stream.thread_type = "AUTO"
    stream.thread_count = DECODER_THREADS
    return container, stream


class TimestampMismatch(Exception):
    """A decoded frame's timestamp is not in the index: exact seeking does not work for this file."""


class Decoder:
    """A container + decoder; ``next_index`` is the display index the next decoded frame will have."""

    def __init__(self, path: Path, index: FrameIndex, pts_to_index: dict[int, int], pixels: str = "rgb"):
        self.path = path
        self._rgb = pixels != "gray"
        self._pixels = frame_rgb if self._rgb else owned_luma
        self.index = index
        self.pts_to_index = pts_to_index
        self.skip = frozenset(index.skipped_pts)
        self.container, self.stream = _open_threaded(path)
        self.next_index: int | None = None
        self._frames: Iterator | None = None
        self.bad_packets = 0  # packets the decoder rejected so far (statistics; reads count their own)
        self.seeks = 0
        self._skip_before: int | None = None  # pts: non-reference frames before it need not be decoded

    def close(self) -> None:
        self._frames = None
        self.container.close()

    def cost(self, start: int, exact: bool) -> int:
        """Roughly how many frames must be decoded before frame ``start`` is reached."""
        n = self.next_index
        if exact:
            seek = start - self.index.key_at_or_before(start) + SEEK_PENALTY
            return min(seek, start - n) if n is not None and n <= start else seek
        return start - n if n is not None and n <= start else start + SEEK_PENALTY

    def read_run(self, start: int, stop: int, sink: Callable[[int, np.ndarray], bool], exact: bool,
                 pack_before: int | None = None) -> None:
        """Decode frames ``start .. stop-1`` into ``sink`` (see :class:`FrameSource._read_run`); RGB frames
        before ``pack_before`` go as :class:`~.buffers.PackedFrame` where the format allows (exact mode)."""
        try:
            if exact:
                self._read_exact(start, stop, sink, pack_before if self._rgb else None)
            else:
                self._read_counting(start, stop, sink)
        except BaseException:
            self.next_index = None  # position unknown after a failure: the next read seeks
            raise

    # --- exact mode ---------------------------------------------------------------------------
    def _read_exact(self, start: int, stop: int, sink, pack_before: int | None = None) -> None:
        self._skip_before = self.index.pts[start]
        key = self.index.key_at_or_before(start)
        fresh = False
        n = self.next_index
        if n is None or n > start or start - n > start - key + SEEK_PENALTY:  # else: decoding on is cheaper
            self._seek(key)
            fresh = True
        while True:
            frame = self._next_frame(start)
            if frame is None:
                raise InputError(self.path, f"frame {start} cannot be decoded (the stream ends early)")
            i = self.pts_to_index.get(frame.pts)
            if i is None and frame.pts in self.skip:
                continue
            if i is None:
                raise TimestampMismatch(f"a decoded frame has timestamp {frame.pts}, which the index lacks")
            if fresh:
                fresh = False
                if i > start:  # the seek landed after the target: go one keyframe further back
                    key = self.index.key_before(key)
                    if key is None:
                        raise TimestampMismatch(f"frame {start} comes before the first decodable frame")
                    self._seek(key)
                    fresh = True
                    continue
            elif i < self.next_index:
                raise TimestampMismatch("decoded frames are not in timestamp order")
            elif self.next_index <= start < i:  # the wanted frame was skipped: it cannot be decoded
                raise InputError(self.path, f"frame {start} cannot be decoded (damaged stream)")
            self.next_index = i + 1
            if i < start:
                continue
            out = packed(frame) if pack_before is not None and i < pack_before else None
            if not sink(i, self._pixels(frame) if out is None else out) or i >= stop - 1:
                return
            start = i + 1  # later frames must follow without gaps

    def _seek(self, key: int) -> None:
        self.seeks += 1
        self.container.seek(int(self.index.pts[key]), stream=self.stream, backward=True, any_frame=False)
        self._frames = self._decode_iter()
        self.next_index = None

    # --- counting mode ------------------------------------------------------------------------
    def _read_counting(self, start: int, stop: int, sink) -> None:
        self._skip_before = None  # counting needs every frame
        if self.next_index is None or self.next_index > start:
            self.seeks += 1
            self.container.close()
            self.container, self.stream = _open_threaded(self.path)
            self._frames = self._decode_iter()
            self.next_index = 0
        while True:
            frame = self._next_frame(start)
            if frame is None:
                raise InputError(self.path, f"frame {self.next_index} cannot be decoded (the stream ends early)")
            i = self.next_index
            self.next_index = i + 1
            if i >= start and (not sink(i, self._pixels(frame)) or i >= stop - 1):
                return

    # --- shared -------------------------------------------------------------------------------
    def _decode_iter(self) -> Iterator:
        """Decoded frames from the current container position; skips packets the decoder rejects.

        Packets shown before the wanted frame are decoded with ``skip_frame=NONREF``: nothing refers
        to a non-reference frame, so dropping those (B-frames, ~45% of x264's) makes a seek ~30% faster
        without changing any frame that is returned.
        """
        import av

        stream = self.stream
        cc = stream.codec_context
        skipping = False
        rejected_in_a_row = 0  # per decoding pass: retrying a damaged stretch never poisons later reads
        for packet in self.container.demux(stream):
            skip = self._skip_before is not None and packet.pts is not None and packet.pts < self._skip_before
            if skip != skipping:
                cc.skip_frame = "NONREF" if skip else "DEFAULT"
                skipping = skip
            try:
                frames = packet.decode()
            except (av.InvalidDataError, av.error.PatchWelcomeError):
                self.bad_packets += 1
                rejected_in_a_row += 1
                if rejected_in_a_row > MAX_BAD_PACKETS:
                    raise
                continue
            rejected_in_a_row = 0
            yield from frames

    def _next_frame(self, near: int):
        import av

        try:
            return next(self._frames, None)
        except av.FFmpegError as e:
            raise InputError(self.path, f"decoding failed near frame {near}: {e}") from None
