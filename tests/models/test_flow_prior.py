"""The flow-prior switch (ADR 0017): an untrained model returns the prior; on and off both train."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stdpose_core.model import create_model, decode, encode, export_onnx, load_runtime
from stdpose_core.model.loss import StdposeLoss
from stdpose_core.model.runtime.torch_runtime import TorchRuntime

SMALL = {"img_size": [128, 96], "heatmap_size": [32, 24]}


def _prior(config, seed=0):
    rng = np.random.default_rng(seed)
    h, w = config.heatmap_size
    xy = rng.uniform([3, 3], [w - 4, h - 4], (17, 2)).astype(np.float32)
    vis = np.full(17, 2)
    vis[[3, 4]] = 0  # ears: no flow estimate, zero maps
    return xy, vis, encode(xy, vis, config.heatmap_size, config.heatmap_sigma)[0]


def test_untrained_flow_prior_model_returns_the_prior_in_torch_and_onnx(tmp_path):
    torch.manual_seed(0)
    model = create_model("stdpose_tiny", flow_prior=True, **SMALL)
    c = model.config
    xy, vis, prior = _prior(c)
    rng = np.random.default_rng(1)
    crops = rng.standard_normal((3, 3, *c.img_size)).astype(np.float32)
    keys = rng.random((1, *c.heatmap_shape)).astype(np.float32)
    priors = np.stack([prior] * 3)
    rt = TorchRuntime(model, "cpu")
    left, right = rt.encode_keyframes(crops[:1], keys), rt.encode_keyframes(crops[1:2], keys)
    out = rt.predict(crops, left, right, priors)
    np.testing.assert_array_equal(out, priors)  # zero-initialised correction: exactly flow's joints
    got, _ = decode(out)
    assert np.abs(got[:, vis > 0] - xy[vis > 0]).max() < 0.05
    with pytest.raises(ValueError, match="prior"):
        rt.predict(crops, left, right)
    onnx = load_runtime(export_onnx(model, tmp_path / "fp.onnx")[0], "cpu")
    np.testing.assert_allclose(onnx.predict(crops, left, right, priors), out, atol=1e-5)
    assert [i.name for i in onnx.fuser.get_inputs()][-1] == "prior_heat"


@pytest.mark.parametrize("flow_prior", [False, True])
@pytest.mark.slow
def test_flow_prior_on_and_off_build_and_training_reduces_the_loss(flow_prior, make_batch):
    torch.manual_seed(0)
    model = create_model("stdpose_tiny", flow_prior=flow_prior)
    c = model.config
    left, target, right, hl, hr, gt, weight = make_batch(batch=2, seed=3)
    # The prior: the truth moved by ~2 heatmap px (what flow gets wrong), rendered like a label.
    shifted = torch.roll(gt, shifts=(2, 1), dims=(2, 3))
    extra = {"prior_heatmaps": shifted} if flow_prior else {}
    loss_fn = StdposeLoss(c)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(30):
        out = model(left, target, right, hl, hr, **extra)
        loss, parts = loss_fn(out, gt, weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(parts["heatmap"]))
    assert losses[-1] < 0.7 * losses[0], losses
    if flow_prior:  # the first step's output was the prior itself
        assert losses[0] == pytest.approx(float(((shifted - gt) ** 2 * weight[:, :, None, None]).mean()), rel=1e-4)


def test_flow_prior_needs_the_residual_base():
    from stdpose_core.errors import InputError

    with pytest.raises(InputError, match="stda_residual"):
        create_model("stdpose_tiny", flow_prior=True, stda_residual=False)


@pytest.mark.slow
def test_adaptation_feeds_a_flow_prior_model_its_flow_priors(tmp_path, monkeypatch):
    """An untrained flow-prior model's output is the prior: scored leave-one-keyframe-out it must match
    flow's own score on the same keyframes, which it can only if adaptation feeds it flow's joints."""
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "models"))
    from stdpose_core.model import save_checkpoint
    from stdpose_core.progress import run_to_completion
    from stdpose_core.propagation import ListSource
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.synth import generate_clip
    from stdpose_core.training.adapt import AdaptSettings, adapt_job

    torch.manual_seed(0)
    base = save_checkpoint(tmp_path / "fp.pt", create_model("stdpose_tiny", flow_prior=True, depth=1, **SMALL))
    clip = generate_clip(persons=1, frames=26, size=(192, 160), seed=4)
    project = sparse_project(clip.gt, keep_frames(clip.gt.num_frames, 5))
    path = tmp_path / "p.stdpose"
    res = run_to_completion(adapt_job(project, ListSource(clip.frames), path, base=str(base),
                                      settings=AdaptSettings(steps=4, batch_size=2, folds=2, device="cpu")))
    s = res.scores
    assert res.targets >= 3 and s["flow"]["pckh02"] > 50
    assert s["base"]["pckh02"] == pytest.approx(s["flow"]["pckh02"], abs=10)


def test_the_prior_cache_key_covers_every_module_flow_reads_even_imports_inside_functions():
    from stdpose_core.training.flow_prior import flow_modules

    mods = set(flow_modules())
    # flow_weights is imported inside a function (lazily): a refitted selector must not serve stale priors
    assert {"flow", "flow_fusion", "tracking", "confidence", "tiny_mlp", "flow_weights", "gray_frames"} <= mods
