"""The tracker on synthetic box sequences: crossings, short and long misses, anchors, seeding."""

import numpy as np
import pytest

from stdpose_core.detection.base import Detections
from stdpose_core.detection.identity_tracking import Anchor, Tracker, TrackerConfig, oks


def box(cx, cy, w=40, h=100):
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]


def dets(boxes, keypoints=None):
    n = len(boxes)
    if keypoints is None:
        return Detections(np.array(boxes, np.float32).reshape(-1, 4), np.full(n, 0.9))
    return Detections(np.array(boxes, np.float32).reshape(-1, 4), np.full(n, 0.9), np.array(keypoints), np.full((n, 17), 0.9))


def run(tracker, frames):
    """frames: list of lists of (label, box); returns {label: {frame: id}}."""
    out = {}
    for f, people in enumerate(frames):
        ids = tracker.update(f, dets([b for _, b in people]))
        for (label, _), tid in zip(people, ids):
            out.setdefault(label, {})[f] = int(tid)
    return out


def ids_of(seq):
    return set(seq.values())


def test_two_people_crossing_keep_their_ids():
    frames = []
    for f in range(40):
        a = ("A", box(100 + 6 * f, 150))  # left to right
        b = ("B", box(340 - 6 * f, 160))  # right to left, slightly lower
        frames.append([b, a] if f % 2 else [a, b])  # detection order must not matter
    out = run(Tracker(), frames)
    assert len(ids_of(out["A"])) == 1 and len(ids_of(out["B"])) == 1
    assert ids_of(out["A"]) != ids_of(out["B"])


def test_crossing_with_occlusion_keeps_ids_and_gap():
    frames = []
    for f in range(40):
        people = [("A", box(100 + 6 * f, 150))]
        if not 18 <= f <= 22:  # B hidden behind A around the crossing
            people.append(("B", box(340 - 6 * f, 155)))
        frames.append(people)
    out = run(Tracker(), frames)
    assert len(ids_of(out["A"])) == 1 and len(ids_of(out["B"])) == 1
    assert ids_of(out["A"]) != ids_of(out["B"])
    assert sorted(set(range(40)) - set(out["B"])) == [18, 19, 20, 21, 22]  # the gap stays a gap


def test_short_miss_same_id_long_miss_new_id():
    seq = [[("A", box(100 + 2 * f, 100))] if not 10 <= f < 15 else [] for f in range(30)]
    out = run(Tracker(TrackerConfig(max_lost=30)), seq)
    assert len(ids_of(out["A"])) == 1
    seq = [[("A", box(100, 100))] if not 10 <= f < 30 else [] for f in range(35)]
    out = run(Tracker(TrackerConfig(max_lost=10)), seq)
    assert len(ids_of(out["A"])) == 2


def test_far_jump_is_a_new_person():
    seq = [[("A", box(100, 100) if f < 5 else box(400, 100))] for f in range(10)]
    out = run(Tracker(), seq)
    assert len(ids_of(out["A"])) == 2


def test_new_ids_avoid_reserved_ids():
    t = Tracker(reserved_ids=[0, 3])
    ids = t.update(0, dets([box(50, 100), box(150, 100), box(250, 100)]))
    assert sorted(ids.tolist()) == [4, 5, 6]


def test_anchor_gives_existing_id_and_blocks_it_elsewhere():
    t = Tracker(reserved_ids=[7])
    first = t.update(0, dets([box(100, 100), box(300, 100)]))
    assert 7 not in first
    # Person 7 is labelled where the second detection is: it gets id 7, and the first keeps its id.
    ids = t.update(1, dets([box(100, 100), box(302, 100)]), [Anchor(7, np.array(box(300, 100)))])
    assert ids[1] == 7 and ids[0] == first[0]
    # Person 7 labelled elsewhere (no detection there): the old track of id 7 is not given to anyone.
    ids = t.update(2, dets([box(100, 100), box(304, 100)]), [Anchor(7, np.array(box(600, 100)))])
    assert 7 not in ids and ids[0] == first[0]


def test_seed_continues_a_project_person():
    t = Tracker(reserved_ids=[2])
    t.seed(2, 9, np.array(box(100, 100)))
    ids = t.update(12, dets([box(106, 100), box(400, 100)]))
    assert ids[0] == 2 and ids[1] == 3


def test_oks_values():
    rng = np.random.default_rng(0)
    kp = rng.uniform(0, 100, (17, 2))
    sc = np.ones(17)
    assert oks(kp, sc, kp, sc, 100 * 100, 0.3) == pytest.approx(1.0)
    assert oks(kp, sc, kp + 200, sc, 100 * 100, 0.3) < 1e-3
    low = np.zeros(17)
    low[:2] = 1
    assert np.isnan(oks(kp, low, kp, sc, 100 * 100, 0.3))


def test_pose_similarity_separates_overlapping_people():
    """Two people with nearly the same box but different poses: OKS picks the right one."""
    rng = np.random.default_rng(1)
    pose_a = rng.uniform(100, 200, (17, 2))
    pose_b = rng.uniform(100, 200, (17, 2))
    t = Tracker(TrackerConfig(oks_weight=0.8))
    b1, b2 = box(150, 150, 100, 100), box(152, 150, 100, 100)
    first = t.update(0, dets([b1, b2], [pose_a, pose_b]))
    # Next frame: the boxes are swapped in position (each now fits the other's box better), poses stay.
    ids = t.update(1, dets([b2, b1], [pose_a, pose_b]))
    assert ids.tolist() == first.tolist()


def test_made_up_track_claimed_by_project_person_is_aliased():
    t = Tracker(reserved_ids=[9])
    first = t.update(0, dets([box(100, 100)]))
    assert first[0] != 9
    ids = t.update(1, dets([box(103, 100)]), [Anchor(9, np.array(box(103, 100)))])
    assert ids[0] == 9 and t.aliases == {int(first[0]): 9}
    assert t.update(2, dets([box(106, 100)]))[0] == 9  # continues as the project person


def test_anchor_from_thin_joints_still_claims_its_detection():
    """A side-view person: joints on a vertical line; their box has ~zero width but they lie inside."""
    points = np.stack([np.full(10, 200.0), np.linspace(60, 140, 10)], axis=1)
    anchor = Anchor(4, np.array([199.0, 52.0, 201.0, 148.0]), points)
    ids = Tracker(reserved_ids=[4]).update(0, dets([box(100, 100), box(202, 100)]), [anchor])
    assert ids[1] == 4 and ids[0] != 4
