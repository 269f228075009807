"""``ImageFolderSource``: a FrameSource over a folder of images (PoseTrack layout ``000000.jpg …``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.video.base import FrameSource, Sink
from stdpose_core.video.buffers import bgr_to_owned_rgb
from stdpose_core.video.cache import DEFAULT_CACHE_BYTES

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
DEFAULT_FOLDER_FPS = 30.0


def natural_key(name: str) -> list:
    """Sort key that orders ``img2.png`` before ``img10.png``."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def _image_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` from the file header, without decoding the pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.size
    # Once ultralytics is imported it replaces Image.open with a wrapper that, for an unknown file,
    # tries to install pi-heif and raises ImportError: every failure here means "not an image".
    except (OSError, UnidentifiedImageError, ImportError, ValueError):
        raise InputError(path, "not a readable image") from None


class ImageFolderSource(FrameSource):
    """The jpg/png images directly inside ``folder``, in natural order; all must have one size."""

    def __init__(self, folder: str | Path, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True,
                 fps: float = DEFAULT_FOLDER_FPS):
        super().__init__(folder, cache_bytes, prefetch)
        if not self.path.is_dir():
            raise InputError(self.path, "folder not found")
        names = sorted((p.name for p in self.path.iterdir()
                        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()), key=natural_key)
        if not names:
            raise InputError(self.path, f"folder contains no images ({', '.join(IMAGE_SUFFIXES)})")
        self._names = names
        self._fps = float(fps)
        sizes = {}
        for n in names:
            sizes.setdefault(_image_size(self.path / n), n)
        if len(sizes) > 1:
            (s0, n0), (s1, n1) = list(sizes.items())[:2]
            raise InputError(self.path, f"images have different sizes: {n0} is {s0[0]}x{s0[1]}, "
                                        f"{n1} is {s1[0]}x{s1[1]}")
        self._size = next(iter(sizes))
        self._timestamps = np.arange(len(names), dtype=np.float64) / self._fps
        self._timestamps.flags.writeable = False

    def __len__(self) -> int:
        return len(self._names)

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def timestamps(self) -> np.ndarray:
        return self._timestamps

    @property
    def frame_names(self) -> list[str]:
        return list(self._names)

    def _read_run(self, start: int, stop: int, sink: Sink) -> None:
        import cv2

        for i in range(start, stop):
            path = self.path / self._names[i]
            bgr = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)  # raw pixels, as PIL reports the size
            if bgr is None:
                raise InputError(path, "cannot decode image")
            if (bgr.shape[1], bgr.shape[0]) != self._size:
                raise InputError(path, f"image size changed to {bgr.shape[1]}x{bgr.shape[0]}")
            if not sink(i, bgr_to_owned_rgb(bgr)):
                return
