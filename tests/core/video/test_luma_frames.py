"""Sources opened with ``pixels="gray"`` hand out the decoder's luma: the same frames, in gray, as
what an RGB decode followed by ``cv2.cvtColor(RGB2GRAY)`` gives (ADR 0022)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stdpose_core.video import open_source
from stdpose_core.video.buffers import STRETCH_LIMITED


def gray_of(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.int16)


@pytest.mark.parametrize("name", ["h264_mp4_gop12_b2", "hevc_mp4_gop10_b2", "mpeg4_avi_b2", "mjpeg_avi"])
def test_gray_frames_are_the_rgb_frames_in_gray(make_clip, name):
    path = make_clip(name)
    with open_source(path, prefetch=False) as rgb, open_source(path, prefetch=False, pixels="gray") as gray:
        assert gray.pixels == "gray" and rgb.pixels == "rgb"
        w, h = gray.size
        assert gray.frame_bytes == w * h and rgb.frame_bytes == 3 * w * h
        for i in (0, 1, 37, 36, 89, 5):  # forward, backward and a jump: the same index mapping as RGB
            g = gray.frame(i)
            assert g.shape == (h, w) and g.dtype == np.uint8 and g.flags.c_contiguous
            here = np.abs(g.astype(np.int16) - gray_of(rgb.frame(i))).mean()
            assert here < 2.5, f"{name} frame {i}: {here:.2f} grey levels from the RGB frame's gray"
            for j in (i - 1, i + 1):  # and it is that frame, not a neighbour
                if 0 <= j < len(rgb):
                    assert here < np.abs(g.astype(np.int16) - gray_of(rgb.frame(j))).mean()


def test_limited_range_luma_is_stretched_to_full_range():
    assert STRETCH_LIMITED[16] == 0 and STRETCH_LIMITED[235] == 255
    assert STRETCH_LIMITED[0] == 0 and STRETCH_LIMITED[255] == 255
    assert (np.diff(STRETCH_LIMITED.astype(int)) >= 0).all()


def test_image_folder_gray_frames_and_padding(tmp_path):
    rng = np.random.default_rng(0)
    big = rng.integers(0, 255, (40, 60, 3), np.uint8)
    small = rng.integers(0, 255, (30, 50, 3), np.uint8)
    cv2.imwrite(str(tmp_path / "a.png"), big)
    cv2.imwrite(str(tmp_path / "b.png"), small)
    with open_source(tmp_path, prefetch=False, pixels="gray") as src:
        a, b = src.frame(0), src.frame(1)
        assert a.shape == b.shape == (40, 60)
        np.testing.assert_array_equal(a, cv2.cvtColor(big, cv2.COLOR_BGR2GRAY))
        np.testing.assert_array_equal(b[:30, :50], cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        assert not b[30:].any() and not b[:, 50:].any()  # padded black, coordinates unchanged


def test_unknown_pixels_is_refused(make_clip):
    with pytest.raises(ValueError, match="pixels"):
        open_source(make_clip("h264_mp4_gop12_b2"), pixels="bgr")


def test_owned_luma_of_frames_in_other_formats():
    import av

    from stdpose_core.video.buffers import owned_luma

    rng = np.random.default_rng(1)
    rgb = cv2.GaussianBlur(rng.integers(0, 255, (48, 64, 3), np.uint8), (0, 0), 1.5)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")  # no luma plane: converted like an RGB source
    np.testing.assert_array_equal(owned_luma(frame), cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    for fmt in ("yuv420p", "yuv444p", "nv12", "yuvj420p"):
        luma = owned_luma(frame.reformat(format=fmt))
        assert luma.shape == (48, 64) and luma.flags.owndata
        assert np.abs(luma.astype(np.int16) - gray_of(rgb)).mean() < 2.5, fmt


def test_read_ahead_decodes_the_next_frames_while_the_reader_works(make_clip):
    path = make_clip("h264_mp4_gop12_b2")
    with open_source(path, prefetch=False, pixels="gray", read_ahead=True) as src:
        first = src.frame(0)
        assert src.wait_prefetch(10.0)
        ahead = [i for i in range(1, 40) if i in src.cache]
        assert len(ahead) >= 8  # decoded on the prefetch thread, before anyone asked for them
        assert src.frame(ahead[-1]).shape == first.shape
    with open_source(path, prefetch=False, pixels="gray") as plain:
        plain.frame(0)
        assert plain.wait_prefetch(1.0) and len(plain.cache) == 1  # without it: only what was asked
