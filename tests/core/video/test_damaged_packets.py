"""One damaged packet costs the frames that depend on it, and the same frames whatever the access
pattern: reading in order, jumping around, or stepping with prefetching as the editor does
(which used to fail the rest of the group of frames once retries had piled up)."""

from __future__ import annotations

import random

import pytest

from stdpose_core.errors import InputError
from stdpose_core.video import open_source
from stdpose_core.video.indexed_clip import damage_packet, read_index, write_indexed_clip

pytestmark = pytest.mark.timeout(120)
N = 90


def failures(path, order, prefetch: bool) -> tuple[list[int], dict[int, int]]:
    """Frames that raise, and the index decoded from each frame that did not."""
    bad, got = [], {}
    with open_source(path) as src:
        assert len(src) == N
        for i in order:
            try:
                got[i] = read_index(src.frame(i))
            except InputError as e:
                assert str(path) in str(e) and "\n" not in str(e)
                bad.append(i)
            if prefetch:  # what the editor's frame loader does after showing a frame
                src.set_position(i)
                src.wait_prefetch(5)
    return sorted(bad), got


@pytest.mark.parametrize("damaged_frame, bframes", [(30, 2), (40, 2), (40, 0)], ids=["keyframe", "b-gop", "p-only"])
def test_same_frames_fail_in_order_at_random_and_with_prefetch(tmp_path, damaged_frame, bframes):
    full = write_indexed_clip(tmp_path / "full.mp4", N, gop=30, bframes=bframes)
    path = damage_packet(full, tmp_path / "damaged.mp4", damaged_frame)
    rng = random.Random(0)
    shuffled = rng.sample(range(N), N)
    seq, seq_got = failures(path, range(N), prefetch=False)
    assert damaged_frame in seq and len(seq) <= 2
    for order, prefetch in ((range(N), True), (shuffled, False), (shuffled, True), (range(N - 1, -1, -1), True)):
        bad, got = failures(path, order, prefetch)
        assert bad == seq, (prefetch, bad, seq)
        assert got == seq_got  # the same pixels for every frame that decodes
    # frames in other groups of frames are untouched
    assert all(seq_got[i] == i for i in range(N) if i < 30 or i >= 60)


def test_a_frame_the_decoder_skips_is_an_error_not_the_next_frame(tmp_path):
    full = write_indexed_clip(tmp_path / "full.mp4", N, gop=30, bframes=2)
    path = damage_packet(full, tmp_path / "damaged.mp4", 40)
    with open_source(path, prefetch=False) as src:
        for i in range(N):
            try:
                frame = src.frame(i)
            except InputError:
                continue
            assert read_index(frame) in (i, -1), i  # never another frame's picture
            assert frame.base is None and frame.flags.c_contiguous  # numpy-owned copy (video/buffers.py)
