"""Training on the real samples in ../shared/data (skipped when absent): a JHMDB clip (PoseTrack18
JSON) mixed with COCO images (single frames, COCO-17 converted to PoseTrack18) in one run."""

from __future__ import annotations

import pytest

from stdpose_core.model.checkpoint import load_checkpoint
from stdpose_core.training.config import TrainingSettings, load_model_yaml
from stdpose_core.training.loop import Trainer
from stdpose_core.training.plan import prepare


@pytest.mark.shared_data
@pytest.mark.slow
def test_mixed_video_and_coco_run(shared_data, small_config, tmp_path):
    jhmdb = str(shared_data / "jhmdb_goalkeeping" / "gt_posetrack18.json")
    coco = f"{shared_data / 'coco_samples' / 'test_coco.json'}:{shared_data / 'coco_samples'}"
    model, section = load_model_yaml(str(small_config))
    t = TrainingSettings.from_dict(section, "yaml").merged({"epochs": 1, "steps_per_epoch": 3, "batch_size": 6,
                                                            "val_max": 6}, "test")
    # Both train (batches mix video triplets and single images); the clip also validates (--val-data).
    plan = prepare(model, t, [coco, jhmdb], tmp_path / "run", val_data=[jhmdb], registry=str(tmp_path / "reg.json"))
    assert plan.clips[0].single_frame and not plan.clips[1].single_frame
    assert plan.split.how == "explicit --val-data"
    assert len(plan.train_refs) == 12 + 40 and plan.val_targets
    # COCO heads are converted: head_bottom/head_top are synthesised from shoulders and face.
    assert any((tr.vis[:, 1] > 0).any() for tr in plan.clips[0].tracks.values())
    trainer = Trainer(plan)
    trainer.build()
    trainer.build = lambda: None
    order = trainer.sampler.indices().reshape(3, 6)
    kinds = [{plan.train_refs[i].clip for i in row} for row in order]
    assert {0, 1} in kinds  # at least one mixed batch: the split forward pass runs
    result = trainer.run()
    best = load_checkpoint(result["best"])
    assert best.meta["metrics"]["norm"] == "box" and best.meta["metrics"]["targets"] > 0
    assert [h["kind"] for h in best.meta["data_hashes"]] == ["annotations"] * 3  # train clips + val clip
