"""ViTPose (mmpose layout) checkpoints map onto the timm backbone; mismatches are clear errors."""

from __future__ import annotations

import pytest
import torch

from stdpose_core.errors import InputError
from stdpose_core.model import create_model
from stdpose_core.model.vitpose import load_vitpose


def fake_vitpose(model) -> dict:
    """An mmpose-style ViTPose checkpoint built from ``model``'s own backbone and head."""
    sd = {}
    for k, v in model.state_dict().items():
        if k == "backbone.vit.pos_embed":
            cls = torch.full((1, 1, v.shape[-1]), 0.5)
            sd["backbone.pos_embed"] = torch.cat([cls, v - 0.5], dim=1)  # ViTPose adds slot 0 back
        elif k.startswith("backbone.vit.norm."):
            sd["backbone.last_norm." + k.split(".")[-1]] = v
        elif k.startswith("backbone.vit."):
            sd["backbone." + k[len("backbone.vit."):]] = v
        elif k.startswith("head.deconv."):
            sd["keypoint_head.deconv_layers." + k[len("head.deconv."):]] = v
        elif k.startswith("head.final."):
            sd["keypoint_head.final_layer." + k[len("head.final."):]] = v
    return {"meta": {"epoch": 210}, "state_dict": sd}


def test_vitpose_weights_load_into_backbone_and_head(tmp_path):
    torch.manual_seed(0)
    src = create_model("stdpose_tiny", patch_padding=2)
    path = tmp_path / "vitpose.pth"
    torch.save(fake_vitpose(src), path)
    torch.manual_seed(1)
    dst = create_model("stdpose_tiny", patch_padding=2)
    report = load_vitpose(dst, path)
    assert report["backbone"] > 10 and report["head"] == len([k for k in src.state_dict() if k.startswith("head.")])
    for k, v in src.state_dict().items():
        if k.startswith(("backbone.", "head.")):
            assert torch.allclose(dst.state_dict()[k], v, atol=1e-6), k
    assert not torch.equal(dst.state_dict()["tff.pos"], src.state_dict()["tff.pos"])  # fusion untouched
    x = torch.randn(1, 3, 256, 192)
    assert dst.eval().encode_frame(x)[1].shape == (1, 17, 64, 48)


def test_head_with_other_width_is_skipped_not_fatal(tmp_path):
    src = create_model("stdpose_tiny")
    path = tmp_path / "vitpose.pth"
    torch.save(fake_vitpose(src), path)
    report = load_vitpose(create_model("stdpose_tiny", head_channels=16), path)
    assert report["head_skipped"] > 0


def test_mismatching_or_foreign_files(tmp_path):
    path = tmp_path / "vitpose.pth"
    torch.save(fake_vitpose(create_model("stdpose_tiny")), path)
    with pytest.raises(InputError, match=r"does not fit stdpose_tiny \(3 blocks"):
        load_vitpose(create_model("stdpose_tiny", depth=3), path)
    with pytest.raises(InputError, match="wrong shapes"):
        load_vitpose(create_model("stdpose_tiny", embed_dim=32), path)
    other = tmp_path / "other.pth"
    torch.save({"state_dict": {"conv.weight": torch.zeros(1)}}, other)
    with pytest.raises(InputError, match="not a ViTPose/mmpose checkpoint"):
        load_vitpose(create_model("stdpose_tiny"), other)
    with pytest.raises(InputError, match="not found"):
        load_vitpose(create_model("stdpose_tiny"), tmp_path / "nope.pth")


def test_patch_padding_keeps_the_grid():
    m = create_model("stdpose_tiny", patch_padding=2).eval()
    f, _ = m.encode_frame(torch.randn(1, 3, 256, 192))
    assert f.shape == (1, 64, 16, 12)
    with pytest.raises(InputError, match="patch_padding"):
        create_model("stdpose_tiny", patch_padding=8)
