"""The ground truth is PoseTrack18, self-consistent and geometrically exact."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Source
from stdpose_core.errors import StdposeError
from stdpose_core.skeleton import POSETRACK18
from stdpose_core.synth import ground_truth, make_scene
from stdpose_core.synth.kinematics import BONES

HEAD = [POSETRACK18.index(n) for n in ("nose", "head_bottom", "head_top")]


def test_project_layout(small_clip):
    gt = small_clip.gt
    assert gt.skeleton is POSETRACK18
    v = gt.video
    assert (v.path, v.num_frames, v.width, v.height, v.fps) == ("frames", 12, 160, 96, 25.0)
    assert v.frame_names[:2] == ["frames/000000.jpg", "frames/000001.jpg"]
    assert gt.labeled.all() and gt.labeled.shape == (12,)
    assert sorted(gt.tracks) == [0, 1, 2]


def test_joint_fields_agree_with_vis(small_clip):
    for t in small_clip.gt.tracks.values():
        labeled = t.vis > 0
        assert set(np.unique(t.vis)) <= {0, 1, 2}
        assert (t.vis[:, list(POSETRACK18.unused)] == 0).all()
        assert (t.source[labeled] == Source.MANUAL).all() and (t.source[~labeled] == Source.NONE).all()
        assert (t.score[labeled] == 1).all() and (t.score[~labeled] == 0).all()
        assert (t.xy[~labeled] == 0).all()
        assert np.array_equal(t.reviewed, labeled.any(axis=1))


def test_labelled_joints_are_inside_the_frame_and_boxes_hold_them():
    scene = make_scene(persons=4, frames=40, size=(160, 96), seed=4)
    gt = ground_truth(scene)
    present_somewhere = False
    for t in gt.tracks.values():
        for f in range(gt.num_frames):
            lab = t.vis[f] > 0
            if not lab.any():
                assert np.isnan(t.bbox[f]).all() and np.isnan(t.head_bbox[f]).all()
                continue
            present_somewhere = True
            x, y = t.xy[f, lab, 0], t.xy[f, lab, 1]
            assert (x >= 0).all() and (x <= 159).all() and (y >= 0).all() and (y <= 95).all()
            b = t.bbox[f]
            assert b[0] <= x.min() and b[2] >= x.max() and b[1] <= y.min() and b[3] >= y.max()
            assert 0 <= b[0] < b[2] <= 159 and 0 <= b[1] < b[3] <= 95
            hb = t.head_bbox[f]
            assert hb[0] < hb[2] and hb[1] < hb[3]
            for k in HEAD:
                if t.vis[f, k] > 0:
                    assert hb[0] <= t.xy[f, k, 0] <= hb[2] and hb[1] <= t.xy[f, k, 1] <= hb[3]
    assert present_somewhere


def test_some_joints_leave_the_frame_and_get_vis_0():
    # A narrow frame with many people: somebody's limbs are cut by the image edge.
    scene = make_scene(persons=5, frames=30, size=(64, 96), seed=0)
    gt = ground_truth(scene)
    used = POSETRACK18.used_joints
    vis = np.stack([t.vis[:, used] for t in gt.tracks.values()])
    assert (vis == 0).any() and (vis == 2).any()


def test_bones_keep_their_length_and_project_shorter():
    scene = make_scene(persons=3, frames=50, size=(320, 180), seed=5)
    st = scene.state(0, 50)
    gt = ground_truth(scene)
    for p in range(3):
        scale = scene.motions[p].scale
        img = {j: st.points[p][j][:, :2] - scene.camera for j in POSETRACK18.joint_names}
        for a, b, length in BONES:
            d3 = np.linalg.norm(st.points[p][a] - st.points[p][b], axis=1)
            np.testing.assert_allclose(d3, length * scale, rtol=1e-9)
            d2 = np.linalg.norm(img[a] - img[b], axis=1)
            assert (d2 <= length * scale * (1 + 1e-9)).all()
        # The GT holds exactly the projected joints where labelled.
        t = gt.tracks[p]
        for k, name in enumerate(POSETRACK18.joint_names):
            lab = t.vis[:, k] > 0
            np.testing.assert_allclose(t.xy[lab, k], img[name][lab], atol=1e-3)
        # Legs swing mostly in the image plane: their longest projection is near the 3D length.
        thigh = np.linalg.norm(img["left_hip"] - img["left_knee"], axis=1)
        assert thigh.max() > 0.85 * 0.245 * scale


def test_limbs_move_fast_sometimes_but_not_absurdly():
    """At 640x360 some wrists/ankles move 10+ px/frame; none jumps (limit ~ 60 px/frame)."""
    scene = make_scene(persons=3, frames=60, size=(640, 360), seed=0)
    gt = ground_truth(scene)
    ends = [POSETRACK18.index(n) for n in ("left_wrist", "right_wrist", "left_ankle", "right_ankle")]
    speeds = []
    for t in gt.tracks.values():
        both = (t.vis[1:, ends] > 0) & (t.vis[:-1, ends] > 0)
        v = np.linalg.norm(np.diff(t.xy[:, ends], axis=0), axis=-1)
        speeds.append(v[both])
    speeds = np.concatenate(speeds)
    assert (speeds >= 10).sum() >= 10
    assert speeds.max() <= 60


def test_camera_pans():
    scene = make_scene(persons=1, frames=30, size=(320, 180), seed=0)
    assert np.ptp(scene.camera[:, 0]) > 1.0
    a, b = scene.render(0, people=False), scene.render(29, people=False)
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 5


@pytest.mark.parametrize("kwargs, words", [
    (dict(persons=0), "persons"), (dict(frames=0), "frames"), (dict(size=(0, 0)), "size 0x0"),
    (dict(size=(100000, 90)), "size"), (dict(seed=-1), "seed"),
])
def test_bad_parameters_raise_one_clear_error(kwargs, words):
    args = dict(persons=2, frames=3, size=(64, 64), seed=0) | kwargs
    with pytest.raises(StdposeError, match=words):
        make_scene(**args)


def test_exits_let_people_leave_and_enter():
    gt = ground_truth(make_scene(persons=3, frames=150, size=(160, 96), seed=1, exits=True))
    present = np.stack([t.present() for t in gt.tracks.values()])
    assert (~present).any() and present.any(axis=1).all()
    for t in gt.tracks.values():
        gone = ~t.present()
        assert (t.vis[gone] == 0).all() and np.isnan(t.bbox[gone]).all() and np.isnan(t.head_bbox[gone]).all()
    # Without exits everybody stays in the picture.
    calm = ground_truth(make_scene(persons=3, frames=150, size=(160, 96), seed=1))
    assert all(t.present().all() for t in calm.tracks.values())
