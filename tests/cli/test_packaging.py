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
    assert re.search(r'exe\("stdpose-annotate"\).*exe\("stdpose"\)', spec)
    assert list((REPO / "models").glob("*.yaml")), "no model configs to bundle"
    for banned in ("torch", "ultralytics"):
        assert f'"{banned}"' in spec  # the CPU build leaves the training stack out


def test_entry_dispatches_by_executable_name(monkeypatch):
    sys.path.insert(0, str(REPO / "packaging"))
    try:
        import entry
    finally:
        sys.path.pop(0)
    called = []
    monkeypatch.setattr("stdpose_core.cli.main.main", lambda: called.append("cli") or 0)
    monkeypatch.setattr(sys, "executable", "/opt/stdpose-annotator/stdpose")
    assert entry.main() == 0
    assert called == ["cli"]


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
