"""Bad input is refused with one clear error before any training work."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest
import torch

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.registry import get_config
from stdpose_core.training.config import TRAIN_DEFAULTS, merge_training, validate_training
from stdpose_core.training.plan import prepare


def settings(**kw):
    return validate_training(merge_training(TRAIN_DEFAULTS, kw, "test"))


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
        merge_training(TRAIN_DEFAULTS, {"epoch": 3}, "x.yaml")
    with pytest.raises(StdposeError, match="mode"):
        settings(mode="dance")
    with pytest.raises(StdposeError, match="must be an integer"):
        settings(epochs="many")
    s = settings(augment={"flip": 0.0})
    assert s["augment"]["flip"] == 0.0 and s["augment"]["scale"] == TRAIN_DEFAULTS["augment"]["scale"]
    assert TRAIN_DEFAULTS["augment"]["flip"] == 0.5  # defaults are never mutated
