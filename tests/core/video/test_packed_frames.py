"""Frames a jump decodes on the way to its target are kept as their YUV planes (half an RGB frame's
bytes, a fraction of its cost) and become exactly the RGB frame a fresh decode gives when asked for."""

from __future__ import annotations

import av
import numpy as np
import pytest
from video_clips import SIZE

from stdpose_core.video import open_source
from stdpose_core.video.buffers import PackedFrame, packed
from stdpose_core.video.indexed_clip import read_index, write_indexed_clip
from stdpose_core.video.video_file import JUMP_KEEP, JUMP_KEEP_SHARE

FRAME = SIZE[0] * SIZE[1] * 3


@pytest.mark.parametrize("codec, size", [("libx264", (160, 128)), ("libx265", (160, 128)), ("mpeg4", (160, 128)),
                                         ("mjpeg", (160, 128)), ("libx264", (162, 130))])
def test_a_packed_frame_gives_the_decoded_rgb_frame_exactly(tmp_path, codec, size):
    path = write_indexed_clip(tmp_path / ("c.avi" if codec in ("mpeg4", "mjpeg") else "c.mp4"), 6, size, codec=codec)
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            p = packed(frame)
            assert isinstance(p, PackedFrame), frame.format.name  # 4:2:0, full (mjpeg) or limited range
            assert p.nbytes == size[0] * size[1] * 3 // 2
            rgb = p.rgb()
            assert rgb.flags.owndata and rgb.flags.c_contiguous
            assert np.array_equal(rgb, frame.to_ndarray(format="rgb24"))


def test_formats_that_cannot_be_packed_are_left_alone():
    assert packed(av.VideoFrame.from_ndarray(np.zeros((8, 8, 3), np.uint8), format="rgb24")) is None
    assert packed(av.VideoFrame.from_ndarray(np.zeros((8, 8), np.uint8), format="gray")) is None


def test_a_jump_keeps_packed_frames_that_become_the_decoded_frames(make_clip):
    path = make_clip("h264_mov_gop250")  # one GOP: reading frame 80 decodes 0..80 anyway
    with open_source(path, cache_bytes=400 * FRAME) as src, open_source(path, prefetch=False) as fresh:
        assert read_index(src.frame(80)) == 80
        kept = sorted(i for i in range(80) if i in src.cache)
        assert kept == list(range(80 - JUMP_KEEP, 80))
        assert all(isinstance(src.cache._frames[i], PackedFrame) for i in kept)
        assert src.cache.nbytes == FRAME + JUMP_KEEP * FRAME // 2  # the target as RGB, the rest at half
        seeks = src.seeks
        for i in reversed(kept):  # stepping back: no decoding, and exactly the decoded frames
            frame = src.frame(i)
            assert not frame.flags.writeable and frame.shape == (SIZE[1], SIZE[0], 3)
            assert np.array_equal(frame, fresh.frame(i))
            assert isinstance(src.cache._frames[i], np.ndarray)  # made RGB once, then kept so
        assert src.seeks == seeks
        assert src.cache.nbytes == (JUMP_KEEP + 1) * FRAME


def test_a_small_cache_keeps_fewer_frames_on_a_jump(make_clip):
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=30 * FRAME, prefetch=True) as src:
        src.frame(80)
        kept = [i for i in range(80) if i in src.cache]
        assert len(kept) == int(JUMP_KEEP_SHARE * 60) < JUMP_KEEP  # a fifth of the budget, at packed size
        assert src.cache.nbytes <= src.cache.max_bytes


def test_the_prefetcher_makes_kept_frames_rgb_once_the_window_is_decoded(make_clip):
    path = make_clip("h264_mov_gop250")
    with open_source(path, cache_bytes=400 * FRAME) as src, open_source(path, prefetch=False) as fresh:
        src.frame(80)
        assert isinstance(src.cache._frames[79], PackedFrame)
        src.set_position(80)
        assert src.wait_prefetch(20)
        lo, hi = src._prefetcher._window(80, -1)
        inside = [i for i in range(lo, hi + 1) if i in src.cache]
        assert 79 in inside and all(isinstance(src.cache._frames[i], np.ndarray) for i in inside)
        assert all(np.array_equal(src.cache._frames[i], fresh.frame(i)) for i in (79, 64, lo))
        assert src.cache.nbytes <= src.cache.max_bytes


def test_a_packed_frame_that_cannot_be_made_rgb_is_decoded_again(make_clip, monkeypatch):
    path = make_clip("h264_mov_gop250")
    with open_source(path, cache_bytes=400 * FRAME) as src, open_source(path, prefetch=False) as fresh:
        src.frame(80)
        assert isinstance(src.cache._frames[70], PackedFrame)

        def broken(self):
            raise MemoryError("no memory for the RGB frame")

        monkeypatch.setattr(PackedFrame, "rgb", broken)
        assert np.array_equal(src.frame(70), fresh.frame(70))  # dropped from the cache and decoded
        assert isinstance(src.cache._frames[70], np.ndarray)
