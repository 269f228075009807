"""Field-by-field comparison of two annotation JSON documents: what a round trip lost, changed
or added (used by the round-trip tests and ``benchmarks/bench_interop.py``)."""

from __future__ import annotations

from typing import Any


def _keyed(items: list) -> dict | None:
    """A list of objects with unique ``id`` (images, annotations, categories) as {id: object}."""
    if not items or not all(isinstance(x, dict) and "id" in x for x in items):
        return None
    out = {repr(x["id"]): x for x in items}
    return out if len(out) == len(items) else None


def field_differences(src: Any, out: Any, path: str = "") -> dict[str, list[str]]:
    """``{"lost": [...], "changed": [...], "added": [...]}``: paths (``images[id=785].license``)
    of fields ``src`` has and ``out`` lacks, whose values differ (exactly: ``1`` is not ``1.0``'s
    spelling... but equal numbers are equal), and that only ``out`` has. Lists of objects with
    ids are matched by id, other lists position by position."""
    diff: dict[str, list[str]] = {"lost": [], "changed": [], "added": []}
    _walk(src, out, path, diff)
    return diff


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b and type(a) in (int, float, str, type(None)) and type(b) in (int, float, str, type(None)) \
        and (isinstance(a, str) == isinstance(b, str))


def _walk(a: Any, b: Any, path: str, diff: dict) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            p = f"{path}.{k}" if path else str(k)
            if k not in b:
                diff["lost"].append(p)
            else:
                _walk(a[k], b[k], p, diff)
        for k in b:
            if k not in a:
                diff["added"].append(f"{path}.{k}" if path else str(k))
        return
    if isinstance(a, list) and isinstance(b, list):
        ka, kb = _keyed(a), _keyed(b)
        if ka is not None and kb is not None:
            for i, x in ka.items():
                if i not in kb:
                    diff["lost"].append(f"{path}[id={i}]")
                else:
                    _walk(x, kb[i], f"{path}[id={i}]", diff)
            for i in kb:
                if i not in ka:
                    diff["added"].append(f"{path}[id={i}]")
            return
        if len(a) != len(b) or any(isinstance(x, (dict, list)) for x in a):
            if len(a) != len(b):
                diff["changed"].append(f"{path} (length {len(a)} → {len(b)})")
                return
            for n, (x, y) in enumerate(zip(a, b)):
                _walk(x, y, f"{path}[{n}]", diff)
            return
        if not all(_same_scalar(x, y) for x, y in zip(a, b)):
            diff["changed"].append(path)
        return
    if not _same_scalar(a, b):
        diff["changed"].append(f"{path} ({_short(a)} → {_short(b)})")


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 30 else text[:27] + "..."
