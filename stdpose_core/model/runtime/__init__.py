"""Inference runtimes behind one interface, chosen by the weight file's suffix.

``load_runtime(path, device="auto") -> PoseRuntime``: ``.pt``/``.pth`` → torch, ``.onnx`` →
onnxruntime (the encode-stage file written by ``export_onnx``; its ``.fuse.onnx`` sibling is found
through the metadata).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from stdpose_core.errors import InputError
from stdpose_core.model.runtime.base import EncodedFrames, PoseRuntime

#: Weight-file suffix → "module:class" of its runtime (imported only when used).
RUNTIMES: dict[str, str] = {
    ".pt": "stdpose_core.model.runtime.torch_runtime:TorchRuntime",
    ".pth": "stdpose_core.model.runtime.torch_runtime:TorchRuntime",
    ".onnx": "stdpose_core.model.runtime.onnx_runtime:OnnxRuntime",
}


def load_runtime(path: str | Path, device: str = "auto", **options) -> PoseRuntime:
    """Open a weight file for inference on ``device`` ("auto": CUDA when present, else CPU).

    ``options`` go to the backend: ``precision="bf16"`` (torch), ``threads=N`` (onnxruntime).
    """
    path = Path(path)
    target = RUNTIMES.get(path.suffix.lower())
    if target is None:
        raise InputError(path, f"unknown model file type {path.suffix!r}; expected one of {sorted(RUNTIMES)}")
    module, cls = target.split(":")
    try:
        backend = getattr(importlib.import_module(module), cls)
    except ImportError as e:  # e.g. a .pt in the desktop build, which has no torch
        raise InputError(path, f"this model file needs {e.name or 'a library'}, which this installation does not have; "
                               "use its ONNX pair (stdpose models export-onnx, from a Python install)") from None
    return backend(path, device=device, **options)


def export_onnx(*args, **kwargs):
    """See :func:`stdpose_core.model.runtime.export.export_onnx`."""
    from stdpose_core.model.runtime.export import export_onnx as _export

    return _export(*args, **kwargs)


__all__ = ["EncodedFrames", "PoseRuntime", "RUNTIMES", "load_runtime", "export_onnx"]
