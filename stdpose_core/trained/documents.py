"""The JSON documents of ``trained`` (the model registry, a project's model record): read with one
clear error, written atomically (temp file + rename)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from stdpose_core.errors import InputError


def empty_doc(fmt: str, version: int) -> dict[str, Any]:
    return {"format": fmt, "format_version": version, "active": None, "models": []}


def read_doc(path: Path, fmt: str, version: int, what: str) -> dict[str, Any]:
    """The document at ``path`` (an empty one when there is no file); InputError naming the file
    when it is not JSON, not a ``fmt`` document, or newer than ``version``."""
    if not path.exists():
        return empty_doc(fmt, version)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(path, f"{what} is not readable JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt or not isinstance(doc.get("models"), list):
        raise InputError(path, f"not a {what} file")
    if int(doc.get("format_version", 0)) > version:
        raise InputError(path, f"{what} format {doc['format_version']} is newer than this program")
    return doc


def write_doc(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
