"""Training configuration: defaults ← the model YAML's ``training:`` section ← command-line flags.

``--config`` is a model YAML (``models/NAME.yaml``: ModelConfig fields plus an optional ``training:``
mapping with keys of :data:`TRAIN_DEFAULTS`) or a registered model name (``stdpose_tiny``). The resolved
settings are written to ``RUN_DIR/args.yaml`` (``{"model": ModelConfig dict, "training": {...},
"data": [...], "val_data": [...]}``); ``--resume`` reads them back, so a resumed run needs neither
``--config`` nor ``--data`` (flags given again still override, e.g. a larger ``--epochs``).
"""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.config import ModelConfig
from stdpose_core.training.augment import AugmentSettings

#: Every training setting with its default (the ``training:`` section of a YAML may set any of them).
TRAIN_DEFAULTS: dict[str, Any] = {
    "epochs": 30,
    "batch_size": 16,
    "lr": 5.0e-4,
    "weight_decay": 0.05,
    "warmup": 0.05,  # fraction of all steps (< 1) or a number of steps (>= 1)
    "min_lr_ratio": 0.01,  # cosine floor as a fraction of lr
    "grad_clip": 1.0,  # max global grad norm; 0 = off
    "steps_per_epoch": 0,  # 0 = one pass over the training triplets
    "every": 7,  # T: auxiliary gaps are drawn from 1..T; validation keeps every T-th frame
    "grid": [],  # keyframe grids T (e.g. [7, 15, 30]): triplets = gaps between grid keyframes (flow_prior)
    "grid_offsets": 3,  # grid placements per T (offsets spread over 0..T-1)
    "mode": "propagation",  # or "estimation" (auxiliary heatmaps predicted by the backbone head)
    "seed": 0,
    "device": "auto",
    "amp": True,  # bf16 autocast, CUDA only
    "num_workers": -1,  # DataLoader workers; -1 = auto: 0 on CPU (the model is the bottleneck), up to 8 on CUDA
    "val_every": 1,  # epochs between validations; 0 = never
    "val_max": 256,  # person-frames scored per validation (deterministic subset)
    "val_metric": "pckh05",  # picks best.pt: pckh05, pckh02, map (higher is better)
    "log_every": 1,  # steps between 'step' events
    "save_every": 0,  # steps between mid-epoch last.pt saves; 0 = at epoch ends only
    "pretrained": "",  # timm model name for the backbone (downloads), "" = random init
    "vitpose": "",  # local ViTPose/mmpose .pth to initialise the backbone
    "init": "",  # STDPose checkpoint to start from (weights only)
    "augment": {f.name: f.default for f in fields(AugmentSettings)},
}

MODES = ("propagation", "estimation")
METRICS = ("pckh05", "pckh02", "map")


def load_model_yaml(source: str) -> tuple[ModelConfig, dict[str, Any]]:
    """``(ModelConfig, training section)`` from a YAML path or a registered model name."""
    from stdpose_core.model.config import read_yaml
    from stdpose_core.model.registry import get_config

    if not str(source).endswith((".yaml", ".yml")):
        return get_config(source), {}
    path = Path(source)
    d = read_yaml(path)
    if not isinstance(d, dict):
        raise InputError(path, "config must be a mapping of ModelConfig fields")
    training = d.pop("training", None) or {}
    if not isinstance(training, dict):
        raise InputError(path, "'training' must be a mapping")
    return ModelConfig.from_dict(d, source=path), training


def merge_training(base: dict[str, Any], override: dict[str, Any], source: str) -> dict[str, Any]:
    """``base`` updated by ``override`` (``augment`` merged key by key); unknown keys are errors."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key not in TRAIN_DEFAULTS:
            raise StdposeError(f"{source}: unknown training setting {key!r}; known: {', '.join(sorted(TRAIN_DEFAULTS))}")
        if key == "augment":
            unknown = set(value or {}) - set(TRAIN_DEFAULTS["augment"])
            if unknown:
                raise StdposeError(f"{source}: unknown augment setting(s) {sorted(unknown)}")
            out["augment"].update(value or {})
        else:
            out[key] = value
    return out


def validate_training(t: dict[str, Any]) -> dict[str, Any]:
    """Type-check and range-check the resolved settings (raises StdposeError naming the setting)."""
    ints = ("epochs", "batch_size", "steps_per_epoch", "every", "seed", "num_workers", "val_every", "val_max",
            "log_every", "save_every", "grid_offsets")
    for k in ints:
        try:
            t[k] = int(t[k])
        except (TypeError, ValueError):
            raise StdposeError(f"training setting {k!r} must be an integer, got {t[k]!r}") from None
    for k in ("lr", "weight_decay", "warmup", "min_lr_ratio", "grad_clip"):
        try:
            t[k] = float(t[k])
        except (TypeError, ValueError):
            raise StdposeError(f"training setting {k!r} must be a number, got {t[k]!r}") from None
    grid = t.get("grid") or []
    if not isinstance(grid, (list, tuple)) or not all(isinstance(v, int) and v >= 2 for v in grid):
        raise StdposeError(f"training setting 'grid' must be a list of keyframe intervals >= 2, got {grid!r}")
    t["grid"] = [int(v) for v in grid]
    if t["epochs"] < 1 or t["batch_size"] < 1 or t["every"] < 1 or t["log_every"] < 1:
        raise StdposeError("--epochs, --batch-size, --every and log_every must be >= 1")
    if t["lr"] <= 0:
        raise StdposeError(f"--lr must be > 0, got {t['lr']}")
    if t["mode"] not in MODES:
        raise StdposeError(f"mode must be one of {MODES}, got {t['mode']!r}")
    if t["val_metric"] not in METRICS:
        raise StdposeError(f"val_metric must be one of {METRICS}, got {t['val_metric']!r}")
    if t["device"] not in ("auto", "cpu", "cuda"):
        raise StdposeError(f"--device must be auto, cpu or cuda, got {t['device']!r}")
    t["augment"] = {k: float(v) for k, v in t["augment"].items()}
    return t


def augment_settings(t: dict[str, Any]) -> AugmentSettings:
    return AugmentSettings(**t["augment"])


def save_args(path: Path, model: ModelConfig, training: dict[str, Any], data: list[str], val_data: list[str]) -> None:
    doc = {"model": model.to_dict(), "training": training, "data": list(data), "val_data": list(val_data)}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def load_args(path: Path) -> dict[str, Any]:
    """Read a run's ``args.yaml`` (for ``--resume``)."""
    if not path.is_file():
        raise InputError(path, "cannot resume: args.yaml not found in the run folder")
    try:
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(path, f"not a readable YAML file ({str(e).splitlines()[0]})") from None
    if not isinstance(d, dict) or not isinstance(d.get("model"), dict) or not isinstance(d.get("training"), dict):
        raise InputError(path, "not an args.yaml written by stdpose-retrain")
    return d
