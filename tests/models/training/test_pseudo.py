"""Pseudo-labels (``--pseudo``, the paper's Table 3): machine-made joints train weighted by their
confidence, human-placed ones at full weight, and the weights reach the loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import yaml

from stdpose_core.data.source import Source
from stdpose_core.errors import StdposeError
from stdpose_core.model.loss import StdposeLoss
from stdpose_core.training.augment import AugmentSettings
from stdpose_core.training.cli import main
from stdpose_core.training.config import TrainingSettings, load_model_yaml
from stdpose_core.training.data import load_pseudo_spec, load_spec
from stdpose_core.training.dataset import TripletDataset, _collate
from stdpose_core.training.loop import Trainer
from stdpose_core.training.plan import prepare

MANUAL_FRAMES = slice(0, 24, 6)  # frames 0, 6, 12, 18 are the annotator's keyframes


def pseudo_project(path, clip_dir, gt, machine_score: float):
    """Every frame labelled: frames 0, 6, 12, 18 MANUAL (score 1), the rest PROPAGATED with ``machine_score``."""
    from stdpose_core.data.edits import AddTrack
    from stdpose_core.project_ops import create_project

    session = create_project(path, clip_dir / "frames")
    for _, t in sorted(gt.tracks.items()):
        c = t.copy()
        on = c.vis > 0
        manual = np.zeros(len(on), bool)
        manual[MANUAL_FRAMES] = True
        c.source[:] = np.where(on, np.where(manual[:, None], Source.MANUAL, Source.PROPAGATED), Source.NONE)
        c.score[:] = np.where(on, np.where(manual[:, None], 1.0, machine_score), 0.0)
        session.apply(AddTrack(c))
    session.close()
    return str(path)


def test_pseudo_labels_keep_machine_joints_with_their_confidence(synth_clip, tmp_path):
    clip_dir, synth = synth_clip
    spec = pseudo_project(tmp_path / "p.stdpose", clip_dir, synth.gt, 0.25)
    (pseudo,), (human,) = load_pseudo_spec(spec), load_spec(spec)
    t, h = pseudo.tracks[0], human.tracks[0]
    on = t.vis > 0
    assert set(np.unique(t.weight[on])) == {0.25, 1.0}
    assert (t.weight[0][on[0]] == 1.0).all() and (t.weight[1][on[1]] == 0.25).all()
    assert list(h.labelled_frames()) == [0, 6, 12, 18]  # --data uses only the annotator's joints
    assert len(t.labelled_frames()) == 24


def _weights_and_heatmap_loss(plan, model) -> tuple[np.ndarray, float]:
    """``target_weight`` of the first 6 pseudo triplets and the trainer's heatmap loss on them."""
    ds = TripletDataset(plan.clips, plan.train_refs[:6], plan.model, AugmentSettings.none())
    batch = _collate([ds[i] for i in range(len(ds))])
    batch.pop("single")
    trainer = Trainer(plan)
    trainer.model, trainer.loss_fn = model, StdposeLoss(plan.model)
    model.eval()
    with torch.no_grad():
        _, parts = trainer._forward_loss(batch, None, estimation=False)
    return batch["target_weight"].numpy(), float(parts["heatmap"])


def test_the_weights_reach_the_loss(synth_clip, small_config, tmp_path):
    from stdpose_core.model.stdpose import build_model

    clip_dir, synth = synth_clip
    model_cfg, section = load_model_yaml(str(small_config))
    t = TrainingSettings.from_dict(section, "yaml").merged({"val_every": 0, "steps_per_epoch": 1}, "test")
    torch.manual_seed(0)
    model = build_model(model_cfg, pretrained=False)
    out = {}
    for score in (1.0, 0.25):
        spec = pseudo_project(tmp_path / f"p{score}.stdpose", clip_dir, synth.gt, score)
        # Only pseudo frames train: the keyframes of --data are not among the first triplets below.
        plan = prepare(model_cfg, t, [str(clip_dir / "gt.json")], tmp_path / f"run{score}", pseudo=[spec],
                       val_data=[str(clip_dir / "gt.json")])
        refs = [r for r in plan.train_refs if r.clip == 1 and r.frame % 6 != 0]
        plan.train_refs = refs
        out[score] = _weights_and_heatmap_loss(plan, model)
    w1, loss1 = out[1.0]
    w4, loss4 = out[0.25]
    on = w1 > 0
    assert on.any() and np.allclose(w4[on], 0.25) and np.allclose(w1[on], 1.0)
    assert loss4 == pytest.approx(0.25 * loss1, rel=1e-5)  # same crops and predictions, a quarter of the weight


def test_held_out_tracks_are_not_trained_through_their_pseudo_labels(synth_clip, tmp_path):
    from stdpose_core.model.registry import get_config

    clip_dir, synth = synth_clip
    spec = pseudo_project(tmp_path / "p.stdpose", clip_dir, synth.gt, 0.5)
    plan = prepare(get_config("stdpose_tiny"), TrainingSettings(every=6), [spec], tmp_path / "run", pseudo=[spec])
    held = plan.split.val[0]
    assert held and plan.val_targets
    pseudo_tracks = {r.track_id for r in plan.train_refs if r.clip == 1}
    assert pseudo_tracks and not (pseudo_tracks & held)
    assert any("pseudo-labels" in n for n in plan.notes)
    with pytest.raises(StdposeError, match="--pseudo needs --data"):
        prepare(get_config("stdpose_tiny"), TrainingSettings(), [], tmp_path / "run2", pseudo=[spec])


@pytest.mark.slow
def test_retrain_cli_with_pseudo(synth_clip, small_config, tmp_path, capsys):
    clip_dir, synth = synth_clip
    spec = pseudo_project(tmp_path / "p.stdpose", clip_dir, synth.gt, 0.5)
    run = tmp_path / "run"
    rc = main(["--config", str(small_config), "--data", spec, "--pseudo", spec, "--out", str(run), "--epochs", "1",
               "--steps-per-epoch", "2", "--batch-size", "2", "--device", "cpu", "--progress", "none"])
    assert rc == 0, capsys.readouterr().err
    assert yaml.safe_load((run / "args.yaml").read_text())["pseudo"] == [spec]
