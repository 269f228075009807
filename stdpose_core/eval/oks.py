"""COCO OKS keypoint AP with pycocotools, on COCO dicts built in memory from two projects.

Built as pycocotools would see the files: images = the GT frames that carry annotation (labelled
or with people; every image of a COCO file), GT annotations = every GT person there with the
file's own ``area`` (the segmentation area, which sets the OKS scale; the box area only when the
file gave none), people without keypoints (ignored by pycocotools) and the file's crowd regions
(``iscrowd`` 1: detections on them are ignored, not false positives). Detections: the predicted
people of the matching frames (by image id for COCO results files, else by file name or index),
converted to the GT skeleton, scored by the results file's ``score`` or else the mean of their
joint scores. Sigmas: the GT skeleton's ``oks_sigmas``. PoseTrack ignore regions are not a COCO
notion and are not applied here.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.boxes import person_box
from stdpose_core.io.carry import carried_annotation, interop
from stdpose_core.io.jsonfile import is_finite_number
from stdpose_core.skeleton import convert_keypoints


def _image_ids(gt: Project, frames: np.ndarray) -> list:
    """The GT file's own COCO image ids where it has them (pycocotools orders images by id, which
    decides ties between equal detection scores), else 1, 2, ..."""
    if interop(gt, "coco"):
        from stdpose_core.io.coco import frame_image_ids

        ids = frame_image_ids(gt)
        chosen = [ids[int(f)] for f in frames]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in chosen) and len(set(chosen)) == len(chosen):
            return chosen
    return list(range(1, len(frames) + 1))


def _gt_annotations(gt: Project, frames: np.ndarray, ids: list) -> tuple[list, list]:
    images, anns = [], []
    crowd = interop(gt, "coco").get("other") or {}
    for i, f in enumerate(frames):
        f = int(f)
        images.append({"id": ids[i], "file_name": str(f), "width": 0, "height": 0})
        for t in gt.tracks_at(f):
            has = t.vis[f] > 0
            box = person_box(t, f)
            x1, y1, x2, y2 = (0.0, 0.0, 0.0, 0.0) if box is None else (float(v) for v in box)
            kp = np.concatenate([np.where(has[:, None], t.xy[f], 0), np.where(has, 2, 0)[:, None]], axis=1)
            area = carried_annotation(t, f).get("area")
            if not is_finite_number(area):
                area = max((x2 - x1) * (y2 - y1), 1.0)
            anns.append({"id": len(anns) + 1, "image_id": ids[i], "category_id": 1, "iscrowd": 0,
                         "keypoints": kp.ravel().tolist(), "num_keypoints": int(has.sum()),
                         "bbox": [x1, y1, x2 - x1, y2 - y1], "area": float(area)})
        for c in crowd.get(str(f), []):
            if c.get("iscrowd") in (1, True) and isinstance(c.get("bbox"), list) and len(c["bbox"]) == 4 and is_finite_number(c.get("area")):
                k = gt.num_joints
                kp = c.get("keypoints") if isinstance(c.get("keypoints"), list) and len(c["keypoints"]) == 3 * k else [0] * (3 * k)
                anns.append({"id": len(anns) + 1, "image_id": ids[i], "category_id": 1, "iscrowd": 1, "keypoints": kp,
                             "num_keypoints": int(c.get("num_keypoints", 0) or 0), "bbox": [float(v) for v in c["bbox"]],
                             "area": float(c["area"])})
    return images, anns


def _detections(gt: Project, pred: Project, frames: np.ndarray, ids: list) -> list:
    from stdpose_core.io.importing import frame_mapping
    from stdpose_core.io.results import person_score

    fmap = frame_mapping(pred, gt)
    same = pred.skeleton.joint_names == gt.skeleton.joint_names
    dets = []
    for i, f in enumerate(frames):
        pf = int(fmap[int(f)])
        if pf < 0:
            continue
        for t in pred.tracks_at(pf):
            xy, vis = t.xy[pf], t.vis[pf]
            if not same:
                xy, vis, _, _ = convert_keypoints(xy, vis, t.score[pf], pred.skeleton, gt.skeleton)
            has = vis > 0
            if not has.any():
                continue
            kp = np.concatenate([np.where(has[:, None], xy, 0), has[:, None].astype(np.float64)], axis=1)
            dets.append({"image_id": ids[i], "category_id": 1, "keypoints": kp.ravel().tolist(), "score": person_score(t, pf)})
    return dets


def oks_ap(gt: Project, pred: Project) -> float:
    """COCO keypoint AP (IoU=.50:.95, ``stats[0]``) in [0, 1] (module docstring). NaN when GT has
    no person with keypoints; 0 when nothing was predicted."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    present = np.zeros(gt.num_frames, bool)
    for t in gt.tracks.values():
        present |= t.present()
    frames = np.flatnonzero(present | gt.labeled.astype(bool))
    ids = _image_ids(gt, frames)
    images, anns = _gt_annotations(gt, frames, ids)
    if not any(a["num_keypoints"] and not a["iscrowd"] for a in anns):
        return float("nan")
    dets = _detections(gt, pred, frames, ids)
    if not dets:
        return 0.0
    sk = gt.skeleton
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {"images": images, "annotations": anns,
                           "categories": [{"id": 1, "name": "person", "keypoints": list(sk.joint_names),
                                           "skeleton": [[a + 1, b + 1] for a, b in sk.edges]}]}
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dets)
        ev = COCOeval(coco_gt, coco_dt, "keypoints")
        ev.params.kpt_oks_sigmas = np.array(sk.oks_sigmas, np.float64)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])
