"""detect_job plumbing with a scripted detector: pre-labels, id preservation, human joints kept,
resume/redo, undo identity, cancellation, persistence in a real project file."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.data.edits import AddTrack, Compound, SetPoseRange
from stdpose_core.detection import (
    DETECTED_FRAMES_KEY,
    Detections,
    PersonDetector,
    detect_job,
    detected_mask,
)
from stdpose_core.detection.detected import mask_to_ranges, ranges_to_mask
from stdpose_core.progress import run_to_completion
from stdpose_core.session import ProjectSession
from stdpose_core.skeleton import APPROXIMATION_TRUST, COCO17, POSETRACK18

W, H, F = 320, 240, 12


class ListSource:
    """Frames from a list (stands in for ``stdpose_core.video.open_source``). Pixel (0,0) holds the index."""

    def __init__(self, n: int):
        self.frames = [np.full((H, W, 3), i, np.uint8) for i in range(n)]

    def __len__(self):
        return len(self.frames)

    def frame(self, i):
        return self.frames[i]


def person(cx: float, cy: float, score: float = 0.9, kpt_score: float = 0.9):
    """A person box 40x100 at (cx, cy) and a COCO-17 pose inside it."""
    b = np.array([cx - 20, cy - 50, cx + 20, cy + 50], np.float32)
    kp = np.stack([np.full(17, cx), np.linspace(cy - 45, cy + 45, 17)], axis=1).astype(np.float32)
    ks = np.full(17, kpt_score, np.float32)
    ks[16] = 0.1  # right ankle is unsure
    return b, score, kp, ks


class ScriptedDetector(PersonDetector):
    """Returns the people of ``script[frame]`` (frame read from pixel (0,0)); counts frames seen."""

    name = "scripted@1234"
    runtime = "test"

    def __init__(self, script: dict[int, list], keypoints: bool = True):
        self.script, self.has_keypoints, self.seen = script, keypoints, []

    def detect(self, frames):
        out = []
        for fr in frames:
            f = int(fr[0, 0, 0])
            self.seen.append(f)
            people = self.script.get(f, [])
            if not people:
                out.append(Detections.empty(self.has_keypoints))
                continue
            b, s, kp, ks = (np.array(x) for x in zip(*people))
            out.append(Detections(b, s, kp, ks) if self.has_keypoints else Detections(b, s))
        return out


def walking(n=F, a=(60, 120), b=(260, 120), va=4, vb=-4):
    return {f: [person(a[0] + va * f, a[1]), person(b[0] + vb * f, b[1])] for f in range(n)}


def new_project(skeleton=POSETRACK18, n=F) -> Project:
    return Project(skeleton, VideoInfo("clip.mp4", n, W, H))


def run(project, detector, **kw):
    return run_to_completion(detect_job(project, ListSource(project.num_frames), detector, **kw))


def test_new_people_get_tracks_boxes_and_prelabels():
    p = new_project()
    edit = run(p, ScriptedDetector(walking()))
    assert isinstance(edit, Compound) and sum(isinstance(e, AddTrack) for e in edit.edits) == 2
    assert p.tracks == {} and p.meta == {}  # nothing changes before apply
    edit.apply(p)
    assert sorted(p.tracks) == [0, 1]
    t0 = p.tracks[0]
    assert np.isfinite(t0.bbox).all()
    np.testing.assert_allclose(t0.bbox[3], person(60 + 12, 120)[0])
    # COCO limbs copied 1:1 as DETECTED, visible, with their scores; the unsure ankle is not labelled.
    assert (t0.source[:, 5:16] == Source.DETECTED).all() and (t0.vis[:, 5:16] == 2).all()
    np.testing.assert_allclose(t0.xy[3, 5:16], person(72, 120)[2][5:16])
    np.testing.assert_allclose(t0.score[3, 5:16], 0.9)
    assert (t0.vis[:, 16] == 0).all() and (t0.source[:, 16] == Source.NONE).all()
    # head_bottom/head_top are approximated from COCO joints: marked so, scored by how often that works.
    assert (t0.vis[:, 1:3] == 2).all() and (t0.source[:, 1:3] == Source.APPROXIMATED).all()
    assert np.isin(t0.score[:, 1], np.float32([APPROXIMATION_TRUST[k] for k in ("head_bottom", "head_bottom_no_face")])).all()
    np.testing.assert_allclose(t0.score[:, 2], 0.9 * APPROXIMATION_TRUST["head_top"], rtol=1e-5)
    assert (t0.vis[:, 3:5] == 0).all()  # PoseTrack18 ears stay unused
    assert p.model_versions == ["scripted@1234"] and (t0.model_version[t0.vis > 0] == 1).all()
    assert p.meta[DETECTED_FRAMES_KEY] == [[0, F]]


def test_coco_project_keeps_detected_joints_one_to_one():
    p = new_project(COCO17)
    run(p, ScriptedDetector(walking())).apply(p)
    t = p.tracks[0]
    np.testing.assert_allclose(t.xy[0, :16], person(60, 120)[2][:16])
    assert (t.vis[0, :16] == 2).all() and t.vis[0, 16] == 0


def test_existing_person_keeps_id_and_human_joints():
    p = new_project()
    t = p.new_track(5)
    # A person labelled manually on frame 4 (joints only, no box) where detection A will be.
    cx = 60 + 4 * 4
    t.xy[4, 5:] = person(cx, 120)[2][5:] + 1.5
    t.vis[4, 5:] = 2
    t.source[4, 5:] = Source.MANUAL
    t.score[4, 5:] = 1
    # A corrected joint on frame 7 and propagated joints on frame 9.
    t.xy[7, 9] = (cx + 12, 100)
    t.vis[7, 9], t.source[7, 9], t.score[7, 9] = 1, Source.CORRECTED, 1
    t.xy[9, 5] = (1, 2)
    t.vis[9, 5], t.source[9, 5] = 2, Source.PROPAGATED
    AddTrack(t).apply(p)
    before = t.copy()
    edit = run(p, ScriptedDetector(walking()))
    edit.apply(p)
    assert sorted(p.tracks) == [5, 6]  # detection A joined person 5; B is new, numbered after it
    t = p.tracks[5]
    np.testing.assert_array_equal(t.xy[4], before.xy[4])  # the manual frame is untouched...
    np.testing.assert_array_equal(t.source[4], before.source[4])
    np.testing.assert_allclose(t.bbox[4], person(cx, 120)[0])  # ...but gets the detected box
    np.testing.assert_array_equal(t.xy[7], before.xy[7])  # a frame with a corrected joint: no pre-labels
    assert t.source[7, 9] == Source.CORRECTED and (t.source[7] != Source.DETECTED).all()
    assert t.source[9, 5] == Source.PROPAGATED and tuple(t.xy[9, 5]) == (1, 2)  # propagation is left alone
    assert (t.source[9, 6:16] == Source.DETECTED).all()
    assert (t.source[[0, 1, 2, 3, 5, 6, 8, 10, 11]][:, 5:16] == Source.DETECTED).all()
    # Undo restores everything exactly.
    edit.revert(p)
    assert sorted(p.tracks) == [5] and p.tracks[5].equals(before) and p.model_versions == [] and p.meta == {}


def test_existing_box_claims_detection_even_far_from_track():
    p = new_project()
    t = p.new_track(0)
    t.bbox[6] = person(260 - 24, 120)[0] + 2  # person 0 is the one walking right-to-left, seen on frame 6
    AddTrack(t).apply(p)
    run(p, ScriptedDetector(walking())).apply(p)
    t = p.tracks[0]
    assert np.isfinite(t.bbox).all(axis=1).sum() == F  # tracked through the whole clip
    np.testing.assert_allclose(t.bbox[0], person(260, 120)[0])  # the same person before frame 6 too
    np.testing.assert_allclose(t.bbox[6], person(236, 120)[0])


def test_resume_skips_detected_frames_and_continues_ids():
    p = new_project()
    det = ScriptedDetector(walking())
    run(p, det, start=0, stop=5).apply(p)
    assert det.seen == [0, 1, 2, 3, 4] and detected_mask(p).sum() == 5
    ids_before = sorted(p.tracks)
    det.seen.clear()
    run(p, det).apply(p)
    assert det.seen == list(range(5, F))
    assert sorted(p.tracks) == ids_before  # the same two people continue
    assert all(np.isfinite(t.bbox).all() for t in p.tracks.values())
    assert p.meta[DETECTED_FRAMES_KEY] == [[0, F]]
    det.seen.clear()
    edit = run(p, det)
    assert det.seen == [] and isinstance(edit, Compound) and edit.edits == []
    det.seen.clear()
    run(p, det, start=2, stop=4, redo=True)
    assert det.seen == [2, 3]


def test_redo_removes_people_no_longer_found():
    p = new_project()
    script = walking()
    run(p, ScriptedDetector(script)).apply(p)
    script[2] = script[2][:1]  # now only one person on frame 2
    edit = run(p, ScriptedDetector(script), redo=True)
    assert all(isinstance(e, SetPoseRange) for e in edit.edits[1:])
    edit.apply(p)
    assert sorted(p.tracks) == [0, 1]
    gone = [t for t in p.tracks.values() if not np.isfinite(t.bbox[2]).all()]
    assert len(gone) == 1 and (gone[0].vis[2] == 0).all() and (gone[0].source[2] == Source.NONE).all()
    assert (gone[0].source[3, 5:16] == Source.DETECTED).all()


def test_one_frame_false_alarms_dropped_confident_people_kept():
    script = {f: [person(60 + 4 * f, 120)] for f in range(F)}
    script[5] = script[5] + [person(250, 60, score=0.3)]  # weak, one frame
    script[8] = script[8] + [person(250, 180, score=0.8)]  # confident, one frame, elsewhere
    p = new_project()
    run(p, ScriptedDetector(script)).apply(p)
    assert sorted(p.tracks) == [0, 1]
    assert np.flatnonzero(np.isfinite(p.tracks[1].bbox).all(axis=1)).tolist() == [8]


def test_box_only_detector_writes_boxes_only():
    p = new_project()
    run(p, ScriptedDetector(walking(), keypoints=False)).apply(p)
    t = p.tracks[0]
    assert np.isfinite(t.bbox).all() and (t.vis == 0).all() and (t.source == 0).all()


def test_progress_and_cancel_leave_project_untouched():
    p = new_project()
    job = detect_job(p, ListSource(F), ScriptedDetector(walking()))
    first = next(job)
    assert first.total == F and 0 < first.done < F
    job.close()  # the user cancelled
    assert p.tracks == {} and p.meta == {} and p.model_versions == []


def test_bad_ranges_and_short_video():
    p = new_project()
    with pytest.raises(Exception, match="frame range"):
        run(p, ScriptedDetector({}), start=5, stop=5)
    with pytest.raises(Exception, match="has 3 frames"):
        run_to_completion(detect_job(p, ListSource(3), ScriptedDetector({})))


def test_ranges_round_trip():
    mask = np.zeros(20, bool)
    mask[[0, 1, 2, 7, 10, 11, 19]] = True
    r = mask_to_ranges(mask)
    assert r == [[0, 3], [7, 8], [10, 12], [19, 20]]
    np.testing.assert_array_equal(ranges_to_mask(r, 20), mask)


def test_persisted_in_project_file(tmp_path):
    path = tmp_path / "p.stdpose"
    s = ProjectSession.create(path, new_project())
    s.apply(run(s.project, ScriptedDetector(walking()), stop=6))
    s.close()
    s = ProjectSession.open(path)
    try:
        assert s.project.meta[DETECTED_FRAMES_KEY] == [[0, 6]]
        assert s.project.model_versions == ["scripted@1234"]
        assert sorted(s.project.tracks) == [0, 1]
        assert (s.project.tracks[0].source[:6, 5:16] == Source.DETECTED).all()
        assert np.isnan(s.project.tracks[0].bbox[6:]).all()
    finally:
        s.close()
