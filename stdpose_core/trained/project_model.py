"""The model adapted to one project (``stdpose adapt``, Model → Adapt to this video), kept BESIDE it.

Layout, for the project ``clip.stdpose``::

    clip.stdpose-models/
        project_model.json            # which adapted model the project uses, and why
        adapted-20261124T153000Z.pt   # the checkpoints (fine-tuned from a registry model)

``project_model.json`` (``format_version`` 1)::

    {"format": "stdpose-project-model", "format_version": 1, "active": "adapted-....pt" | null,
     "models": [{"file": "adapted-....pt", "created": ISO-8601 UTC, "base": {"path", "id"},
                 "keyframes": n, "steps": n,
                 "gate": GateScores (model = adapted, flow = flow; leave-one-keyframe-out),
                 "base_scores": {pckh02, ...}}]}

Why beside the project and not inside the ``.stdpose`` file: checkpoints are megabytes of weights that
do not belong in the annotation database or its undo history; adapting never writes to the project
file (a failed or cancelled run leaves it untouched, and a project opened read-only elsewhere can
still be adapted); deleting the folder returns the project to the registry's model. The price: a
project file copied without its folder propagates with the global model again.

Only adaptations that beat their base are recorded here (``training.adapt``); writes are atomic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stdpose_core.trained.documents import read_doc, write_doc

FORMAT = "stdpose-project-model"
FORMAT_VERSION = 1
RECORD = "project_model.json"


def models_dir(project_path: str | Path) -> Path:
    """``PROJECT-models/`` next to the project file."""
    p = Path(project_path)
    return p.with_name(p.name + "-models")


def read(project_path: str | Path) -> dict[str, Any]:
    """The record (an empty one when the project has no adapted model)."""
    return read_doc(models_dir(project_path) / RECORD, FORMAT, FORMAT_VERSION, "project model record")


def _write(project_path: str | Path, doc: dict[str, Any]) -> None:
    write_doc(models_dir(project_path) / RECORD, doc)


def active_record(project_path: str | Path) -> dict[str, Any] | None:
    """The active adapted model's record with ``path`` (absolute) added, or None."""
    doc = read(project_path)
    rec = next((m for m in doc["models"] if m.get("file") == doc.get("active")), None)
    if rec is None:
        return None
    return {**rec, "path": str(models_dir(project_path) / rec["file"]), "mode": "propagation"}


def add_adapted(project_path: str | Path, checkpoint: str | Path, record: dict[str, Any]) -> dict[str, Any]:
    """Move ``checkpoint`` into the project's models folder and make it the project's model."""
    folder = models_dir(project_path)
    folder.mkdir(parents=True, exist_ok=True)
    src = Path(checkpoint)
    dest = folder / src.name
    os.replace(src, dest)
    doc = read(project_path)
    rec = {**record, "file": dest.name}
    doc["models"] = [m for m in doc["models"] if m.get("file") != dest.name] + [rec]
    doc["active"] = dest.name
    _write(project_path, doc)
    return {**rec, "path": str(dest)}


def reset(project_path: str | Path) -> bool:
    """Stop using an adapted model (the files stay). True when one was active."""
    doc = read(project_path)
    if doc.get("active") is None:
        return False
    doc["active"] = None
    _write(project_path, doc)
    return True
