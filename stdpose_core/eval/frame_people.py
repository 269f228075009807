"""Per-frame people of ground truth and prediction, aligned and ready to score.

Frames scored: frames where a GT person is present and that GT marks as labelled or where GT has
any labelled joint — exactly the frames a PoseTrack export lists people on, i.e. poseval's 'frames
with GT people'. Prediction frames are matched by image file name when both know them, else by index
(:func:`stdpose_core.io.frame_mapping`); predictions are converted to the GT skeleton. Joints the GT
skeleton never labels (PoseTrack18's ears) are left out. Points inside the frame's ignore regions
are dropped from both sides; people left without joints drop out there (as poseval does).

Normaliser ("head size"): ``0.6 * diagonal of the GT head box`` (poseval). When any scored GT person
lacks a head box, every person is normalised by the box instead: ``BOX_NORM_FACTOR * diagonal of the
GT person box`` (the box of its labelled joints when it has none). 0.125 is the median ratio of head
size to person-box diagonal on PoseTrack18 val people (range 0.09-0.17), so 'box' thresholds mean
about the same as head-size thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.boxes import joints_box
from stdpose_core.eval.point_in_polygon import inside_any
from stdpose_core.skeleton import convert_keypoints

HEAD_SIZE_FACTOR = 0.6
BOX_NORM_FACTOR = 0.125


@dataclass
class FramePeople:
    """One scored frame. G ground-truth and P predicted people, J evaluated joints.

    ``gt_xy[G,J,2]``, ``gt_has[G,J]``, ``norm[G]`` px, ``gt_ids[G]``; ``pr_xy[P,J,2]``,
    ``pr_has[P,J]``, ``pr_score[P,J]``, ``pr_ids[P]``. ``frame`` is the GT frame index,
    ``pred_frame`` the matching prediction frame (-1 = none).
    """

    frame: int
    gt_xy: np.ndarray
    gt_has: np.ndarray
    norm: np.ndarray
    gt_ids: np.ndarray
    pr_xy: np.ndarray
    pr_has: np.ndarray
    pr_score: np.ndarray
    pr_ids: np.ndarray
    pred_frame: int = -1


def scored_frames(gt: Project) -> np.ndarray:
    """GT frame indices that are scored (see module docstring)."""
    present = np.zeros(gt.num_frames, bool)
    joints = np.zeros(gt.num_frames, bool)
    for t in gt.tracks.values():
        present |= t.present()
        joints |= (t.vis > 0).any(axis=1)
    return np.flatnonzero(present & (gt.labeled.astype(bool) | joints))


def _stack(project: Project, tracks, frame: int, joints: np.ndarray, conv) -> tuple[np.ndarray, ...]:
    xs, hs, ss, ids = [], [], [], []
    for t in tracks:
        xy, vis, score = conv(t, frame)
        xs.append(xy[joints])
        hs.append(vis[joints] > 0)
        ss.append(score[joints])
        ids.append(t.track_id)
    j = len(joints)
    if not xs:
        return np.zeros((0, j, 2)), np.zeros((0, j), bool), np.zeros((0, j)), np.zeros(0, np.int64)
    return np.stack(xs).astype(np.float64), np.stack(hs), np.stack(ss).astype(np.float64), np.array(ids, np.int64)


def _norms(gt: Project, frames: np.ndarray) -> tuple[str, dict[tuple[int, int], float]]:
    head, box = {}, {}
    all_head = True
    for t in gt.tracks.values():
        labelled = (t.vis[frames] > 0).any(axis=1)
        hb, b = t.head_bbox[frames].astype(np.float64), t.bbox[frames].astype(np.float64)
        d = np.hypot(hb[:, 2] - hb[:, 0], hb[:, 3] - hb[:, 1])  # NaN without a head box
        if (labelled & ~(d > 0)).any():
            all_head = False
        for i in np.flatnonzero(labelled):
            f = int(frames[i])
            head[(f, t.track_id)] = HEAD_SIZE_FACTOR * float(d[i])
            bb = b[i] if np.isfinite(b[i]).all() else joints_box(t.xy[f], t.vis[f] > 0)
            box[(f, t.track_id)] = BOX_NORM_FACTOR * float(np.hypot(bb[2] - bb[0], bb[3] - bb[1]))
    return ("head", head) if all_head else ("box", box)


def collect(gt: Project, pred: Project) -> tuple[list[FramePeople], str, np.ndarray]:
    """Aligned people of every scored frame, the normaliser kind ('head' or 'box'), and the
    evaluated joint indices (of the GT skeleton)."""
    from stdpose_core.io.importing import frame_mapping

    joints = gt.skeleton.used_joints
    frames = scored_frames(gt)
    fmap = frame_mapping(pred, gt)
    kind, norms = _norms(gt, frames)

    def gt_conv(t, f):
        return t.xy[f], t.vis[f], t.score[f]

    same = pred.skeleton.name == gt.skeleton.name

    def pr_conv(t, f):
        if same:
            return t.xy[f], t.vis[f], t.score[f]
        xy, vis, score, _ = convert_keypoints(t.xy[f], t.vis[f], t.score[f], pred.skeleton, gt.skeleton)
        return xy, vis, score

    out = []
    for f in frames:
        f = int(f)
        gts = [t for _, t in sorted(gt.tracks.items()) if (t.vis[f] > 0).any()]
        g_xy, g_has, _, g_ids = _stack(gt, gts, f, joints, gt_conv)
        pf = int(fmap[f])
        prs = [t for _, t in sorted(pred.tracks.items()) if pf >= 0 and (t.vis[pf] > 0).any()]
        p_xy, p_has, p_score, p_ids = _stack(pred, prs, pf, joints, pr_conv)
        regions = gt.ignore_regions.get(f, [])
        if regions:
            g_has &= ~inside_any(g_xy.reshape(-1, 2), regions).reshape(g_has.shape)
            p_has &= ~inside_any(p_xy.reshape(-1, 2), regions).reshape(p_has.shape)
            keep_g, keep_p = g_has.any(axis=1), p_has.any(axis=1)
            g_xy, g_has, g_ids = g_xy[keep_g], g_has[keep_g], g_ids[keep_g]
            p_xy, p_has, p_score, p_ids = p_xy[keep_p], p_has[keep_p], p_score[keep_p], p_ids[keep_p]
        norm = np.array([norms.get((f, int(i)), np.nan) for i in g_ids], np.float64)
        out.append(FramePeople(f, g_xy, g_has, norm, g_ids, p_xy, p_has, p_score, p_ids, pf))
    return out, kind, joints
