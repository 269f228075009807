"""``ImageFolderSource``: a FrameSource over a folder of images (PoseTrack layout ``000000.jpg …``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.video.base import FrameSource, Sink
from stdpose_core.video.buffers import bgr_to_owned_gray, bgr_to_owned_rgb
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
    """The jpg/png images directly inside ``folder``, in natural order.

    A photo collection may hold images of different sizes (docs/adr/0006): ``size`` is then the
    largest width and height, ``frame_sizes`` gives each image's own ``(width, height)``, and every
    frame is padded with black at the right and bottom to ``size`` — pixel coordinates (0-based,
    from the top-left corner) stay those of the original image. ``warnings`` says so.
    """

    def __init__(self, folder: str | Path, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True,
                 fps: float = DEFAULT_FOLDER_FPS, pixels: str = "rgb", read_ahead: bool = False):
        super().__init__(folder, cache_bytes, prefetch, pixels, read_ahead)
        if not self.path.is_dir():
            raise InputError(self.path, "folder not found")
        names = sorted((p.name for p in self.path.iterdir()
                        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()), key=natural_key)
        if not names:
            raise InputError(self.path, f"folder contains no images ({', '.join(IMAGE_SUFFIXES)})")
        self._names = names
        self._fps = float(fps)
        self._sizes = [_image_size(self.path / n) for n in names]
        first = {}
        for n, wh in zip(names, self._sizes):
            first.setdefault(wh, n)
        self._size = (max(w for w, _ in self._sizes), max(h for _, h in self._sizes))
        if len(first) > 1:
            (s0, n0), (s1, n1) = list(first.items())[:2]
            self.warnings.append(f"images have different sizes: {n0} is {s0[0]}x{s0[1]}, {n1} is {s1[0]}x{s1[1]} "
                                 f"({len(first)} sizes); frames are padded to {self._size[0]}x{self._size[1]} at the right "
                                 "and bottom, pixel coordinates unchanged")
        self._timestamps = np.arange(len(names), dtype=np.float64) / self._fps
        self._timestamps.flags.writeable = False

    def reopened(self, pixels: str, cache_bytes: int) -> "ImageFolderSource":
        return ImageFolderSource(self.path, cache_bytes, fps=self._fps, pixels=pixels, read_ahead=True)

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

    @property
    def frame_sizes(self) -> list[tuple[int, int]] | None:
        """Each image's ``(width, height)`` when they differ, else None."""
        return list(self._sizes) if len(set(self._sizes)) > 1 else None

    def _read_run(self, start: int, stop: int, sink: Sink, pack_before: int | None = None) -> None:
        import cv2  # (images decode to RGB or gray directly: nothing to pack)

        for i in range(start, stop):
            path = self.path / self._names[i]
            bgr = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)  # raw pixels, as PIL reports the size
            if bgr is None:
                raise InputError(path, "cannot decode image")
            if (bgr.shape[1], bgr.shape[0]) != self._sizes[i]:
                raise InputError(path, f"image size changed to {bgr.shape[1]}x{bgr.shape[0]}")
            img = bgr_to_owned_rgb(bgr) if self.pixels == "rgb" else bgr_to_owned_gray(bgr)  # numpy-owned (video/buffers.py)
            if img.shape[:2] != (self._size[1], self._size[0]):
                padded = np.zeros((self._size[1], self._size[0]) + img.shape[2:], np.uint8)
                padded[: img.shape[0], : img.shape[1]] = img
                img = padded
            if not sink(i, img):
                return
