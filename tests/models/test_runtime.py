"""Checkpoints, ONNX export and the two runtimes: parity, caching, bad files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model import (
    create_model,
    export_onnx,
    load_checkpoint,
    load_model,
    load_runtime,
    save_checkpoint,
)
from stdpose_core.model.runtime import RUNTIMES, EncodedFrames


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny model with O(1) outputs (heads re-initialised) saved as .pt and exported to ONNX."""
    torch.manual_seed(0)
    model = create_model("stdpose_tiny")
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("final.weight") or name == "tks.synth.1.weight":
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    d = tmp_path_factory.mktemp("rt")
    pt = save_checkpoint(d / "tiny.pt", model, meta={"metrics": {"pckh05": 0.5}, "data": ["abc123"]},
                         extra={"step": 7})
    onnx_paths = export_onnx(pt, d / "tiny.onnx")
    return model.eval(), pt, onnx_paths


def _inputs(b=3, seed=0):
    rng = np.random.default_rng(seed)
    crops = rng.standard_normal((b, 3, 256, 192)).astype(np.float32)
    key = rng.standard_normal((1, 3, 256, 192)).astype(np.float32)
    heat = rng.random((1, 17, 64, 48)).astype(np.float32)
    return crops, key, heat


def test_checkpoint_round_trip(files):
    model, pt, _ = files
    ckpt = load_checkpoint(pt)
    assert ckpt.config == model.config
    assert ckpt.meta["metrics"] == {"pckh05": 0.5} and ckpt.meta["data"] == ["abc123"] and "version" in ckpt.meta
    assert ckpt.extra == {"step": 7}
    loaded, _ = load_model(pt)
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), k


def test_torch_onnx_parity_and_metadata(files):
    _, pt, (enc, fuse) = files
    assert enc.name == "tiny.onnx" and fuse.name == "tiny.fuse.onnx" and fuse.is_file()
    rt, ro = load_runtime(pt, "cpu"), load_runtime(enc, "cpu")
    assert (rt.name, ro.name) == ("torch", "onnxruntime")
    assert ro.config == rt.config and ro.meta["metrics"] == {"pckh05": 0.5}
    crops, key, heat = _inputs()
    f_t, h_t = rt.encode_frames(crops)
    f_o, h_o = ro.encode_frames(crops)
    assert np.abs(f_t - f_o).max() <= 1e-4 and np.abs(h_t - h_o).max() <= 1e-4
    a = rt.predict_propagation(crops, (key, heat), (key[:, :, ::-1].copy(), heat))
    b = ro.predict_propagation(crops, (key, heat), (key[:, :, ::-1].copy(), heat))
    assert a.shape == (3, 17, 64, 48)
    assert np.abs(a).max() > 0.1, "outputs near zero would make the parity check vacuous"
    assert np.abs(a - b).max() <= 1e-4
    e1, e2 = rt.predict_estimation(crops, key, key), ro.predict_estimation(crops, key, key)
    assert np.abs(e1 - e2).max() <= 1e-4 and not np.allclose(e1, a)


@pytest.mark.parametrize("backend", ["pt", "onnx"])
def test_cached_keyframes_equal_uncached_and_batching(files, backend):
    _, pt, (enc, _) = files
    rt = load_runtime(pt if backend == "pt" else enc, "cpu")
    crops, key, heat = _inputs(b=4, seed=2)
    left = rt.encode_keyframes(key, heat)
    right = rt.encode_keyframes(key * 0.5, heat[:, :, ::-1].copy())
    assert isinstance(left, EncodedFrames) and left.feat.shape == (1, 64, 16, 12)
    cached = rt.predict(crops, left, right)
    one_by_one = np.concatenate([rt.predict(crops[i:i + 1], left, right) for i in range(4)])
    assert np.abs(cached - one_by_one).max() <= 1e-4
    assert np.array_equal(rt.predict_propagation(crops, (key, heat), (key * 0.5, heat[:, :, ::-1].copy())), cached)
    assert rt.predict(crops[:0], left, right).shape == (0, 17, 64, 48)
    with pytest.raises(ValueError, match="crops must be"):
        rt.predict(crops[:, :, :128], left, right)
    with pytest.raises(ValueError, match="batch 2, targets 4"):
        rt.predict(crops, EncodedFrames(np.repeat(left.feat, 2, 0), np.repeat(left.heat, 2, 0)), right)


