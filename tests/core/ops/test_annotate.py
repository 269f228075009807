"""Edit builders of stdpose_core.ops.annotate: merge conflicts, boxes, person flags (outside / truncated)."""

from __future__ import annotations

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data import Source, TrackFlag
from stdpose_core.data.edits import Compound
from stdpose_core.ops.annotate import MergeConflictError, clear_frames, mark_reviewed, merge_conflict, merge_tracks, set_box, set_flag
from stdpose_core.ops.drag import BoxDrag
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import get_propagator
from stdpose_core.session import ProjectSession


@pytest.fixture
def project():
    frames, J = rigid_clip(21, people=2)
    p = project_from_joints(J, (160, 120), [0, 10, 20])
    run_to_completion(get_propagator("interp").run(p)).apply(p)  # both people on every frame
    return p


def tracks(p):
    return {tid: t.copy() for tid, t in p.tracks.items()}


def test_merge_refuses_shared_frames_and_names_them(project):
    clear_frames(project, 1, 11, 21).apply(project)  # person 1 on frames 0..10 only
    c = merge_conflict(project, 1, 0)
    assert c.frames.tolist() == list(range(11)) and c.human_src == 2 * 15 and c.human_dst == 2 * 15
    with pytest.raises(MergeConflictError, match=r"P1 and P0 are both present on 11 frames \(0–10\)"):
        merge_tracks(project, 1, 0)
    assert set(project.tracks) == {0, 1}


@pytest.mark.parametrize("keep, winner", [("target", 0), ("source", 1)])
def test_merge_keeps_the_chosen_poses_and_undoes_exactly(project, keep, winner):
    clear_frames(project, 0, 15, 21).apply(project)  # person 0 gone from 15 on: person 1 fills those
    before = tracks(project)
    edit = merge_tracks(project, 1, 0, keep)
    edit.apply(project)
    t = project.tracks[0]
    assert set(project.tracks) == {0}
    assert np.array_equal(t.xy[:15], before[winner].xy[:15])
    assert np.array_equal(t.xy[15:], before[1].xy[15:]), "frames only person 1 had are moved over either way"
    edit.revert(project)
    assert all(project.tracks[i].equals(before[i]) for i in before)


def test_merge_without_shared_frames_needs_no_choice(project):
    clear_frames(project, 0, 11, 21).apply(project)
    clear_frames(project, 1, 0, 11).apply(project)
    assert not merge_conflict(project, 1, 0)
    merge_tracks(project, 1, 0).apply(project)
    assert project.tracks[0].present().all()


def test_set_box_and_box_drag_leave_the_pose(project):
    before = tracks(project)
    set_box(project, 0, 5, (90, 80, 10, 20)).apply(project)  # corners in any order
    t = project.tracks[0]
    assert t.bbox[5].tolist() == [10, 20, 90, 80] and t.flags[5] & TrackFlag.BOX_SET
    assert np.array_equal(t.xy, before[0].xy) and np.array_equal(t.source, before[0].source)
    drag = BoxDrag.start(project, 0, 5, "w")
    drag.edit_to(project, 30, 999).apply(project)  # the west edge moves only x1; y is ignored
    assert t.bbox[5].tolist() == [30, 20, 90, 80]
    drag = BoxDrag.start(project, 0, 5, "se")
    drag.edit_to(project, 5, 5).apply(project)  # dragged inside out: normalised
    assert t.bbox[5].tolist() == [5, 5, 30, 20]
    with pytest.raises(ValueError, match="at least 1 pixel"):
        set_box(project, 0, 5, (3, 3, 3.5, 40))


def test_a_box_a_person_set_survives_propagation(project):
    set_box(project, 0, 5, (1, 2, 50, 60)).apply(project)
    from stdpose_core.ops.annotate import place_joint

    place_joint(project, 0, 0, 9, tuple((project.tracks[0].xy[0, 9] + 2).tolist())).apply(project)  # a keyframe changed
    run_to_completion(get_propagator("interp").run(project)).apply(project)
    t = project.tracks[0]
    assert t.bbox[5].tolist() == [1, 2, 50, 60]
    assert (t.source[5][t.vis[5] > 0] == Source.INTERPOLATED).all()  # the joints were filled
    assert np.isfinite(t.bbox[4]).all() and t.bbox[4].tolist() != [1, 2, 50, 60]


def test_outside_clears_the_person_and_splits_propagation(project):
    edit = set_flag(project, 1, 4, 7, "outside")
    edit.apply(project)
    t = project.tracks[1]
    assert t.has_flag(TrackFlag.OUTSIDE)[4:7].all() and not t.present()[4:7].any()
    run_to_completion(get_propagator("interp").run(project)).apply(project)
    assert not t.present()[4:7].any(), "propagation does not fill frames a person marked out of view"
    assert t.present()[:4].all() and t.present()[7:].all()  # one-sided gaps 1-3 and 7-9 next to them
    assert (t.source[1:4][t.vis[1:4] > 0] == Source.INTERPOLATED).all()
    set_flag(project, 1, 4, 7, "outside", on=False).apply(project)
    assert not t.has_flag(TrackFlag.OUTSIDE).any()


def test_truncated_is_only_a_flag_and_ranges_are_checked(project):
    before = tracks(project)
    set_flag(project, 0, 2, 4, "truncated").apply(project)
    t = project.tracks[0]
    assert t.has_flag(TrackFlag.TRUNCATED).tolist() == [False, False, True, True] + [False] * 17
    assert np.array_equal(t.xy, before[0].xy)
    with pytest.raises(ValueError, match="flag must be one of"):
        set_flag(project, 0, 2, 4, "hidden")
    with pytest.raises(ValueError, match="outside the video"):
        set_flag(project, 0, 5, 99, "truncated")
    with pytest.raises(ValueError, match="nobody to review"):
        mark_reviewed(project, 0, 1, track_ids=[7])


def test_boxes_and_flags_survive_the_file_and_an_export(project, tmp_path):
    from stdpose_core.io import read_annotations, write_annotations

    project.video.frame_names = [f"{i:06d}.jpg" for i in range(project.num_frames)]
    with ProjectSession.create(tmp_path / "p.stdpose", project) as s:
        s.apply(Compound([set_box(s.project, 0, 10, (11, 12, 60, 70)), set_flag(s.project, 1, 10, 11, "truncated")]))
    with ProjectSession.open(tmp_path / "p.stdpose") as s:
        p = s.project
        assert p.tracks[0].bbox[10].tolist() == [11, 12, 60, 70] and p.tracks[1].flags[10] & TrackFlag.TRUNCATED
        for fmt in ("posetrack18", "coco"):
            out = tmp_path / f"{fmt}.json"
            write_annotations(p, out, fmt)
            back = read_annotations(out)
            assert back.tracks[0].bbox[10].tolist() == [11, 12, 60, 70]
            assert back.tracks[1].flags[10] == TrackFlag.TRUNCATED and back.tracks[1].flags[9] == 0
            assert back.tracks[0].flags[10] == 0, "BOX_SET is the editor's business, not the file's"
