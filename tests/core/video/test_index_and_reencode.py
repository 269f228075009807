"""The frame index cache, files without usable timestamps, and ``stdpose reencode``."""

from __future__ import annotations

import json
import os

import pytest
from video_clips import N

from stdpose_core.cli.main import main
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Progress, run_to_completion
from stdpose_core.video import frame_index, open_source
from stdpose_core.video.indexed_clip import read_index, write_indexed_clip
from stdpose_core.video.reencode import reencode


def test_index_is_cached_and_reused(make_clip, isolated_cache, monkeypatch):
    path = make_clip("h264_mp4_gop12_b2")
    with open_source(path) as src:
        first = src.index
    files = list((isolated_cache / "frame-index").glob("*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text())["num_frames"] == first.num_frames

    def no_build(p):
        raise AssertionError("the cached index should have been used")

    monkeypatch.setattr(frame_index, "build", no_build)
    with open_source(path) as src:
        assert src.index == first
        assert read_index(src.frame(50)) == 50


def test_changed_file_gets_a_new_index(tmp_path, isolated_cache):
    p = write_indexed_clip(tmp_path / "v.mkv", 20)
    with open_source(p) as src:
        assert len(src) == 20
    write_indexed_clip(p, 30)
    os.utime(p, ns=(1, 1))  # mtime differs as well as size
    with open_source(p) as src:
        assert len(src) == 30
    assert len(list((isolated_cache / "frame-index").glob("*.json"))) == 2


def test_corrupt_cache_entry_is_rebuilt(make_clip, isolated_cache):
    path = make_clip("mjpeg_avi")
    open_source(path).close()
    (entry,) = (isolated_cache / "frame-index").glob("*.json")
    entry.write_text("{not json")
    with open_source(path) as src:
        assert read_index(src.frame(7)) == 7


@pytest.fixture(scope="module")
def broken_ts_clip(tmp_path_factory):
    """H.264 with B-frames in AVI: AVI stores no presentation times, so the decoder's are garbage."""
    return write_indexed_clip(tmp_path_factory.mktemp("broken") / "bad_ts.avi", 40, codec="libx264",
                              gop=12, bframes=2)


def test_broken_timestamps_are_detected_and_frames_stay_exact(broken_ts_clip):
    with open_source(broken_ts_clip, prefetch=False) as src:
        assert not src.seek_exact
        assert any("reencode" in w for w in src.warnings)
        assert len(src) == 40
        for i in (30, 5, 6, 39, 0, 17):
            assert read_index(src.frame(i)) == i


def test_reencode_makes_a_seekable_copy(broken_ts_clip, tmp_path):
    out = tmp_path / "fixed.mp4"
    steps = []
    result = run_to_completion(reencode(broken_ts_clip, out, gop=5), steps.append)
    assert all(isinstance(s, Progress) for s in steps) and steps[-1].done == 40
    assert result["frames"] == 40 and result["gop"] == 5 and not result["cropped"]
    with open_source(out, prefetch=False) as src:
        assert src.seek_exact and src.warnings == []
        assert src.index.key_frames == list(range(0, 40, 5))
        assert [read_index(src.frame(i)) for i in (33, 2, 39, 0, 21)] == [33, 2, 39, 0, 21]


def test_reencode_crops_odd_sizes_and_keeps_coordinates(tmp_path):
    src_path = write_indexed_clip(tmp_path / "odd.mkv", 8, size=(161, 129), codec="mjpeg")
    with open_source(src_path) as src:
        before = src.frame(3).copy()
    cli_out = tmp_path / "even.mkv"
    assert main(["reencode", str(src_path), str(cli_out), "--gop", "1"]) == 0
    with open_source(cli_out) as src:
        assert src.size == (160, 128)
        after = src.frame(3).astype(int)
    ref = before.astype(int)

    def err(dx: int, dy: int) -> float:  # output pixel (x, y) against input pixel (x+dx, y+dy)
        return abs(after[4:120, 4:152] - ref[4 + dy:120 + dy, 4 + dx:152 + dx]).mean()

    errs = {(dx, dy): err(dx, dy) for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2)}
    assert min(errs, key=errs.get) == (0, 0) and errs[0, 0] < 8  # same pixels at the same coordinates


def test_reencode_cli_errors(tmp_path, capsys, make_clip):
    assert main(["reencode", str(tmp_path / "missing.mp4"), str(tmp_path / "o.mp4")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["reencode", str(make_clip("mjpeg_avi")), str(tmp_path / "o.avi")]) == 2
    assert ".mp4, .mkv or .mov" in capsys.readouterr().err
    assert not (tmp_path / "o.avi").exists()
    with pytest.raises(StdposeError):
        next(reencode(make_clip("mjpeg_avi"), tmp_path / "o.mp4", gop=0))


def test_reencode_json(tmp_path, capsys, make_clip):
    out = tmp_path / "o.mp4"
    assert main(["reencode", str(make_clip("mpeg4_avi_b2")), str(out), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["frames"] == 90 and res["output"] == str(out) and out.is_file()
    assert not list(tmp_path.glob(".*partial*"))


def test_longest_gop(make_clip, broken_ts_clip):
    with open_source(make_clip("h264_mp4_gop12_b2")) as src:
        assert src.longest_gop == 12
    with open_source(make_clip("mjpeg_avi")) as src:
        assert src.longest_gop == 1
    with open_source(broken_ts_clip) as src:
        assert src.longest_gop == len(src)  # counting from the start


def test_index_job_reports_progress_then_open_uses_the_cache(make_clip, monkeypatch):
    from stdpose_core.video import index_job

    path = make_clip("vfr_h264_mkv")
    steps = []
    index = run_to_completion(index_job(path), steps.append)
    assert index.num_frames == N and index.seek_exact
    assert all(isinstance(s, Progress) and s.done <= s.total for s in steps)
    assert steps[0].done == 0 and steps[-1].done == steps[-1].total == path.stat().st_size
    monkeypatch.setattr(frame_index, "build", lambda p: (_ for _ in ()).throw(AssertionError("rebuilt")))
    with open_source(path) as src:
        assert src.index == index
    assert list(index_job(path)) == []  # cached: finishes at once


def test_counting_mode_index_job_reports_counting(broken_ts_clip):
    from stdpose_core.video import index_job

    index = run_to_completion(index_job(broken_ts_clip))
    assert not index.seek_exact and index.num_frames == 40
