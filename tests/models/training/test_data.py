"""Training data: SPEC parsing, project/JSON/COCO clips, human-only labels, skeleton checks, triplets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stdpose_core.errors import InputError
from stdpose_core.training.data import check_skeleton, load_clip, parse_spec
from stdpose_core.training.triplets import build_index, split_tracks


def test_parse_spec_forms():
    assert parse_spec("a/b.stdpose") == ("project", Path("a/b.stdpose"), None)
    assert parse_spec("ann/x.json:img/root") == ("annotations", Path("ann/x.json"), Path("img/root"))
    assert parse_spec("ann/gt.json") == ("annotations", Path("ann/gt.json"), Path("ann"))


def test_posetrack_json_clip_matches_ground_truth(synth_clip):
    clip_dir, synth = synth_clip
    clip = load_clip(f"{clip_dir / 'gt.json'}:{clip_dir}")
    assert not clip.single_frame and clip.num_frames == 24
    assert set(clip.tracks) == set(synth.gt.tracks)
    for tid, t in synth.gt.tracks.items():
        np.testing.assert_array_equal(clip.tracks[tid].vis, t.vis)
        on = t.vis > 0
        np.testing.assert_allclose(clip.tracks[tid].xy[on], t.xy[on], atol=0.01)
    frame = clip.frame(5)
    assert frame.shape == (192, 256, 3) and frame.dtype == np.uint8
    assert len(clip.fingerprint["sha256"]) == 64


def test_project_clip_uses_only_human_joints(synth_clip, tmp_path, project_maker):
    clip_dir, synth = synth_clip
    proj = project_maker(tmp_path / "p.stdpose", clip_dir, synth.gt, machine_joints=(9,))
    clip = load_clip(str(proj))
    assert not clip.single_frame
    for tid, t in clip.tracks.items():
        assert (t.vis[:, 9] == 0).all()  # PROPAGATED joints are not training labels
        np.testing.assert_array_equal(t.vis[:, 5], synth.gt.tracks[tid].vis[:, 5])
    assert len(clip.fingerprint["labels_sha256"]) == 64


def test_coco_file_gives_single_frame_clip(synth_clip, tmp_path):
    from stdpose_core.io import read_annotations, write_annotations

    clip_dir, _ = synth_clip
    write_annotations(read_annotations(clip_dir / "gt.json"), tmp_path / "coco.json", "coco")
    clip = load_clip(f"{tmp_path / 'coco.json'}:{clip_dir}")
    assert clip.single_frame
    refs = build_index([clip], every=7)
    assert refs and all(r.left == (r.frame,) == r.right for r in refs)


def test_missing_images_and_files_are_input_errors(synth_clip, tmp_path):
    clip_dir, _ = synth_clip
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="image missing"):
        load_clip(f"{clip_dir / 'gt.json'}:{tmp_path / 'empty'}")
    with pytest.raises(InputError, match="not found"):
        load_clip(str(tmp_path / "nope.stdpose"))


def test_wrong_skeleton_is_refused():
    import dataclasses

    from stdpose_core.data import Project, VideoInfo
    from stdpose_core.skeleton import POSETRACK18

    five = dataclasses.replace(POSETRACK18, name="hand5", joint_names=POSETRACK18.joint_names[:5],
                               flip_pairs=(), edges=(), oks_sigmas=POSETRACK18.oks_sigmas[:5])
    with pytest.raises(InputError, match="not supported for training"):
        check_skeleton(Project(five, VideoInfo("v.mp4", 3, 10, 10)), Path("x.json"))


def test_triplets_gaps_within_T_and_one_sided_ends(synth_clip):
    clip_dir, _ = synth_clip
    clip = load_clip(str(clip_dir / "gt.json"))
    refs = build_index([clip], every=3)
    assert len(refs) == 48  # every labelled frame of both tracks
    for r in refs:
        assert all(1 <= r.frame - f <= 3 for f in r.left)
        assert all(1 <= f - r.frame <= 3 for f in r.right)
    first = next(r for r in refs if r.frame == 0)
    assert first.left == () and first.right == (1, 2, 3)


def test_sparse_labels_need_T_large_enough(synth_clip, tmp_path, project_maker):
    clip_dir, synth = synth_clip
    keep = np.zeros(24, bool)
    keep[::7] = True
    proj = project_maker(tmp_path / "sparse.stdpose", clip_dir, synth.gt, keep=keep)
    clip = load_clip(str(proj))
    assert build_index([clip], every=3) == []
    refs = build_index([clip], every=7)
    assert {r.frame for r in refs} == {0, 7, 14, 21}


def test_split_holds_out_last_clip_or_tracks(synth_clip):
    clip_dir, _ = synth_clip
    clip = load_clip(str(clip_dir / "gt.json"))
    one = split_tracks([clip])
    assert one.val == {0: {1}} and one.train == {0: {0}}
    two = split_tracks([clip, clip])
    assert two.val == {1: {0, 1}} and 1 not in two.train


def test_multi_video_posetrack_file_gives_one_clip_per_video(synth_clip, tmp_path):
    import copy
    import json

    from stdpose_core.training.data import load_spec

    clip_dir, _ = synth_clip
    d = json.loads((clip_dir / "gt.json").read_text())
    second = copy.deepcopy(d)
    for im in second["images"]:
        im["id"] += 1000
        im["frame_id"] += 1000
        im["vid_id"] = "other"
    for a in second["annotations"]:
        a["id"] += 100000
        a["image_id"] += 1000
    d["images"] += second["images"]
    d["annotations"] += second["annotations"]
    (tmp_path / "two.json").write_text(json.dumps(d))
    clips = load_spec(f"{tmp_path / 'two.json'}:{clip_dir}")
    assert [c.name for c in clips] == ["two/frames", "two/other"]
    assert all(c.num_frames == 24 and len(c.tracks) == 2 for c in clips)
    assert split_tracks(clips).how.startswith("held-out clip two/other")
