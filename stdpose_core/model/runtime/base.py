"""``PoseRuntime``: the one interface every inference backend implements (torch, onnxruntime).

Arrays are numpy float32. Crops are normalised ``[B,3,256,192]`` (``normalize.normalize_crops``);
features ``[B,C,16,12]``; heatmaps ``[B,K,64,48]`` (heatmap pixels, see ``codec``).

Propagation with keyframe caching, for one person and one gap between keyframes L and R (all crops
cut with the same ``geometry.CropWindow``)::

    left = rt.encode_keyframes(crop_L[None], heat_L[None])    # once per (keyframe, person)
    right = rt.encode_keyframes(crop_R[None], heat_R[None])
    for batch in frames_between:                              # B target frames
        heat = rt.predict(batch, left, right)                 # left/right broadcast to B

``heat_L`` is ``codec.encode(keypoints in heatmap px, vis, config.heatmap_size, config.heatmap_sigma)[0]``.
A model with ``config.flow_prior`` also takes ``prior[B,K,H,W]`` in ``predict``: the flow method's joints
for each target frame rendered the same way (``pose_codec.keypoints_to_heatmaps``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from stdpose_core.model.config import ModelConfig

#: Inputs of the fuse stage (``STDPose.fuse``, the ONNX fuse graph), in order.
FUSE_INPUTS = ["target_feat", "target_heat", "left_feat", "left_heat", "right_feat", "right_heat"]


def fuse_inputs(config: ModelConfig) -> list[str]:
    """Fuse-stage input names of a model with ``config``: a flow-prior model takes ``prior_heat`` last."""
    return FUSE_INPUTS + (["prior_heat"] if config.flow_prior else [])


@dataclass
class EncodedFrames:
    """Encoded auxiliary frames, reusable for every target frame of a gap.

    ``feat[B,C,h,w]`` backbone features; ``heat[B,K,H,W]`` their heatmaps — rendered from labels
    (propagation mode) or predicted by the backbone head (estimation mode).
    """

    feat: np.ndarray
    heat: np.ndarray

    def __len__(self) -> int:
        return len(self.feat)

    def take(self, index) -> "EncodedFrames":
        """Rows ``index`` (int array, slice or list) as a new EncodedFrames."""
        return EncodedFrames(self.feat[index], self.heat[index])

    def broadcast(self, batch: int) -> "EncodedFrames":
        """Same rows for ``batch`` targets: a batch of 1 is repeated, a batch of ``batch`` kept."""
        if len(self) == batch:
            return self
        if len(self) != 1:
            raise ValueError(f"encoded keyframes have batch {len(self)}, targets {batch} (must be equal or 1)")
        return EncodedFrames(np.repeat(self.feat, batch, 0), np.repeat(self.heat, batch, 0))


class PoseRuntime(ABC):
    """A loaded STDPose model ready for batch inference on one device."""

    #: Backend name ("torch", "onnxruntime").
    name: str = "base"
    config: ModelConfig
    #: "cpu" or "cuda".
    device: str

    @abstractmethod
    def encode_frames(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Crops ``[B,3,H,W]`` → ``(feat[B,C,h,w], heat[B,K,H',W'])`` (backbone + classic head)."""

    @abstractmethod
    def fuse(
        self, target_feat: np.ndarray, target_heat: np.ndarray, left_feat: np.ndarray, left_heat: np.ndarray,
        right_feat: np.ndarray, right_heat: np.ndarray, prior_heat: np.ndarray | None = None,
    ) -> np.ndarray:
        """Final heatmaps ``[B,K,H',W']`` for the targets; all inputs have the same batch B.
        ``prior_heat`` is required by (and only used by) models with ``config.flow_prior``."""

    def close(self) -> None:
        """Release the session/model (the runtime is unusable afterwards)."""

    # ------------------------------------------------------------------ conveniences
    def check_crops(self, crops: np.ndarray) -> np.ndarray:
        crops = np.ascontiguousarray(crops, dtype=np.float32)
        want = (3, *self.config.img_size)
        if crops.ndim != 4 or crops.shape[1:] != want:
            raise ValueError(f"crops must be [B,{','.join(map(str, want))}] float32, got {crops.shape}")
        return crops

    def check_heatmaps(self, heat: np.ndarray, batch: int) -> np.ndarray:
        heat = np.ascontiguousarray(heat, dtype=np.float32)
        want = (batch, *self.config.heatmap_shape)
        if heat.shape != want:
            raise ValueError(f"heatmaps must be {list(want)}, got {list(heat.shape)}")
        return heat

    def encode_keyframes(self, crops: np.ndarray, heatmaps: np.ndarray | None = None) -> EncodedFrames:
        """Encode auxiliary (key)frames once. ``heatmaps[B,K,H,W]`` rendered from their labels selects
        propagation mode; None keeps the backbone head's heatmaps (estimation mode)."""
        crops = self.check_crops(crops)
        feat, heat = self.encode_frames(crops)
        if heatmaps is not None:
            heat = self.check_heatmaps(heatmaps, len(crops))
        return EncodedFrames(feat, heat)

    def check_prior(self, prior: np.ndarray | None, batch: int) -> np.ndarray | None:
        if not self.config.flow_prior:
            return None
        if prior is None:
            raise ValueError("this model has a flow prior: pass prior heatmaps (flow's joints for the targets)")
        return self.check_heatmaps(prior, batch)

    def predict(self, target_crops: np.ndarray, left: EncodedFrames, right: EncodedFrames,
                prior: np.ndarray | None = None) -> np.ndarray:
        """Heatmaps ``[B,K,H,W]`` for target crops ``[B,3,H,W]`` given cached keyframes (batch B or 1)
        and, for a flow-prior model, the targets' prior heatmaps ``prior[B,K,H,W]``."""
        target_crops = self.check_crops(target_crops)
        b = len(target_crops)
        if b == 0:
            return np.zeros((0, *self.config.heatmap_shape), np.float32)
        prior = self.check_prior(prior, b)
        left, right = left.broadcast(b), right.broadcast(b)
        feat, heat = self.encode_frames(target_crops)
        return self.fuse(feat, heat, left.feat, left.heat, right.feat, right.heat, prior)

    def predict_propagation(
        self, target_crops: np.ndarray, left: tuple[np.ndarray, np.ndarray], right: tuple[np.ndarray, np.ndarray],
        prior: np.ndarray | None = None,
    ) -> np.ndarray:
        """Uncached propagation: ``left``/``right`` are ``(crops[B|1,3,H,W], heatmaps[B|1,K,H',W'])``."""
        return self.predict(target_crops, self.encode_keyframes(*left), self.encode_keyframes(*right), prior)

    def predict_estimation(self, target_crops: np.ndarray, left_crops: np.ndarray, right_crops: np.ndarray) -> np.ndarray:
        """Estimation mode: the neighbours' heatmaps come from the backbone head."""
        return self.predict(target_crops, self.encode_keyframes(left_crops), self.encode_keyframes(right_crops))
