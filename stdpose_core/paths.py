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
