"""The user's folders for models and caches (one definition for the whole core).

``$STDPOSE_MODELS_DIR`` and ``$STDPOSE_CACHE_DIR`` override the platform folders
(``~/.local/share/stdpose/models`` and ``~/.cache/stdpose`` on Linux).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_models_dir() -> Path:
    """Weight files and the model registry live here."""
    env = os.environ.get("STDPOSE_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("stdpose", appauthor=False)) / "models"


def user_cache_dir() -> Path:
    """Derived files that can be rebuilt (frame indexes, exported ONNX models, demo clips)."""
    env = os.environ.get("STDPOSE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("stdpose", appauthor=False))


def bundle_dir() -> Path | None:
    """The folder of a frozen (PyInstaller) build, where bundled weights live; None when not frozen."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if getattr(sys, "frozen", False) and root else None


def package_models_dir() -> Path:
    """The folder of shipped model configs (``*.yaml``) and built-in weights (``weights/``).

    The repository's ``models/`` folder, installed as the data package ``stdpose_models``: found by
    import machinery, so it is the same in a source checkout, a wheel/pipx install and the desktop
    build (where PyInstaller collects it).
    """
    import importlib.util

    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models" / "__init__.py").is_file():
        return checkout / "models"  # a source checkout (also one run through PYTHONPATH)
    spec = importlib.util.find_spec("stdpose_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the stdpose_models data package is not installed (reinstall stdpose-annotator)")
    return Path(next(iter(spec.submodule_search_locations)))
