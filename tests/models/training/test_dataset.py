"""The triplet Dataset: shapes, targets on the labels, determinism, flips with joint swaps, loader."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from stdpose_core.model.codec import decode
from stdpose_core.skeleton import POSETRACK18
from stdpose_core.training.augment import AugmentSettings
from stdpose_core.training.config import load_model_yaml
from stdpose_core.training.data import load_clip
from stdpose_core.training.dataset import EpochSampler, TripletDataset, make_loader
from stdpose_core.training.triplets import build_index


@pytest.fixture
def parts(synth_clip, small_config):
    clip_dir, _ = synth_clip
    config, _ = load_model_yaml(str(small_config))
    clip = load_clip(str(clip_dir / "gt.json"))
    return config, [clip], build_index([clip], every=4)


def test_item_shapes_and_targets(parts):
    config, clips, refs = parts
    ds = TripletDataset(clips, refs, config, AugmentSettings.none(), seed=1)
    item = ds[10]
    for k in ("left", "target", "right"):
        assert item[k].shape == (3, 128, 96) and item[k].dtype == np.float32
    for k in ("left_heatmaps", "heatmaps", "right_heatmaps"):
        assert item[k].shape == (17, 32, 24)
    w = item["target_weight"]
    assert w.shape == (17,)
    ref = refs[10]
    vis = clips[0].tracks[ref.track_id].vis[ref.frame]
    assert (w[vis == 0] == 0).all() and w[vis > 0].sum() > 10  # ears unlabelled, body supervised
    peaks = item["heatmaps"].reshape(17, -1).max(axis=1)
    np.testing.assert_allclose(peaks[w > 0], 1.0, atol=0.2)
    assert (item["heatmaps"][w == 0] == 0).all()


def test_same_seed_epoch_index_gives_same_item(parts):
    config, clips, refs = parts
    a = TripletDataset(clips, refs, config, seed=5)
    b = TripletDataset(clips, refs, config, seed=5)
    for k, v in a[3].items():
        np.testing.assert_array_equal(v, b[3][k])
    b.set_epoch(1)
    assert not np.array_equal(a[3]["target"], b[3]["target"])


def test_flip_mirrors_crop_and_swaps_left_right(parts):
    config, clips, refs = parts
    plain = TripletDataset(clips, refs, config, AugmentSettings.none())[7]
    flipped = TripletDataset(clips, refs, config, dataclasses.replace(AugmentSettings.none(), flip=1.0))[7]
    np.testing.assert_allclose(flipped["target"], plain["target"][:, :, ::-1], atol=1e-4)
    xy, _ = decode(plain["heatmaps"])
    fxy, _ = decode(flipped["heatmaps"])
    w = plain["target_weight"] > 0
    perm = POSETRACK18.flip_permutation()
    for k in np.flatnonzero(w):
        j = perm[k]  # the joint that lands in slot j after the flip is the mirrored k
        assert fxy[j, 0] == pytest.approx((96 - 1) / 4 - xy[k, 0], abs=0.15)
        assert fxy[j, 1] == pytest.approx(xy[k, 1], abs=0.15)


def test_sampler_resumes_mid_epoch_and_loader_batches(parts):
    config, clips, refs = parts
    s = EpochSampler(len(refs), batch_size=4, steps=5, seed=2)
    s.set_epoch(3)
    full = s.indices()
    s.set_epoch(3, start_step=2)
    np.testing.assert_array_equal(s.indices(), full[8:])
    s.set_epoch(0)
    ds = TripletDataset(clips, refs, config)
    batch = next(iter(make_loader(ds, s)))
    assert batch["target"].shape == (4, 3, 128, 96) and batch["single"].dtype.is_floating_point is False


def test_worker_count_auto():
    from stdpose_core.training.dataset import resolve_workers

    assert resolve_workers(-1, "cpu") == 0 and resolve_workers(3, "cpu") == 3
    assert 0 <= resolve_workers(-1, "cuda") <= 8
