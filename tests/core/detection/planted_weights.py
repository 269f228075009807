"""Malicious ``.pt`` files for the planted-weights test and ``benchmarks/bench_planted_weights.py``.

Each file, if unpickled the ordinary way, writes a marker file: that marker existing afterwards means
code from the weight file ran. Three kinds:

- ``exec``: a torch zip checkpoint whose pickle calls ``builtins.exec`` (refused by the scan);
- ``legacy``: a plain pickle (no zip archive) doing the same (refused: cannot be scanned);
- ``getattr``: a torch zip checkpoint naming only globals a real YOLO file names too
  (``builtins.getattr`` and a torch layer class) and reaching ``exec`` through
  ``Conv2d.__init__.__globals__['__builtins__']``: it passes the scan and is stopped by the
  restricted (``weights_only``) unpickler.
"""

from __future__ import annotations

import pickle
from pathlib import Path

KINDS = ("exec", "legacy", "getattr")


def _payload(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('code from a weight file ran')"


class _Exec:
    def __init__(self, marker: Path):
        self.code = _payload(marker)

    def __reduce__(self):
        return exec, (self.code,)


class _Reduce:
    """Pickles as ``func(*args)``; the building block of the getattr chain."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args

    def __call__(self, *args):  # pickle wants a callable first item; the real one is built on load
        raise TypeError("only meaningful once unpickled")


def _getattr_chain(marker: Path):
    import torch

    init = _Reduce(getattr, torch.nn.Conv2d, "__init__")
    globs = _Reduce(getattr, init, "__globals__")
    builtins_ = _Reduce(_Reduce(getattr, globs, "get"), "__builtins__")
    exec_ = _Reduce(_Reduce(getattr, builtins_, "get"), "exec")
    return _Reduce(exec_, _payload(marker))


def write_malicious(path: Path, marker: Path, kind: str = "exec") -> Path:
    """Write a malicious checkpoint of ``kind`` (see module docstring) to ``path``; returns ``path``."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "exec":
        torch.save({"model": _Exec(marker), "epoch": 1}, path)
    elif kind == "legacy":
        path.write_bytes(pickle.dumps({"model": _Exec(marker)}, protocol=2))
    elif kind == "getattr":
        torch.save({"model": _getattr_chain(marker), "epoch": 1}, path)
    else:
        raise ValueError(kind)
    return path
