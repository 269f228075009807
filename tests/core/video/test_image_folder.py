"""Image folders: natural order, jpg/png, exact pixels, mixed sizes and empty folders are errors."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from stdpose_core.errors import InputError
from stdpose_core.video import ImageFolderSource, open_source
from stdpose_core.video.indexed_clip import read_index, render_frame

SIZE = (96, 64)


def _write(folder, names, size=SIZE):
    folder.mkdir(exist_ok=True)
    frames = []
    for i, n in enumerate(names):
        rgb = render_frame(i, size)
        cv2.imwrite(str(folder / n), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        frames.append(rgb)
    return frames


def test_natural_order_names_and_exact_pixels(tmp_path):
    names = ["img1.png", "img2.png", "img10.png", "img11.PNG"]
    frames = _write(tmp_path / "f", names[::-1])  # written in another order: index i = names[::-1][i]
    (tmp_path / "f" / "notes.txt").write_text("ignored")
    with open_source(tmp_path / "f") as src:
        assert isinstance(src, ImageFolderSource)
        assert src.frame_names == names
        assert len(src) == 4 and src.size == SIZE and src.seek_exact
        np.testing.assert_allclose(src.timestamps, np.arange(4) / src.fps)
        for i, n in enumerate(names):
            np.testing.assert_array_equal(src.frame(i), frames[names[::-1].index(n)])


def test_posetrack_jpg_layout_with_prefetch(tmp_path):
    names = [f"{i:06d}.jpg" for i in range(30)]
    _write(tmp_path / "seq", names)
    with open_source(tmp_path / "seq") as src:
        src.set_position(10)
        assert src.wait_prefetch(10)
        assert all(i in src.cache for i in range(5, 20))
        assert [read_index(src.frame(i)) for i in range(29, -1, -1)] == list(range(29, -1, -1))


def test_mixed_sizes_are_padded_and_said(tmp_path):
    # issue 15 item 7: photo collections have images of different sizes; once an error, now padded
    # at the right/bottom (pixel coordinates unchanged) with the sizes per frame and a warning
    _write(tmp_path / "m", ["000000.jpg", "000001.jpg"])
    _write(tmp_path / "m", ["000002.jpg"], size=(100, 64))
    with open_source(tmp_path / "m") as src:
        assert any(re.search("different sizes.*96x64.*100x64", w) for w in src.warnings)
        assert src.size == (100, 64) and src.frame_sizes == [(96, 64), (96, 64), (100, 64)]
        small = src.frame(0)
        assert small.shape == (64, 100, 3) and not small[:, 96:].any() and small[:, :96].any()


def test_empty_folder_and_unreadable_image(tmp_path):
    (tmp_path / "e").mkdir()
    with pytest.raises(InputError, match="no images"):
        open_source(tmp_path / "e")
    _write(tmp_path / "b", ["000000.png"])
    (tmp_path / "b" / "000001.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="000001.png: not a readable image"):
        open_source(tmp_path / "b")
