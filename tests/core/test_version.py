"""The version is written once (stdpose_core.__version__); pyproject.toml reads it from there."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import stdpose_core

REPO = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "stdpose_core.__version__"}


def test_installed_metadata_equals_the_package_version():
    try:
        installed = version("stdpose-annotator")
    except PackageNotFoundError:
        pytest.skip("stdpose-annotator is not installed (a bare source tree)")
    assert installed == stdpose_core.__version__ == stdpose_core.package_version()
