"""onnxruntime backend of :class:`PoseRuntime`: the encode/fuse pair written by ``export_onnx``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.config import ModelConfig
from stdpose_core.model.runtime.base import PoseRuntime, fuse_inputs


def _cuda_usable() -> bool:
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return False
    try:  # onnxruntime-gpu lists CUDA even on machines without a GPU; torch knows better
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def providers_for(device: str) -> tuple[str, list[str]]:
    """``(device, providers)`` for "auto" / "cpu" / "cuda"."""
    if device == "auto":
        device = "cuda" if _cuda_usable() else "cpu"
    if device.startswith("cuda"):
        if not _cuda_usable():
            raise StdposeError(f"device {device!r} asked for but CUDA is not available to onnxruntime")
        return "cuda", ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device != "cpu":
        raise StdposeError(f"unknown device {device!r}; use auto, cpu or cuda")
    return "cpu", ["CPUExecutionProvider"]


def _session(path: Path, providers: list[str], threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    # Two sessions alternating on few cores fight when their threads spin (ARCHITECTURE.md facts).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    except Exception as e:  # noqa: BLE001 - invalid protobuf, unsupported ops...
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(path, f"not a loadable ONNX model ({first[:200]})") from None


class OnnxRuntime(PoseRuntime):
    """Two onnxruntime sessions (encode, fuse); ``threads=0`` lets onnxruntime use every core."""

    name = "onnxruntime"

    def __init__(self, path: str | Path, device: str = "auto", threads: int = 0):
        path = Path(path)
        if not path.is_file():
            raise InputError(path, "ONNX file not found")
        self.device, providers = providers_for(device)
        self.encoder = _session(path, providers, threads)
        props = self.encoder.get_modelmeta().custom_metadata_map
        if props.get("stdpose_stage") != "encode" or "stdpose_config" not in props:
            raise InputError(path, "not an STDPose encode-stage ONNX file (no stdpose_config metadata; use export_onnx)")
        self.config = ModelConfig.from_json(props["stdpose_config"], source=path)
        self.meta = json.loads(props.get("stdpose_meta", "{}") or "{}")
        fpath = path.with_name(props.get("stdpose_fuse_file", ""))
        if not fpath.is_file() or fpath == path:
            raise InputError(path, f"its fuse-stage file {fpath.name!r} is missing (export writes both files)")
        self.fuser = _session(fpath, providers, threads)
        if self.fuser.get_modelmeta().custom_metadata_map.get("stdpose_config") != props["stdpose_config"]:
            raise InputError(fpath, f"fuse stage does not belong to {path.name} (different model config)")

    def encode_frames(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feat, heat = self.encoder.run(None, {"crops": np.ascontiguousarray(crops, np.float32)})
        return feat, heat

    def fuse(self, target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat=None) -> np.ndarray:
        arrays = (target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat)
        feed = {n: np.ascontiguousarray(a, np.float32) for n, a in zip(fuse_inputs(self.config), arrays)}
        return self.fuser.run(None, feed)[0]

    def close(self) -> None:
        self.encoder = self.fuser = None
