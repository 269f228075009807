"""The ultralytics (torch) and onnxruntime detectors on a tiny random-weight model, and bad weight files."""

import os

import numpy as np
import pytest
import torch

from stdpose_core.detection import create_detector
from stdpose_core.detection.onnx_detector import (
    OnnxDetector,
    onnx_cache_path,
    onnx_providers,
)
from stdpose_core.detection.ultralytics_detector import (
    UltralyticsDetector,
    import_ultralytics,
)
from stdpose_core.errors import InputError, StdposeError


def _check(dets, frames, keypoints=True):
    assert len(dets) == len(frames)
    for d, f in zip(dets, frames):
        h, w = f.shape[:2]
        assert d.boxes.shape[1] == 4 and len(d.scores) == len(d)
        assert (d.boxes[:, [0, 2]] >= 0).all() and (d.boxes[:, [0, 2]] <= w).all()
        assert (d.boxes[:, [1, 3]] >= 0).all() and (d.boxes[:, [1, 3]] <= h).all()
        assert (d.scores > 0.25 - 1e-6).all()
        assert d.has_keypoints == keypoints


def test_import_sets_offline_env_and_keeps_threads():
    omp = os.environ.get("OMP_NUM_THREADS")
    n = torch.get_num_threads()
    import_ultralytics()
    assert os.environ["YOLO_AUTOINSTALL"] == "false" and os.environ["YOLO_OFFLINE"] == "1"
    assert os.environ.get("OMP_NUM_THREADS") == omp and torch.get_num_threads() == n


def test_torch_detector_on_tiny_model_restores_threads(tiny_pose_pt, rgb_frames):
    det = UltralyticsDetector(tiny_pose_pt, device="cpu", imgsz=128, conf=0.25)
    assert det.has_keypoints and det.runtime == "torch" and det.name.startswith("tiny-pose@")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        frames = rgb_frames(3)
        _check(det.detect(frames), frames)
        assert torch.get_num_threads() == 2  # ultralytics' device setup would leave cores-1
    finally:
        torch.set_num_threads(before)
    assert det.detect([]) == []


def test_onnx_export_is_cached_by_hash(tiny_pose_pt, rgb_frames, onnx_cache):
    target = onnx_cache_path(tiny_pose_pt, 128)
    assert target.parent.parent == onnx_cache
    det = OnnxDetector(tiny_pose_pt, device="cpu", imgsz=128)
    assert target.is_file() and det.runtime == "onnx" and det.providers == ["CPUExecutionProvider"]
    stamp = target.stat().st_mtime_ns
    frames = rgb_frames(5, 96, 128) + rgb_frames(1, 60, 200, seed=3)  # mixed sizes share a square input
    _check(det.detect(frames), frames)
    again = OnnxDetector(tiny_pose_pt, device="cpu", imgsz=128)
    assert target.stat().st_mtime_ns == stamp  # not exported twice
    direct = OnnxDetector(target, device="cpu")  # an exported .onnx runs as is
    np.testing.assert_allclose(direct.detect(frames[:1])[0].boxes, again.detect(frames[:1])[0].boxes, atol=1e-3)
    assert not list(onnx_cache.glob("onnx/export-*"))  # the temporary export folder is gone


def test_batched_equals_single_frames(tiny_pose_pt, rgb_frames):
    det = OnnxDetector(tiny_pose_pt, device="cpu", imgsz=128, conf=0.05)
    frames = rgb_frames(4, seed=7)
    batched = det.detect(frames)
    single = [det.detect([f])[0] for f in frames]
    for a, b in zip(batched, single):
        np.testing.assert_allclose(a.boxes, b.boxes, atol=1e-3)
        np.testing.assert_allclose(a.keypoint_scores, b.keypoint_scores, atol=1e-4)


def test_device_choices():
    assert onnx_providers("cpu") == ["CPUExecutionProvider"]
    if not torch.cuda.is_available():
        assert onnx_providers("auto") == ["CPUExecutionProvider"]
        with pytest.raises(StdposeError, match="cuda"):
            onnx_providers("cuda")
    with pytest.raises(StdposeError):
        onnx_providers("tpu")


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
def test_bad_weight_files_are_clear_input_errors(tmp_path, runtime, yolo_pose_weights):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a checkpoint" * 100)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(yolo_pose_weights.read_bytes()[:4000])
    state_dict = tmp_path / "state_dict.pt"
    torch.save({"conv.weight": torch.zeros(3, 3)}, state_dict)
    for path in (junk, truncated, state_dict):
        with pytest.raises(InputError) as err:
            create_detector(path, device="cpu", runtime=runtime)
        assert str(path) in str(err.value) and "cannot be loaded" in str(err.value)
        assert "\n" not in str(err.value)


def test_bad_onnx_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00garbage" * 50)
    with pytest.raises(InputError, match="onnxruntime cannot load"):
        create_detector(bad, device="cpu")
    with pytest.raises(StdposeError, match="onnxruntime"):
        create_detector(bad, device="cpu", runtime="torch")


@pytest.mark.slow
@pytest.mark.parametrize("runtime", ["torch", "onnx"])
def test_classifier_and_no_person_models_rejected(tiny_builder, runtime):
    cls = tiny_builder("yolo11n-cls.yaml", {0: "cat", 1: "person"}, "cls.pt")
    with pytest.raises(InputError, match="classification model"):
        create_detector(cls, device="cpu", runtime=runtime)
    animals = tiny_builder("yolo11n.yaml", {0: "cat", 1: "dog"}, "animals.pt")
    with pytest.raises(InputError, match="no 'person' class.*cat, dog"):
        create_detector(animals, device="cpu", runtime=runtime)


def test_detect_model_without_keypoints(tiny_builder, rgb_frames):
    """Any ultralytics detect checkpoint with a person class works (boxes only)."""
    det_pt = tiny_builder("yolo11n.yaml", {0: "bicycle", 1: "person"}, "det.pt")
    frames = rgb_frames(2)
    for runtime in ("torch", "onnx"):
        det = create_detector(det_pt, device="cpu", runtime=runtime, imgsz=128)
        assert not det.has_keypoints
        _check(det.detect(frames), frames, keypoints=False)
