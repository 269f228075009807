"""Bad input is refused with one clear error before any training work."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest
import torch

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.registry import get_config
from stdpose_core.training.config import TrainingSettings
from stdpose_core.training.plan import prepare


def settings(**kw):
    return TrainingSettings.from_dict(kw, "test")


def test_no_data(tmp_path):
    with pytest.raises(StdposeError, match="no training data"):
        prepare(get_config("stdpose_tiny"), settings(), [], tmp_path / "run")


def test_data_without_labels(synth_clip, tmp_path, project_maker):
    import numpy as np

    clip_dir, synth = synth_clip
    proj = project_maker(tmp_path / "empty.stdpose", clip_dir, synth.gt, keep=np.zeros(24, bool))
    with pytest.raises(StdposeError, match="no labelled poses"):
        prepare(get_config("stdpose_tiny"), settings(), [str(proj)], tmp_path / "run")


def test_data_without_triplets(synth_clip, tmp_path, project_maker):
    import numpy as np

    clip_dir, synth = synth_clip
    keep = np.zeros(24, bool)
    keep[::10] = True
    proj = project_maker(tmp_path / "sparse.stdpose", clip_dir, synth.gt, keep=keep)
    with pytest.raises(StdposeError, match="no labelled triplet.*within 7 frames"):
        prepare(get_config("stdpose_tiny"), settings(), [str(proj)], tmp_path / "run")


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present")
def test_cuda_requested_without_cuda(synth_clip, tmp_path):
    with pytest.raises(StdposeError, match="CUDA is not available"):
        prepare(get_config("stdpose_tiny"), settings(device="cuda"), [str(synth_clip[0] / "gt.json")], tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_unwritable_run_dir(synth_clip, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="not writable"):
        prepare(get_config("stdpose_tiny"), settings(), [str(synth_clip[0] / "gt.json")], blocker / "run")


def test_full_disk(synth_clip, tmp_path, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10 << 30, 10 << 30, 1 << 20))
    with pytest.raises(InputError, match="not enough free disk space"):
        prepare(get_config("stdpose_vit_s"), settings(), [str(synth_clip[0] / "gt.json")], tmp_path / "run")


def test_bad_settings():
    with pytest.raises(StdposeError, match="unknown training setting 'epoch'"):
        TrainingSettings.from_dict({"epoch": 3}, "x.yaml")
    with pytest.raises(StdposeError, match="mode"):
        settings(mode="dance")
    with pytest.raises(StdposeError, match="must be an integer"):
        settings(epochs="many")
    s = settings(augment={"flip": 0.0})
    assert s.augment.flip == 0.0 and s.augment.scale == TrainingSettings().augment.scale
    assert TrainingSettings().augment.flip == 0.5  # defaults are never mutated


def test_settings_are_a_frozen_validated_dataclass():
    import dataclasses

    s = settings(epochs="3", lr="1e-3", amp=False)  # YAML and flags give strings: coerced by type
    assert (s.epochs, s.lr, s.amp) == (3, 1e-3, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.epochs = 4
    assert TrainingSettings.from_dict(s.to_dict(), "args.yaml") == s  # args.yaml round trip
    assert s.merged({"augment": {"scale": 0.1}}, "flags").augment.flip == s.augment.flip
    for bad, match in (({"lr": 0}, "'lr' must be > 0"), ({"val_max": -1}, "'val_max' must be >= 0"),
                       ({"epochs": 2.5}, "'epochs' must be an integer"), ({"amp": "yes"}, "true or false"),
                       ({"augment": {"flip": 1.5}}, "'flip' must be in \\[0, 1\\]"),
                       ({"augment": {"flipp": 1}}, "unknown augment setting"), ({"device": "tpu"}, "device"),
                       ({"min_lr_ratio": 2}, "min_lr_ratio")):
        with pytest.raises(StdposeError, match=match) as e:
            TrainingSettings.from_dict(bad, "cfg.yaml")
        assert str(e.value).startswith("cfg.yaml: ") and "\n" not in str(e.value)
    with pytest.raises(ValueError, match="batch_size"):
        TrainingSettings(batch_size=0)  # direct construction is checked too
