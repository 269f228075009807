"""ONNX export: two graphs per model so keyframe features can be cached between calls.

``export_onnx(src, "m.onnx")`` writes

* ``m.onnx`` — the *encode* stage: ``crops[B,3,H,W] -> feat[B,C,h,w], heat[B,K,H',W']``;
* ``m.fuse.onnx`` — the *fuse* stage: ``target_feat, target_heat, left_feat, left_heat, right_feat,
  right_heat[, prior_heat] -> heatmaps[B,K,H',W']`` (``prior_heat`` for ``flow_prior`` models).

Both have a dynamic batch axis and carry metadata: ``stdpose_config`` (ModelConfig JSON),
``stdpose_stage`` ("encode"/"fuse"), ``stdpose_meta`` (the checkpoint's meta as JSON) and, in the
encode file, ``stdpose_fuse_file`` (the fuse file's name, next to it). ``load_runtime("m.onnx")`` opens
the pair.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from stdpose_core.model.config import ModelConfig
from stdpose_core.model.runtime.base import FUSE_INPUTS, fuse_inputs  # noqa: F401  (FUSE_INPUTS re-exported)

ENCODE_INPUTS = ["crops"]
ENCODE_OUTPUTS = ["feat", "heat"]
FUSE_OUTPUTS = ["heatmaps"]
OPSET = 17


class _EncodeStage(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, crops):
        return self.model.encode_frame(crops)


class _FuseStage(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat=None):
        return self.model.fuse(target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat)


def fuse_path(path: str | Path) -> Path:
    """The fuse-stage file belonging to encode-stage file ``path`` (``m.onnx`` → ``m.fuse.onnx``)."""
    path = Path(path)
    return path.with_name(path.stem + ".fuse.onnx")


def _export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str]) -> None:
    axes = {name: {0: "batch"} for name in inputs + outputs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer/deprecation chatter of the TorchScript exporter
        torch.onnx.export(
            module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
            opset_version=OPSET, dynamo=False, external_data=False, do_constant_folding=True,
        )


def _add_metadata(path: Path, props: dict[str, str]) -> None:
    import onnx

    proto = onnx.load(str(path))
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(path))


def export_onnx(src: Any, path: str | Path, quantize: bool = False, extra_meta: dict[str, Any] | None = None) -> list[Path]:
    """Export an STDPose network, or a checkpoint path, to ``path`` and its fuse sibling.

    ``quantize=True`` additionally applies onnxruntime dynamic int8 quantisation (weights int8,
    activations quantised at run time): faster on CPUs, slightly less accurate — benchmark it.
    ``extra_meta`` updates the checkpoint's meta in the ONNX metadata (e.g. a registry entry's gate
    and calibration measured after training). Returns ``[encode_path, fuse_path]``.
    """
    meta: dict[str, Any] = {}
    if isinstance(src, (str, Path)):
        from stdpose_core.model.checkpoint import load_model

        model, ckpt = load_model(src, "cpu")
        meta = dict(ckpt.meta)
    else:
        model = src
    meta.update(extra_meta or {})
    config: ModelConfig = model.config
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fpath = fuse_path(path)
    was_training = model.training
    device = next(model.parameters()).device
    model = model.cpu().eval()
    try:
        c, (gh, gw) = config.embed_dim, config.grid_size
        crops = torch.randn(2, 3, *config.img_size)
        feat, heat = torch.randn(2, c, gh, gw), torch.rand(2, *config.heatmap_shape)
        with torch.no_grad():
            _export(_EncodeStage(model), (crops,), path, ENCODE_INPUTS, ENCODE_OUTPUTS)
            args = (feat, heat, feat, heat, feat, heat) + ((heat,) if config.flow_prior else ())
            _export(_FuseStage(model), args, fpath, fuse_inputs(config), FUSE_OUTPUTS)
    finally:
        model.to(device).train(was_training)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # onnxruntime's "consider pre-processing" advice on the root logger
        try:
            for p in (path, fpath):
                tmp = p.with_name(p.name + ".q.tmp")
                quantize_dynamic(str(p), str(tmp), weight_type=QuantType.QInt8)
                os.replace(tmp, p)
        finally:
            root.setLevel(level)
    common = {"stdpose_config": config.to_json(), "stdpose_meta": json.dumps(meta, default=str),
              "stdpose_quantized": str(bool(quantize)).lower()}
    _add_metadata(path, {**common, "stdpose_stage": "encode", "stdpose_fuse_file": fpath.name})
    _add_metadata(fpath, {**common, "stdpose_stage": "fuse"})
    return [path, fpath]
