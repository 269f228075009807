"""The full STDPose network (STDPOSE.md Sec. 3), split into two stages so keyframes can be cached.

Naming: the *target* frame is the paper's key frame ``I_t`` (the frame whose pose is estimated);
*left* and *right* are the auxiliary frames ``I_l``, ``I_r`` — in the annotation tool these are the two
labelled keyframes around a gap. All three crops use the same crop window.

Stages (all tensors float32, B = batch of person-frames):

* ``encode_frame(crops[B,3,256,192]) -> (F[B,C,16,12], H[B,K,64,48])``: backbone + classic head.
  Run once per (keyframe, person) for the auxiliary frames and once per target frame.
* ``fuse(target_feat, target_heat, left_feat, left_heat, right_feat, right_heat) -> heatmaps[B,K,64,48]``:
  TFF + TKS + DAM + STDA. In *propagation* mode ``left_heat``/``right_heat`` are Gaussians rendered
  from the labelled keypoints (``codec.encode``; zeros for unlabelled joints); in *estimation* mode
  they are the ``H`` that ``encode_frame`` returned for those frames.
  With ``config.flow_prior`` a seventh input ``prior_heat[B,K,64,48]`` is required: the ``flow``
  method's joints for the target frame rendered like the keyframe labels (zeros where flow has no
  estimate). The network then outputs ``prior + correction`` and starts from ``correction = 0``
  (ADR 0017).

``forward`` (training) runs both stages and returns every intermediate the loss needs.
"""

from __future__ import annotations

import torch
from torch import nn

from stdpose_core.model.backbone import ViTBackbone
from stdpose_core.model.config import ModelConfig
from stdpose_core.model.dam import DynamicAwareMask
from stdpose_core.model.head import HeatmapHead
from stdpose_core.model.stda import SpatioTemporalDynamicsAggregation
from stdpose_core.model.tff import TemporalFeatureFusion
from stdpose_core.model.tks import TemporalKeypointSynthesis


class STDPose(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        c = config
        self.config = c
        grid = c.grid_size
        self.backbone = ViTBackbone(c)
        self.head = HeatmapHead(c.embed_dim, c.num_joints, c.head_channels)
        self.tff = TemporalFeatureFusion(c.embed_dim, c.fuse_dim, grid[0] * grid[1], c.tff_depth, c.fuse_heads, c.mlp_ratio)
        self.tks = TemporalKeypointSynthesis(c.num_joints, c.tks_channels, maps=4 if c.flow_prior else 3)
        self.dam = DynamicAwareMask(c.num_joints, c.dam_k, c.dam_theta) if c.dam_enabled else None
        self.stda = SpatioTemporalDynamicsAggregation(
            c.num_joints, c.fuse_dim, grid, c.stda_depth, c.fuse_heads, c.head_channels, c.mlp_ratio
        )
        if c.flow_prior:  # the correction of the prior starts at zero: untrained output = flow's joints
            nn.init.zeros_(self.stda.head.final.weight)
            nn.init.zeros_(self.stda.head.final.bias)
        # Variational decoder q(y | F~) of the MI objective (ADR 0002); used by the loss only.
        self.mi_head = HeatmapHead(c.fuse_dim, c.num_joints, c.head_channels) if c.mi_enabled else None

    # ------------------------------------------------------------------ stages
    def encode_frame(self, crops: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised crops ``[B,3,H,W]`` → features ``F[B,C,h,w]`` and heatmaps ``H[B,K,4h,4w]``."""
        feat = self.backbone(crops)
        return feat, self.head(feat)

    def fuse(
        self,
        target_feat: torch.Tensor,
        target_heat: torch.Tensor,
        left_feat: torch.Tensor,
        left_heat: torch.Tensor,
        right_feat: torch.Tensor,
        right_heat: torch.Tensor,
        prior_heat: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Final heatmaps ``[B,K,4h,4w]`` for the target frames (see the module docstring)."""
        return self._fuse(target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat)["heatmaps"]

    def _fuse(self, target_feat, target_heat, left_feat, left_heat, right_feat, right_heat,
              prior_heat=None) -> dict[str, torch.Tensor]:
        if self.config.flow_prior and prior_heat is None:
            raise ValueError("this model has flow_prior: pass prior_heat (flow's joints rendered as heatmaps)")
        if not self.config.flow_prior:
            prior_heat = None
        fused = self.tff(left_feat, target_feat, right_feat)  # F~ [B,hw,D]
        merged = self.tks(left_heat, target_heat, right_heat, prior_heat)  # H~ [B,K,H,W]
        if prior_heat is not None:
            merged = merged + prior_heat
        if self.dam is not None:
            # With a prior, the motion residuals are taken against it: it is a clean Gaussian where the
            # joints are now, where the single-frame head H_t is blurry (or empty early in training).
            now = target_heat if prior_heat is None else prior_heat
            mask = self.dam(left_heat, now, right_heat)  # M [B,1,H,W]
            masked = merged * mask
        else:
            mask, masked = None, merged
        final = self.stda(masked, fused)
        if self.config.stda_residual:
            final = final + merged
        out = {"heatmaps": final, "fused": fused, "merged": merged}
        if mask is not None:
            out["mask"] = mask
        return out

    # ------------------------------------------------------------------ training
    def forward(
        self,
        left_crops: torch.Tensor,
        target_crops: torch.Tensor,
        right_crops: torch.Tensor,
        left_heatmaps: torch.Tensor | None = None,
        right_heatmaps: torch.Tensor | None = None,
        prior_heatmaps: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """Training/evaluation forward on crop triplets (each ``[B,3,H,W]``, normalised).

        Pass ``left_heatmaps``/``right_heatmaps`` ``[B,K,H',W']`` (rendered labels) for propagation
        mode; leave them None for estimation mode (the backbone head predicts them).
        ``prior_heatmaps`` ``[B,K,H',W']``: the flow prior, required with ``config.flow_prior``.

        Returns a dict: ``heatmaps`` (final, ``[B,K,H',W']``), ``target_heatmaps`` (single-frame head
        on the target, ``H_t``), ``merged`` (``H~``), ``fused`` (``F~ [B,hw,D]``), ``mask`` (``M``,
        when DAM is on) and ``fused_heatmaps`` (``q(y|F~)``, when MI is on) — the inputs of
        :class:`stdpose_core.model.loss.StdposeLoss`.
        """
        b = target_crops.shape[0]
        feat, heat = self.encode_frame(torch.cat([left_crops, target_crops, right_crops], dim=0))
        f_l, f_t, f_r = feat.split(b)
        h_l, h_t, h_r = heat.split(b)
        h_l = h_l if left_heatmaps is None else left_heatmaps
        h_r = h_r if right_heatmaps is None else right_heatmaps
        out = self._fuse(f_t, h_t, f_l, h_l, f_r, h_r, prior_heatmaps)
        out["target_heatmaps"] = h_t
        if self.mi_head is not None:
            fused = out["fused"]
            grid = self.config.grid_size
            out["fused_heatmaps"] = self.mi_head(fused.transpose(1, 2).reshape(b, -1, *grid))
        return out


def build_model(config: ModelConfig, pretrained: bool = True) -> STDPose:
    """Build an STDPose network with random init; ``pretrained`` loads ``config.pretrained`` timm
    weights into the backbone when that field is set (downloads; never done when loading a checkpoint)."""
    model = STDPose(config)
    if pretrained and config.pretrained:
        model.backbone.load_timm_pretrained(config.pretrained)
    return model
