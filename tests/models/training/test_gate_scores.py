"""Training validation scores the model and flow on the same targets: the registry entry carries the
gate, and 'auto' refuses a model that loses to flow."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.model.checkpoint import load_checkpoint
from stdpose_core.trained import model_registry
from stdpose_core.trained.gate import choose_weights, gate_of
from stdpose_core.training.config import TrainingSettings, load_model_yaml
from stdpose_core.training.data import load_spec
from stdpose_core.training.loop import Trainer
from stdpose_core.training.plan import prepare
from stdpose_core.training.validate import flow_predictions, gate_targets, score_targets, val_targets


def test_flow_is_scored_on_the_same_gaps_from_the_same_keyframes(synth_clip):
    clip_dir, synth = synth_clip
    clips = load_spec(str(clip_dir / "gt.json"))
    targets = val_targets(clips, {0: set(clips[0].tracks)}, every=4, max_targets=0)
    idx = gate_targets(clips, targets)
    assert idx == list(range(len(targets))) and len(targets) == 2 * 15  # keys 0, 4, ..., 20; frames 21-23 have no right key
    xy, score = flow_predictions(clips, "posetrack18", targets)
    m = score_targets(clips, "posetrack18", targets, xy, score)
    assert m["targets"] == len(targets) and m["pckh02"] > 60 and m["mean_px"] < 6  # flow follows the figures
    assert ((score >= 0) & (score <= 1)).all() and (score[:, [0, 5, 6]] > 0).all()


@pytest.mark.slow
def test_a_briefly_trained_model_records_the_gate_and_auto_refuses_it(synth_clip, small_config, tmp_path, models_dir):
    clip_dir, _ = synth_clip
    model, section = load_model_yaml(str(small_config))
    t = TrainingSettings.from_dict(section, "yaml").merged({"epochs": 1, "steps_per_epoch": 3, "val_max": 12}, "test")
    result = Trainer(prepare(model, t, [str(clip_dir / "gt.json")], tmp_path / "run")).run()
    entry = model_registry.get_model(result["registry_id"])
    gate = gate_of(entry)
    assert gate is not None and gate.every == t.every and gate.targets > 0 and gate.norm == "head"
    assert np.isfinite(gate.flow["pckh02"]) and np.isfinite(gate.model["pckh02"])
    assert not gate.beats_flow  # 3 steps from scratch: flow is far better
    meta = load_checkpoint(result["best"]).meta
    assert meta["gate"] == entry["gate"] and "calibration" in meta
    model_registry.set_active(entry["id"])
    pick = choose_weights()
    assert pick.path is None and "loses to flow" in pick.note
    assert choose_weights(gated=False).path == entry["path"]


def test_keyframes_off_the_validation_grid_are_scored_leave_one_out(synth_clip):
    """A project keyed every 5 frames, validated at T = 7: every keyframe between two others is a
    target predicted from its neighbours (else such a model could never be compared with flow)."""
    clip_dir, _ = synth_clip
    clips = load_spec(str(clip_dir / "gt.json"))
    for t in clips[0].tracks.values():
        off = np.ones(len(t.vis), bool)
        off[::5] = False
        t.vis[off] = 0
    targets = val_targets(clips, {0: set(clips[0].tracks)}, every=7, max_targets=0)
    mine = [(t.left, t.frame, t.right) for t in targets if t.track_id == 0]
    assert mine == [(5, 0, 5), (0, 5, 10), (5, 10, 15), (10, 15, 20), (15, 20, 15)]  # the ends from one side
    assert [mine[i] for i in gate_targets(clips, targets) if targets[i].track_id == 0] == mine[1:4]  # flow needs both
