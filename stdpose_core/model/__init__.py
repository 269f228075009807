"""STDPose model package: config, registry, network, loss, codec, crop geometry, checkpoints, runtimes.

Pure-numpy parts (``config``, ``codec``, ``geometry``, ``normalize``) import without torch; the names
below are resolved lazily so ``import stdpose_core.model`` stays cheap.

    from stdpose_core.model import create_model, load_runtime, CropWindow, encode, decode
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ModelConfig": "config",
    "register_model": "registry", "create_model": "registry", "list_models": "registry", "get_config": "registry",
    "STDPose": "stdpose", "build_model": "stdpose",
    "StdposeLoss": "loss", "heatmap_mse": "loss",
    "encode": "codec", "encode_batch": "codec", "decode": "codec",
    "CropWindow": "geometry", "box_affine": "geometry", "invert_affine": "geometry",
    "transform_points": "geometry", "crop": "geometry",
    "normalize_crops": "normalize", "denormalize_crops": "normalize",
    "IMAGENET_MEAN": "normalize", "IMAGENET_STD": "normalize",
    "Checkpoint": "checkpoint", "save_checkpoint": "checkpoint", "load_checkpoint": "checkpoint",
    "load_model": "checkpoint", "load_vitpose": "vitpose",
    "union_box": "geometry", "window_box": "geometry", "pose_box": "pose_codec", "window_for": "pose_codec", "crop_frames": "pose_codec",
    "keypoints_to_heatmaps": "pose_codec", "heatmaps_to_keypoints": "pose_codec",
    "PeakCalibration": "calibration", "fit_peak_calibration": "calibration",
    "PoseRuntime": "runtime", "EncodedFrames": "runtime", "load_runtime": "runtime", "export_onnx": "runtime",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
