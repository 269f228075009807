"""Temporal Keypoints Synthesis (TKS, STDPOSE.md Sec. 3.1).

Given heatmaps ``H_l, H_t, H_r`` (each ``[B,K,H,W]``): (1) each keypoint's three maps are merged over
time by conv blocks shared across keypoints (grouped convs, one group per keypoint, so trajectories
stay independent); (2) all keypoints are merged spatially by convs across the K channels; (3) the
result is concatenated with the original sequence and a final conv block synthesises ``H~[B,K,H,W]``.

With a flow prior (``ModelConfig.flow_prior``) the sequence has a fourth map per joint, the prior
``P``, merged like the three frames; the caller adds ``P`` to the output (``H~ = P + TKS(...)``).
"""

from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class TemporalKeypointSynthesis(nn.Module):
    def __init__(self, num_joints: int, channels: int = 32, maps: int = 3):
        super().__init__()
        k = num_joints
        self.maps = maps
        per_joint = max(1, channels // 8)
        # [B, K*maps] grouped by joint → [B, K*per_joint] → [B, K]: temporal merge per keypoint.
        self.temporal = nn.Sequential(
            _block(maps * k, per_joint * k, groups=k), nn.Conv2d(per_joint * k, k, 3, padding=1, groups=k)
        )
        # Spatial merge across keypoints (the body's joint correlations).
        self.spatial = nn.Sequential(_block(k, channels), nn.Conv2d(channels, k, 3, padding=1))
        # Final synthesis from the merged maps and the original sequence.
        self.synth = nn.Sequential(_block((1 + maps) * k, channels), nn.Conv2d(channels, k, 3, padding=1))
        # Start from H~ = 0 (like the heads' near-zero init): a random H~ would start far above the
        # all-zero baseline error and the first steps would only undo it.
        nn.init.zeros_(self.synth[-1].weight)
        nn.init.zeros_(self.synth[-1].bias)

    def forward(self, left: torch.Tensor, target: torch.Tensor, right: torch.Tensor,
                prior: torch.Tensor | None = None) -> torch.Tensor:
        """``[B,K,H,W]`` x3 (x4 with ``prior``, exactly when built with ``maps=4``) → ``[B,K,H,W]``."""
        maps = [left, target, right] if prior is None else [left, target, right, prior]
        if len(maps) != self.maps:
            raise ValueError(f"TKS built for {self.maps} heatmap inputs, got {len(maps)}")
        seq = torch.stack(maps, dim=2)  # [B,K,maps,H,W]: joint-major for the groups
        b, k, t, h, w = seq.shape
        merged = self.temporal(seq.reshape(b, k * t, h, w))
        merged = merged + self.spatial(merged)
        return self.synth(torch.cat([merged, *maps], dim=1))
