"""Training loss: heatmap MSE (Eq. 4) + the MI objective (Eq. 2) + an optional single-frame term.

``StdposeLoss(config)(outputs, target[B,K,H,W], target_weight[B,K]) -> (total, parts)`` where
``outputs`` is the dict ``STDPose.forward`` returns, ``total`` a scalar tensor to backpropagate and
``parts`` a dict of detached float tensors for logging: ``heatmap``, ``single``, ``mi_feature``,
``mi_heatmap``, ``total``.

MI (see docs/adr/0002-mutual-information-approximation.md): with Gaussian variational decoders of
fixed variance, ``-log q(y|z)`` is the squared heatmap error up to constants, so

    I(y; F~ | F) ≈ E[log q(y|F~) - log q(y|F)]  ∝  err(F) - err(F~)

where ``err(z) = MSE(decoder(z), G)``; the single-frame error is treated as a constant (stop-gradient:
the MI terms must not make the single-frame representation worse). A variational self-distillation
term ``KL(q(y|F~,H~) || q(y|F~))`` — an MSE between the final prediction (stop-gradient) and the
fused decoder's — asks the fused representation alone to carry what the full model uses. The same
is done for ``H~`` against ``H_t``. ``L_MI = alpha * mi_feature + beta * mi_heatmap``.
"""

from __future__ import annotations

import torch
from torch import nn

from stdpose_core.model.config import ModelConfig


def heatmap_mse(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared error over ``[B,K,H,W]``; joints with ``weight[B,K] == 0`` contribute nothing."""
    err = (pred.float() - target.float()) ** 2
    if weight is not None:
        err = err * weight.float()[:, :, None, None]
    return err.mean()


class StdposeLoss(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.mi_enabled = config.mi_enabled
        self.alpha, self.beta = config.mi_alpha, config.mi_beta
        self.kl_weight = config.mi_kl_weight
        self.single_weight = config.single_frame_weight

    def forward(
        self, outputs: dict[str, torch.Tensor], target: torch.Tensor, target_weight: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        final = outputs["heatmaps"]
        loss_h = heatmap_mse(final, target, target_weight)
        single_err = heatmap_mse(outputs["target_heatmaps"], target, target_weight)
        total = loss_h + self.single_weight * single_err
        zero = final.new_zeros(())
        mi_f, mi_h = zero, zero
        if self.mi_enabled and "fused_heatmaps" in outputs:
            baseline = single_err.detach()
            teacher = final.detach()
            fused_pred = outputs["fused_heatmaps"]
            mi_f = (heatmap_mse(fused_pred, target, target_weight) - baseline
                    + self.kl_weight * heatmap_mse(fused_pred, teacher, target_weight))
            merged = outputs["merged"]
            mi_h = (heatmap_mse(merged, target, target_weight) - baseline
                    + self.kl_weight * heatmap_mse(merged, teacher, target_weight))
            total = total + self.alpha * mi_f + self.beta * mi_h
        parts = {
            "heatmap": loss_h.detach(), "single": single_err.detach(),
            "mi_feature": mi_f.detach(), "mi_heatmap": mi_h.detach(), "total": total.detach(),
        }
        return total, parts
