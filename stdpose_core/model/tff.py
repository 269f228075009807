"""Temporal Feature Fusion (TFF, STDPOSE.md Sec. 3.1).

The three frames' features (left, target, right; each ``[B,C,h,w]``) are projected to ``fuse_dim``,
get a learnable per-frame position embedding (one per frame and token position), are concatenated
into one ``[B,3hw,D]`` sequence and pass through cascaded transformer blocks (MHSA + FFN). An MLP
then aggregates the three encoded tokens of each position into the fused feature
``F~[B,hw,D]`` (token layout, row-major over the ``h x w`` grid).
"""

from __future__ import annotations

import torch
from timm.models.vision_transformer import Block
from torch import nn


class TemporalFeatureFusion(nn.Module):
    def __init__(self, in_dim: int, dim: int, num_tokens: int, depth: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.proj = nn.Linear(in_dim, dim)
        self.pos = nn.Parameter(torch.zeros(3, num_tokens, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.aggregate = nn.Sequential(nn.Linear(3 * dim, dim), nn.GELU(), nn.Linear(dim, dim))

    def forward(self, left: torch.Tensor, target: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        """``[B,C,h,w]`` x3 → ``F~[B,hw,D]``."""
        seq = torch.stack([left, target, right], dim=1)  # [B,3,C,h,w]
        b, t, c = seq.shape[:3]
        tokens = self.proj(seq.flatten(3).transpose(2, 3)) + self.pos  # [B,3,N,D]
        n, d = tokens.shape[2:]
        x = self.norm(self.blocks(tokens.reshape(b, t * n, d))).reshape(b, t, n, d)
        return self.aggregate(x.permute(0, 2, 1, 3).reshape(b, n, t * d))
