"""import_edit: frames matched by name or index, ids kept or remapped, skeleton converted, undoable."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io import SkeletonMismatchError, import_edit, read_annotations, write_annotations
from stdpose_core.skeleton import COCO17, POSETRACK18


def empty_target(num_frames: int, names: bool = True, skeleton=POSETRACK18, offset: int = 0) -> Project:
    frame_names = [f"{i + offset:06d}.jpg" for i in range(num_frames)] if names else None
    return Project(skeleton, VideoInfo(path="clip", num_frames=num_frames, width=640, height=480, frame_names=frame_names))


def test_import_into_empty_project_gives_the_file_back(tmp_path, make_project):
    src = make_project(0)
    write_annotations(src, tmp_path / "gt.json", "posetrack18")
    loaded = read_annotations(tmp_path / "gt.json")
    target = empty_target(src.num_frames)
    edit = import_edit(target, loaded, Source.MANUAL)
    edit.apply(target)
    assert sorted(target.tracks) == sorted(src.tracks)
    np.testing.assert_array_equal(target.labeled, src.labeled)
    for tid, t in src.tracks.items():
        u = target.tracks[tid]
        np.testing.assert_array_equal(u.vis, t.vis)
        np.testing.assert_array_equal(u.xy, t.xy)
        np.testing.assert_array_equal(u.head_bbox, t.head_bbox)
        assert (u.source[u.vis > 0] == Source.MANUAL).all() and (u.source[u.vis == 0] == Source.NONE).all()
    np.testing.assert_array_equal(target.ignore_regions[1][0], src.ignore_regions[1][0])
    edit.revert(target)
    assert target.tracks == {} and not target.labeled.any() and target.ignore_regions == {}


def test_frames_matched_by_file_name(tmp_path, make_project):
    src = make_project(1, frames=6)
    write_annotations(src, tmp_path / "gt.json", "posetrack18")
    loaded = read_annotations(tmp_path / "gt.json")
    # the project's video starts two frames earlier: file 000000.jpg is its frame 2
    target = Project(POSETRACK18, VideoInfo("clip", 10, 640, 480, frame_names=[f"{i - 2:06d}.jpg" if i >= 2 else f"pre{i}.jpg" for i in range(10)]))
    import_edit(target, loaded, Source.DETECTED).apply(target)
    for tid, t in src.tracks.items():
        np.testing.assert_array_equal(target.tracks[tid].vis[2:8], t.vis)
        assert not target.tracks[tid].vis[:2].any()
        assert (target.tracks[tid].source[target.tracks[tid].vis > 0] == Source.DETECTED).all()


def test_frames_matched_by_index_without_names(tmp_path, make_project):
    src = make_project(2, frames=5)
    write_annotations(src, tmp_path / "gt.json", "posetrack18")
    target = empty_target(8, names=False)
    import_edit(target, read_annotations(tmp_path / "gt.json")).apply(target)
    for tid, t in src.tracks.items():
        np.testing.assert_array_equal(target.tracks[tid].vis[:5], t.vis)


def test_frames_that_do_not_fit_are_an_error(tmp_path, make_project):
    src = make_project(3, frames=6)
    write_annotations(src, tmp_path / "gt.json", "posetrack18")
    loaded = read_annotations(tmp_path / "gt.json")
    with pytest.raises(InputError, match=r"gt\.json: .* do not fit the project's video: frames/000005\.jpg \(no frame of that name\)"):
        import_edit(empty_target(5), loaded)
    with pytest.raises(InputError, match="the video has 4 frames"):
        import_edit(empty_target(4, names=False), loaded)


def test_taken_track_ids_are_remapped(tmp_path, make_project):
    src = make_project(4)
    write_annotations(src, tmp_path / "gt.json", "posetrack18")
    loaded = read_annotations(tmp_path / "gt.json")
    target = empty_target(src.num_frames)
    import_edit(target, loaded).apply(target)
    import_edit(target, loaded).apply(target)  # the same people again: ids 0, 3, 17 are taken now
    assert len(target.tracks) == 6
    new = {t.extra["imported_from"]: tid for tid, t in target.tracks.items() if "imported_from" in t.extra}
    assert sorted(new) == sorted(src.tracks) and min(new.values()) > max(src.tracks)
    for old, tid in new.items():
        np.testing.assert_array_equal(target.tracks[tid].xy, target.tracks[old].xy)


def test_skeleton_converted_on_import(tmp_path, make_project):
    src = make_project(5, skeleton="coco17")
    write_annotations(src, tmp_path / "gt.json", "coco")
    target = empty_target(src.num_frames)
    with pytest.raises(SkeletonMismatchError, match=r"coco17 keypoints, the project posetrack18: converting .* drops left_eye"):
        import_edit(target, read_annotations(tmp_path / "gt.json"))  # a mismatch is a choice, never silent (issue 15 item 5)
    import_edit(target, read_annotations(tmp_path / "gt.json"), convert=True).apply(target)
    for tid, t in src.tracks.items():
        u = target.tracks[tid]
        assert u.num_joints == 17 and not u.vis[:, 3:5].any()
        np.testing.assert_array_equal(u.xy[:, 5:], t.xy[:, 5:])  # limbs are the same slots
    coco_target = empty_target(src.num_frames, skeleton=COCO17)
    import_edit(coco_target, read_annotations(tmp_path / "gt.json")).apply(coco_target)
    for tid, t in src.tracks.items():
        np.testing.assert_array_equal(coco_target.tracks[tid].vis, t.vis)
