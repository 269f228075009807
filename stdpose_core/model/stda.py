"""SpatioTemporal Dynamics Aggregation (STDA, STDPOSE.md Sec. 3.2).

The masked merged heatmaps ``H~ * M`` ``[B,K,4h,4w]`` are concatenated (channel-wise, on the patch
grid) with the fused feature ``F~[B,hw,D]`` and patch-embedded into heatmap tokens with a position
embedding (``Ĥ[B,hw,D]``). Pose Aggregation blocks then refine Ĥ — each block is pre-LayerNorm
self-attention, cross-attention from the heatmap tokens (queries) to the fused features (keys and
values), and an FFN — and the classic head upsamples the result to the final heatmaps ``[B,K,4h,4w]``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from timm.layers import Mlp
from torch import nn

from stdpose_core.model.head import HeatmapHead


class Attention(nn.Module):
    """Multi-head attention of ``query[B,N,D]`` over ``context[B,M,D]`` (self-attention when equal).

    Written on ``scaled_dot_product_attention`` so it exports to ONNX the same way as timm's blocks.
    """

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, query: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, n, d = query.shape
        m = context.shape[1]
        q = self.q(query).reshape(b, n, self.heads, d // self.heads).transpose(1, 2)
        k, v = self.kv(context).reshape(b, m, 2, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class PoseAggregationBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm_self = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, heads)
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.cross_attn = Attention(dim, heads)
        self.norm_ffn = nn.LayerNorm(dim)
        self.ffn = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``x[B,N,D]`` heatmap tokens, ``context[B,M,D]`` fused features → ``[B,N,D]``."""
        h = self.norm_self(x)
        x = x + self.self_attn(h, h)
        x = x + self.cross_attn(self.norm_q(x), self.norm_kv(context))
        return x + self.ffn(self.norm_ffn(x))


class SpatioTemporalDynamicsAggregation(nn.Module):
    def __init__(
        self, num_joints: int, dim: int, grid: tuple[int, int], depth: int, heads: int,
        head_channels: int, mlp_ratio: float = 4.0,
    ):
        super().__init__()
        self.grid = grid
        self.heat_embed = nn.Conv2d(num_joints, dim, kernel_size=4, stride=4)  # heatmap px → patch grid
        self.merge = nn.Linear(2 * dim, dim)
        self.pos = nn.Parameter(torch.zeros(1, grid[0] * grid[1], dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.blocks = nn.ModuleList([PoseAggregationBlock(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = HeatmapHead(dim, num_joints, head_channels)

    def forward(self, masked_heatmaps: torch.Tensor, fused: torch.Tensor) -> torch.Tensor:
        """``masked_heatmaps[B,K,4h,4w]``, ``fused[B,hw,D]`` → final heatmaps ``[B,K,4h,4w]``."""
        heat_tokens = self.heat_embed(masked_heatmaps).flatten(2).transpose(1, 2)  # [B,hw,D]
        x = self.merge(torch.cat([heat_tokens, fused], dim=-1)) + self.pos
        for block in self.blocks:
            x = block(x, fused)
        x = self.norm(x)
        b, n, d = x.shape
        return self.head(x.transpose(1, 2).reshape(b, d, *self.grid))
