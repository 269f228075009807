"""Checkpoint files (``.pt``): the weights plus the ModelConfig and metadata that describe them.

Layout (a dict saved with ``torch.save``; every value loads with ``torch.load(weights_only=True)``)::

    {"format": "stdpose-checkpoint", "format_version": 1,
     "config": ModelConfig.to_dict(), "state_dict": {...},
     "meta": {"version": package version, "created": ISO time, ...caller's keys:
              data hashes, metrics, epoch...},
     ...extra top-level keys the trainer adds (optimizer, scheduler, step) for --resume}

Files that do not match raise :class:`InputError` with one line naming the file and the problem.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from stdpose_core import package_version
from stdpose_core.errors import InputError
from stdpose_core.model.config import ModelConfig

FORMAT = "stdpose-checkpoint"
FORMAT_VERSION = 1
_RESERVED = {"format", "format_version", "config", "state_dict", "meta"}


@dataclass
class Checkpoint:
    """A loaded checkpoint: ``config``, ``state_dict`` (CPU tensors), ``meta`` and ``extra`` keys."""

    path: Path
    config: ModelConfig
    state_dict: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    config: ModelConfig | None = None,
    meta: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``model``'s weights with ``config`` (default ``model.config``) atomically to ``path``.

    ``meta`` (JSON-like: data hashes, metrics, epoch...) is stored under ``"meta"`` together with the
    package version and creation time; ``extra`` entries become top-level keys (e.g. ``optimizer``).
    """
    path = Path(path)
    config = config if config is not None else model.config
    clash = _RESERVED & set(extra or {})
    if clash:
        raise ValueError(f"extra keys {sorted(clash)} are reserved")
    payload: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": config.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "meta": {"version": package_version(), "created": _dt.datetime.now(_dt.timezone.utc).isoformat(), **(meta or {})},
        **(extra or {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate a checkpoint (weights are not yet matched to a network: see :func:`load_model`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "checkpoint file not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - pickle/zip errors of all kinds: the file is not a torch checkpoint
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(path, f"not a readable torch checkpoint ({first[:200]})") from None
    if not isinstance(data, dict):
        raise InputError(path, f"not an STDPose checkpoint (contains a {type(data).__name__}, expected a dict)")
    if data.get("format") != FORMAT:
        missing = [k for k in ("config", "state_dict") if k not in data]
        what = f"missing {missing}" if missing else f"format is {data.get('format')!r}"
        raise InputError(path, f"not an STDPose checkpoint ({what}); a bare state_dict or another tool's file?")
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise InputError(path, f"checkpoint format {data['format_version']} is newer than this program ({FORMAT_VERSION})")
    for key in ("config", "state_dict"):
        if not isinstance(data.get(key), dict):
            raise InputError(path, f"not an STDPose checkpoint: {key!r} is missing or not a dict")
    config = ModelConfig.from_dict(data["config"], source=path)
    extra = {k: v for k, v in data.items() if k not in _RESERVED}
    return Checkpoint(path, config, data["state_dict"], dict(data.get("meta") or {}), extra)


def load_weights(model: torch.nn.Module, state_dict: dict[str, torch.Tensor], path: str | Path | None = None) -> None:
    """Load ``state_dict`` strictly; missing/unexpected keys or shape mismatches raise InputError."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    wrong = [f"{k} {tuple(state_dict[k].shape)} vs {tuple(v.shape)}" for k, v in own.items()
             if k in state_dict and tuple(state_dict[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[0]})")
        if wrong:
            parts.append(f"{len(wrong)} wrong shapes (e.g. {wrong[0]})")
        raise InputError(path, "weights do not match the model config: " + "; ".join(parts))
    model.load_state_dict(state_dict)


def load_model(path: str | Path, device: str = "cpu"):
    """Build the network a checkpoint describes and load its weights. Returns ``(model, Checkpoint)``;
    the model is in eval mode on ``device``. No pretrained weights are downloaded."""
    from stdpose_core.model.stdpose import build_model

    ckpt = load_checkpoint(path)
    model = build_model(ckpt.config, pretrained=False)
    load_weights(model, ckpt.state_dict, ckpt.path)
    return model.to(device).eval(), ckpt
