"""The frame cache budget and the prefetch window around the current position (both directions)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from video_clips import SIZE, N

from stdpose_core.video import FrameCache, open_source
from stdpose_core.video.indexed_clip import read_index

FRAME = SIZE[0] * SIZE[1] * 3


def test_cache_lru_budget_and_protected_window():
    cache = FrameCache(max_bytes=3 * 100)
    for i in range(5):
        cache.put(i, np.zeros(100, np.uint8))
    assert len(cache) == 3 and cache.nbytes == 300 and list(cache._frames) == [2, 3, 4]
    cache.get(2)  # now most recently used
    cache.protect(3, 3)
    cache.put(9, np.zeros(100, np.uint8))
    assert 3 in cache and 2 in cache and 4 not in cache  # unprotected LRU (4) went first
    with pytest.raises(ValueError):
        cache.get(9)[0] = 1  # cached frames are read-only


@pytest.mark.parametrize("clip", ["h264_mov_gop250", "h264_mp4_gop12_b2"])
def test_stepping_both_ways_is_served_from_the_prefetched_window(make_clip, clip):
    with open_source(make_clip(clip), cache_bytes=200 * FRAME) as src:
        pf_pos = 45
        src.set_position(pf_pos)
        assert src.wait_prefetch(20)
        assert all(i in src.cache for i in range(30, 75)), sorted(src.cache._frames)
        # step backwards well past the first window: the trailing side keeps being refilled
        for i in range(pf_pos - 1, 4, -1):
            assert src.wait_prefetch(20)
            assert i in src.cache, f"frame {i} was not prefetched"
            assert read_index(src.frame(i)) == i
            src.set_position(i)
        for i in range(5, 60):
            assert src.wait_prefetch(20)
            assert i in src.cache
            assert read_index(src.frame(i)) == i
            src.set_position(i)
        assert src.cache.nbytes <= src.cache.max_bytes
        assert src._prefetcher.errors == []


def test_prefetch_respects_a_small_budget(make_clip):
    with open_source(make_clip("hevc_mp4_gop10_b2"), cache_bytes=12 * FRAME) as src:
        for i in (10, 11, 12, 70, 69, 68):
            src.set_position(i)
            assert read_index(src.frame(i)) == i
            assert src.wait_prefetch(20)
            assert src.cache.nbytes <= 12 * FRAME
        assert all(j in src.cache for j in (66, 67, 68, 69, 70))


def test_close_stops_the_prefetch_thread(make_clip):
    src = open_source(make_clip("mpeg4_avi_b2"))
    src.set_position(N // 2)
    thread = src._prefetcher._thread
    src.close()
    assert not thread.is_alive()
    assert len(src.cache) == 0


def test_a_jump_keeps_the_frames_before_it_for_stepping_back(make_clip):
    # 90 frames in one 250-frame GOP: reading frame 70 decodes 0..70 anyway
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=200 * FRAME) as src:
        assert read_index(src.frame(70)) == 70
        kept = [i for i in range(60, 70) if i in src.cache]
        assert kept == list(range(60, 70))
        seeks = src.seeks
        for i in range(69, 59, -1):  # the first backward steps need no decoding at all
            assert read_index(src.frame(i)) == i
        assert src.seeks == seeks


def _log_runs(src) -> list[tuple[str, int, int]]:
    """Record every decoding run of ``src`` as ``(thread name, start, stop)``."""
    runs: list[tuple[str, int, int]] = []
    read_run = src._read_run

    def logged(start, stop, sink, **kw):
        runs.append((threading.current_thread().name, start, stop))
        return read_run(start, stop, sink, **kw)

    src._read_run = logged
    return runs


def test_after_a_jump_the_frames_behind_are_decoded_first_nearest_first(make_clip):
    # one 250-frame GOP; a 40-frame budget: 6 frames kept by a jump (fewer than the 16 the window
    # wants behind), the rest prefetched
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=40 * FRAME) as src:
        src.jump_keep = 6
        src.frame(5)
        src.set_position(5)
        assert src.wait_prefetch(20)
        runs = _log_runs(src)
        assert read_index(src.frame(70)) == 70  # a decoder goes on from ~22 to 70 (same GOP): no seek...
        assert all(i in src.cache for i in range(64, 70))  # ...and keeps the last frames it passes
        src.set_position(70)
        assert src.wait_prefetch(20)
        ahead = [r for r in runs if r[0] == "stdpose-prefetch"]
        name, start, stop = ahead[0]
        # the trailing side first (it costs a decode from the keyframe), in a short run that ends
        # right behind the kept frames, so the frame wanted first arrives soon
        assert stop == 64 and stop - start <= 16, ahead
        assert any(r[1] >= 71 for r in ahead[1:])  # then the leading side
        seeks = src.seeks
        for i in range(69, 53, -1):  # the first second of stepping back: all in memory
            assert i in src.cache, (i, sorted(src.cache._frames))
            assert read_index(src.frame(i)) == i
        assert src.seeks == seeks


def test_a_job_reading_ahead_after_a_jump_gets_the_frames_ahead_first(make_clip):
    # a job reads on from where it jumped (and waits for the prefetcher): the leading side stays first
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=40 * FRAME, read_ahead=True) as src:
        src.frame(5)
        assert src.wait_prefetch(20)
        runs = _log_runs(src)
        assert read_index(src.frame(70)) == 70
        assert src.wait_prefetch(20)
        ahead = [r for r in runs if r[0] == "stdpose-prefetch"]
        assert ahead[0][1] == 70, ahead


def test_sequential_reads_and_disabled_prefetch_keep_only_what_is_asked(make_clip):
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=200 * FRAME, prefetch=False) as src:
        src.frame(70)
        assert 69 not in src.cache  # no prefetch (e.g. a propagation worker): only the target
    with open_source(make_clip("h264_mov_gop250"), cache_bytes=200 * FRAME) as src:
        src.frame(10)
        src.cache.clear()
        src.frame(11)  # the decoder continues from 10: not a jump
        assert len(src.cache) == 1


def test_drop_unprotected_keeps_the_annotators_window():
    import numpy as np

    from stdpose_core.video.cache import FrameCache

    cache = FrameCache(1 << 20)
    for i in range(20):
        cache.put(i, np.zeros((10, 10, 3), np.uint8))
    cache.protect(5, 8)
    freed = cache.drop_unprotected()
    assert sorted(cache._frames) == [5, 6, 7, 8] and freed == 16 * 300 and cache.nbytes == 4 * 300


def test_a_reader_waits_for_a_prefetch_run_only_when_it_comes_about_as_soon_as_its_own_read(make_clip):
    # 12-frame GOPs: frame 38's keyframe is 36, so reading it alone decodes ~3 frames plus a seek
    with open_source(make_clip("h264_mp4_gop12_b2"), cache_bytes=200 * FRAME) as src:
        src.set_position(0)
        assert src.wait_prefetch(20)
        pf = src._prefetcher
        pf._inflight = (10, 40)  # a run that has just delivered frame 9 and goes on to 39
        assert pf.is_coming(15)  # near: waiting beats a seek of its own
        assert not pf.is_coming(38)  # two GOPs on: decoding it from its own keyframe is sooner
        assert not pf.is_coming(40) and not pf.is_coming(9)  # not in the run
        pf._inflight = (30, 40)
        assert pf.is_coming(38)
        pf._inflight = None
