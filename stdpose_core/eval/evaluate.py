"""``evaluate``: all metrics of a prediction against ground truth, with the keys of CLI.md."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project
from stdpose_core.errors import StdposeError
from stdpose_core.eval.frame_people import collect
from stdpose_core.eval.pck import JointErrors, errors_from_matches
from stdpose_core.eval.poseval import official_ap, posetrack_ap
from stdpose_core.eval.report import table

METRICS = ("posetrack-map", "pck", "oks")


def joint_errors(gt: Project, pred: Project) -> JointErrors:
    """Per-joint pixel errors of ``pred`` on every scored GT joint, people paired as poseval pairs
    them (see :class:`~stdpose_core.eval.pck.JointErrors`; unpacks as ``err_px, norm, valid``)."""
    frames, kind, joints = collect(gt, pred)
    res = posetrack_ap(frames, joints)
    return errors_from_matches(frames, res.matches, joints, kind)


def evaluate(gt: Project, pred: Project, metric: str = "posetrack-map", labelled_only: bool = False) -> dict:
    """Score ``pred`` against ``gt`` (one video: :func:`evaluate_videos` of one pair).

    By default the PoseTrack figures equal poseval's: a joint the GT never labels (e.g. the nose
    of a clip whose annotators skipped it) scores 0 and counts in the means. ``labelled_only``
    leaves such joints out instead (NaN; the figure of earlier versions). Both means are returned
    (``map_official``, ``map_labelled_only``) and ``not_labelled`` names those joints.

    Keys (CLI.md): ``map`` (PoseTrack mAP, poseval-equivalent, x100), ``pckh05``/``pckh02`` (PCK at
    0.5/0.2 normaliser, %), ``mean_px`` (mean error of predicted GT joints, px), ``norm`` ('head' or
    'box', see :mod:`stdpose_core.eval.frame_people`), ``table`` {Head..Ankle, Mean}: per-joint AP for
    ``posetrack-map`` and ``oks``, per-joint PCK@0.5 for ``pck``; with ``oks`` also ``oks_ap``
    (COCO AP in [0, 1]). Extra keys: ``metric``, ``ap`` and ``pck05`` per joint name, ``frames``,
    ``gt_people``, ``pred_people``, ``predicted_fraction``. NaN where nothing can be scored.
    """
    return evaluate_videos([(gt, pred)], metric, labelled_only)


def evaluate_videos(pairs: list[tuple[Project, Project]], metric: str = "posetrack-map", labelled_only: bool = False) -> dict:
    """Score several videos' ``(gt, pred)`` pairs as one: their frames pooled in the given order, as
    poseval pools the sequences of a folder (per-joint AP over all (score, TP) pairs, not a mean of
    per-video figures). Keys as :func:`evaluate`; ``norm`` is 'mixed' when some videos are scored by
    head size and others by person box. COCO OKS AP needs one pair (score a merged COCO file)."""
    if metric not in METRICS:
        raise StdposeError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    if not pairs:
        raise StdposeError("nothing to score: no (ground truth, prediction) pair")
    if metric == "oks" and len(pairs) > 1:
        raise StdposeError("COCO OKS AP scores one file pair; for a dataset, score its merged COCO export "
                           "(stdpose dataset export --format coco)")
    gt = pairs[0][0]
    frames, kinds = [], set()
    for g, p in pairs:
        if g.skeleton.name != gt.skeleton.name:
            raise StdposeError(f"ground truth of {g.video.path} uses the {g.skeleton.name} skeleton, "
                               f"the first video's {gt.skeleton.name}: score them apart")
        video_frames, kind, joints = collect(g, p)
        frames += video_frames
        kinds.add(kind)
    kind = kinds.pop() if len(kinds) == 1 else "mixed"
    res = posetrack_ap(frames, joints)
    je = errors_from_matches(frames, res.matches, joints, kind)
    names = [gt.skeleton.joint_names[j] for j in joints]
    pck05 = je.pck_per_joint(0.5)
    official = official_ap(res) if frames else res.ap
    ap_values = res.ap if labelled_only else official
    ap_table = table(ap_values, joints, gt.skeleton)
    out = {
        "metric": metric,
        "rule": "labelled-only" if labelled_only else "poseval",
        "map": ap_table["Mean"],
        "map_official": table(official, joints, gt.skeleton)["Mean"],
        "map_labelled_only": table(res.ap, joints, gt.skeleton)["Mean"],
        "not_labelled": [n for n, g in zip(names, res.num_gt) if g == 0] if frames else [],
        "pckh05": je.pck(0.5),
        "pckh02": je.pck(0.2),
        "mean_px": je.mean_px(),
        "norm": kind,
        "table": table(pck05, joints, gt.skeleton) if metric == "pck" else ap_table,
        "ap": dict(zip(names, map(float, ap_values))),
        "pck05": dict(zip(names, map(float, pck05))),
        "frames": len(frames),
        "gt_people": int(sum(len(fp.gt_ids) for fp in frames)),
        "pred_people": int(sum(len(fp.pr_ids) for fp in frames)),
        "predicted_fraction": je.predicted_fraction(),
        "pred_frames_matched": int(sum(1 for fp in frames if fp.pred_frame >= 0)),
    }
    if metric == "oks":
        from stdpose_core.eval.oks import oks_ap

        out["oks_ap"] = oks_ap(*pairs[0])
    return out


def nan_to_none(obj):
    """JSON-safe copy of a result (NaN → None)."""
    if isinstance(obj, dict):
        return {k: nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, float) and np.isnan(obj):
        return None
    return obj
