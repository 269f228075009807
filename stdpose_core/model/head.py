"""The classic ViTPose decoder: two 4x4 stride-2 deconvolutions (+BN+ReLU) and a 1x1 conv.

``HeatmapHead(in_ch, K, channels)(x[B,in_ch,h,w]) -> heatmaps[B,K,4h,4w]``.
"""

from __future__ import annotations

import torch
from torch import nn


class HeatmapHead(nn.Module):
    def __init__(self, in_channels: int, num_joints: int, channels: int = 256):
        super().__init__()
        layers: list[nn.Module] = []
        c = in_channels
        for _ in range(2):
            layers += [
                nn.ConvTranspose2d(c, channels, kernel_size=4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(channels),
                nn.ReLU(inplace=True),
            ]
            c = channels
        self.deconv = nn.Sequential(*layers)
        self.final = nn.Conv2d(channels, num_joints, kernel_size=1)
        nn.init.normal_(self.final.weight, std=0.001)
        nn.init.zeros_(self.final.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.final(self.deconv(x))
