"""The packaged YOLO11n-pose on real images: torch vs onnxruntime parity, and a real clip end to end
(JHMDB goalkeeper: one person found on ≥ 95% of frames, box IoU ≥ 0.6 median, one track id)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.detection import create_detector, detect_job
from stdpose_core.detection.yolo_numpy import box_iou
from stdpose_core.progress import run_to_completion
from stdpose_core.skeleton import POSETRACK18

pytestmark = pytest.mark.slow


def read_rgb(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert img is not None, path
    return np.ascontiguousarray(img[..., ::-1])


class ImageFiles:
    """Frames from image files (test adapter in place of ``stdpose_core.video.open_source``)."""

    def __init__(self, paths):
        self.paths = list(paths)

    def __len__(self):
        return len(self.paths)

    def frame(self, i):
        return read_rgb(self.paths[i])


def test_torch_and_onnx_agree(shared_data, yolo_pose_weights, device):
    images = [read_rgb(p) for p in sorted((shared_data / "coco_samples").glob("*.jpg"))]
    images += [read_rgb(shared_data / "jhmdb_goalkeeping" / "frames" / "00010.png")]
    torch_det = create_detector(yolo_pose_weights, device=device, runtime="torch")
    onnx_det = create_detector(yolo_pose_weights, device=device, runtime="onnx")
    found = 0
    for img in images:
        a, b = torch_det.detect([img])[0], onnx_det.detect([img])[0]
        assert len(a) == len(b)
        found += len(a)
        np.testing.assert_allclose(a.scores, b.scores, atol=2e-3)
        np.testing.assert_allclose(a.boxes, b.boxes, atol=0.5)
        np.testing.assert_allclose(a.keypoints, b.keypoints, atol=0.5)
        np.testing.assert_allclose(a.keypoint_scores, b.keypoint_scores, atol=2e-3)
    assert found >= len(images)  # the samples do show people
    # A batch of same-size frames gives the per-frame answers.
    frames = [read_rgb(shared_data / "jhmdb_goalkeeping" / "frames" / f"{i:05d}.png") for i in (1, 20, 40)]
    for one, many in zip([onnx_det.detect([f])[0] for f in frames], onnx_det.detect(frames)):
        np.testing.assert_allclose(one.boxes, many.boxes, atol=0.05)


def _gt_boxes(gt_file: Path) -> dict[str, np.ndarray]:
    """file_name → GT person box x1y1x2y2 (the file's boxes are COCO x, y, w, h)."""
    data = json.loads(gt_file.read_text())
    names = {im["id"]: im["file_name"] for im in data["images"]}
    out = {}
    for a in data["annotations"]:
        x, y, w, h = a["bbox"]
        out[names[a["image_id"]]] = np.array([x, y, x + w, y + h])
    return out


def test_goalkeeper_clip_one_person_one_id(shared_data, yolo_pose_weights, device):
    root = shared_data / "jhmdb_goalkeeping"
    gt = _gt_boxes(root / "gt_posetrack18.json")
    names = sorted(gt)
    project = Project(POSETRACK18, VideoInfo(str(root / "frames"), len(names), 320, 240, 30.0, names))
    detector = create_detector(yolo_pose_weights, device=device)
    edit = run_to_completion(detect_job(project, ImageFiles(root / n for n in names), detector))
    edit.apply(project)
    assert len(project.tracks) == 1, f"expected one track id for the clip, got {sorted(project.tracks)}"
    track = next(iter(project.tracks.values()))
    has_box = np.isfinite(track.bbox).all(axis=1)
    assert has_box.mean() >= 0.95
    ious = [box_iou(track.bbox[f][None], gt[n][None])[0, 0] for f, n in enumerate(names) if has_box[f]]
    assert np.median(ious) >= 0.6, f"median IoU {np.median(ious):.2f}"
    # Pose pre-labels are there, as DETECTED joints on most frames.
    assert ((track.source == Source.DETECTED).sum(axis=1) >= 8).mean() >= 0.9
