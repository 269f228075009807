"""A small fully connected network evaluated with numpy: flow's learned per-joint models.

Flow fits two such models offline on the JHMDB ``train`` clips (``benchmarks/calibrate_flow_confidence.py``)
and ships their weights as plain numbers (:mod:`.flow_weights`): no torch, no files to load, and the
same joints on every machine. A network is standardisation, then tanh layers, then a linear layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TinyMLP:
    """``mean[F]``, ``std[F]`` standardise the inputs; ``layers`` are ``(W[in,out], b[out])`` pairs, tanh
    between them, none after the last."""

    mean: np.ndarray
    std: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]

    @classmethod
    def from_dict(cls, d: dict) -> "TinyMLP":
        """From ``{"mean": [...], "std": [...], "layers": [[W, b], ...]}`` (nested lists, W row-major [in][out])."""
        layers = tuple((np.asarray(w, np.float64), np.asarray(b, np.float64)) for w, b in d["layers"])
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["std"], np.float64), layers)

    @property
    def inputs(self) -> int:
        return len(self.mean)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Outputs ``[..., out]`` (float64) of inputs ``x[..., F]``."""
        if x.shape[-1] != self.inputs:
            raise ValueError(f"the network takes {self.inputs} features, got {x.shape[-1]}")
        h = (np.asarray(x, np.float64) - self.mean) / self.std
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.tanh(h)
        return h
