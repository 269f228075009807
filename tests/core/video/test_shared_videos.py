"""Real clips from ../shared/data open and seek exactly (skipped when the folder is absent)."""

from __future__ import annotations

import hashlib
import random

import av
import pytest

from stdpose_core.video import open_source

pytestmark = pytest.mark.shared_data


def _sequential_hashes(path) -> list[str]:
    """sha1 of every frame of a plain PyAV sequential decode (display order)."""
    with av.open(str(path)) as c:
        return [hashlib.sha1(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in c.decode(video=0)]


@pytest.mark.parametrize("rel, frames", [("videos/vtest.avi", 795), ("jhmdb_goalkeeping/clip.avi", 40)])
def test_real_clip_seeks_exactly(shared_data, rel, frames):
    path = shared_data / rel
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    ref = _sequential_hashes(path)
    with open_source(path, cache_bytes=4 << 20, prefetch=False) as src:
        assert len(src) == len(ref) == frames
        assert src.seek_exact and [w for w in src.warnings if not w.startswith("variable frame rate")] == []
        # the JHMDB clip repeats 8 frame times (dropped frames: 67 ms instead of 33): the user is told
        assert [w[:41] for w in src.warnings if w.startswith("variable")] == (
            ["variable frame rate: frames last 33-67 ms"] if "jhmdb" in rel else [])
        rng = random.Random(0)
        for i in [len(src) - 1, 0] + [rng.randrange(len(src)) for _ in range(40)]:
            assert hashlib.sha1(src.frame(i).tobytes()).hexdigest() == ref[i], f"frame {i}"


def test_jhmdb_video_matches_its_frame_folder_count(shared_data):
    folder = shared_data / "jhmdb_goalkeeping" / "frames"
    if not folder.is_dir():
        pytest.skip("jhmdb frames absent")
    with open_source(folder) as frames, open_source(folder.parent / "clip.avi") as video:
        assert len(frames) == len(video)
        assert frames.size == video.size
        assert frames.frame_names[0] == "00001.png"
