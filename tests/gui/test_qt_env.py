"""The process guards in app.qt_env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_many_void_qt_calls_do_not_exhaust_none():
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call; 200k calls would abort
    the interpreter without the guard installed by ``import app``."""
    code = (
        "import app\n"
        "from PySide6.QtGui import QPen\n"
        "pen = QPen()\n"
        "for _ in range(200_000): pen.setCosmetic(True)\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_cv2_plugin_path_is_dropped(monkeypatch):
    from app.qt_env import prepare_qt_environment

    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", "/x/site-packages/cv2/qt/plugins")
    prepare_qt_environment()
    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in os.environ
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", "/opt/myqt/plugins")
    prepare_qt_environment()
    assert os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"] == "/opt/myqt/plugins"
