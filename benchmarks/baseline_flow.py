"""The flow propagator of another git revision, for side-by-side benchmarks in one process.

``bench_propagation.py --baseline main`` registers method ``flow@main``: the flow modules
(:data:`MODULES`) as committed at that revision, loaded from ``git show REV:path`` under private
module names, so old and new run alternately on the same frames in the same process. Everything
else (``base``, ``interp``, data classes) is today's. Not part of the package.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The flow propagator's own modules, in import order (each imports only earlier ones of the list).
MODULES = ("gray_frames", "tiny_mlp", "flow_weights", "confidence", "tracking", "flow_fusion", "flow")


def _source(rev: str, name: str) -> str | None:
    path = f"stdpose_core/propagation/{name}.py"
    res = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{path}"], capture_output=True, text=True)
    return res.stdout if res.returncode == 0 else None


def register_baseline(rev: str) -> str:
    """Load revision ``rev``'s flow modules and register its propagator; returns the method name."""
    from stdpose_core.propagation.base import REGISTRY

    method = f"flow@{rev}"
    tag = "".join(c if c.isalnum() else "_" for c in rev)
    present = [m for m in MODULES if _source(rev, m) is not None]
    if "flow" not in present:
        raise SystemExit(f"revision {rev!r} has no stdpose_core/propagation/flow.py")
    before = dict(REGISTRY)
    for name in present:
        text = _source(rev, name)
        for other in present:  # imports of the revision's own flow modules point at the private copies
            text = text.replace(f"stdpose_core.propagation.{other} ", f"_baseline_{tag}_{other} ")
        mod = types.ModuleType(f"_baseline_{tag}_{name}")
        mod.__file__ = f"{rev}:stdpose_core/propagation/{name}.py"
        sys.modules[mod.__name__] = mod
        exec(compile(text, mod.__file__, "exec"), mod.__dict__)
    cls = REGISTRY["flow"]
    REGISTRY.clear()
    REGISTRY.update(before)  # the revision's @register("flow") must not replace today's
    cls.name = method
    REGISTRY[method] = cls
    return method
