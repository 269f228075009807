"""Checking that a written file says exactly what the project says (exports validate themselves)."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, Track
from stdpose_core.data.track import FRAME_FIELDS


def aligned(got: Project, expected: Project) -> Project | str:
    """``got`` re-indexed onto ``expected``'s frames when the file lists a longer video than the
    project holds (a PoseTrack file's ``nframes`` carried from its source); a reason string when a
    frame with content has no place."""
    if got.num_frames == expected.num_frames:
        return got
    from stdpose_core.io.importing import frame_mapping

    fmap = frame_mapping(expected, got)
    for t in got.tracks.values():
        lost = np.flatnonzero(t.present() & (fmap < 0))
        if len(lost):
            return f"track {t.track_id} on frame {lost[0]}, which the project does not have"
    ok = fmap >= 0
    src, dst = np.flatnonzero(ok), fmap[ok]
    tracks = {}
    for tid, t in got.tracks.items():
        u = Track.empty(tid, expected.num_frames, t.num_joints, person_id=t.person_id)
        for name in FRAME_FIELDS:
            getattr(u, name)[dst] = getattr(t, name)[src]
        tracks[tid] = u
    labeled = np.zeros(expected.num_frames, bool)
    labeled[dst] = got.labeled[src]
    regions = {int(fmap[f]): p for f, p in got.ignore_regions.items() if fmap[f] >= 0}
    return Project(got.skeleton, expected.video, tracks, labeled=labeled, ignore_regions=regions, meta=got.meta)


def first_difference(expected: Project, got: Project, scores_only: bool = False) -> str | None:
    """The first way ``got`` (read back from a file) differs from ``expected``, or None.

    Compared: frame count (after :func:`aligned`), labelled flags, ignore regions, and per track
    and frame: vis exactly, xy and score where labelled, head boxes, and boxes where ``expected``
    has one (COCO writers may add a box from the keypoints' extent). ``scores_only`` (a results
    file: predictions without occlusion, frame flags or head boxes) compares which joints are
    there, their coordinates and scores.
    """
    got = aligned(got, expected)
    if isinstance(got, str):
        return got
    if got.num_frames != expected.num_frames:
        return f"{got.num_frames} frames instead of {expected.num_frames}"
    if got.skeleton.joint_names != expected.skeleton.joint_names:
        return f"skeleton {got.skeleton.name} instead of {expected.skeleton.name}"
    if not scores_only:
        bad = np.flatnonzero(got.labeled != expected.labeled)
        if len(bad):
            return f"frame {bad[0]}: is_labeled {bool(got.labeled[bad[0]])} instead of {bool(expected.labeled[bad[0]])}"
        for f in sorted(set(got.ignore_regions) | set(expected.ignore_regions)):
            a, b = expected.ignore_regions.get(f, []), got.ignore_regions.get(f, [])
            if len(a) != len(b) or not all(p.shape == q.shape and np.array_equal(p.astype(np.float32), q) for p, q in zip(a, b)):
                return f"frame {f}: ignore regions differ"
    want = {tid: t for tid, t in expected.tracks.items() if t.present().any()}
    have = {tid: t for tid, t in got.tracks.items() if t.present().any()}
    if set(want) != set(have):
        return f"track ids {sorted(have)[:10]} instead of {sorted(want)[:10]}"
    for tid, e in want.items():
        g = have[tid]
        lab = e.vis > 0
        checks = [
            ("visibility", np.array_equal(e.vis > 0, g.vis > 0) if scores_only else np.array_equal(e.vis, g.vis)),
            ("keypoint coordinates", np.array_equal(e.xy[lab], g.xy[lab])),
            ("joint scores", np.array_equal(e.score[lab], g.score[lab])),
            ("boxes", np.array_equal(e.bbox[np.isfinite(e.bbox)], g.bbox[np.isfinite(e.bbox)])),
        ]
        if not scores_only:
            checks.append(("head boxes", np.array_equal(e.head_bbox, g.head_bbox, equal_nan=True)))
        for what, ok in checks:
            if not ok:
                return f"track {tid}: {what} differ"
    return None
