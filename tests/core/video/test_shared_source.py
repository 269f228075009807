"""One FrameSource shared by the GUI's loader, its prefetch thread and a background job.

The GUI hands its loader's source to jobs, so: a job reading sequentially while the annotator jumps
around gets exact frames and keeps the annotator's window cached; and a source closed while a job
reads (another project opened) ends that job's read with a clear error, never a crash.
"""

from __future__ import annotations

import threading

from video_clips import SIZE, N

from stdpose_core.errors import InputError
from stdpose_core.video import open_source
from stdpose_core.video.indexed_clip import read_index

FRAME = SIZE[0] * SIZE[1] * 3


def test_a_worker_reading_everything_keeps_the_annotators_window_cached(make_clip):
    with open_source(make_clip("h264_mp4_gop12_b2"), cache_bytes=24 * FRAME) as src:
        src.set_position(40)
        assert src.wait_prefetch(20)
        lo, hi = src.cache._protected
        assert lo <= 40 <= hi and hi - lo >= 4
        wrong: list[int] = []

        def worker() -> None:
            for i in range(N):  # a propagation job streams the whole video through the same cache
                if read_index(src.frame(i)) != i:
                    wrong.append(i)

        t = threading.Thread(target=worker)
        t.start()
        for i in (41, 39, 42, 40):  # the annotator steps around meanwhile
            assert read_index(src.frame(i)) == i
        t.join(60)
        assert not t.is_alive() and wrong == []
        assert src.cache.nbytes <= 24 * FRAME
        assert all(i in src.cache for i in range(lo, hi + 1)), (lo, hi, sorted(src.cache._frames))


def test_closing_a_source_while_a_job_reads_ends_the_read_with_a_clear_error(make_clip):
    src = open_source(make_clip("h264_mov_gop250"), cache_bytes=4 * FRAME, prefetch=False)
    started, outcome = threading.Event(), []

    def job() -> None:
        try:
            for i in range(N):
                src.frame(i)
                started.set()
            outcome.append("finished")
        except InputError as e:
            outcome.append(str(e))
        except Exception as e:  # noqa: BLE001 - anything else is the failure this test looks for
            outcome.append(f"unexpected {type(e).__name__}: {e}")

    t = threading.Thread(target=job)
    t.start()
    assert started.wait(30)
    src.close()
    t.join(30)
    assert not t.is_alive()
    assert len(outcome) == 1 and outcome[0].endswith("the video was closed"), outcome
