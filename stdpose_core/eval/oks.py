"""COCO OKS keypoint AP with pycocotools, on COCO dicts built in memory from two projects."""

from __future__ import annotations

import contextlib
import io

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.boxes import joints_box
from stdpose_core.eval.frames import FramePeople


def _box(xy: np.ndarray, has: np.ndarray, bbox: np.ndarray) -> np.ndarray:
    if np.isfinite(bbox).all():
        return bbox
    box = joints_box(xy, has)
    return np.zeros(4) if box is None else box


def oks_ap(gt: Project, frames: list[FramePeople], joints: np.ndarray) -> float:
    """COCO keypoint AP (IoU=.50:.95, ``stats[0]``) in [0, 1] over the aligned frames.

    GT persons and predictions are those of :func:`stdpose_core.eval.frames.collect` (evaluated
    joints, ignore regions removed); the GT ``area`` is its person-box area. Sigmas: the GT
    skeleton's ``oks_sigmas`` of the evaluated ``joints``. A prediction's score is the mean of its joint scores. NaN when GT
    has no person; 0 when nothing was predicted.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, anns, dets = [], [], []
    for i, fp in enumerate(frames):
        images.append({"id": i + 1, "file_name": str(fp.frame), "width": 0, "height": 0})
        for g in range(len(fp.gt_ids)):
            has = fp.gt_has[g]
            t = gt.tracks[int(fp.gt_ids[g])]
            x1, y1, x2, y2 = (float(v) for v in _box(fp.gt_xy[g], has, t.bbox[fp.frame]))
            kp = np.concatenate([fp.gt_xy[g], np.where(has, 2, 0)[:, None]], axis=1)
            kp[~has, :2] = 0
            anns.append({"id": len(anns) + 1, "image_id": i + 1, "category_id": 1, "iscrowd": 0,
                         "keypoints": kp.ravel().tolist(), "num_keypoints": int(has.sum()),
                         "bbox": [x1, y1, x2 - x1, y2 - y1], "area": max((x2 - x1) * (y2 - y1), 1.0)})
        for p in range(len(fp.pr_ids)):
            has = fp.pr_has[p]
            kp = np.concatenate([np.where(has[:, None], fp.pr_xy[p], 0), has[:, None].astype(np.float64)], axis=1)
            dets.append({"image_id": i + 1, "category_id": 1, "keypoints": kp.ravel().tolist(),
                         "score": float(fp.pr_score[p][has].mean()) if has.any() else 0.0})
    if not anns:
        return float("nan")
    if not dets:
        return 0.0
    sigmas = np.array(gt.skeleton.oks_sigmas, np.float64)[joints]
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {"images": images, "annotations": anns,
                           "categories": [{"id": 1, "name": "person", "keypoints": [gt.skeleton.joint_names[j] for j in joints], "skeleton": []}]}
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dets)
        ev = COCOeval(coco_gt, coco_dt, "keypoints")
        ev.params.kpt_oks_sigmas = sigmas
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])
