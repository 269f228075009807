"""Detections container and the numpy YOLO pre/post-processing (letterbox, NMS, output decoding)."""

import numpy as np
import pytest

from stdpose_core.detection.base import Detections
from stdpose_core.detection.yolo_numpy import (
    box_iou,
    decode_end2end,
    decode_raw,
    letterbox,
    letterbox_shape,
    nms,
    to_blob,
    to_detections,
)


def test_detections_validates_shapes():
    d = Detections(np.zeros((2, 4)), np.ones(2), np.zeros((2, 17, 2)), np.ones((2, 17)))
    assert d.boxes.dtype == np.float32 and len(d) == 2 and d.has_keypoints
    with pytest.raises(ValueError, match="scores"):
        Detections(np.zeros((2, 4)), np.ones(3))
    with pytest.raises(ValueError, match="together"):
        Detections(np.zeros((1, 4)), np.ones(1), np.zeros((1, 17, 2)))
    with pytest.raises(ValueError, match="17"):
        Detections(np.zeros((1, 4)), np.ones(1), np.zeros((1, 13, 2)), np.ones((1, 13)))
    sel = d.select(np.array([1]))
    assert len(sel) == 1 and sel.keypoints.shape == (1, 17, 2)
    assert len(Detections.empty(True)) == 0 and Detections.empty().keypoints is None


def test_letterbox_shape_is_minimal_stride_rectangle():
    assert letterbox_shape((576, 768), 640) == (480, 640)
    assert letterbox_shape((240, 320), 640) == (480, 640)
    assert letterbox_shape((1080, 1920), 640) == (384, 640)
    assert letterbox_shape((100, 100), 640, square=True) == (640, 640)


@pytest.mark.parametrize("hw,input_hw", [((576, 768), (480, 640)), ((333, 500), (448, 640)), ((50, 30), (640, 640))])
def test_letterbox_maps_points_back_exactly(hw, input_hw):
    h, w = hw
    frame = np.zeros((h, w, 3), np.uint8)
    frame[h // 4, w // 3] = 255  # one bright pixel to find again
    img, lb = letterbox(frame, 640, input_hw)
    assert img.shape == input_hw + (3,)
    assert img[0, 0, 0] == 114 or (lb.pad_x == 0 and lb.pad_y == 0)
    # The frame corners map to the image area the resized frame occupies.
    corners = np.array([[lb.pad_x, lb.pad_y], [lb.pad_x + lb.gain_x * w, lb.pad_y + lb.gain_y * h]])
    np.testing.assert_allclose(lb.to_frame(corners), [[0, 0], [w, h]], atol=1e-4)
    assert abs(lb.gain_x - lb.gain_y) < 0.02  # aspect kept up to rounding


def test_to_blob_layout():
    imgs = [np.full((4, 6, 3), (0, 128, 255), np.uint8)] * 2
    blob = to_blob(imgs)
    assert blob.shape == (2, 3, 4, 6) and blob.dtype == np.float32
    np.testing.assert_allclose(blob[1, :, 0, 0], [0, 128 / 255, 1.0], rtol=1e-6)


def test_box_iou_hand_computed():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 10, 10]])
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0, 1]])


def test_nms_keeps_best_of_each_cluster():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60], [51, 50, 61, 60]], float)
    scores = np.array([0.6, 0.9, 0.5, 0.4])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert nms(boxes, scores, 0.95).tolist() == [1, 0, 2, 3]


def _raw_output(anchors):
    """[4 + 2 classes + 51, A] from a list of (cx, cy, w, h, person, other, kpt_xy)."""
    cols = []
    for cx, cy, w, h, p, o, kxy in anchors:
        k = np.concatenate([np.full((17, 2), kxy, np.float32), np.full((17, 1), 0.9, np.float32)], axis=1)
        cols.append(np.concatenate([[cx, cy, w, h, p, o], k.reshape(-1)]))
    return np.stack(cols, axis=1).astype(np.float32)


def test_decode_raw_filters_by_best_class_and_suppresses_duplicates():
    pred = _raw_output([
        (50, 50, 20, 40, 0.9, 0.1, 50),   # person
        (51, 50, 20, 40, 0.8, 0.1, 51),   # duplicate of the first
        (150, 50, 20, 40, 0.6, 0.7, 0),   # best class is 'other': dropped (as ultralytics does)
        (250, 50, 20, 40, 0.2, 0.0, 0),   # below conf
        (350, 60, 30, 40, 0.5, 0.0, 350),
    ])
    boxes, scores, kpts = decode_raw(pred, 2, 0, 17, conf=0.25, iou=0.7)
    np.testing.assert_allclose(scores, [0.9, 0.5])
    np.testing.assert_allclose(boxes[0], [40, 30, 60, 70])
    assert kpts.shape == (2, 17, 3) and kpts[1, 0, 0] == 350 and kpts[0, 0, 2] == pytest.approx(0.9)


def test_decode_end2end_and_mapping_to_frame():
    pred = np.zeros((3, 6 + 51), np.float32)
    pred[0, :6] = [10, 20, 110, 220, 0.8, 0]
    pred[1, :6] = [10, 20, 110, 220, 0.9, 3]  # another class
    pred[2, :6] = [0, 0, 5, 5, 0.1, 0]  # too weak
    boxes, scores, kpts = decode_end2end(pred, 0, 17, 0.25)
    assert len(boxes) == 1 and scores[0] == pytest.approx(0.8)
    _, lb = letterbox(np.zeros((240, 320, 3), np.uint8), 640, (480, 640))
    det = to_detections(boxes, scores, kpts, lb)
    np.testing.assert_allclose(det.boxes[0], [5, 10, 55, 110], atol=1e-4)
    assert det.keypoints.shape == (1, 17, 2)
