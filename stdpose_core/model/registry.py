"""Registered STDPose architectures, timm-style.

Each entrypoint is a few lines of data returning a :class:`ModelConfig`; ``create_model(name,
**overrides)`` builds the network. ``models/<name>.yaml`` holds the same configs (a test keeps them
equal) and ``create_model`` also accepts a path to such a YAML file.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Callable

from stdpose_core.errors import StdposeError
from stdpose_core.model.config import ModelConfig

_ENTRYPOINTS: dict[str, Callable[[], ModelConfig]] = {}


def register_model(fn: Callable[[], ModelConfig]) -> Callable[[], ModelConfig]:
    """Decorator: register ``fn`` (returning a ModelConfig) under its function name."""
    _ENTRYPOINTS[fn.__name__] = fn
    return fn


@register_model
def stdpose_tiny() -> ModelConfig:
    """A very small model for tests and smoke runs (not for real annotation)."""
    return ModelConfig(
        name="stdpose_tiny", embed_dim=64, depth=2, num_heads=2, head_channels=32, fuse_dim=32, fuse_heads=2,
        tff_depth=1, tks_channels=16, stda_depth=1, drop_path_rate=0.0,
    )


@register_model
def stdpose_cpu() -> ModelConfig:
    """CPU-trainable size with the flow prior (ADR 0017): ViT 192-d, 6 blocks, 192x144 crops; the shipped default."""
    return ModelConfig(
        name="stdpose_cpu", img_size=(192, 144), heatmap_size=(48, 36), embed_dim=192, depth=6, num_heads=3,
        head_channels=64, fuse_dim=128, fuse_heads=4, tff_depth=2, stda_depth=2, drop_path_rate=0.05,
        flow_prior=True,
    )


@register_model
def stdpose_vit_s() -> ModelConfig:
    """ViT-Small backbone: the CPU-friendly default for annotation (128-channel heads for speed)."""
    return ModelConfig(
        name="stdpose_vit_s", embed_dim=384, depth=12, num_heads=6, head_channels=128, fuse_dim=192,
        fuse_heads=4, tff_depth=2, stda_depth=2,
    )


@register_model
def stdpose_vit_b() -> ModelConfig:
    """ViT-Base backbone: the paper's size (GPU)."""
    return ModelConfig(
        name="stdpose_vit_b", embed_dim=768, depth=12, num_heads=12, head_channels=256, fuse_dim=256,
        fuse_heads=8, tff_depth=2, stda_depth=2, drop_path_rate=0.3,
    )


def list_models() -> list[str]:
    """Names of the registered architectures, sorted."""
    return sorted(_ENTRYPOINTS)


def get_config(name: str | Path, **overrides: Any) -> ModelConfig:
    """The config of a registered model (or of a ``.yaml`` file) with ``overrides`` applied."""
    text = str(name)
    if text.endswith((".yaml", ".yml")):
        config = ModelConfig.from_yaml(text)
    else:
        try:
            config = _ENTRYPOINTS[text]()
        except KeyError:
            close = difflib.get_close_matches(text, list_models(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise StdposeError(f"unknown model {text!r}{hint}; available: {', '.join(list_models())}") from None
    return config.replace(**overrides) if overrides else config


def create_model(name: str | Path, pretrained: bool = True, **overrides: Any):
    """Build the network ``name`` (registered name or ``.yaml`` path) with config ``overrides``.

    Example: ``create_model("stdpose_vit_s", depth=1)``. Unknown names and fields raise
    :class:`StdposeError` / :class:`InputError` with the valid choices. ``pretrained`` only matters
    when the config names timm weights in ``pretrained``.
    """
    from stdpose_core.model.stdpose import build_model  # torch only when a network is built

    return build_model(get_config(name, **overrides), pretrained=pretrained)


def write_yaml_files(directory: str | Path) -> list[Path]:
    """Write ``<name>.yaml`` for every registered model into ``directory`` (refreshes ``models/``)."""
    out = []
    for name in list_models():
        doc = (_ENTRYPOINTS[name].__doc__ or "").strip().splitlines()[0]
        path = Path(directory) / f"{name}.yaml"
        header = (
            f"# {name}: {doc}\n"
            f"# Same values as the registry entry stdpose_core/model/registry.py:{name} (a test keeps them equal;\n"
            "# regenerate with stdpose_core.model.registry.write_yaml_files). Field meanings: ModelConfig in\n"
            "# stdpose_core/model/config.py. Sizes are [height, width].\n"
        )
        get_config(name).save_yaml(path)
        path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
        out.append(path)
    return out
