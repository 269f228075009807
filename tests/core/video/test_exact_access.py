"""frame(i) returns exactly frame i: random, back-and-forth, sequential and two-thread access."""

from __future__ import annotations

import random
import threading

import av
import numpy as np
import pytest
from video_clips import SIZE, VFR_MS, N

from stdpose_core.video import VideoFileSource, open_source
from stdpose_core.video.indexed_clip import read_index


def _uncached(path):
    """A source whose cache holds 2 frames and that never prefetches: every read really decodes."""
    return open_source(path, cache_bytes=2 * SIZE[0] * SIZE[1] * 3, prefetch=False)


def test_metadata(any_clip):
    with open_source(any_clip) as src:
        assert isinstance(src, VideoFileSource)
        assert len(src) == N
        assert src.size == SIZE
        assert src.seek_exact, src.warnings
        vfr = any_clip.name in ("h.mkv", "i.mp4")  # the variable-frame-rate clips of video_clips.CLIPS
        assert [w[:19] for w in src.warnings] == (["variable frame rate"] if vfr else [])
        assert src.frame_names is None
        ts = src.timestamps
        assert ts.shape == (N,) and ts[0] == 0 and np.all(np.diff(ts) > 0)
        assert 20 < src.fps < 30
        f = src.frame(0)
        assert f.shape == (SIZE[1], SIZE[0], 3) and f.dtype == np.uint8
        assert not f.flags.writeable  # shared with the cache


def test_200_random_indices_decode_exactly(any_clip):
    rng = random.Random(3)
    with _uncached(any_clip) as src:
        idx = [rng.randrange(N) for _ in range(200)]
        got = [read_index(src.frame(i)) for i in idx]
        assert got == idx
        assert src.seeks > 10  # the reads really went through seeking


def test_random_back_and_forth_with_prefetch(any_clip):
    rng = random.Random(5)
    with open_source(any_clip, cache_bytes=40 * SIZE[0] * SIZE[1] * 3) as src:
        i = N // 2
        for _ in range(150):
            i = min(N - 1, max(0, i + rng.choice([-1, -1, 1, 1, -3, 4, rng.randrange(-N, N)])))
            src.set_position(i)
            assert read_index(src.frame(i)) == i
            assert src.cache.nbytes <= src.cache.max_bytes


def test_vfr_timestamps_are_the_encoded_ones(make_clip):
    for name in ("vfr_h264_mkv", "vfr_h264_mp4"):
        with open_source(make_clip(name)) as src:
            np.testing.assert_allclose(src.timestamps, np.array(VFR_MS) / 1000.0, atol=1e-3)


def test_sequential_read_continues_without_seeking(make_clip):
    with _uncached(make_clip("h264_mp4_gop12_b2")) as src:
        assert [read_index(f) for _, f in src.frames()] == list(range(N))
        assert src.seeks == 1
        src.frame(40)  # a jump to another GOP seeks once more
        src.frame(41)
        assert src.seeks == 2


def test_frames_equal_plain_sequential_decode(any_clip):
    """Pixel-identical to a plain decode from the start (seeks skip non-reference frames)."""
    path = any_clip
    with av.open(str(path)) as c:
        ref = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with _uncached(path) as src:
        for i in random.Random(1).sample(range(N), 30):
            np.testing.assert_array_equal(src.frame(i), ref[i])


def test_two_threads_at_once(make_clip):
    path = make_clip("h264_mov_gop250")
    errors: list[str] = []
    with open_source(path, cache_bytes=8 * SIZE[0] * SIZE[1] * 3) as src:

        def reader(seed: int, sequential: bool):
            rng = random.Random(seed)
            for k in range(120):
                i = k % N if sequential else rng.randrange(N)
                if not sequential:
                    src.set_position(i)
                v = read_index(src.frame(i))
                if v != i:
                    errors.append(f"thread {seed}: frame {i} decoded as {v}")

        threads = [threading.Thread(target=reader, args=(s, s == 0)) for s in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_negative_and_out_of_range_indices(make_clip):
    with open_source(make_clip("mjpeg_avi")) as src:
        assert read_index(src.frame(-1)) == N - 1
        with pytest.raises(IndexError):
            src.frame(N)
        with pytest.raises(IndexError):
            src.frame(-N - 1)


def test_closed_source_refuses_reads(make_clip):
    src = open_source(make_clip("mjpeg_avi"), prefetch=False)
    src.frame(3)
    src.close()
    src.close()  # idempotent
    with pytest.raises(Exception):  # noqa: B017 - whatever the closed decoder raises, it must not return a frame
        src.frame(10)


def test_forward_jump_inside_a_gop_decodes_on_instead_of_seeking(make_clip):
    with _uncached(make_clip("h264_mov_gop250")) as src:
        assert read_index(src.frame(50)) == 50
        assert src.seeks == 1
        assert read_index(src.frame(60)) == 60  # same GOP, ahead: the decoder just goes on
        assert src.seeks == 1 and len(src._decoders) == 1
        assert read_index(src.frame(10)) == 10  # behind: needs a seek (on a fresh decoder)
        assert src.seeks == 2


def test_variable_frame_rate_is_a_warning_and_constant_rate_is_not(make_clip):
    with open_source(make_clip("vfr_h264_mkv")) as src:
        assert [w for w in src.warnings if w.startswith("variable frame rate: frames last 22-49 ms")]
    with open_source(make_clip("h264_mp4_gop12_b2")) as src:
        assert not [w for w in src.warnings if "variable frame rate" in w]


def test_timestamp_rounding_jitter_is_not_a_variable_rate():
    from fractions import Fraction

    from stdpose_core.video.frame_index import variable_rate_note

    ntsc = [round(i * 1001 / 30) for i in range(100)]  # 29.97 fps in a 1/1000 time base: 33-34 ms
    assert variable_rate_note(ntsc, Fraction(1, 1000)) is None
    assert variable_rate_note([0, 40, 80, 200], Fraction(1, 1000)) is not None
