"""The core never imports Qt or the app (docs/architecture.md 'Layers'; lint-imports checks the layers)."""

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


def _package_imports() -> dict[str, set[str]]:
    """``{unit: {units it imports}}`` over the core's top-level packages and modules, counting
    imports inside functions too (lazy imports hide cycles from the interpreter, not from this)."""
    import ast

    units = {p.stem if p.is_file() else p.name for p in CORE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = {}
    for path in CORE.rglob("*.py"):
        rel = path.relative_to(CORE)
        src = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "stdpose_core" and len(parts) > 1 and parts[1] in units and parts[1] != src:
                    graph.setdefault(src, set()).add(parts[1])
    return graph


def test_core_packages_import_each_other_without_cycles():
    """Issue 17 item 5: e.g. propagation → training.registry and training → propagation was a cycle;
    the registry and the quality gate now sit below both (``stdpose_core.trained``)."""
    graph = _package_imports()
    assert "training" not in graph.get("propagation", set())
    assert {"propagation", "training"}.isdisjoint(graph.get("trained", set()))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for unit in sorted(graph):
        if unit not in state:
            visit(unit, [])
    assert cycles == []
