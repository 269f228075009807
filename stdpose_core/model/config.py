"""``ModelConfig``: everything needed to rebuild an STDPose network, as one flat typed dataclass.

The config travels with the weights: it is stored as a plain dict under ``"config"`` in every
checkpoint and as JSON in the ONNX metadata, so a weight file describes itself. The YAML files in
``models/*.yaml`` hold the same dicts (``ModelConfig.from_yaml``).

Sizes are ``(height, width)`` in pixels; the crop is ``img_size`` and the heatmaps are ``heatmap_size``
(a quarter of the crop: one heatmap pixel = 4 crop pixels).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from stdpose_core.errors import InputError

#: Bumped when the meaning of a field changes; older configs are migrated in ``from_dict``.
CONFIG_VERSION = 1


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and loss settings of one STDPose model (see STDPOSE.md Sec. 3)."""

    name: str = "stdpose_custom"
    skeleton: str = "posetrack18"
    num_joints: int = 17
    img_size: tuple[int, int] = (256, 192)
    heatmap_size: tuple[int, int] = (64, 48)
    #: Gaussian sigma (heatmap pixels) of training targets and of the rendered keyframe heatmaps.
    heatmap_sigma: float = 2.0

    # Backbone: timm VisionTransformer, no class token.
    patch_size: int = 16
    #: Zero padding of the patch-embedding conv; ViTPose checkpoints were trained with 2 (``vitpose``).
    patch_padding: int = 0
    embed_dim: int = 384
    depth: int = 12
    num_heads: int = 6
    mlp_ratio: float = 4.0
    drop_path_rate: float = 0.1
    #: timm model name whose pretrained weights initialise the backbone (online users); "" = random init.
    pretrained: str = ""

    # Classic ViTPose decoder (two 4x4 deconvs + 1x1 conv), used after the backbone and after STDA.
    head_channels: int = 256

    # Temporal fusion (STRE) and aggregation (STDA) run at ``fuse_dim`` channels on the patch grid.
    fuse_dim: int = 192
    fuse_heads: int = 4
    tff_depth: int = 2
    tks_channels: int = 32
    dam_enabled: bool = True
    dam_k: float = 1.5
    dam_theta: float = 0.5
    stda_depth: int = 2
    #: Add the merged heatmaps H~ to the STDA head's output (our addition, ADR 0002): the decoder
    #: learns a correction on top of H~ instead of re-drawing every Gaussian from 16x12 tokens,
    #: which makes training from scratch far faster. False = the paper's head alone.
    stda_residual: bool = True
    #: Flow prior (ADR 0017): the ``flow`` method's estimate for the target frame, rendered as heatmaps
    #: in the crop, is a fourth TKS input, replaces the target heatmap in DAM, and is the residual
    #: base: ``H~ = prior + TKS(...)`` and the final heatmaps ``H~ + STDA(...)``, with the last conv of
    #: both branches zero-initialised, so an untrained model returns flow's joints exactly and
    #: training learns to correct flow. Needs ``stda_residual``. False = the paper's design.
    flow_prior: bool = False

    # Loss (STDPOSE.md Eq. 2-5; ADR 0002 for the MI approximation).
    mi_enabled: bool = True
    mi_alpha: float = 0.1
    mi_beta: float = 0.01
    #: Weight of the self-distillation KL inside each MI term (ADR 0002).
    mi_kl_weight: float = 1.0
    #: Weight of a plain heatmap loss on the single-frame backbone head (helps training from scratch).
    single_frame_weight: float = 0.5

    version: int = CONFIG_VERSION

    def __post_init__(self) -> None:
        # YAML/JSON give lists; keep tuples so configs compare and hash.
        for name in ("img_size", "heatmap_size"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """Human-readable reasons this config cannot be built (empty when it is fine)."""
        out = []
        h, w = self.img_size
        if h % self.patch_size or w % self.patch_size:
            out.append(f"img_size {self.img_size} is not a multiple of patch_size {self.patch_size}")
        if not 0 <= 2 * self.patch_padding < self.patch_size:
            out.append(f"patch_padding {self.patch_padding} must be >= 0 and < patch_size / 2")
        gh, gw = self.grid_size
        if self.heatmap_size != (gh * 4, gw * 4):
            out.append(f"heatmap_size {self.heatmap_size} must be 4x the patch grid {self.grid_size}")
        if self.embed_dim % self.num_heads:
            out.append(f"embed_dim {self.embed_dim} is not divisible by num_heads {self.num_heads}")
        if self.fuse_dim % self.fuse_heads:
            out.append(f"fuse_dim {self.fuse_dim} is not divisible by fuse_heads {self.fuse_heads}")
        for name in ("num_joints", "depth", "embed_dim", "head_channels", "fuse_dim", "tks_channels"):
            if getattr(self, name) < 1:
                out.append(f"{name} must be >= 1")
        for name in ("tff_depth", "stda_depth"):
            if getattr(self, name) < 0:
                out.append(f"{name} must be >= 0")
        if self.dam_k <= 0:
            out.append("dam_k must be > 0")
        if self.flow_prior and not self.stda_residual:
            out.append("flow_prior needs stda_residual (the prior is the residual base of the final heatmaps)")
        return out

    @property
    def grid_size(self) -> tuple[int, int]:
        """Patch grid ``(h, w)`` of the backbone (16x12 for a 256x192 crop)."""
        return self.img_size[0] // self.patch_size, self.img_size[1] // self.patch_size

    @property
    def feature_shape(self) -> tuple[int, int, int]:
        """Shape ``(C, h, w)`` of one frame's backbone features F."""
        return (self.embed_dim, *self.grid_size)

    @property
    def heatmap_shape(self) -> tuple[int, int, int]:
        """Shape ``(K, H, W)`` of one frame's heatmaps."""
        return (self.num_joints, *self.heatmap_size)

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists for sizes): safe for YAML, JSON and ``torch.load(weights_only=True)``."""
        d = dataclasses.asdict(self)
        for name in ("img_size", "heatmap_size"):
            d[name] = list(d[name])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str | Path | None = None) -> "ModelConfig":
        """Build from a dict; unknown keys or invalid values raise :class:`InputError` naming ``source``."""
        if not isinstance(d, dict):
            raise InputError(source, f"model config must be a mapping, got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise InputError(source, f"unknown model config field(s) {unknown}; known: {sorted(known)}")
        version = d.get("version", CONFIG_VERSION)
        if not isinstance(version, int) or version > CONFIG_VERSION:
            raise InputError(source, f"model config version {version!r} is newer than this program ({CONFIG_VERSION})")
        try:
            return cls(**d)
        except (TypeError, ValueError) as e:
            raise InputError(source, f"invalid model config: {e}") from None

    def replace(self, **overrides: Any) -> "ModelConfig":
        """A copy with some fields changed; unknown names raise :class:`InputError`."""
        return ModelConfig.from_dict({**self.to_dict(), **overrides}, source=f"overrides for {self.name}")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str | Path | None = None) -> "ModelConfig":
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(source, f"model config is not valid JSON ({e})") from None
        return cls.from_dict(d, source)

    def save_yaml(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False), encoding="utf-8")

    @classmethod
    def from_yaml(cls, path: str | Path) -> "ModelConfig":
        return cls.from_dict(read_yaml(path, "model config file"), source=Path(path))


def field_names() -> list[str]:
    """Names accepted as overrides by ``create_model``."""
    return [f.name for f in fields(ModelConfig)]


__all__ = ["ModelConfig", "CONFIG_VERSION", "field_names"]


def read_yaml(path: str | Path, what: str = "config file") -> Any:
    """The parsed contents of a YAML file; ``InputError`` naming the file when missing or unreadable."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"{what} not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(path, f"not a readable YAML file ({str(e).splitlines()[0]})") from None
