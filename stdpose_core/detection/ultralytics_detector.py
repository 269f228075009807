"""Person detection with an ultralytics YOLO checkpoint on torch.

ultralytics is imported lazily (it is slow to import and changes process state): auto-install,
network checks and telemetry are switched off first, and the thread settings it changes are put back
(``import ultralytics`` sets ``OMP_NUM_THREADS=1``; its first predict sets torch to cores-1 threads,
which slows every other torch model in the process). ``.pt`` files are loaded only through
:mod:`.pt_safety` (scanned first, then ultralytics' restricted ``weights_only`` loading).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from stdpose_core.checksum import file_sha256
from stdpose_core.detection.base import Detections, PersonDetector
from stdpose_core.detection.pt_safety import LOAD_PROBLEM, require_safe_loading, scan_checkpoint
from stdpose_core.detection.yolo_meta import YoloInfo, check_person_model
from stdpose_core.errors import InputError, StdposeError

_ultralytics = None


def import_ultralytics():
    """Import and return the ``ultralytics`` module with auto-install and network use switched off."""
    global _ultralytics
    if _ultralytics is not None:
        return _ultralytics
    os.environ["YOLO_AUTOINSTALL"] = "false"  # never pip-install packages at run time
    os.environ["YOLO_OFFLINE"] = "1"  # no update checks or telemetry; downloads go through weights.py
    os.environ.setdefault("YOLO_VERBOSE", "False")
    os.environ["ULTRALYTICS_SAFE_LOAD"] = "1"  # weights_only unpickling (pt_safety also sets it after import)
    omp = os.environ.get("OMP_NUM_THREADS")
    import torch  # first, so torch sizes its thread pool from the environment ultralytics then edits

    threads = torch.get_num_threads()
    import ultralytics

    torch.set_num_threads(threads)

    if omp is None:
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = omp
    try:  # settings 'sync' without writing the user's settings file: switch the event sender off in memory
        from ultralytics.utils import events

        events.events.enabled = False
    except (ImportError, AttributeError):
        pass
    _ultralytics = ultralytics
    return ultralytics


class keep_torch_threads:
    """Context manager restoring torch's intra-op thread count (ultralytics' device setup changes it)."""

    def __enter__(self):
        import torch

        self._n = torch.get_num_threads()
        return self

    def __exit__(self, *exc):
        import torch

        if torch.get_num_threads() != self._n:
            torch.set_num_threads(self._n)
        return False


def torch_device(device: str) -> str:
    """``auto|cpu|cuda`` → the device string ultralytics takes (``cpu`` or ``0``)."""
    import torch

    if device not in ("auto", "cpu", "cuda"):
        raise StdposeError(f"device must be auto, cpu or cuda, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise StdposeError("--device cuda: no CUDA GPU is available to torch")
    return "0" if device != "cpu" and torch.cuda.is_available() else "cpu"


def load_yolo(path: str | Path):
    """Load an ultralytics checkpoint safely; returns ``(model, YoloInfo)`` or raises ``InputError``.

    The file is scanned before anything is unpickled and then loaded in ultralytics' restricted mode
    (see :mod:`stdpose_core.detection.pt_safety`); a file that would need more is refused.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "weight file not found")
    scan_checkpoint(path)
    ultralytics = import_ultralytics()
    require_safe_loading(ultralytics, path)
    yolo_cls = ultralytics.YOLO
    try:
        with keep_torch_threads():
            model = yolo_cls(str(path))
    except Exception as exc:  # noqa: BLE001 - torch/pickle/zip raise many types for a bad file
        raise InputError(path, f"{LOAD_PROBLEM} ({_first_line(exc, path)})") from None
    kpt_shape = getattr(model.model, "kpt_shape", None) if model.task == "pose" else None
    return model, check_person_model(path, model.task, model.names, kpt_shape)


def _first_line(exc: Exception, path: Path) -> str:
    """ultralytics' message without its 'ERROR ❌️' banner and the path we already name."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0].replace("ERROR ❌️", "").replace(str(path), "it").strip()
    return line[:160]


class UltralyticsDetector(PersonDetector):
    """YOLO detect/pose checkpoint run by ultralytics on torch (CPU or CUDA).

    ``imgsz``: longest side of the network input; ``conf``: minimum person score; ``iou``: NMS overlap.
    """

    runtime = "torch"

    def __init__(self, weights: str | Path, device: str = "auto", imgsz: int = 640, conf: float = 0.25, iou: float = 0.7):
        self.weights = Path(weights)
        self.model, self.info = load_yolo(self.weights)
        self.device = torch_device(device)
        self.imgsz, self.conf, self.iou = imgsz, conf, iou
        self.has_keypoints = self.info.has_coco_keypoints
        self.name = f"{self.weights.stem}@{file_sha256(self.weights)[:8]}"

    @property
    def yolo_info(self) -> YoloInfo:
        return self.info

    def detect(self, frames: list[np.ndarray]) -> list[Detections]:
        if not frames:
            return []
        bgr = [np.ascontiguousarray(f[..., ::-1]) for f in frames]  # ultralytics takes arrays as BGR
        with keep_torch_threads():
            results = self.model.predict(
                bgr, imgsz=self.imgsz, conf=self.conf, iou=self.iou, classes=[self.info.person_class],
                device=self.device, verbose=False, half=False, save=False,
            )
        out = []
        for r in results:
            boxes = r.boxes.xyxy.cpu().numpy()
            scores = r.boxes.conf.cpu().numpy()
            if self.has_keypoints and r.keypoints is not None:
                data = r.keypoints.data.cpu().numpy()
                kscores = data[..., 2] if data.shape[-1] > 2 else np.ones(data.shape[:2], np.float32)
                out.append(Detections(boxes, scores, data[..., :2], kscores))
            else:
                out.append(Detections(boxes, scores))
        return out

    def close(self) -> None:
        self.model = None
