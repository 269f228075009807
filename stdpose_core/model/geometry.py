"""The crop geometry shared by training and inference: person box → 256x192 crop → 64x48 heatmap.

Conventions: pixels, 0-based, x right, y down; boxes are ``(x1, y1, x2, y2)`` image pixels; sizes are
``(height, width)``. A crop window is a 2x3 affine ``A`` mapping image pixels to crop pixels
(``p_crop = A @ [x, y, 1]``). The box is enlarged by 25% (``padding=1.25``) and widened or heightened
to the crop's aspect (w:h = 192:256 = 3:4) around its centre, so the person keeps its proportions.
Heatmap pixels are crop pixels divided by the stride (crop width / heatmap width = 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import cv2
import numpy as np

CROP_SIZE = (256, 192)
HEATMAP_SIZE = (64, 48)
PADDING = 1.25
#: Smallest side (image pixels) of the box a crop window is built from. A box of one labelled joint
#: (or a collapsed detector box) would otherwise give a window of a pixel or two: a crop of pure blur.
MIN_BOX_SIDE = 16.0


def union_box(boxes: Iterable[np.ndarray | None]) -> np.ndarray:
    """Smallest ``(x1,y1,x2,y2)`` float32 containing every finite box (None and NaN boxes are ignored).

    Raises ValueError when no box is finite.
    """
    b = [np.asarray(x, np.float64).reshape(4) for x in boxes if x is not None]
    b = np.asarray([x for x in b if np.isfinite(x).all()])
    if len(b) == 0:
        raise ValueError("no finite box to take the union of")
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()], np.float32)


def window_box(boxes: Iterable[np.ndarray | None], min_side: float = MIN_BOX_SIDE) -> np.ndarray | None:
    """The box a person's crop window is cut around: the union of ``boxes`` (the person's boxes on the
    frames that share one window, e.g. the two keyframes of a gap; None/NaN entries are skipped), each
    side grown to at least ``min_side`` pixels about its centre. ``(x1,y1,x2,y2)`` float64 image
    pixels, or None when no box is finite.

    Training (``training.dataset``), validation (``training.validate``) and propagation
    (``propagation.stdpose``) all build their windows from this box, so a degenerate box is cropped
    the same way everywhere.
    """
    try:
        box = union_box(boxes).astype(np.float64)
    except ValueError:
        return None
    c = (box[:2] + box[2:]) / 2
    half = np.maximum((box[2:] - box[:2]) / 2, min_side / 2)
    return np.concatenate([c - half, c + half])


def box_to_center_scale(
    box: np.ndarray, aspect: float = CROP_SIZE[1] / CROP_SIZE[0], padding: float = PADDING
) -> tuple[np.ndarray, np.ndarray]:
    """Box ``(x1,y1,x2,y2)`` → ``center[2]`` and window ``size[2]`` = ``(w, h)`` in image pixels.

    ``aspect`` is width/height of the window; the shorter side grows to match, then both sides are
    multiplied by ``padding``. Degenerate boxes get at least 1 pixel.
    """
    x1, y1, x2, y2 = np.asarray(box, np.float64).reshape(4)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    w, h = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    if w > aspect * h:
        h = w / aspect
    else:
        w = h * aspect
    return np.array([cx, cy]), np.array([w, h]) * padding


def crop_affine(
    center: np.ndarray,
    size: np.ndarray,
    out_size: tuple[int, int] = CROP_SIZE,
    rotation: float = 0.0,
    scale: float = 1.0,
) -> np.ndarray:
    """2x3 affine image → crop that maps the window ``center``/``size`` (w, h) onto ``out_size`` (H, W).

    Augmentation: ``rotation`` in degrees (counter-clockwise in the image as displayed), ``scale`` > 1
    zooms out (the window covers more of the image). The window centre maps to the crop centre
    ``(W/2, H/2)``.
    """
    oh, ow = out_size
    s = ow / (float(size[0]) * scale)
    t = np.deg2rad(rotation)
    c, sn = np.cos(t) * s, np.sin(t) * s
    # y points down, so a visually counter-clockwise rotation is [[c, s], [-s, c]] in pixel axes.
    lin = np.array([[c, sn], [-sn, c]])
    shift = np.array([ow / 2, oh / 2]) - lin @ np.asarray(center, np.float64)
    return np.concatenate([lin, shift[:, None]], axis=1)


def box_affine(
    box: np.ndarray, out_size: tuple[int, int] = CROP_SIZE, padding: float = PADDING,
    rotation: float = 0.0, scale: float = 1.0,
) -> np.ndarray:
    """2x3 affine image → crop for a person box (25% enlargement, crop aspect)."""
    center, size = box_to_center_scale(box, out_size[1] / out_size[0], padding)
    return crop_affine(center, size, out_size, rotation, scale)


def invert_affine(affine: np.ndarray) -> np.ndarray:
    """Inverse 2x3 affine (crop → image for a crop affine)."""
    return cv2.invertAffineTransform(np.asarray(affine, np.float64))


def transform_points(points: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine to ``points[..., 2]``; NaN stays NaN. Returns float32 of the same shape."""
    p = np.asarray(points, np.float64)
    a = np.asarray(affine, np.float64)
    return (p @ a[:, :2].T + a[:, 2]).astype(np.float32)


