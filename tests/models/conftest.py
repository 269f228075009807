"""Shared builders for the model tests, exposed as fixtures (``make_batch``, ``spread``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stdpose_core.model.codec import encode_batch


def synthetic_batch(batch: int = 4, joints: int = 17, seed: int = 0, size=(64, 48)):
    """Random normalised crop triplets with Gaussian targets at random keypoints.

    Returns tensors ``left, target, right [B,3,256,192]``, ``heat_l, heat_r, gt [B,K,64,48]``,
    ``weight [B,K]`` (a few joints unlabelled).
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform([4, 4], [size[1] - 5, size[0] - 5], (batch, joints, 2)).astype(np.float32)
    vis = rng.choice([0, 1, 2], (batch, joints), p=[0.1, 0.2, 0.7])
    gt, weight = encode_batch(xy, vis, size)
    hl, _ = encode_batch(xy + rng.normal(0, 1.5, xy.shape), np.full_like(vis, 2), size)
    hr, _ = encode_batch(xy + rng.normal(0, 1.5, xy.shape), np.full_like(vis, 2), size)
    crops = [torch.from_numpy(rng.standard_normal((batch, 3, 256, 192)).astype(np.float32)) for _ in range(3)]
    t = torch.from_numpy
    return (*crops, t(hl), t(hr), t(gt), t(weight))


def spread_init(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Re-initialise the heads' and TKS's last convs so outputs are O(1) (their default init is ~0,
    which would make numerical comparisons vacuous)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("final.weight") or name == "tks.synth.1.weight":
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    return model


@pytest.fixture
def make_batch():
    return synthetic_batch


@pytest.fixture
def spread():
    return spread_init
