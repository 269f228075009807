"""Heatmap peak → probability that the joint is right: the STDPose joint score (pure numpy).

A propagated joint's score should mean the same for every method, so review queues and the
per-gap choice of ``auto`` can compare them: the probability that the joint lies within 0.2 head
sizes of the truth (``propagation.confidence.ERROR_THRESHOLD``; ``flow``'s scores are calibrated to
it too). For STDPose it is a logistic fit on the log of the heatmap peak,

    score = sigmoid(a + b * log(clip(peak, 1e-3, 1)))

made on the validation targets at the end of training (``training.validate``) and stored in the
checkpoint's ``meta["calibration"] = {"a", "b", "samples"}``; without it the score is the peak
clipped to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOOR = 1e-3
#: Fewer labelled joints than this (or only one class): no fit, the raw peak is kept.
MIN_SAMPLES = 50


def _feature(peak: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.asarray(peak, np.float64), _FLOOR, 1.0))


@dataclass(frozen=True)
class PeakCalibration:
    """``a``, ``b`` of the logistic map (None = identity on the clipped peak)."""

    a: float | None = None
    b: float | None = None
    samples: int = 0

    def __call__(self, peak: np.ndarray) -> np.ndarray:
        """Scores ``[...]`` float32 in [0, 1] for peaks of any shape."""
        if self.a is None or self.b is None:
            return np.clip(np.asarray(peak, np.float32), 0, 1)
        z = self.a + self.b * _feature(peak)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def to_meta(self) -> dict | None:
        return None if self.a is None else {"a": float(self.a), "b": float(self.b), "samples": int(self.samples)}

    @classmethod
    def from_meta(cls, meta: dict) -> "PeakCalibration":
        """From a checkpoint's (or ONNX file's) meta; identity when absent or malformed."""
        c = (meta or {}).get("calibration")
        try:
            return cls(float(c["a"]), float(c["b"]), int(c.get("samples", 0)))
        except (TypeError, KeyError, ValueError):
            return cls()


def fit_peak_calibration(peak: np.ndarray, correct: np.ndarray, ridge: float = 1e-3, iters: int = 50) -> PeakCalibration:
    """Logistic regression of ``correct[N]`` (bool) on ``log(peak[N])`` by Newton's method.

    A monotone map is required (a higher peak must never mean a lower score): a fit with ``b <= 0``
    is discarded, as is one on too few samples or a single class.
    """
    x = _feature(np.ravel(peak))
    y = np.ravel(correct).astype(np.float64)
    if len(x) < MIN_SAMPLES or y.min() == y.max():
        return PeakCalibration(samples=len(x))
    X = np.stack([np.ones_like(x), x], 1)
    w = np.zeros(2)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        grad = X.T @ (p - y) + ridge * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    if not np.isfinite(w).all() or w[1] <= 0:
        return PeakCalibration(samples=len(x))
    return PeakCalibration(float(w[0]), float(w[1]), len(x))
