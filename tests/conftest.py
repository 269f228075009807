"""Shared test fixtures: the optional real-data folder and the ``--device`` option."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("YOLO_OFFLINE", "1")
# The shipped STDPose model (models/weights) is off unless a test turns it on (the `builtin_model`
# fixture): 'auto' then means what each test sets up, and subprocesses inherit the switch.
os.environ["STDPOSE_BUILTIN_MODEL"] = "0"

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_addoption(parser):
    parser.addoption("--device", default="cpu", help="torch/onnxruntime device for model tests (cpu or cuda)")


@pytest.fixture
def device(request) -> str:
    return request.config.getoption("--device")


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (real clips and annotation files); the test is skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def dataset_template(tmp_path_factory) -> Path:
    """A generated dataset (``stdpose_core.dataset.synthetic``): 5 mp4 clips of 3 people, 16 frames,
    keyframes every 7th frame, ground truth listed; built once per test session — copy it
    (:func:`copy_dataset`) before changing anything."""
    from stdpose_core.dataset.synthetic import write_synthetic_dataset
    from stdpose_core.progress import run_to_completion

    root = tmp_path_factory.mktemp("dataset-template") / "ds"
    return run_to_completion(write_synthetic_dataset(root, videos=5, persons=3, frames=16, size=(256, 160)))


@pytest.fixture
def dataset_copy(dataset_template, tmp_path):
    """``dataset_copy(name)``: a private copy of :func:`dataset_template` in ``tmp_path / name``
    (paths in a dataset are relative, so a copy works)."""
    import shutil

    def copy(name: str = "ds") -> Path:
        dst = tmp_path / name
        shutil.copytree(dataset_template, dst, ignore=shutil.ignore_patterns("*.stdpose-wal", "*.stdpose-shm"))
        return dst

    return copy


@pytest.fixture
def dataset(dataset_copy) -> Path:
    """A private copy of :func:`dataset_template`."""
    return dataset_copy("ds")


@pytest.fixture
def builtin_model(monkeypatch) -> None:
    """The shipped STDPose model switched on (it is off for every other test)."""
    monkeypatch.setenv("STDPOSE_BUILTIN_MODEL", "1")
