"""Person detection with a YOLO network exported to ONNX, run by onnxruntime.

A ``.pt`` checkpoint is exported once (by ultralytics, dynamic batch and input size) into the user
cache dir, keyed by the SHA-256 of the weight file, so later runs start in well under a second and
need no torch at inference. Pre/post-processing is our own numpy (``yolo_numpy``), matching the
ultralytics predictor so both runtimes give the same boxes within float tolerance.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from stdpose_core.checksum import file_sha256
from stdpose_core.detection.base import Detections, PersonDetector
from stdpose_core.detection.yolo_meta import YoloInfo, check_person_model
from stdpose_core.detection.yolo_numpy import (
    decode_end2end,
    decode_raw,
    letterbox,
    letterbox_shape,
    to_blob,
    to_detections,
)
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.paths import user_cache_dir


def onnx_cache_path(weights: str | Path, imgsz: int) -> Path:
    """Where the ONNX export of ``weights`` for input size ``imgsz`` is cached."""
    weights = Path(weights)
    key = file_sha256(weights)[:16]
    return user_cache_dir() / "onnx" / f"{weights.stem}-{key}-{imgsz}.onnx"


def shipped_onnx_path(weights: str | Path, imgsz: int) -> Path:
    """An export shipped beside the weights (``WEIGHTS_DIR/onnx/<cache name>``), e.g. in the desktop build."""
    return Path(weights).parent / "onnx" / onnx_cache_path(weights, imgsz).name


def export_onnx(weights: str | Path, imgsz: int = 640) -> Path:
    """Export an ultralytics checkpoint to ONNX (cached; returns the cached file when present).

    The export runs in a private temporary folder next to the cache (ultralytics writes beside its
    input, and the packaged file may sit in a read-only site-packages) and is moved into place
    atomically, so concurrent runs never see half a file.
    """
    from stdpose_core.detection.ultralytics_detector import (
        keep_torch_threads,
        load_yolo,
    )

    target = onnx_cache_path(weights, imgsz)
    if target.is_file():
        return target
    shipped = shipped_onnx_path(weights, imgsz)
    if shipped.is_file():  # exported at build time (desktop bundle): no torch needed at run time
        return shipped
    model, _ = load_yolo(weights)  # validates the file before spending time on an export
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="export-", dir=target.parent))
    try:
        local = tmp / Path(weights).name
        shutil.copyfile(weights, local)
        model, _ = load_yolo(local)
        with keep_torch_threads(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch's notes on its legacy exporter
            out = model.export(format="onnx", dynamic=True, simplify=True, imgsz=imgsz, device="cpu", half=False, verbose=False)
        os.replace(out, target)
    except StdposeError:
        raise
    except Exception as exc:  # noqa: BLE001 - the exporter (torch, onnx, onnxslim) fails in many ways
        raise StdposeError(f"{weights}: ONNX export failed ({type(exc).__name__}: {str(exc)[:200]})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def onnx_providers(device: str) -> list[str]:
    """onnxruntime execution providers for ``auto|cpu|cuda`` (CUDA only where a GPU is really there)."""
    import onnxruntime as ort

    if device not in ("auto", "cpu", "cuda"):
        raise StdposeError(f"device must be auto, cpu or cuda, got {device!r}")
    has_cuda_ep = "CUDAExecutionProvider" in ort.get_available_providers()
    if device == "cpu":
        return ["CPUExecutionProvider"]
    gpu = has_cuda_ep and _cuda_gpu_present()
    if device == "cuda" and not gpu:
        raise StdposeError("--device cuda: onnxruntime has no usable CUDA GPU here")
    return ["CUDAExecutionProvider", "CPUExecutionProvider"] if gpu else ["CPUExecutionProvider"]


def _cuda_gpu_present() -> bool:
    # onnxruntime-gpu lists its CUDA provider even on machines without a GPU; ask torch instead.
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def _read_info(path: Path, meta: dict[str, str]) -> tuple[YoloInfo, bool, int]:
    """YoloInfo, end2end flag and stride from the metadata ultralytics embeds in its ONNX exports."""
    try:
        names = ast.literal_eval(meta["names"])
        task = meta.get("task")
        kpt_shape = ast.literal_eval(meta["kpt_shape"]) if "kpt_shape" in meta else None
    except (KeyError, ValueError, SyntaxError):
        raise InputError(path, "ONNX file lacks ultralytics metadata (names/task); export it with ultralytics") from None
    info = check_person_model(path, task, names, kpt_shape)
    return info, meta.get("end2end", "False") == "True", int(meta.get("stride", 32))


class OnnxDetector(PersonDetector):
    """A YOLO detect/pose model on onnxruntime (CUDA provider when present, else CPU).

    ``weights``: an ultralytics ``.pt`` (exported and cached) or an ``.onnx`` it exported.
    ``threads``: onnxruntime intra-op threads (None = its default, one per physical core).
    """

    runtime = "onnx"

    def __init__(
        self, weights: str | Path, device: str = "auto", imgsz: int = 640, conf: float = 0.25, iou: float = 0.7,
        threads: int | None = None,
    ):
        import onnxruntime as ort

        self.weights = Path(weights)
        if not self.weights.is_file():
            raise InputError(self.weights, "weight file not found")
        onnx_path = self.weights if self.weights.suffix.lower() == ".onnx" else export_onnx(self.weights, imgsz)
        opts = ort.SessionOptions()
        # Spinning threads on a busy 2-core machine starve other sessions (YOLO 43 -> 81 ms measured).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            opts.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(str(onnx_path), opts, providers=onnx_providers(device))
        except StdposeError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise InputError(onnx_path, f"onnxruntime cannot load it ({str(exc).splitlines()[0][:160]})") from None
        self.info, self.end2end, self.stride = _read_info(onnx_path, self.session.get_modelmeta().custom_metadata_map)
        self.input_name = self.session.get_inputs()[0].name
        shape = self.session.get_inputs()[0].shape
        self.max_batch = shape[0] if isinstance(shape[0], int) else None  # static-batch exports
        fixed = shape[2:]
        self.fixed_hw = tuple(fixed) if all(isinstance(d, int) for d in fixed) else None
        self.imgsz = int(self.fixed_hw[0]) if self.fixed_hw else imgsz
        self.conf, self.iou = conf, iou
        self.has_keypoints = self.info.has_coco_keypoints
        self.name = f"{self.weights.stem}@{file_sha256(self.weights)[:8]}"

    @property
    def providers(self) -> list[str]:
        return self.session.get_providers()

    def _input_hw(self, frames: list[np.ndarray]) -> tuple[int, int]:
        if self.fixed_hw:
            return self.fixed_hw
        shapes = {f.shape[:2] for f in frames}
        if len(shapes) == 1:
            return letterbox_shape(shapes.pop(), self.imgsz, self.stride)
        return self.imgsz, self.imgsz  # mixed sizes share one square input

    def detect(self, frames: list[np.ndarray]) -> list[Detections]:
        if not frames:
            return []
        if self.max_batch and len(frames) > self.max_batch:
            n = self.max_batch
            return [d for i in range(0, len(frames), n) for d in self.detect(frames[i : i + n])]
        hw = self._input_hw(frames)
        boxed = [letterbox(f, self.imgsz, hw) for f in frames]
        pred = self.session.run(None, {self.input_name: to_blob([b[0] for b in boxed])})[0]
        info = self.info
        # The head's class count, from the output itself (names in metadata can be fewer than outputs).
        num_classes = pred.shape[1] - 4 - info.kpt_dim * info.num_kpts
        out = []
        for i, (_, lb) in enumerate(boxed):
            if self.end2end:
                boxes, scores, kpts = decode_end2end(pred[i], info.person_class, info.num_kpts, self.conf, info.kpt_dim)
            else:
                boxes, scores, kpts = decode_raw(
                    pred[i], num_classes, info.person_class, info.num_kpts, self.conf, self.iou, kpt_dim=info.kpt_dim
                )
            out.append(to_detections(boxes, scores, kpts, lb))
        return out

    def close(self) -> None:
        self.session = None
