"""What a person detector returns, and the interface every detector runtime implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

#: Joints of the keypoints a pose detector returns (COCO-17 order, see ``stdpose_core.skeleton.COCO17``).
NUM_COCO_JOINTS = 17


@dataclass(eq=False)
class Detections:
    """People found in one frame, as a struct of arrays (N people).

    - ``boxes[N,4]`` float32 ``x1, y1, x2, y2`` pixels of the original frame (0-based, x right, y down)
    - ``scores[N]`` float32 person confidence in [0, 1]
    - ``keypoints[N,17,2]`` float32 pixels in COCO-17 order, or None for a box-only detector
    - ``keypoint_scores[N,17]`` float32 per-joint confidence in [0, 1]; present iff ``keypoints`` is
    """

    boxes: np.ndarray
    scores: np.ndarray
    keypoints: np.ndarray | None = None
    keypoint_scores: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.boxes = np.asarray(self.boxes, np.float32).reshape(-1, 4)
        n = len(self.boxes)
        self.scores = np.asarray(self.scores, np.float32).reshape(-1)
        if self.scores.shape != (n,):
            raise ValueError(f"scores must have shape ({n},), got {self.scores.shape}")
        if (self.keypoints is None) != (self.keypoint_scores is None):
            raise ValueError("keypoints and keypoint_scores must be given together")
        if self.keypoints is not None:
            self.keypoints = np.asarray(self.keypoints, np.float32)
            self.keypoint_scores = np.asarray(self.keypoint_scores, np.float32)
            if self.keypoints.shape != (n, NUM_COCO_JOINTS, 2):
                raise ValueError(f"keypoints must have shape ({n}, 17, 2), got {self.keypoints.shape}")
            if self.keypoint_scores.shape != (n, NUM_COCO_JOINTS):
                raise ValueError(f"keypoint_scores must have shape ({n}, 17), got {self.keypoint_scores.shape}")

    def __len__(self) -> int:
        return len(self.boxes)

    @property
    def has_keypoints(self) -> bool:
        return self.keypoints is not None

    @classmethod
    def empty(cls, with_keypoints: bool = False) -> Detections:
        kp = np.zeros((0, NUM_COCO_JOINTS, 2), np.float32) if with_keypoints else None
        ks = np.zeros((0, NUM_COCO_JOINTS), np.float32) if with_keypoints else None
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), kp, ks)

    def select(self, index: np.ndarray) -> Detections:
        """The detections at ``index`` (int indices or a bool mask), in that order."""
        kp = None if self.keypoints is None else self.keypoints[index]
        ks = None if self.keypoint_scores is None else self.keypoint_scores[index]
        return Detections(self.boxes[index], self.scores[index], kp, ks)


class PersonDetector(ABC):
    """Finds people in frames. Implementations: ultralytics (torch) and onnxruntime.

    ``name`` identifies the weights (recorded as the model version of detected joints);
    ``runtime`` names the engine (``onnx``, ``torch``); ``has_keypoints`` says whether
    :meth:`detect` returns COCO-17 keypoints.
    """

    name: str = "detector"
    runtime: str = ""
    has_keypoints: bool = False

    @abstractmethod
    def detect(self, frames: list[np.ndarray]) -> list[Detections]:
        """Detect people in a batch of frames, each ``(H, W, 3) uint8 RGB``; one Detections per frame."""

    def close(self) -> None:
        """Release runtime resources (sessions, GPU memory); the default holds nothing."""
