"""Training recipes (``stdpose-retrain --recipe``): the shipped recipe runs its stages on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stdpose_core.errors import InputError
from stdpose_core.model.checkpoint import load_checkpoint
from stdpose_core.training.cli import main
from stdpose_core.training.recipe import expand_data, load_recipe, split_names, stage_config, tune_clips

REPO = Path(__file__).resolve().parents[3]
RECIPE = REPO / "models" / "recipes" / "stdpose_cpu.yaml"
SPLIT = REPO / "models" / "splits" / "jhmdb.json"


def test_shipped_recipe_reads_and_expands(tmp_path):
    recipe = load_recipe(RECIPE)
    assert [s["name"] for s in recipe["stages"]][:2] == ["synth", "jhmdb"]
    cfg = stage_config(recipe, recipe["stages"][1])
    assert cfg["flow_prior"] and cfg["training"]["grid"] == [7, 15, 30] and cfg["training"]["val_metric"] == "pckh02"
    specs = expand_data(recipe["stages"][1]["data"], recipe["_path"], Path("/data"), tmp_path)
    fit, tune = tune_clips(split_names(SPLIT, "train"))
    assert len(specs) == len(fit) and specs[0] == f"/data/jhmdb/{fit[0]}.json:/data/jhmdb/{fit[0]}.avi"


def test_tune_slice_is_a_fixed_part_of_train_grouped_by_source_video():
    train, val = split_names(SPLIT, "train"), split_names(SPLIT, "val")
    fit, tune = tune_clips(train)
    assert len(tune) == 53 and sorted(fit + tune) == sorted(train) and not set(tune) & set(val)
    from stdpose_core.training.recipe import source_group

    assert not {source_group(n) for n in fit} & {source_group(n) for n in tune}
    assert split_names(SPLIT, "tune") == tune


def test_bad_recipes_are_one_clear_error(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("model: stdpose_tiny\nstages: []\n")
    with pytest.raises(InputError, match="non-empty list 'stages'"):
        load_recipe(bad)
    bad.write_text("model: stdpose_tiny\nstages: [{name: a, data: [x], epochs: 3}]\n")
    with pytest.raises(InputError, match="unknown key"):
        load_recipe(bad)
    assert main(["--recipe", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]) == 2


def _tiny_recipe(tmp_path: Path, config_writer) -> Path:
    """The shipped recipe with its data replaced by generated clips, a tiny flow-prior model and
    10 steps per stage (20 in all)."""
    model = config_writer(tmp_path / "tiny.yaml")
    d = yaml.safe_load(model.read_text())
    d.pop("training")
    d.update(flow_prior=True, depth=1)
    model.write_text(yaml.safe_dump(d))
    r = yaml.safe_load(RECIPE.read_text())
    r["model"] = str(model)
    r["training"].update(batch_size=2, val_max=8, grid=[7, 15])
    clip = {"clips": 1, "persons": 1, "frames": 24, "size": [160, 120]}
    for i, st in enumerate(r["stages"]):
        st["data"] = [{"synth": {**clip, "seed": 10 + i}}]
        st["val"] = [{"synth": {**clip, "seed": 99}}]
        st["training"] = {"epochs": 1, "steps_per_epoch": 10, "lr": 1e-3}
        st.pop("pseudo", None)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(r))
    return path


@pytest.mark.slow
def test_recipe_smoke_twenty_steps_two_stages(tmp_path, config_writer, monkeypatch, capsys):
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path / "cache"))
    recipe, out = _tiny_recipe(tmp_path, config_writer), tmp_path / "run"
    assert main(["--recipe", str(recipe), "--out", str(out), "--progress", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    steps = [e for e in events if e["event"] == "step"]
    assert len(steps) == 20 and any(e["event"] == "prepare" for e in events)
    stages = [s["name"] for s in yaml.safe_load(recipe.read_text())["stages"]]
    for name in stages:
        assert (out / name / "done.json").is_file() and (out / name / "best.pt").is_file()
    second = yaml.safe_load((out / stages[1] / "args.yaml").read_text())
    assert second["training"]["init"] == str(out / stages[0] / "best.pt")  # stage 2 starts from stage 1
    ckpt = load_checkpoint(out / stages[-1] / "best.pt")
    assert ckpt.config.flow_prior and ckpt.meta["metrics"]["targets"] > 0
    assert len(json.loads((out / "registry.json").read_text())["models"]) == 2
    # A finished recipe resumed does nothing (every stage has done.json).
    assert main(["--recipe", str(recipe), "--out", str(out), "--resume", "--progress", "jsonl"]) == 0
    assert not [line for line in capsys.readouterr().out.splitlines() if '"step"' in line]
