"""Flow's learned networks: evaluated with numpy, shapes that match the code, and worth their place."""

import numpy as np
import pytest
from scipy.special import softmax

from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, flow_fusion, get_propagator
from stdpose_core.propagation.confidence import FLOW_FEATURES, confidence_network
from stdpose_core.propagation.evaluation import keep_frames, sparse_project
from stdpose_core.propagation.scoring import score_frames
from stdpose_core.propagation.tiny_mlp import TinyMLP


def test_tiny_mlp_is_standardise_tanh_layers_then_linear():
    net = TinyMLP.from_dict({"mean": [1.0, 2.0], "std": [2.0, 4.0],
                             "layers": [[[[1.0, -1.0], [0.5, 2.0]], [0.0, 0.1]], [[[2.0], [1.0]], [-0.5]]]})
    x = np.array([[3.0, 6.0], [1.0, 2.0]])
    h = np.tanh(((x - [1.0, 2.0]) / [2.0, 4.0]) @ np.array([[1.0, -1.0], [0.5, 2.0]]) + [0.0, 0.1])
    assert np.allclose(net(x), h @ np.array([[2.0], [1.0]]) - 0.5)
    assert net(np.zeros((4, 3, 2))).shape == (4, 3, 1)
    with pytest.raises(ValueError, match="takes 2 features, got 3"):
        net(np.zeros((1, 3)))


def test_softmax_weights_sum_to_one_and_keep_order():
    w = softmax(np.array([[1000.0, 1001.0, 999.0], [0.0, 0.0, 0.0]]), axis=-1)  # as the selector calls it
    assert np.allclose(w.sum(axis=-1), 1.0)
    assert w[0, 1] > w[0, 0] > w[0, 2]
    assert np.allclose(w[1], 1 / 3)


def test_shipped_networks_take_what_the_code_gives_them():
    selector = flow_fusion.learned_selector()
    assert selector is not None
    assert selector.layers[-1][0].shape[1] == len(flow_fusion.SELECTOR_CANDIDATES)
    assert confidence_network().inputs == len(FLOW_FEATURES)
    assert confidence_network().layers[-1][0].shape[1] == 1


def _flow_errors(clip, every, monkeypatch=None, selector=True):
    if not selector:
        monkeypatch.setattr(flow_fusion, "learned_selector", lambda: None)
    keep = keep_frames(clip.gt.num_frames, every)
    sparse, pred = sparse_project(clip.gt, keep), sparse_project(clip.gt, keep)
    run_to_completion(get_propagator("flow").run(sparse, ListSource(clip.frames))).apply(pred)
    return score_frames(clip.gt, pred, np.flatnonzero(~keep))


def test_the_selector_beats_the_hand_made_fusion_on_a_clip_it_never_saw(monkeypatch):
    from stdpose_core.synth import generate_clip

    clip = generate_clip(persons=3, frames=46, size=(480, 270), seed=101)  # fitted on seeds 1000+
    learned = _flow_errors(clip, 15)
    hand = _flow_errors(clip, 15, monkeypatch, selector=False)
    assert learned["mean_px"] < hand["mean_px"]
    assert learned["pckh02"] >= hand["pckh02"]


def test_gaps_longer_than_the_selector_was_fitted_on_keep_the_hand_made_fusion(monkeypatch):
    from stdpose_core.synth import generate_clip

    every = flow_fusion.SELECTOR_MAX_SPAN + 5
    clip = generate_clip(persons=1, frames=every + 1, size=(320, 240), seed=102)  # one gap: keyframes 0 and 35
    learned = _flow_errors(clip, every)
    hand = _flow_errors(clip, every, monkeypatch, selector=False)
    assert learned["mean_px"] == hand["mean_px"]
    monkeypatch.undo()
    assert _flow_errors(clip, 17)["mean_px"] != _flow_errors(clip, 17, monkeypatch, selector=False)["mean_px"]


def test_parent_bone_change_and_bone_outliers_blame_the_joint_that_broke_its_bone():
    from stdpose_core.propagation.flow_fusion import bone_outliers, parent_bone_change

    edges = [(0, 1), (1, 2), (0, 3)]
    key = np.array([[[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [0.0, 10.0]]])  # [G=1,K=4,2]
    xy = np.repeat(key[None], 3, axis=0).copy()  # [n=3,G,K,2]
    xy[1, 0, 2] = [60.0, 0.0]  # joint 2 flies off on frame 1: its bone (1, 2) is 5x long
    change = parent_bone_change(xy, key, key, edges)
    assert change[0].max() == 0 and change[1, 0, 0] == 0  # same lengths: 0; joint 0 has no parent bone
    assert change[1, 0, 2] > 1.0 and change[1, 0, 1] == 0 and change[1, 0, 3] == 0
    bad = bone_outliers(xy, np.repeat(key[None], 3, axis=0), key, key, np.ones((1, 4), bool), edges, np.array([5.0]))
    assert bad.sum() == 1 and bad[1, 0, 2]  # the end that moved away from the fallback, only there
