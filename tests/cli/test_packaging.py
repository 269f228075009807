"""The packaging files agree with each other and with the project (no build here; see packaging/README.md)."""

import configparser
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_desktop_entry_runs_the_gui_and_names_an_existing_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(REPO / "resources" / "stdpose-annotator.desktop")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application"
    assert d["Exec"].split()[0] == "stdpose-annotate"
    assert (REPO / "resources" / f"{d['Icon']}.png").is_file()
    scripts = (REPO / "pyproject.toml").read_text()
    assert 'stdpose-annotate = "app.main:main"' in scripts


def test_spec_bundles_configs_resources_and_both_executables():
    spec = (REPO / "packaging" / "stdpose.spec").read_text()
    assert '"models" / "*.yaml"' in spec and "stdpose-annotator.png" in spec
    assert re.search(r'exe\("stdpose-annotate"\).*exe\("stdpose"\).*exe\("stdpose-retrain"\)', spec)
    assert '"stdpose_models"' in spec  # configs land where package_models_dir finds them
    assert list((REPO / "models").glob("*.yaml")), "no model configs to bundle"
    for banned in ("torch", "ultralytics"):
        assert f'"{banned}"' in spec  # the CPU build leaves the training stack out


def _entry():
    sys.path.insert(0, str(REPO / "packaging"))
    try:
        import entry
    finally:
        sys.path.pop(0)
    return entry


def test_entry_dispatches_by_executable_name(monkeypatch):
    entry = _entry()
    called = []
    monkeypatch.setattr("stdpose_core.cli.main.main", lambda: called.append("cli") or 0)
    monkeypatch.setattr("stdpose_core.training.cli.main", lambda: called.append("retrain") or 0)
    monkeypatch.setattr(sys, "executable", "/opt/stdpose-annotator/stdpose")
    assert entry.main() == 0
    monkeypatch.setattr(sys, "executable", "/opt/stdpose-annotator/stdpose-retrain")
    assert entry.main() == 0
    assert called == ["cli", "retrain"]


def test_bundle_without_torch_hands_retrain_to_a_python_install(monkeypatch, tmp_path):
    """The desktop build has no torch: its stdpose-retrain execs one found on PATH, never itself."""
    entry = _entry()
    bundle, other = tmp_path / "bundle", tmp_path / "pipx-bin"
    for d in (bundle, other):
        d.mkdir()
        exe = d / "stdpose-retrain"
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bundle / "stdpose-retrain"))
    monkeypatch.setattr(sys, "argv", ["stdpose-retrain", "--config", "stdpose_tiny", "--out", "r"])
    monkeypatch.setattr(entry, "_has_torch", lambda: False)
    monkeypatch.setenv("PATH", f"{bundle}:{other}")
    execs = []
    monkeypatch.setattr(entry.os, "execv", lambda prog, argv: execs.append((prog, argv)) or 0)
    monkeypatch.setattr("stdpose_core.training.cli.main", lambda: 0)
    entry.retrain()
    assert execs == [(str(other / "stdpose-retrain"), [str(other / "stdpose-retrain"), "--config", "stdpose_tiny", "--out", "r"])]
    monkeypatch.setenv("PATH", str(bundle))  # only itself: no hand-over (the trainer then explains in one line)
    execs.clear()
    entry.retrain()
    assert execs == []


def test_trainer_without_torch_is_one_line(monkeypatch, capsys):
    import builtins

    from stdpose_core.training import cli

    real = builtins.__import__

    def no_torch(name, *a, **k):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    assert cli.main(["--config", "stdpose_tiny", "--out", "r", "--progress", "none"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs PyTorch" in err[0] and "pipx" in err[0]


def test_programs_start_the_frozen_apps_own_executables(monkeypatch):
    from stdpose_core.programs import program_command

    assert program_command("stdpose-retrain") == [sys.executable, "-m", "stdpose_core.training.cli"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/stdpose-annotator/stdpose-annotate")
    assert program_command("stdpose-retrain") == ["/opt/stdpose-annotator/stdpose-retrain"]  # no '-m' for a frozen app
    monkeypatch.setattr(sys, "executable", "C:/Apps/stdpose-annotator/stdpose-annotate.exe")
    assert program_command("stdpose") == ["C:/Apps/stdpose-annotator/stdpose.exe"]


def test_retrain_dialog_offers_the_shipped_configs_by_name(qtbot, monkeypatch, tmp_path):
    pytest.importorskip("PySide6")
    from app.dialogs.retrain import model_configs

    names = model_configs()
    assert names[0] == "stdpose_tiny" and {"stdpose_vit_s", "stdpose_vit_b"} <= set(names)


def test_window_icon_resource_is_found():
    pytest.importorskip("PySide6")
    from app.qt_env import resource_path

    icon = resource_path("stdpose-annotator.png")
    assert icon is not None and icon.stat().st_size > 1000


def test_svg_icon_is_valid_xml_of_the_png_size():
    import xml.etree.ElementTree as ET

    import cv2

    root = ET.parse(REPO / "resources" / "stdpose-annotator.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    png = cv2.imread(str(REPO / "resources" / "stdpose-annotator.png"), cv2.IMREAD_UNCHANGED)
    assert png.shape == (256, 256, 4)