def test_runtime_chosen_by_suffix(tmp_path):
    assert set(RUNTIMES) >= {".pt", ".onnx"}
    with pytest.raises(InputError, match="unknown model file type '.bin'"):
        load_runtime(tmp_path / "m.bin")
    with pytest.raises(InputError, match="not found"):
        load_runtime(tmp_path / "missing.pt")
    with pytest.raises(InputError, match="not found"):
        load_runtime(tmp_path / "missing.onnx")


def test_bad_checkpoint_files(tmp_path, files):
    model, pt, (enc, fuse) = files
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a checkpoint")
    with pytest.raises(InputError, match="junk.pt: not a readable torch checkpoint"):
        load_checkpoint(junk)
    bare = tmp_path / "bare.pt"
    torch.save(model.state_dict(), bare)
    with pytest.raises(InputError, match="not an STDPose checkpoint"):
        load_checkpoint(bare)
    torch.save([1, 2], bare)
    with pytest.raises(InputError, match="contains a list"):
        load_checkpoint(bare)
    ckpt = torch.load(pt, weights_only=True)
    ckpt["config"]["depth"] = 3  # weights for depth 2
    wrong = tmp_path / "wrong.pt"
    torch.save(ckpt, wrong)
    with pytest.raises(InputError, match="weights do not match the model config: .*missing"):
        load_model(wrong)
    ckpt["config"]["depth"], ckpt["config"]["embed_dim"] = 2, 128
    torch.save(ckpt, wrong)
    with pytest.raises(InputError, match="wrong shapes"):
        load_model(wrong)
    ckpt["config"]["bogus"] = 1
    torch.save(ckpt, wrong)
    with pytest.raises(InputError, match="unknown model config field"):
        load_checkpoint(wrong)


def test_bad_onnx_files(tmp_path, files):
    _, _, (enc, fuse) = files
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00garbage")
    with pytest.raises(InputError, match="junk.onnx: not a loadable ONNX model"):
        load_runtime(junk, "cpu")
    with pytest.raises(InputError, match="not an STDPose encode-stage"):
        load_runtime(fuse, "cpu")
    lonely = tmp_path / "lonely.onnx"
    lonely.write_bytes(enc.read_bytes())
    with pytest.raises(InputError, match="fuse-stage file 'tiny.fuse.onnx' is missing"):
        load_runtime(lonely, "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU error")
def test_cuda_asked_without_gpu(files):
    _, pt, (enc, _) = files
    with pytest.raises(StdposeError, match="CUDA is not available"):
        load_runtime(pt, "cuda")
    with pytest.raises(StdposeError, match="CUDA is not available"):
        load_runtime(enc, "cuda")


def test_int8_export_runs(files, tmp_path):
    model, _, _ = files
    enc, _ = export_onnx(model, tmp_path / "q.onnx", quantize=True)
    ro = load_runtime(enc, "cpu")
    crops, key, heat = _inputs(b=2)
    out = ro.predict_propagation(crops, (key, heat), (key, heat))
    ref = load_runtime(files[1], "cpu").predict_propagation(crops, (key, heat), (key, heat))
    assert out.shape == (2, 17, 64, 48) and np.isfinite(out).all()
    assert np.abs(out - ref).max() < 0.25 * np.abs(ref).max()  # approximate, not exact
    assert ro.encoder.get_modelmeta().custom_metadata_map["stdpose_quantized"] == "true"


def test_a_backend_that_cannot_be_imported_is_one_line(monkeypatch, tmp_path):
    """The desktop build has no torch: a .pt file is a clear error there, not a traceback."""
    import importlib

    from stdpose_core.errors import InputError
    from stdpose_core.model import load_runtime

    real = importlib.import_module

    def no_torch_backend(name, *a, **k):
        if name.endswith("torch_runtime"):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return real(name, *a, **k)

    monkeypatch.setattr(importlib, "import_module", no_torch_backend)
    (tmp_path / "m.pt").write_bytes(b"w")
    with pytest.raises(InputError, match="m.pt: this model file needs torch.*export-onnx"):
        load_runtime(tmp_path / "m.pt", "cpu")
