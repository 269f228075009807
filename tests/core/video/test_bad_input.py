"""Bad input gives one clear InputError naming the file, or readable frames plus a warning; never a hang."""

from __future__ import annotations

import av
import numpy as np
import pytest

from stdpose_core.errors import InputError
from stdpose_core.video import open_source
from stdpose_core.video.indexed_clip import read_index, write_indexed_clip

pytestmark = pytest.mark.timeout(60)


def _error(path) -> str:
    with pytest.raises(InputError) as exc:
        open_source(path)
    msg = str(exc.value)
    assert str(path) in msg and "\n" not in msg
    return msg


def test_missing_file(tmp_path):
    assert "file not found" in _error(tmp_path / "nope.mp4")


def test_not_a_video(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("hello\n" * 500)
    assert "not a readable video" in _error(p)
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    assert "not a readable video" in _error(empty)


def test_audio_only_file(tmp_path):
    p = tmp_path / "sound.mka"
    with av.open(str(p), "w") as c:
        s = c.add_stream("pcm_s16le", rate=8000)
        fr = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        fr.sample_rate = 8000
        for pkt in list(s.encode(fr)) + list(s.encode()):
            c.mux(pkt)
    assert "no video stream" in _error(p)


def test_zero_frames(tmp_path):
    p = tmp_path / "zero.avi"
    with av.open(str(p), "w") as c:
        s = c.add_stream("mpeg4", rate=25)
        s.width = s.height = 64
        c.start_encoding()
    assert "no video frames" in _error(p)


def test_unsupported_codec(tmp_path):
    p = write_indexed_clip(tmp_path / "a.avi", 10, codec="mpeg4", bframes=0)
    data = p.read_bytes()
    assert data.count(b"FMP4") >= 1
    p.write_bytes(data.replace(b"FMP4", b"QQQQ"))  # a fourcc no decoder knows
    assert "not supported" in _error(p)


@pytest.mark.parametrize("codec", ["mpeg4", "mjpeg"])
def test_truncated_file_gives_readable_frames_and_a_warning(tmp_path, codec):
    full = write_indexed_clip(tmp_path / "full.avi", 60, codec=codec, bframes=0)
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.7)])
    with open_source(cut) as src:
        assert 30 <= len(src) < 60
        assert any("truncated" in w for w in src.warnings), src.warnings
        assert [read_index(src.frame(i)) for i in range(len(src) - 1, -1, -1)] == list(range(len(src)))[::-1]


def test_truncated_mkv_with_bframes_reads_increasing_frames(tmp_path):
    full = write_indexed_clip(tmp_path / "full.mkv", 60, codec="libx264", gop=12, bframes=2)
    cut = tmp_path / "cut.mkv"
    data = full.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with open_source(cut) as src:
        assert 20 < len(src) < 60
        assert any("truncated" in w for w in src.warnings), src.warnings
        got = [read_index(src.frame(i)) for i in range(len(src))]
        # frames whose B-frame packets were cut away are simply absent: the rest stay in order
        assert got[: len(src) - 3] == list(range(len(src) - 3))
        assert all(b > a >= 0 for a, b in zip(got, got[1:]))


def test_mp4_cut_before_its_index_is_an_error(tmp_path):
    full = write_indexed_clip(tmp_path / "full.mp4", 30)  # moov atom at the end
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[:-2000])
    assert "not a readable video" in _error(cut)
