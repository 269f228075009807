"""The core never imports Qt or the app (ARCHITECTURE.md 'Layers')."""

import subprocess
import sys
from pathlib import Path

import stdpose_core

CORE = Path(stdpose_core.__file__).parent


def test_core_sources_do_not_import_qt_or_app():
    bad = []
    for path in CORE.rglob("*.py"):
        for line in path.read_text().splitlines():
            s = line.strip()
            if s.startswith(("import ", "from ")) and any(
                s.split()[1].split(".")[0] == m for m in ("PySide6", "PyQt5", "PyQt6", "app")
            ):
                bad.append(f"{path.relative_to(CORE)}: {s}")
    assert bad == []


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, stdpose_core\n"
        "for m in pkgutil.walk_packages(stdpose_core.__path__, 'stdpose_core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'app'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
