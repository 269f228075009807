"""Checking that a written file says exactly what the project says (exports validate themselves)."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project


def first_difference(expected: Project, got: Project) -> str | None:
    """The first way ``got`` (read back from a file) differs from ``expected``, or None.

    Compared: frame count, labelled flags, ignore regions, and per track and frame: vis exactly,
    xy and score where labelled, head boxes, and boxes where ``expected`` has one (COCO writers
    may add a box from the keypoints' extent).
    """
    if got.num_frames != expected.num_frames:
        return f"{got.num_frames} frames instead of {expected.num_frames}"
    if got.skeleton.name != expected.skeleton.name:
        return f"skeleton {got.skeleton.name} instead of {expected.skeleton.name}"
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
        checks = (
            ("visibility", np.array_equal(e.vis, g.vis)),
            ("keypoint coordinates", np.array_equal(e.xy[lab], g.xy[lab])),
            ("joint scores", np.array_equal(e.score[lab], g.score[lab])),
            ("head boxes", np.array_equal(e.head_bbox, g.head_bbox, equal_nan=True)),
            ("boxes", np.array_equal(e.bbox[np.isfinite(e.bbox)], g.bbox[np.isfinite(e.bbox)])),
        )
        for what, ok in checks:
            if not ok:
                return f"track {tid}: {what} differ"
    return None
