"""The vectorised AP against a plain-loop transcription of poseval's assignGTmulti + computeMetrics
on random multi-person data (people appear, disappear, jitter, get swapped and duplicated)."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.eval import evaluate
from stdpose_core.eval.frame_people import collect
from stdpose_core.skeleton import POSETRACK18

USED = POSETRACK18.used_joints


def reference_ap(frames, thresh=0.5):
    """Loop-for-loop the poseval algorithm on collect()'s per-frame arrays."""
    nj = frames[0].gt_has.shape[1]
    scores = {j: [] for j in range(nj)}
    labels = {j: [] for j in range(nj)}
    n_gt = np.zeros(nj)
    for fp in frames:
        n_pr, n_g = len(fp.pr_ids), len(fp.gt_ids)
        if n_pr and n_g:
            dist = np.full((n_pr, n_g, nj), np.inf)
            for g in range(n_g):
                for p in range(n_pr):
                    for j in range(nj):
                        if fp.pr_has[p, j] and fp.gt_has[g, j]:
                            dist[p, g, j] = np.linalg.norm(fp.pr_xy[p, j] - fp.gt_xy[g, j]) / fp.norm[g]
            match = dist <= thresh
            pck = 1.0 * np.sum(match, axis=2)
            n_gtp = fp.gt_has.sum(axis=1)
            for p in range(n_pr):
                for g in range(n_g):
                    if n_gtp[g] > 0:
                        pck[p, g] = pck[p, g] / n_gtp[g]
            idx = np.argmax(pck, axis=1)
            for p in range(n_pr):
                for g in range(n_g):
                    if g != idx[p]:
                        pck[p, g] = 0
            pr_to_gt = np.argmax(pck, axis=0)
            pr_to_gt[np.max(pck, axis=0) == 0] = -1
            for p in range(n_pr):
                if p in pr_to_gt:
                    g = np.argwhere(pr_to_gt == p)[0, 0]
                    m = match[p, g]
                else:
                    m = np.zeros(nj, bool)
                for j in range(nj):
                    if fp.pr_has[p, j]:
                        scores[j].append(fp.pr_score[p, j])
                        labels[j].append(m[j])
        elif n_pr:
            for p in range(n_pr):
                for j in range(nj):
                    if fp.pr_has[p, j]:
                        scores[j].append(fp.pr_score[p, j])
                        labels[j].append(False)
        n_gt += fp.gt_has.sum(axis=0)
    ap = []
    for j in range(nj):
        s, lab = np.array(scores[j]), np.array(labels[j])
        if n_gt[j] == 0:
            ap.append(np.nan)
            continue
        if len(s) == 0:
            ap.append(0.0)
            continue
        order = s.argsort()[::-1]
        npos, prec, rec = 0, [], []
        for i, k in enumerate(order):
            npos += lab[k]
            rec.append(npos / n_gt[j])
            prec.append(npos / (i + 1))
        mpre = np.r_[0, prec, 0]
        mrec = np.r_[0, rec, 1]
        for i in range(len(mpre) - 2, -1, -1):
            mpre[i] = max(mpre[i], mpre[i + 1])
        i = np.argwhere(mrec[1:] != mrec[:-1]).ravel() + 1
        ap.append(100 * np.sum((mrec[i] - mrec[i - 1]) * mpre[i]))
    return np.array(ap)


def random_pair(seed, make_gt, pose):
    rng = np.random.default_rng(seed)
    frames, people = 6, 5
    gt_people, pr_people, scores = {}, {}, {}
    for tid in range(people):
        start = rng.uniform(0, 500, 2)
        for f in range(frames):
            if rng.random() < 0.2:
                continue
            xy = pose(*(start + f * rng.normal(0, 3, 2)))
            xy[USED] += rng.normal(0, 2, (len(USED), 2)).astype(np.float32)
            gt_people.setdefault(tid, {})[f] = xy
            if rng.random() < 0.15:
                continue  # missed person
            p = xy.copy()
            p[USED] += rng.normal(0, 4, (len(USED), 2)).astype(np.float32)  # ~half the joints within 4.2 px
            pid = tid if rng.random() < 0.8 else 100 + tid
            pr_people.setdefault(pid, {})[f] = p
            scores[(pid, f)] = np.round(rng.uniform(0, 1, 17), 1)  # coarse: ties happen
        if rng.random() < 0.5:  # a spurious person
            f = int(rng.integers(frames))
            pr_people.setdefault(200 + tid, {})[f] = pose(*rng.uniform(0, 500, 2))
            scores[(200 + tid, f)] = np.round(rng.uniform(0, 1, 17), 1)
    gt = make_gt(gt_people, frames=frames)
    pred = make_gt(pr_people, frames=frames, score=scores)
    return gt, pred


@pytest.mark.parametrize("seed", range(6))
def test_matches_reference_transcription(seed, make_gt, pose):
    gt, pred = random_pair(seed, make_gt, pose)
    r = evaluate(gt, pred)
    frames, _, joints = collect(gt, pred)
    want = reference_ap(frames)
    got = np.array([r["ap"][gt.skeleton.joint_names[j]] for j in joints])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert 5 < r["map"] < 100  # a non-trivial case
    assert r["map"] == pytest.approx(np.nanmean(want))
