"""The long operations the CLI and the GUI share (stdpose_core.ops.jobs), on generated clips."""

from __future__ import annotations

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.data.edits import SetPoseRange, leaves
from stdpose_core.detection.base import Detections, PersonDetector
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.ops.jobs import check_frames, detect_job, export_job, propagate_job
from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, get_propagator


@pytest.fixture
def clip():
    frames, J = rigid_clip(15, motion=(2.0, 1.0), people=2)
    return project_from_joints(J, (160, 120), [0, 7, 14]), frames


def same_edits(a, b) -> bool:
    la, lb = leaves(a), leaves(b)
    if [type(e) for e in la] != [type(e) for e in lb]:
        return False
    for x, y in zip(la, lb):
        if isinstance(x, SetPoseRange):
            if (x.track_id, x.start, set(x.values)) != (y.track_id, y.start, set(y.values)):
                return False
            if not all(np.array_equal(x.values[k], y.values[k], equal_nan=True) for k in x.values):
                return False
            if not np.array_equal(x.joint_mask, y.joint_mask):
                return False
    return True


def test_propagate_job_writes_what_the_method_computes(clip):
    project, frames = clip
    job_edit = run_to_completion(propagate_job(project, ListSource(frames), get_propagator("flow")))
    method_edit = run_to_completion(get_propagator("flow").run(project, ListSource(frames)))
    assert job_edit.label == "propagate (flow)" and len(leaves(job_edit)) == 4  # two gaps of two people
    assert same_edits(job_edit, method_edit)


def test_propagate_job_refuses_a_source_without_every_frame(clip):
    project, frames = clip
    with pytest.raises(InputError, match="has 10 frames, the project 15"):
        run_to_completion(propagate_job(project, ListSource(frames[:10]), get_propagator("flow")))
    with pytest.raises(InputError, match="not open"):
        run_to_completion(propagate_job(project, None, get_propagator("flow")))


def test_interp_needs_no_frames(clip):
    project, _ = clip
    edit = run_to_completion(propagate_job(project, None, get_propagator("interp")))
    assert edit.label == "propagate (interp)" and leaves(edit)


def test_no_keyframe_fails_before_the_method_is_built(clip):
    project, frames = clip
    for t in project.tracks.values():
        t.source[:] = 0
        t.vis[:] = 0

    def never():
        raise AssertionError("the propagator was built for a project without keyframes")

    with pytest.raises(StdposeError, match="no keyframe"):
        run_to_completion(propagate_job(project, ListSource(frames), never))


def test_targets_report_their_part_and_make_one_edit(clip):
    project, frames = clip
    steps = []
    edit = run_to_completion(propagate_job(project, ListSource(frames), get_propagator("flow"),
                                           [([0], (0, 8)), ([1], (7, 15))], label="two parts"), steps.append)
    assert edit.label == "two parts"
    assert sorted({e.track_id for e in leaves(edit)}) == [0, 1]
    assert any(s.message.endswith("(1/2)") for s in steps) and steps[-1].message.endswith("(2/2)")


def test_check_frames_names_the_first_missing_image(clip):
    project, frames = clip
    project.video.frame_names = [f"{i:03d}.png" for i in range(15)]

    class Folder(ListSource):
        path = "clip/frames"
        frame_names = [f"{i:03d}.png" for i in range(15) if i not in (4, 9)]

    with pytest.raises(InputError, match="image 004.png missing \\(2 of 15 frames missing\\)") as e:
        check_frames(Folder(frames[:13]), project)
    assert str(e.value.path) == "clip/frames"


class OnePerson(PersonDetector):
    name = "one-person"
    has_keypoints = False

    def __init__(self):
        self.closed = False

    def detect(self, frames):
        return [Detections(np.array([[10.0, 10.0, 60.0, 100.0]]), np.array([0.9])) for _ in frames]

    def close(self) -> None:
        self.closed = True


def test_detect_job_closes_a_detector_it_built_and_leaves_a_given_one_open(clip):
    project, frames = clip
    built: list[OnePerson] = []

    def make() -> OnePerson:
        built.append(OnePerson())
        return built[-1]

    steps = []
    edit = run_to_completion(detect_job(project, ListSource(frames), make, 0, 15), steps.append)
    assert steps[0].message == "loading the person detector" and built[0].closed
    assert any(type(e).__name__ == "AddTrack" for e in leaves(edit))
    mine = OnePerson()
    run_to_completion(detect_job(project, ListSource(frames), mine, 0, 15))
    assert not mine.closed
    with pytest.raises(InputError, match="has 3 frames"):
        run_to_completion(detect_job(project, ListSource(frames[:3]), mine, 0, 2))


def test_export_job_summarises_what_the_file_holds(clip, tmp_path):
    project, _ = clip
    out = tmp_path / "out.json"
    summary = run_to_completion(export_job(project, out, "posetrack18"))
    assert out.is_file() and summary["path"] == str(out) and summary["format"] == "posetrack18"
    assert summary["frames_written"] == 3 and summary["people_written"] == 2
    assert summary["joints_by_source"]["manual"] == 3 * 2 * 15
