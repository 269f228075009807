"""The registry of trained models: one JSON file the app reads to list, pick and roll back models.

Location (:func:`registry_path`): ``$STDPOSE_MODELS_DIR/registry.json`` when that variable is set,
else the user's models folder (``~/.local/share/stdpose/models/registry.json`` on Linux; the same
folder the detector weights are searched in). Developers may pass ``--registry models/registry.json``.

Format (``format_version`` 1)::

    {"format": "stdpose-model-registry", "format_version": 1,
     "active": "<id>" | null,                # the model the app uses for propagation
     "models": [                              # oldest first
       {"id": "stdpose_tiny-20261124T153000Z-1a2b3c",   # unique
        "name": "stdpose_tiny",                          # architecture (ModelConfig.name)
        "path": "/abs/run/best.pt",                      # checkpoint (best.pt of the run)
        "run_dir": "/abs/run", "created": ISO-8601 UTC,
        "metrics": {"pckh05": .., "pckh02": .., "map": .., "mean_px": .., "norm": "head"|"box"},
        "metric_name": "pckh05", "epoch": 3, "step": 120,
        "data": [SPEC, ...], "data_hashes": [{...}, ...],
        "mode": "propagation", "version": package version,
        "gate": {...},                                   # model vs flow on the same clips and T (gate.py)
        "onnx": "/abs/run/best.onnx",                    # optional: its ONNX pair (stdpose models export-onnx)
        "forced": true,                                  # optional: activated although it loses to flow
        "previous_active": "<id>" | null}]}        # what was active before (roll back target)

Writes are atomic (temp file + rename). Functions: :func:`list_models`, :func:`add_model`,
:func:`set_active`, :func:`get_active`, :func:`get_model`, :func:`update_model`, :func:`rollback`,
:func:`remove_model`.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from pathlib import Path
from typing import Any

from stdpose_core.errors import StdposeError
from stdpose_core.trained.documents import read_doc, write_doc

FORMAT = "stdpose-model-registry"
FORMAT_VERSION = 1


def registry_path(path: str | Path | None = None) -> Path:
    """The registry file: ``path`` when given, else ``$STDPOSE_MODELS_DIR``/user models folder."""
    if path:
        return Path(path)
    from stdpose_core.paths import user_models_dir

    return user_models_dir() / "registry.json"


def load_registry(path: str | Path | None = None) -> dict[str, Any]:
    """The whole registry document (an empty one when the file does not exist)."""
    return read_doc(registry_path(path), FORMAT, FORMAT_VERSION, "model registry")


def save_registry(doc: dict[str, Any], path: str | Path | None = None) -> Path:
    return write_doc(registry_path(path), doc)


def list_models(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Registered models, oldest first (each entry as in the module docstring)."""
    return list(load_registry(path)["models"])


def get_active(path: str | Path | None = None) -> dict[str, Any] | None:
    """The active model's entry, or None."""
    doc = load_registry(path)
    return next((m for m in doc["models"] if m["id"] == doc.get("active")), None)


def _find(doc: dict[str, Any], model_id: str, path) -> dict[str, Any]:
    for m in doc["models"]:
        if m["id"] == model_id:
            return m
    raise StdposeError(f"{registry_path(path)}: no model with id {model_id!r}")


def get_model(model_id: str, path: str | Path | None = None) -> dict[str, Any]:
    """The entry ``model_id`` (StdposeError naming the registry when there is none)."""
    return _find(load_registry(path), model_id, path)


def update_model(model_id: str, fields: dict[str, Any], path: str | Path | None = None) -> dict[str, Any]:
    """Set ``fields`` on entry ``model_id`` (``None`` values remove a key). Returns the entry."""
    doc = load_registry(path)
    entry = _find(doc, model_id, path)
    for key, value in fields.items():
        if key in ("id", "name", "path") and value is None:
            raise ValueError(f"registry field {key!r} cannot be removed")
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    save_registry(doc, path)
    return entry


def add_model(entry: dict[str, Any], path: str | Path | None = None, activate: bool = False) -> dict[str, Any]:
    """Append ``entry`` (needs ``name`` and ``path``; ``id``/``created`` are filled in). Returns it."""
    if "name" not in entry or "path" not in entry:
        raise ValueError("a registry entry needs 'name' and 'path'")
    doc = load_registry(path)
    now = _dt.datetime.now(_dt.timezone.utc)
    e = dict(entry)
    e.setdefault("created", now.isoformat())
    e.setdefault("id", f"{e['name']}-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}")
    if any(m["id"] == e["id"] for m in doc["models"]):
        raise StdposeError(f"model id {e['id']!r} is already registered")
    e["path"] = str(e["path"])
    doc["models"].append(e)
    if activate:
        e["previous_active"] = doc.get("active")
        doc["active"] = e["id"]
    save_registry(doc, path)
    return e


def set_active(model_id: str | None, path: str | Path | None = None, forced: bool = False) -> dict[str, Any] | None:
    """Make ``model_id`` the active model (None = no trained model). Returns its entry.

    ``forced`` records that a person activated it although the gate says it loses to flow (the
    caller asked them first; see ``gate.activation_warning``)."""
    doc = load_registry(path)
    entry = _find(doc, model_id, path) if model_id is not None else None
    if entry is not None and doc.get("active") != model_id:
        entry["previous_active"] = doc.get("active")
    if entry is not None:
        if forced:
            entry["forced"] = True
        else:
            entry.pop("forced", None)
    doc["active"] = model_id
    save_registry(doc, path)
    return entry


def rollback(path: str | Path | None = None) -> dict[str, Any] | None:
    """Re-activate the model that was active before the current one. Returns the new active entry."""
    doc = load_registry(path)
    current = next((m for m in doc["models"] if m["id"] == doc.get("active")), None)
    if current is None:
        raise StdposeError("no active model to roll back from")
    prev = current.get("previous_active")
    doc["active"] = prev
    save_registry(doc, path)
    return next((m for m in doc["models"] if m["id"] == prev), None)


def remove_model(model_id: str, path: str | Path | None = None) -> None:
    """Forget ``model_id`` (the checkpoint file stays); the active model falls back to its predecessor."""
    doc = load_registry(path)
    entry = _find(doc, model_id, path)
    doc["models"] = [m for m in doc["models"] if m["id"] != model_id]
    if doc.get("active") == model_id:
        doc["active"] = entry.get("previous_active")
    save_registry(doc, path)
