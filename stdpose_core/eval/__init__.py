"""Metrics: PoseTrack per-joint AP (poseval-equivalent), PCK at any threshold, pixel error, COCO OKS AP.

``evaluate(gt, pred, metric)`` returns the keys of CLI.md; ``joint_errors(gt, pred)`` gives the
per-joint error arrays; ``auroc(scores, labels)`` for confidence calibration.
"""

from stdpose_core.eval.ap import voc_ap
from stdpose_core.eval.evaluate import METRICS, evaluate, joint_errors, nan_to_none
from stdpose_core.eval.frame_people import BOX_NORM_FACTOR, HEAD_SIZE_FACTOR, collect, scored_frames
from stdpose_core.eval.pck import JointErrors, auroc
from stdpose_core.eval.poseval import match_frame, posetrack_ap
from stdpose_core.eval.report import COLUMNS, format_table, table

__all__ = ["BOX_NORM_FACTOR", "COLUMNS", "HEAD_SIZE_FACTOR", "JointErrors", "METRICS", "auroc", "collect", "evaluate",
           "format_table", "joint_errors", "match_frame", "nan_to_none", "posetrack_ap", "scored_frames", "table", "voc_ap"]
