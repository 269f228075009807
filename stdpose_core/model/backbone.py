"""Backbone: a timm VisionTransformer on the 256x192 crop, patch 16, no class token.

``ViTBackbone(config)(crops[B,3,H,W]) -> F[B,C,h,w]`` with ``(h, w) = config.grid_size`` (16x12) and
``C = config.embed_dim``: the patch tokens after the final LayerNorm, laid out as a feature map.
"""

from __future__ import annotations

import logging

import torch
from timm.models.vision_transformer import VisionTransformer
from torch import nn

from stdpose_core.errors import StdposeError
from stdpose_core.model.config import ModelConfig

log = logging.getLogger(__name__)


class ViTBackbone(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.grid = config.grid_size
        self.vit = VisionTransformer(
            img_size=config.img_size, patch_size=config.patch_size, num_classes=0, global_pool="",
            class_token=False, embed_dim=config.embed_dim, depth=config.depth, num_heads=config.num_heads,
            mlp_ratio=config.mlp_ratio, drop_path_rate=config.drop_path_rate,
        )
        if config.patch_padding:  # keeps the 16x12 grid (2 * padding < patch size)
            self.vit.patch_embed.proj.padding = (config.patch_padding, config.patch_padding)

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        tokens = self.vit.forward_features(crops)  # [B, h*w, C]
        b, _, c = tokens.shape
        return tokens.transpose(1, 2).reshape(b, c, *self.grid)

    def load_timm_pretrained(self, timm_name: str) -> None:
        """Initialise from timm's pretrained weights for ``timm_name`` (downloads: online users only).

        The position embedding is resampled to the 16x12 grid by timm's loader. Raises StdposeError
        when the download or the weight mapping fails.
        """
        import timm

        try:
            src = timm.create_model(
                timm_name, pretrained=True, num_classes=0, global_pool="", class_token=False,
                img_size=tuple(self.vit.patch_embed.img_size),
            )
        except Exception as e:  # noqa: BLE001 - network, unknown name, incompatible layout: all user-fixable
            raise StdposeError(f"cannot load timm pretrained weights {timm_name!r}: {e}") from None
        missing, unexpected = self.vit.load_state_dict(src.state_dict(), strict=False)
        if missing:
            raise StdposeError(f"timm weights {timm_name!r} do not fit the backbone: missing {missing[:5]}")
        log.info("backbone initialised from timm %s (%d unused keys)", timm_name, len(unexpected))
