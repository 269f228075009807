"""Training configuration: defaults ← the model YAML's ``training:`` section ← command-line flags.

``--config`` is a model YAML (a path: ModelConfig fields plus an optional ``training:`` mapping of
:class:`TrainingSettings` fields) or a model NAME: ``NAME.yaml`` among the shipped configs
(``stdpose_core.paths.package_models_dir()``, which works in a checkout, a wheel install and the
desktop build), else the registered architecture ``NAME``. The resolved settings are written to
``RUN_DIR/args.yaml`` (``{"model": ModelConfig dict, "training": {...}, "data": [...],
"val_data": [...], "pseudo": [...]}``); ``--resume`` reads them back, so a resumed run needs neither
``--config`` nor ``--data`` (flags given again still override, e.g. a larger ``--epochs``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.config import ModelConfig
from stdpose_core.training.augment import AugmentSettings

MODES = ("propagation", "estimation")
METRICS = ("pckh05", "pckh02", "map")
DEVICES = ("auto", "cpu", "cuda")
#: Augmentation settings that are probabilities (the others are non-negative ranges).
_PROBABILITIES = ("rotation_prob", "flip", "occlusion")


@dataclass(frozen=True)
class TrainingSettings:
    """How to train (the ``training:`` section of a model YAML, then command-line flags), beside the
    :class:`ModelConfig` that says what to train. Frozen and validated like it: unknown keys and bad
    values fail with one line naming the setting (:meth:`from_dict`)."""

    epochs: int = 30
    batch_size: int = 16  #: the GLOBAL batch: under torchrun each of N processes takes batch_size / N
    lr: float = 5.0e-4
    weight_decay: float = 0.05
    warmup: float = 0.05  #: fraction of all steps (< 1) or a number of steps (>= 1)
    min_lr_ratio: float = 0.01  #: cosine floor as a fraction of lr
    grad_clip: float = 1.0  #: max global grad norm; 0 = off
    steps_per_epoch: int = 0  #: 0 = one pass over the training triplets
    every: int = 7  #: T: auxiliary gaps are drawn from 1..T; validation keeps every T-th frame
    #: keyframe grids T (e.g. (7, 15, 30)): triplets = gaps between grid keyframes (flow-prior models)
    grid: tuple[int, ...] = ()
    grid_offsets: int = 3  #: grid placements per T (offsets spread over 0..T-1)
    mode: str = "propagation"  #: or "estimation" (auxiliary heatmaps predicted by the backbone head)
    seed: int = 0
    device: str = "auto"
    amp: bool = True  #: bf16 autocast, CUDA only
    num_workers: int = -1  #: DataLoader workers; -1 = auto: 0 on CPU (the model is the bottleneck), up to 8 on CUDA
    val_every: int = 1  #: epochs between validations; 0 = never
    val_max: int = 256  #: person-frames scored per validation (deterministic subset)
    val_metric: str = "pckh05"  #: picks best.pt: pckh05, pckh02, map (higher is better)
    log_every: int = 1  #: steps between 'step' events
    save_every: int = 0  #: steps between mid-epoch last.pt saves; 0 = at epoch ends only
    pretrained: str | bool = ""  #: timm model name for the backbone (downloads); True = by width; "" = random init
    vitpose: str = ""  #: local ViTPose/mmpose .pth to initialise the backbone
    init: str = ""  #: STDPose checkpoint to start from (weights only)
    augment: AugmentSettings = field(default_factory=AugmentSettings)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """Reasons these settings cannot train (empty when they are fine)."""
        out = []
        for name in ("epochs", "batch_size", "every", "log_every", "grid_offsets"):
            if getattr(self, name) < 1:
                out.append(f"training setting {name!r} must be >= 1, got {getattr(self, name)}")
        for name in ("steps_per_epoch", "val_every", "val_max", "save_every", "weight_decay", "warmup", "grad_clip"):
            if getattr(self, name) < 0:
                out.append(f"training setting {name!r} must be >= 0, got {getattr(self, name)}")
        if not all(isinstance(v, int) and v >= 2 for v in self.grid):
            out.append(f"training setting 'grid' must be a list of keyframe intervals >= 2, got {list(self.grid)!r}")
        if self.num_workers < -1:
            out.append(f"training setting 'num_workers' must be >= -1 (-1 = auto), got {self.num_workers}")
        if not self.lr > 0:
            out.append(f"training setting 'lr' must be > 0, got {self.lr}")
        if not 0 <= self.min_lr_ratio <= 1:
            out.append(f"training setting 'min_lr_ratio' must be in [0, 1], got {self.min_lr_ratio}")
        for name, allowed in (("mode", MODES), ("val_metric", METRICS), ("device", DEVICES)):
            if getattr(self, name) not in allowed:
                out.append(f"training setting {name!r} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        for f in fields(AugmentSettings):
            v = getattr(self.augment, f.name)
            if v < 0 or (f.name in _PROBABILITIES and v > 1):
                limit = "in [0, 1]" if f.name in _PROBABILITIES else ">= 0"
                out.append(f"augment setting {f.name!r} must be {limit}, got {v}")
        return out

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (``augment`` as a mapping): for ``args.yaml`` and checkpoint meta."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["augment"] = dataclasses.asdict(self.augment)
        d["grid"] = list(self.grid)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "training settings") -> "TrainingSettings":
        """Defaults updated by ``d``; unknown keys, wrong types and bad ranges raise StdposeError
        with one line naming ``source`` and the setting."""
        return cls().merged(d, source)

    def merged(self, overrides: dict[str, Any], source: str) -> "TrainingSettings":
        """A copy with ``overrides`` applied (``augment`` merged key by key); see :meth:`from_dict`."""
        if not isinstance(overrides, dict):
            raise StdposeError(f"{source}: training settings must be a mapping, got {type(overrides).__name__}")
        known = {f.name: f for f in fields(self)}
        values = {name: getattr(self, name) for name in known}
        augment = dataclasses.asdict(self.augment)
        for key, value in overrides.items():
            if key not in known:
                raise StdposeError(f"{source}: unknown training setting {key!r}; known: {', '.join(sorted(known))}")
            if key == "augment":
                if not isinstance(value or {}, dict):
                    raise StdposeError(f"{source}: 'augment' must be a mapping")
                unknown = sorted(set(value or {}) - set(augment))
                if unknown:
                    raise StdposeError(f"{source}: unknown augment setting(s) {unknown}; known: {', '.join(sorted(augment))}")
                for k, v in (value or {}).items():
                    augment[k] = _coerce(v, float, f"augment setting {k!r}", source)
            elif key == "grid":
                if not isinstance(value or [], (list, tuple)):
                    raise StdposeError(f"{source}: training setting 'grid' must be a list of keyframe intervals, got {value!r}")
                values[key] = tuple(_coerce(v, int, "training setting 'grid'", source) for v in value or [])
            else:
                values[key] = _coerce(value, _TYPES.get(key, str), f"training setting {key!r}", source)
        try:
            return TrainingSettings(**{**values, "augment": AugmentSettings(**augment)})
        except ValueError as e:
            raise StdposeError(f"{source}: {e}") from None


#: Declared types of the settings (annotations are strings under ``from __future__ import annotations``).
_TYPES: dict[str, type] = {
    "epochs": int, "batch_size": int, "steps_per_epoch": int, "every": int, "seed": int, "num_workers": int,
    "val_every": int, "val_max": int, "log_every": int, "save_every": int, "grid_offsets": int,
    "lr": float, "weight_decay": float, "warmup": float, "min_lr_ratio": float, "grad_clip": float,
    "amp": bool, "pretrained": object,
}


def _coerce(value: Any, kind: type, what: str, source: str) -> Any:
    """``value`` as ``kind`` (YAML and flags give str/int/float); StdposeError when it is not one."""
    if kind is object:
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise StdposeError(f"{source}: {what} must be true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise StdposeError(f"{source}: {what} must be an integer, got {value!r}")
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise StdposeError(f"{source}: {what} must be an integer, got {value!r}") from None
        if not f.is_integer():
            raise StdposeError(f"{source}: {what} must be an integer, got {value!r}")
        return int(f)
    if kind is float:
        if isinstance(value, bool):
            raise StdposeError(f"{source}: {what} must be a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise StdposeError(f"{source}: {what} must be a number, got {value!r}") from None
    if not isinstance(value, str):
        raise StdposeError(f"{source}: {what} must be a string, got {value!r}")
    return value


def load_model_yaml(source: str) -> tuple[ModelConfig, dict[str, Any]]:
    """``(ModelConfig, training section)`` from a YAML path or a model name (see the module docstring)."""
    from stdpose_core.model.config import read_yaml
    from stdpose_core.model.registry import get_config

    if not str(source).endswith((".yaml", ".yml")):
        shipped = shipped_config(str(source))
        if shipped is None:
            return get_config(source), {}
        source = str(shipped)
    path = Path(source)
    d = read_yaml(path)
    if not isinstance(d, dict):
        raise InputError(path, "config must be a mapping of ModelConfig fields")
    training = d.pop("training", None) or {}
    if not isinstance(training, dict):
        raise InputError(path, "'training' must be a mapping")
    return ModelConfig.from_dict(d, source=path), training


def shipped_config(name: str) -> Path | None:
    """``NAME.yaml`` among the shipped model configs, or None."""
    from stdpose_core.paths import package_models_dir

    try:
        path = package_models_dir() / f"{name}.yaml"
    except FileNotFoundError:
        return None
    return path if "/" not in name and path.is_file() else None


def shipped_config_names() -> list[str]:
    """Names of the shipped model configs, smallest architecture first (what the GUI offers)."""
    from stdpose_core.paths import package_models_dir

    order = {"stdpose_tiny": 0, "stdpose_cpu": 1, "stdpose_vit_s": 2, "stdpose_vit_b": 3}
    try:
        names = [p.stem for p in package_models_dir().glob("*.yaml")]
    except FileNotFoundError:
        names = []
    return sorted(names, key=lambda n: (order.get(n, 9), n))


def save_args(path: Path, model: ModelConfig, training: TrainingSettings, data: list[str], val_data: list[str],
              pseudo: list[str] | None = None) -> None:
    doc = {"model": model.to_dict(), "training": training.to_dict(), "data": list(data), "val_data": list(val_data),
           "pseudo": list(pseudo or [])}
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
