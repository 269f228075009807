"""Initialise the backbone (and head) from a ViTPose checkpoint in mmpose's key layout.

ViTPose (mmpose) keys → ours::

    backbone.patch_embed.proj.*   → backbone.vit.patch_embed.proj.*   (ViTPose pads this conv by 2 px:
                                                                       use a config with patch_padding=2)
    backbone.pos_embed [1,1+N,C]  → backbone.vit.pos_embed [1,N,C]     (ViTPose adds slot 0 to every token)
    backbone.blocks.i.*           → backbone.vit.blocks.i.*           (norm1, attn.qkv, attn.proj, norm2, mlp.fc1/fc2)
    backbone.last_norm.*          → backbone.vit.norm.*
    keypoint_head.deconv_layers.j → head.deconv.j                     (only when the shapes match)
    keypoint_head.final_layer.*   → head.final.*                      (COCO order: 15 of 17 slots mean the
                                                                       same joint in PoseTrack18; eyes → head)

The backbone must match exactly (depth, width, grid); the head is loaded only where shapes agree.
"""

from __future__ import annotations

from pathlib import Path

import torch

from stdpose_core.errors import InputError


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise InputError(path, "ViTPose checkpoint not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(path, f"not a readable torch checkpoint ({first[:200]})") from None
    sd = data.get("state_dict", data) if isinstance(data, dict) else None
    if not isinstance(sd, dict) or not any(str(k).startswith("backbone.") for k in sd):
        raise InputError(path, "not a ViTPose/mmpose checkpoint (no 'backbone.*' weights)")
    return {k: v for k, v in sd.items() if isinstance(v, torch.Tensor)}


def map_vitpose_state_dict(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """mmpose ViTPose keys → this package's STDPose keys (see the module docstring)."""
    out: dict[str, torch.Tensor] = {}
    for key, value in sd.items():
        if key == "backbone.pos_embed":
            out["backbone.vit.pos_embed"] = value[:, 1:] + value[:, :1]
        elif key.startswith("backbone.last_norm."):
            out["backbone.vit.norm." + key[len("backbone.last_norm."):]] = value
        elif key.startswith("backbone."):
            out["backbone.vit." + key[len("backbone."):]] = value
        elif key.startswith("keypoint_head.deconv_layers."):
            out["head.deconv." + key[len("keypoint_head.deconv_layers."):]] = value
        elif key.startswith("keypoint_head.final_layer."):
            out["head.final." + key[len("keypoint_head.final_layer."):]] = value
    return out


def load_vitpose(model: torch.nn.Module, path: str | Path) -> dict[str, int]:
    """Copy a ViTPose checkpoint's backbone (required) and head (where shapes match) into ``model``.

    Returns counts ``{"backbone": n, "head": n, "head_skipped": n}``. Raises :class:`InputError` when
    the file is not a ViTPose checkpoint or its backbone does not fit the model's config.
    """
    path = Path(path)
    mapped = map_vitpose_state_dict(_read_state_dict(path))
    own = model.state_dict()
    c = model.config
    backbone_keys = [k for k in own if k.startswith("backbone.")]
    missing = [k for k in backbone_keys if k not in mapped]
    wrong = [f"{k} {tuple(mapped[k].shape)} vs {tuple(own[k].shape)}" for k in backbone_keys
             if k in mapped and mapped[k].shape != own[k].shape]
    if missing or wrong:
        depth = len({k.split(".")[3] for k in mapped if k.startswith("backbone.vit.blocks.")})
        width = mapped.get("backbone.vit.norm.weight", torch.empty(0)).shape
        detail = f"{len(missing)} missing (e.g. {missing[0]})" if missing else f"wrong shapes (e.g. {wrong[0]})"
        raise InputError(path, f"ViTPose backbone ({depth} blocks, width {tuple(width)}) does not fit "
                               f"{c.name} ({c.depth} blocks, width {c.embed_dim}): {detail}")
    head = {k: v for k, v in mapped.items() if k.startswith("head.") and k in own and v.shape == own[k].shape}
    skipped = sum(1 for k in mapped if k.startswith("head.")) - len(head)
    state = {k: mapped[k] for k in backbone_keys}
    state.update(head)
    model.load_state_dict(state, strict=False)
    return {"backbone": len(backbone_keys), "head": len(head), "head_skipped": skipped}
