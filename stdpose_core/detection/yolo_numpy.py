"""Pre- and post-processing of YOLO detect/pose networks in numpy (for runtimes without ultralytics).

Conventions follow the ultralytics predictor so both runtimes give the same boxes: the frame is
resized keeping its aspect ratio to fit ``imgsz`` and padded (value 114) on both sides to the next
multiple of the stride ("minimum rectangle" letterbox); raw outputs are
``[B, 4 + C + 3K, A]`` (centre-x, centre-y, width, height in input pixels, C class scores, K keypoints
as x, y, sigmoid score; some pose models have no keypoint score), or ``[B, D, 6 + 3K]`` (x1, y1, x2, y2, score, class, keypoints) for
end-to-end models that already suppressed duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from stdpose_core.detection.base import Detections

PAD_VALUE = 114


@dataclass(frozen=True)
class Letterbox:
    """How a frame maps into the network input: ``input = frame * gain + pad`` per axis (pixels)."""

    gain_x: float
    gain_y: float
    pad_x: int
    pad_y: int
    frame_w: int
    frame_h: int

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Map input-pixel points ``[..., 2]`` back to frame pixels (not clipped)."""
        out = np.asarray(xy, np.float32).copy()
        out[..., 0] = (out[..., 0] - self.pad_x) / self.gain_x
        out[..., 1] = (out[..., 1] - self.pad_y) / self.gain_y
        return out


def letterbox_shape(frame_hw: tuple[int, int], imgsz: int, stride: int = 32, square: bool = False) -> tuple[int, int]:
    """Network input ``(height, width)`` for a frame: the smallest stride multiple holding the
    resized frame, or ``imgsz x imgsz`` when ``square``."""
    if square:
        return imgsz, imgsz
    h, w = frame_hw
    r = min(imgsz / h, imgsz / w)
    nh, nw = max(round(h * r), 1), max(round(w * r), 1)
    return int(np.ceil(nh / stride) * stride), int(np.ceil(nw / stride) * stride)


def letterbox(frame: np.ndarray, imgsz: int, input_hw: tuple[int, int]) -> tuple[np.ndarray, Letterbox]:
    """Resize ``frame (H,W,3) uint8`` to fit ``imgsz`` and pad it centred into ``input_hw``.

    Returns the padded ``(h, w, 3) uint8`` image and its :class:`Letterbox` mapping.
    """
    h, w = frame.shape[:2]
    ih, iw = input_hw
    r = min(imgsz / h, imgsz / w, ih / h, iw / w)
    nh, nw = max(round(h * r), 1), max(round(w * r), 1)
    img = frame if (nh, nw) == (h, w) else cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_LINEAR)
    # The 0.1 nudges split an odd padding the same way as ultralytics (one more pixel bottom/right).
    top, left = round((ih - nh) / 2 - 0.1), round((iw - nw) / 2 - 0.1)
    out = cv2.copyMakeBorder(img, top, ih - nh - top, left, iw - nw - left, cv2.BORDER_CONSTANT, value=(PAD_VALUE,) * 3)
    return out, Letterbox(nw / w, nh / h, left, top, w, h)


def to_blob(images: list[np.ndarray]) -> np.ndarray:
    """Stack same-size ``(h,w,3) uint8 RGB`` images into the network input ``[B,3,h,w]`` float32 in [0,1]."""
    batch = np.stack(images).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(batch, dtype=np.float32) * np.float32(1 / 255)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix ``[N,M]`` of boxes ``a[N,4]`` and ``b[M,4]`` (x1,y1,x2,y2)."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression: indices of kept boxes, highest score first.

    A box is dropped when its IoU with a kept, higher-scoring box exceeds ``iou_threshold``.
    """
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while len(order):
        i = order[0]
        keep.append(int(i))
        if len(order) == 1:
            break
        ious = box_iou(boxes[i : i + 1], boxes[order[1:]])[0]
        order = order[1:][ious <= iou_threshold]
    return np.asarray(keep, np.int64)


def _kpts_xys(flat: np.ndarray, num_kpts: int, kpt_dim: int) -> np.ndarray:
    """``[N, K*dim]`` → ``[N, K, 3]`` (x, y, score); score 1 for models without keypoint scores."""
    k = flat.reshape(len(flat), num_kpts, kpt_dim)
    return k if kpt_dim == 3 else np.concatenate([k[..., :2], np.ones_like(k[..., :1])], axis=-1)


def decode_raw(
    pred: np.ndarray, num_classes: int, person_class: int, num_kpts: int, conf: float, iou: float, max_det: int = 300,
    kpt_dim: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Person boxes from one image's raw output ``[4 + C + dim*K, A]`` (input pixels).

    As ultralytics does, each anchor is labelled with its best class, and only anchors whose best
    class is ``person_class`` with a score above ``conf`` survive; then NMS at ``iou``.
    Returns ``boxes[N,4]`` x1y1x2y2, ``scores[N]``, ``kpts[N,K,3]`` (x, y, score) or None.
    """
    cls = pred[4 : 4 + num_classes]
    best = cls.argmax(axis=0)
    score = cls[best, np.arange(cls.shape[1])]
    idx = np.flatnonzero((score > conf) & (best == person_class))
    idx = idx[np.argsort(-score[idx], kind="stable")][:30000]
    cxcywh = pred[:4, idx].T
    boxes = np.concatenate([cxcywh[:, :2] - cxcywh[:, 2:] / 2, cxcywh[:, :2] + cxcywh[:, 2:] / 2], axis=1)
    keep = nms(boxes, score[idx], iou)[:max_det]
    kpts = None
    if num_kpts:
        kpts = _kpts_xys(pred[4 + num_classes : 4 + num_classes + kpt_dim * num_kpts, idx[keep]].T, num_kpts, kpt_dim)
    return boxes[keep], score[idx][keep], kpts


def decode_end2end(
    pred: np.ndarray, person_class: int, num_kpts: int, conf: float, kpt_dim: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Person boxes from one image's end-to-end output ``[D, 6 + dim*K]`` (already de-duplicated)."""
    keep = (pred[:, 4] > conf) & (np.round(pred[:, 5]) == person_class)
    p = pred[keep]
    kpts = _kpts_xys(p[:, 6 : 6 + kpt_dim * num_kpts], num_kpts, kpt_dim) if num_kpts else None
    return p[:, :4], p[:, 4], kpts


def to_detections(boxes: np.ndarray, scores: np.ndarray, kpts: np.ndarray | None, lb: Letterbox) -> Detections:
    """Map network-input boxes/keypoints back to frame pixels, clipped to ``[0, W] x [0, H]``."""
    b = lb.to_frame(np.asarray(boxes, np.float32).reshape(-1, 2, 2)).reshape(-1, 4)
    b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, lb.frame_w)
    b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, lb.frame_h)
    if kpts is None or kpts.shape[1] != 17:
        return Detections(b, scores)
    xy = lb.to_frame(kpts[..., :2])
    xy[..., 0] = np.clip(xy[..., 0], 0, lb.frame_w)
    xy[..., 1] = np.clip(xy[..., 1], 0, lb.frame_h)
    return Detections(b, scores, xy, kpts[..., 2])
