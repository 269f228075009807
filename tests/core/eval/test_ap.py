"""VOC all-points AP and AUROC against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.eval import auroc, voc_ap


def test_voc_ap_hand_computed():
    # ranked TP, FP, TP of 2 GT: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 -> envelope 1, 2/3
    assert voc_ap([0.9, 0.8, 0.7], [1, 0, 1], 2) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # FP ranked first: precision 0, 1/2 at recall 0, 1
    assert voc_ap([0.95, 0.9], [0, 1], 1) == pytest.approx(0.5)
    # a missed GT caps recall
    assert voc_ap([0.9], [1], 2) == pytest.approx(0.5)
    assert voc_ap([0.5, 0.6], [1, 1], 2) == pytest.approx(1.0)


def test_voc_ap_edge_cases():
    assert np.isnan(voc_ap([0.5], [0], 0))  # no GT for the joint
    assert voc_ap([], [], 3) == 0.0  # nothing predicted


def test_auroc_hand_computed():
    assert auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert np.isnan(auroc([0.1, 0.2], [1, 1]))
