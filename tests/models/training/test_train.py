"""Training runs: 30 steps lower the loss; resume continues from the saved step; registry entries."""

from __future__ import annotations

import pytest
import torch

from stdpose_core.model.checkpoint import load_checkpoint
from stdpose_core.model.loss import StdposeLoss
from stdpose_core.trained import model_registry as registry
from stdpose_core.training.augment import AugmentSettings
from stdpose_core.training.config import TrainingSettings, load_model_yaml
from stdpose_core.training.dataset import TripletDataset, _collate
from stdpose_core.training.events import Events
from stdpose_core.training.loop import Trainer, lr_factor
from stdpose_core.training.plan import prepare


def make_plan(config_path, data, run_dir, **overrides):
    model, section = load_model_yaml(str(config_path))
    resume = overrides.pop("resume", False)
    t = TrainingSettings.from_dict(section, "yaml").merged(overrides, "test")
    return prepare(model, t, data, run_dir, resume=resume)


def fixed_batch_loss(model, plan) -> float:
    ds = TripletDataset(plan.clips, plan.train_refs[::3][:8], plan.model, AugmentSettings.none())
    batch = _collate([ds[i] for i in range(len(ds))])
    model.eval()
    with torch.no_grad():
        out = model(batch["left"], batch["target"], batch["right"], batch["left_heatmaps"], batch["right_heatmaps"])
        _, parts = StdposeLoss(plan.model)(out, batch["heatmaps"], batch["target_weight"])
    model.train()
    return float(parts["heatmap"])


def test_lr_schedule_warms_up_then_decays():
    f = [lr_factor(s, 100, 10, 0.01) for s in range(100)]
    assert f[0] == pytest.approx(0.1) and f[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(f[10:], f[11:])) and f[-1] == pytest.approx(0.01, abs=0.01)


@pytest.mark.slow
def test_thirty_steps_lower_the_loss_and_register(synth_clip, small_config, tmp_path, models_dir):
    clip_dir, _ = synth_clip
    plan = make_plan(small_config, [str(clip_dir / "gt.json")], tmp_path / "run", epochs=1, steps_per_epoch=30,
                     val_max=8)
    trainer = Trainer(plan)
    trainer.build()
    before = fixed_batch_loss(trainer.model, plan)
    seen = []
    trainer.events.on("*", seen.append)
    trainer.build = lambda: None  # keep the model measured above
    result = trainer.run()
    after = fixed_batch_loss(trainer.model, plan)
    assert after < 0.8 * before, (before, after)
    names = [e["event"] for e in seen]
    assert names[0] == "start" and names[-1] == "done" and names.count("step") == 30
    assert "val" in names and "epoch_end" in names
    best = load_checkpoint(tmp_path / "run" / "best.pt")
    assert best.config == plan.model
    assert best.meta["data_hashes"][0]["sha256"] and best.meta["metrics"]["targets"] > 0
    assert best.meta["version"]
    entries = registry.list_models()
    assert len(entries) == 1 and entries[0]["id"] == result["registry_id"]
    assert entries[0]["path"] == str((tmp_path / "run" / "best.pt").resolve())
    assert (models_dir / "registry.json").exists()


@pytest.mark.slow
def test_resume_continues_from_saved_step(synth_clip, small_config, tmp_path):
    clip_dir, _ = synth_clip
    data = [str(clip_dir / "gt.json")]
    run = tmp_path / "run"
    first = Trainer(make_plan(small_config, data, run, epochs=1, steps_per_epoch=3, val_every=0))
    first.run()
    assert load_checkpoint(run / "last.pt").extra["step"] == 3
    events = Events()
    seen = []
    events.on("*", seen.append)
    plan = make_plan(small_config, data, run, epochs=2, steps_per_epoch=3, val_every=0)
    plan.resume = True
    second = Trainer(plan, events)
    second.run()
    start = seen[0]
    assert start["event"] == "start" and start["resumed_from"] == 3
    steps = [e["step"] for e in seen if e["event"] == "step"]
    assert steps == [4, 5, 6]
    last = load_checkpoint(run / "last.pt")
    assert last.extra["step"] == 6 and last.extra["epoch"] == 2
    # The optimizer state came along: its step counters continue instead of restarting at 1.
    st = next(iter(last.extra["optimizer"]["state"].values()))
    assert float(st["step"]) == 6


@pytest.mark.slow
def test_init_loads_weights_only(synth_clip, small_config, tmp_path):
    clip_dir, _ = synth_clip
    data = [str(clip_dir / "gt.json")]
    Trainer(make_plan(small_config, data, tmp_path / "a", epochs=1, steps_per_epoch=2, val_every=0)).run()
    src = load_checkpoint(tmp_path / "a" / "last.pt")
    t = Trainer(make_plan(small_config, data, tmp_path / "b", epochs=1, steps_per_epoch=1, val_every=0,
                          init=str(tmp_path / "a" / "last.pt")))
    t.build()
    for k, v in t.model.state_dict().items():
        torch.testing.assert_close(v.cpu(), src.state_dict[k])
    assert t.step == 0


@pytest.mark.slow
def test_same_seed_same_weights(synth_clip, small_config, tmp_path):
    clip_dir, _ = synth_clip
    data = [str(clip_dir / "gt.json")]
    for name in ("a", "b"):
        Trainer(make_plan(small_config, data, tmp_path / name, epochs=1, steps_per_epoch=2, val_every=0, seed=7)).run()
    a, b = (load_checkpoint(tmp_path / n / "last.pt").state_dict for n in ("a", "b"))
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)
    Trainer(make_plan(small_config, data, tmp_path / "c", epochs=1, steps_per_epoch=2, val_every=0, seed=8)).run()
    c = load_checkpoint(tmp_path / "c" / "last.pt").state_dict
    assert any(not torch.equal(a[k], c[k]) for k in a)
