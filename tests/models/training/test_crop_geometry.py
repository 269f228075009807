"""ONE crop window for training, validation and propagation (issue 17 item 3): a gap's crop comes from
its two keyframes' boxes through ``geometry.window_box`` everywhere, degenerate boxes included."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data.boxes import person_box
from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track
from stdpose_core.model import create_model, normalize_crops, window_box
from stdpose_core.model.geometry import MIN_BOX_SIDE, CropWindow
from stdpose_core.model.runtime.torch_runtime import TorchRuntime
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, get_propagator
from stdpose_core.skeleton import POSETRACK18
from stdpose_core.training.augment import AugmentSettings
from stdpose_core.training.data import Clip, TrackLabels
from stdpose_core.training.dataset import TripletDataset
from stdpose_core.training.triplets import TripletRef
from stdpose_core.training.validate import ValTarget, _window

F, L, R, KEY = 7, 0, 6, 3


def _frames():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (120, 160, 3), dtype=np.uint8) for _ in range(F)]


def _labels(degenerate: bool) -> TrackLabels:
    """One person; with ``degenerate`` each keyframe has a single labelled joint and no box."""
    xy = np.zeros((F, 17, 2), np.float32)
    vis = np.zeros((F, 17), np.int8)
    bbox = np.full((F, 4), np.nan, np.float32)
    for f in range(F):
        xy[f] = np.array([60 + 2 * f, 50 + f], np.float32) + np.random.default_rng(f).uniform(-20, 20, (17, 2))
        vis[f] = 2
        bbox[f] = [*xy[f].min(0), *xy[f].max(0)]
    if degenerate:
        for f in (L, R):
            vis[f] = 0
            vis[f, 5] = 2
            bbox[f] = np.nan
    return TrackLabels(0, xy, vis, bbox, np.full((F, 4), np.nan, np.float32))


def test_window_box_unions_and_keeps_a_minimum_side():
    one_point = person_box(_labels(True), L)
    assert one_point is not None and np.allclose(one_point[2:] - one_point[:2], 0)
    box = window_box([one_point, None, np.full(4, np.nan)])
    assert np.allclose(box[2:] - box[:2], MIN_BOX_SIDE) and np.allclose((box[:2] + box[2:]) / 2, one_point[:2])
    wide = window_box([np.array([0, 0, 100, 4.0]), np.array([50, 40, 60, 41.0])])
    assert wide.tolist() == [0, 0, 100, 41]
    assert window_box([None, np.full(4, np.nan)]) is None and CropWindow.around([None]) is None


@pytest.mark.parametrize("degenerate", [False, True])
def test_training_validation_and_propagation_cut_the_same_crops(degenerate):
    frames = _frames()
    labels = _labels(degenerate)
    model = create_model("stdpose_tiny", img_size=[128, 96], heatmap_size=[32, 24]).eval()
    cfg = model.config
    clip = Clip("g", "g", F, {0: labels}, reader=lambda i: frames[i])
    # training: the sample of key frame KEY between keyframes L and R, no augmentation
    item = TripletDataset([clip], [TripletRef(0, 0, KEY, (L,), (R,))], cfg, AugmentSettings.none())[0]
    # validation
    win = _window(clip, ValTarget(0, 0, KEY, L, R), cfg)
    # propagation: record what the runtime is given
    seen = {}

    class Recorder(TorchRuntime):
        def encode_keyframes(self, crops, heatmaps=None):
            seen.setdefault("keys", []).append(crops)
            return super().encode_keyframes(crops, heatmaps)

        def predict(self, target_crops, left, right, prior=None):
            seen.setdefault("targets", []).append(target_crops)
            return super().predict(target_crops, left, right, prior)

    track = Track.empty(0, F, 17)
    for f in (L, R):
        track.xy[f], track.vis[f], track.bbox[f] = labels.xy[f], labels.vis[f], labels.bbox[f]
        track.source[f] = np.where(labels.vis[f] > 0, Source.MANUAL, Source.NONE)
    project = Project(POSETRACK18, VideoInfo("g", F, 160, 120), tracks={0: track})
    prop = get_propagator("stdpose", runtime=Recorder(model, "cpu"), weights="in-memory", batch=8)
    run_to_completion(prop.run(project, ListSource(frames)))

    expected = {f: normalize_crops(win.crop(frames[f])) for f in (L, KEY, R)}
    np.testing.assert_allclose(item["left"], expected[L], atol=1e-5)
    np.testing.assert_allclose(item["target"], expected[KEY], atol=1e-5)
    np.testing.assert_allclose(item["right"], expected[R], atol=1e-5)
    np.testing.assert_allclose(seen["keys"][0][0], expected[L], atol=1e-5)
    np.testing.assert_allclose(seen["keys"][1][0], expected[R], atol=1e-5)
    np.testing.assert_allclose(seen["targets"][0][KEY - L - 1], expected[KEY], atol=1e-5)
    side = np.abs(win.affine[0, 0]) ** -1 * cfg.img_size[1]  # image px across the crop
    assert side >= MIN_BOX_SIDE  # a one-joint box still gives a real window, not a pixel
