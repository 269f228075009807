"""Person boxes, track ids and pose pre-labels (YOLO via ultralytics or onnxruntime).

Typical use (CLI and GUI alike)::

    detector = create_detector(weights=None, device="auto", runtime="auto")
    edit = run_with_bar(detect_job(project, source, detector, start, stop, redo=False))
    session.apply(edit)

Nothing here imports ultralytics or onnxruntime until a detector is created.
"""

from __future__ import annotations

from pathlib import Path

from stdpose_core.detection.base import Detections, PersonDetector
from stdpose_core.detection.detected import DETECTED_FRAMES_KEY, detected_mask
from stdpose_core.detection.identity_tracking import Anchor, Tracker, TrackerConfig
from stdpose_core.detection.job import DetectConfig, detect_job
from stdpose_core.detection.weights import MissingWeightsError, resolve_detector_weights
from stdpose_core.errors import InputError, StdposeError

#: Detector runtimes by name. "auto" picks onnx (faster on CPU: 43 vs 63 ms per 640 frame measured).
RUNTIMES = ("onnx", "torch")


def _runtime_classes() -> dict:
    from stdpose_core.detection.onnx_detector import OnnxDetector
    from stdpose_core.detection.ultralytics_detector import UltralyticsDetector

    return {"onnx": OnnxDetector, "torch": UltralyticsDetector}


def create_detector(
    weights: str | Path | None = None,
    device: str = "auto",
    runtime: str = "auto",
    imgsz: int = 640,
    conf: float = 0.25,
) -> PersonDetector:
    """A ready :class:`PersonDetector`: weights resolved (see ``weights.py``), then the runtime.

    ``runtime``: ``onnx``, ``torch`` or ``auto`` (onnx, or torch when onnxruntime is missing or the
    ``.pt`` file cannot be exported). ``.onnx`` weights always run on onnxruntime. A ``.pt`` is only
    ever loaded through the restricted path of :mod:`.pt_safety`; weights are never looked up in a
    project's folder.
    """
    if runtime not in ("auto",) + RUNTIMES:
        raise StdposeError(f"runtime must be auto, onnx or torch, got {runtime!r}")
    path = resolve_detector_weights(weights)
    classes = _runtime_classes()
    if path.suffix.lower() == ".onnx":
        if runtime == "torch":
            raise StdposeError(f"{path}: an ONNX file runs on onnxruntime; use --runtime onnx or auto")
        runtime = "onnx"
    if runtime != "auto":
        return classes[runtime](path, device=device, imgsz=imgsz, conf=conf)
    try:
        return classes["onnx"](path, device=device, imgsz=imgsz, conf=conf)
    except InputError:
        raise
    except (ImportError, StdposeError):  # no onnxruntime, or the export failed: torch still works
        return classes["torch"](path, device=device, imgsz=imgsz, conf=conf)


__all__ = [
    "DETECTED_FRAMES_KEY",
    "Anchor",
    "DetectConfig",
    "Detections",
    "MissingWeightsError",
    "PersonDetector",
    "Tracker",
    "TrackerConfig",
    "create_detector",
    "detect_job",
    "detected_mask",
    "resolve_detector_weights",
]
