"""Average precision the way poseval computes it (VOC all-points, monotone precision envelope)."""

from __future__ import annotations

import numpy as np


def voc_ap(scores: np.ndarray, labels: np.ndarray, num_gt: int) -> float:
    """AP in [0, 1] of detections ``scores[N]`` with true-positive ``labels[N]`` against ``num_gt``
    ground-truth items.

    Detections are ranked by descending score exactly like poseval (``argsort()[::-1]`` of the
    pooled float64 scores, so ties resolve identically for the same pooling order); precision is
    made monotone from the right and integrated over the recall steps. No ground truth → NaN; no
    detections → 0 (as poseval).
    """
    scores = np.asarray(scores, np.float64).ravel()
    labels = np.asarray(labels).ravel().astype(bool)
    if num_gt <= 0:
        return float("nan")
    if len(scores) == 0:
        return 0.0
    order = scores.argsort()[::-1]
    tp = np.cumsum(labels[order])
    precision = tp / np.arange(1, len(order) + 1, dtype=np.float64)
    # Recall in counts of GT (tp / num_gt) so that a perfect ranking sums to exactly 1.
    mrec = np.concatenate([[0], tp, [num_gt]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[i] - mrec[i - 1]) * mpre[i]) / num_gt)
