"""Registry, ModelConfig and the models/*.yaml files; every registered model builds and runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model import ModelConfig, create_model, get_config, list_models

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
#: Small overrides so the big variants build and run in a second or two.
SMALL = {"stdpose_tiny": {}, "stdpose_cpu": {"depth": 1}, "stdpose_vit_s": {"depth": 1},
         "stdpose_vit_b": {"depth": 1, "tff_depth": 1}}


def test_registry_lists_the_models():
    assert {"stdpose_tiny", "stdpose_cpu", "stdpose_vit_s", "stdpose_vit_b"} <= set(list_models())
    assert get_config("stdpose_cpu").flow_prior and not get_config("stdpose_vit_b").flow_prior
    assert set(SMALL) == set(list_models()), "add new models to SMALL"


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_model_builds_and_runs_forward(name, spread):
    torch.manual_seed(0)
    model = spread(create_model(name, **SMALL[name])).eval()
    c = model.config
    assert c.name == name
    x = torch.randn(2, 3, *c.img_size)
    h = torch.rand(2, *c.heatmap_shape)
    prior = {"prior_heatmaps": torch.rand(2, *c.heatmap_shape)} if c.flow_prior else {}
    with torch.no_grad():
        prop = model(x, x.flip(0), x, h, h, **prior)  # propagation mode
        est = model(x, x.flip(0), x, **prior)  # estimation mode
    gh, gw = c.grid_size
    for out in (prop, est):
        assert out["heatmaps"].shape == (2, 17, 4 * gh, 4 * gw) == (2, *c.heatmap_shape)
        assert out["fused"].shape == (2, gh * gw, c.fuse_dim)
        for k, v in out.items():
            assert torch.isfinite(v).all(), k
    assert not torch.equal(prop["heatmaps"], est["heatmaps"])


@pytest.mark.parametrize("name", sorted(SMALL))
def test_yaml_file_matches_registry(name):
    path = MODELS_DIR / f"{name}.yaml"
    assert ModelConfig.from_yaml(path) == get_config(name)
    assert get_config(path) == get_config(name)


def test_unknown_model_and_override_errors():
    with pytest.raises(StdposeError, match="did you mean 'stdpose_tiny'"):
        create_model("stdpose_tine")
    with pytest.raises(InputError, match="unknown model config field.*'dpeth'"):
        create_model("stdpose_tiny", dpeth=1)
    with pytest.raises(InputError, match="not divisible"):
        get_config("stdpose_tiny", num_heads=3)
    with pytest.raises(InputError, match="multiple of patch_size"):
        get_config("stdpose_tiny", img_size=(250, 192))


def test_config_round_trips(tmp_path):
    c = get_config("stdpose_vit_s", depth=3, mi_enabled=False)
    assert c.depth == 3 and not c.mi_enabled
    assert ModelConfig.from_dict(c.to_dict()) == c
    assert ModelConfig.from_json(c.to_json()) == c
    c.save_yaml(tmp_path / "c.yaml")
    assert ModelConfig.from_yaml(tmp_path / "c.yaml") == c
    assert c.feature_shape == (384, 16, 12) and c.heatmap_shape == (17, 64, 48)


def test_bad_config_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        ModelConfig.from_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(InputError, match="bad.yaml: not a readable YAML"):
        ModelConfig.from_yaml(bad)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="must be a mapping"):
        ModelConfig.from_yaml(bad)
    with pytest.raises(InputError, match="newer"):
        ModelConfig.from_dict({"version": 99})
