"""Dynamic-Aware Mask (DAM, STDPOSE.md Sec. 3.2).

Forward and backward pose residuals are heatmap differences (``H_t - H_l`` and ``H_t - H_r``); each
channel goes through the modified sigmoid ``Sig_m(x) = 1 / (1 + exp(-k (|x| - theta)))`` (k=1.5,
theta=0.5), the K channels are compressed to one by a 1x1 conv (shared by both directions), the two
maps are added with learned weights and a softmax over the spatial positions gives the mask.
The softmax is multiplied by ``H*W`` so the mask averages 1: ``H~ * M`` keeps the heatmap scale
instead of shrinking it by ~3000x (our choice; the paper does not say how it scales M).
"""

from __future__ import annotations

import torch
from torch import nn


def modified_sigmoid(x: torch.Tensor, k: float = 1.5, theta: float = 0.5) -> torch.Tensor:
    """``Sig_m(x, k, theta) = 1 / (1 + exp(-k (|x| - theta)))`` (Eq. 3); ``Sig_m(0) ≈ 0.32`` by default."""
    return torch.sigmoid(k * (x.abs() - theta))


class DynamicAwareMask(nn.Module):
    def __init__(self, num_joints: int, k: float = 1.5, theta: float = 0.5):
        super().__init__()
        self.k, self.theta = k, theta
        self.compress = nn.Conv2d(num_joints, 1, kernel_size=1)
        self.direction_weight = nn.Parameter(torch.ones(2))

    def forward(self, left: torch.Tensor, target: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        """Heatmaps ``[B,K,H,W]`` x3 → mask ``M[B,1,H,W]`` (positive, mean 1 over each map)."""
        fwd = self.compress(modified_sigmoid(target - left, self.k, self.theta))
        bwd = self.compress(modified_sigmoid(target - right, self.k, self.theta))
        logits = self.direction_weight[0] * fwd + self.direction_weight[1] * bwd
        b, _, h, w = logits.shape
        return torch.softmax(logits.reshape(b, 1, h * w), dim=-1).reshape(b, 1, h, w) * (h * w)