def crop(image: np.ndarray, affine: np.ndarray, out_size: tuple[int, int] = CROP_SIZE) -> np.ndarray:
    """Warp ``image (H, W[, C])`` into a crop of ``out_size`` (H, W); outside the image is black."""
    oh, ow = out_size
    return cv2.warpAffine(
        image, np.asarray(affine, np.float64), (ow, oh), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=0,
    )


def heatmap_stride(crop_size: tuple[int, int] = CROP_SIZE, heatmap_size: tuple[int, int] = HEATMAP_SIZE) -> float:
    """Crop pixels per heatmap pixel (4 for 256x192 → 64x48)."""
    return crop_size[1] / heatmap_size[1]


@dataclass(frozen=True)
class CropWindow:
    """One person's crop window: ``affine`` (2x3, image → crop) plus the crop and heatmap sizes.

    Propagation uses ONE window for the left keyframe, the right keyframe and every frame between
    them, so the keyframes' encoded features can be cached (see ``stdpose.STDPose.fuse``).
    """

    affine: np.ndarray
    crop_size: tuple[int, int] = CROP_SIZE
    heatmap_size: tuple[int, int] = HEATMAP_SIZE

    @classmethod
    def from_box(
        cls, box: np.ndarray, crop_size: tuple[int, int] = CROP_SIZE, heatmap_size: tuple[int, int] = HEATMAP_SIZE,
        padding: float = PADDING, rotation: float = 0.0, scale: float = 1.0,
    ) -> "CropWindow":
        return cls(box_affine(box, crop_size, padding, rotation, scale), tuple(crop_size), tuple(heatmap_size))

    @classmethod
    def around(
        cls, boxes: Iterable[np.ndarray | None], crop_size: tuple[int, int] = CROP_SIZE,
        heatmap_size: tuple[int, int] = HEATMAP_SIZE,
    ) -> "CropWindow | None":
        """The window of :func:`window_box` of ``boxes`` (no augmentation); None when no box is finite."""
        box = window_box(boxes)
        return None if box is None else cls.from_box(box, crop_size, heatmap_size)

    @property
    def inverse(self) -> np.ndarray:
        return invert_affine(self.affine)

    @property
    def stride(self) -> float:
        return heatmap_stride(self.crop_size, self.heatmap_size)

    def crop(self, image: np.ndarray) -> np.ndarray:
        """RGB ``(H, W, 3)`` frame → crop ``crop_size + (3,)``."""
        return crop(image, self.affine, self.crop_size)

    def image_to_crop(self, points: np.ndarray) -> np.ndarray:
        return transform_points(points, self.affine)

    def crop_to_image(self, points: np.ndarray) -> np.ndarray:
        return transform_points(points, self.inverse)

    def image_to_heatmap(self, points: np.ndarray) -> np.ndarray:
        """Image pixels ``[..., 2]`` → heatmap pixels."""
        return self.image_to_crop(points) / np.float32(self.stride)

    def heatmap_to_image(self, points: np.ndarray) -> np.ndarray:
        """Heatmap pixels ``[..., 2]`` → image pixels."""
        return self.crop_to_image(np.asarray(points, np.float32) * np.float32(self.stride))
