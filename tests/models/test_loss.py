"""Loss: heatmap MSE with target weights, MI terms on/off, and a short optimisation lowers it."""

from __future__ import annotations

import pytest
import torch

from stdpose_core.model import StdposeLoss, create_model, heatmap_mse


def test_heatmap_mse_ignores_unlabelled_joints():
    pred, gt = torch.zeros(1, 2, 4, 4), torch.ones(1, 2, 4, 4)
    assert heatmap_mse(pred, gt).item() == pytest.approx(1.0)
    assert heatmap_mse(pred, gt, torch.tensor([[1.0, 0.0]])).item() == pytest.approx(0.5)
    assert heatmap_mse(pred, gt, torch.zeros(1, 2)).item() == 0.0


@pytest.mark.parametrize("mi", [True, False])
def test_loss_parts(make_batch, mi):
    torch.manual_seed(0)
    model = create_model("stdpose_tiny", mi_enabled=mi)
    left, target, right, hl, hr, gt, w = make_batch(batch=2)
    out = model(left, target, right, hl, hr)
    assert ("fused_heatmaps" in out) == mi
    total, parts = StdposeLoss(model.config)(out, gt, w)
    assert set(parts) == {"heatmap", "single", "mi_feature", "mi_heatmap", "total"}
    expected = parts["heatmap"] + 0.5 * parts["single"] + 0.1 * parts["mi_feature"] + 0.01 * parts["mi_heatmap"]
    assert total.item() == pytest.approx(expected.item(), rel=1e-5)
    if not mi:
        assert parts["mi_feature"] == 0 and parts["mi_heatmap"] == 0
    total.backward()
    assert model.tff.proj.weight.grad is not None and model.backbone.vit.patch_embed.proj.weight.grad is not None


@pytest.mark.slow
def test_thirty_steps_lower_the_loss(make_batch):
    torch.manual_seed(0)
    model = create_model("stdpose_tiny").train()
    loss_fn = StdposeLoss(model.config)
    left, target, right, hl, hr, gt, w = make_batch(batch=2, seed=3)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    history = []
    for _ in range(30):
        total, parts = loss_fn(model(left, target, right, hl, hr), gt, w)
        opt.zero_grad()
        total.backward()
        opt.step()
        history.append(parts["heatmap"].item())
    assert history[-1] < 0.7 * history[0], history
