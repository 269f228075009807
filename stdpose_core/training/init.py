"""Initialising a network before training: random (default), timm pretrained, ViTPose, ``--init``.

* ``--pretrained [TIMM_NAME]`` — timm's pretrained ViT weights for the backbone (downloads; online
  users). Without a name: the config's ``pretrained`` field, else :data:`DEFAULT_TIMM` by width.
* ``--vitpose FILE`` — a local ViTPose checkpoint in mmpose's key layout, mapped by
  :mod:`stdpose_core.model.vitpose` (backbone must match exactly; head where shapes agree). A file
  that does not fit raises InputError before training starts.
* ``--init CKPT`` — the weights of an STDPose checkpoint of the same architecture (nothing else: a
  fresh optimizer and schedule, unlike ``--resume``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from stdpose_core.errors import StdposeError

log = logging.getLogger(__name__)

#: timm weights used by ``--pretrained`` without a name, keyed by backbone width.
DEFAULT_TIMM = {
    192: "vit_tiny_patch16_224.augreg_in21k_ft_in1k",
    384: "vit_small_patch16_224.augreg_in21k_ft_in1k",
    768: "vit_base_patch16_224.augreg2_in21k_ft_in1k",
}


def load_timm(model, name: str | None) -> str:
    """Initialise the backbone from timm pretrained weights; returns the timm name used."""
    name = name or model.config.pretrained or DEFAULT_TIMM.get(model.config.embed_dim)
    if not name:
        raise StdposeError(f"no timm pretrained weights known for embed_dim {model.config.embed_dim}; "
                           "pass --pretrained NAME or --vitpose FILE")
    model.backbone.load_timm_pretrained(name)
    return name


def load_vitpose(model, path: str | Path) -> dict[str, int]:
    """Backbone (+ head where it fits) from a ViTPose ``.pth`` (see :mod:`stdpose_core.model.vitpose`)."""
    from stdpose_core.model.vitpose import load_vitpose as _load

    counts = _load(model, path)
    if model.config.patch_padding != 2:
        log.warning("ViTPose was trained with patch_padding 2; this config uses %d (fine-tuning absorbs the shift)",
                    model.config.patch_padding)
    return counts


def load_init(model, path: str | Path) -> None:
    """``--init CKPT``: weights of an STDPose checkpoint (same architecture), nothing else."""
    from stdpose_core.model.checkpoint import load_checkpoint, load_weights

    ckpt = load_checkpoint(path)
    load_weights(model, ckpt.state_dict, ckpt.path)
