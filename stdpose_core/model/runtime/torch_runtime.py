"""Torch backend of :class:`PoseRuntime`: a checkpoint (``.pt``) or an in-memory STDPose network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from stdpose_core.errors import StdposeError
from stdpose_core.model.runtime.base import PoseRuntime


def resolve_torch_device(device: str = "auto") -> str:
    """"auto" → "cuda" when torch sees a GPU, else "cpu"; "cuda" without a GPU is a StdposeError."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise StdposeError(f"device {device!r} asked for but CUDA is not available on this machine")
    if device != "cpu" and not device.startswith("cuda"):
        raise StdposeError(f"unknown device {device!r}; use auto, cpu or cuda")
    return device


class TorchRuntime(PoseRuntime):
    """Eval-mode network under ``torch.inference_mode``; CUDA when present (``device="auto"``).

    ``precision="bf16"`` runs under bfloat16 autocast (GPUs, and CPUs with native bf16 such as this
    project's build machine; slower on most laptops). Outputs are always float32 numpy arrays.
    An in-memory model is moved to ``device`` and put in eval mode (a trainer validating with it
    calls ``model.train()`` afterwards).
    """

    name = "torch"

    def __init__(self, model_or_path, device: str = "auto", precision: str = "fp32"):
        if precision not in ("fp32", "bf16"):
            raise StdposeError(f"unknown precision {precision!r}; use fp32 or bf16")
        self.device = resolve_torch_device(device)
        self.precision = precision
        if isinstance(model_or_path, (str, Path)):
            from stdpose_core.model.checkpoint import load_model

            model, ckpt = load_model(model_or_path, self.device)
            self.meta = ckpt.meta
        else:
            model, self.meta = model_or_path.to(self.device).eval(), {}
        self.model = model
        self.config = model.config

    def _t(self, a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).to(self.device)

    @staticmethod
    def _np(t: torch.Tensor) -> np.ndarray:
        return t.float().cpu().numpy()

    def _context(self):
        return torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16, enabled=self.precision == "bf16")

    def encode_frames(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode(), self._context():
            feat, heat = self.model.encode_frame(self._t(crops))
        return self._np(feat), self._np(heat)

    def fuse(self, target_feat, target_heat, left_feat, left_heat, right_feat, right_heat, prior_heat=None) -> np.ndarray:
        args = [self._t(a) for a in (target_feat, target_heat, left_feat, left_heat, right_feat, right_heat)]
        prior = self._t(prior_heat) if self.config.flow_prior and prior_heat is not None else None
        with torch.inference_mode(), self._context():
            return self._np(self.model.fuse(*args, prior))

    def close(self) -> None:
        self.model = None
        if self.device.startswith("cuda"):
            torch.cuda.empty_cache()
