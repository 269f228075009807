"""``stdpose eval`` equals poseval on a clip whose nose is never labelled (issue 15 item 9).

The reference below follows poseval's ``evaluateAP`` (``assignGTmulti``, ``computeRPC``,
``VOCap``, ``computeMetrics``; leonid-pishchulin/poseval, the rule in ../shared/data/MANIFEST.md)
loop for loop, reading the PoseTrack18 JSON files itself, so it shares no code with
``stdpose_core.eval``. poseval's ``apAll`` starts at zeros: a joint without GT and without
predictions keeps AP 0 and is averaged into the Total.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.eval import evaluate
from stdpose_core.io import read_annotations

CLIP = Path(__file__).resolve().parents[2] / "fixtures" / "interop" / "poseval_nose_never_labelled"
EVALUATED = [j for j in range(17) if j not in (3, 4)]  # poseval's 15 joints: no ears


def _people(doc: dict, image_id, with_scores: bool):
    out = []
    for a in doc["annotations"]:
        if a["image_id"] != image_id:
            continue
        kp = np.asarray(a["keypoints"], float).reshape(17, 3)
        has = np.array([not (kp[j] == 0).all() for j in EVALUATED])
        xy = kp[EVALUATED, :2]
        score = np.asarray(a["scores"], float)[EVALUATED] if with_scores else None
        head = a.get("bbox_head")
        out.append((xy, has, score, head))
    return out


def compute_rpc(scores, labels, total_pos):
    precision = np.zeros(len(scores))
    recall = np.zeros(len(scores))
    npos = 0
    idxs = np.array(scores).argsort()[::-1]
    labels_sorted = np.array(labels)[idxs]
    with np.errstate(divide="ignore", invalid="ignore"):
        for sidx in range(len(idxs)):
            if labels_sorted[sidx] == 1:
                npos += 1
            recall[sidx] = 1.0 * npos / np.float64(total_pos)
            precision[sidx] = 1.0 * npos / (sidx + 1)
    return precision, recall


def voc_ap(rec, prec):
    mrec = np.concatenate([[0], rec, [1]])
    mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    i = np.argwhere(mrec[1:] != mrec[:-1]).ravel() + 1
    return np.sum((mrec[i] - mrec[i - 1]) * mpre[i])


def poseval_ap(gt_doc: dict, pr_doc: dict, thresh: float = 0.5) -> np.ndarray:
    nj = len(EVALUATED)
    frames = [im["id"] for im in gt_doc["images"] if im["is_labeled"]]
    scores_all = [[] for _ in range(nj)]
    labels_all = [[] for _ in range(nj)]
    n_gt_all = np.zeros(nj)
    for image_id in frames:
        gts, prs = _people(gt_doc, image_id, False), _people(pr_doc, image_id, True)
        gts = [g for g in gts if g[1].any()]
        if prs and gts:
            dist = np.full((len(prs), len(gts), nj), np.inf)
            for g, (gxy, ghas, _, head) in enumerate(gts):
                x, y, w, h = head
                head_size = 0.6 * np.linalg.norm([w, h])
                for p, (pxy, phas, _, _) in enumerate(prs):
                    for j in range(nj):
                        if ghas[j] and phas[j]:
                            dist[p, g, j] = np.linalg.norm(pxy[j] - gxy[j]) / head_size
            n_gtp = np.array([g[1].sum() for g in gts])
            match = dist <= thresh
            pck = 1.0 * np.sum(match, axis=2)
            for p in range(len(prs)):
                for g in range(len(gts)):
                    if n_gtp[g] > 0:
                        pck[p, g] = pck[p, g] / n_gtp[g]
            idx = np.argmax(pck, axis=1)
            for p in range(len(prs)):
                for g in range(len(gts)):
                    if g != idx[p]:
                        pck[p, g] = 0
            pr_to_gt = np.argmax(pck, axis=0)
            pr_to_gt[np.max(pck, axis=0) == 0] = -1
            for p, (_, phas, s, _) in enumerate(prs):
                if p in pr_to_gt:
                    g = int(np.argwhere(pr_to_gt == p)[0, 0])
                    m = match[p, g]
                else:
                    m = np.zeros(nj, bool)
                for j in range(nj):
                    if phas[j]:
                        scores_all[j].append(s[j])
                        labels_all[j].append(m[j])
        elif prs:
            for _, phas, s, _ in prs:
                for j in range(nj):
                    if phas[j]:
                        scores_all[j].append(s[j])
                        labels_all[j].append(False)
        for _, ghas, _, _ in gts:
            n_gt_all += ghas
    ap_all = np.zeros(nj)  # poseval: apAll = np.zeros(...)
    for j in range(nj):
        precision, recall = compute_rpc(scores_all[j], labels_all[j], n_gt_all[j])
        if len(precision) > 0:
            ap_all[j] = voc_ap(recall, precision) * 100
    return ap_all


def test_eval_equals_poseval_with_a_never_labelled_joint(capsys):
    gt_doc = json.loads((CLIP / "gt.json").read_text())
    pr_doc = json.loads((CLIP / "pred.json").read_text())
    want = poseval_ap(gt_doc, pr_doc)
    nose = EVALUATED.index(0)
    assert want[nose] == 0.0 and 20 < want.mean() < 95  # the nose scores 0 and is in the Total
    r = evaluate(read_annotations(CLIP / "gt.json"), read_annotations(CLIP / "pred.json"))
    got = np.array([r["ap"][read_annotations(CLIP / "gt.json").skeleton.joint_names[j]] for j in EVALUATED])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert r["map"] == pytest.approx(want.mean(), abs=1e-9)  # poseval's Total
    assert r["table"]["Head"] == pytest.approx(np.mean([want[EVALUATED.index(j)] for j in (0, 1, 2)]))
    assert r["not_labelled"] == ["nose"] and r["rule"] == "poseval"
    # the earlier figure leaves the nose out
    assert r["map_labelled_only"] == pytest.approx(np.mean(np.delete(want, nose)))
    lo = evaluate(read_annotations(CLIP / "gt.json"), read_annotations(CLIP / "pred.json"), labelled_only=True)
    assert lo["map"] == pytest.approx(r["map_labelled_only"]) and math.isnan(lo["ap"]["nose"])

    assert main(["eval", str(CLIP / "gt.json"), str(CLIP / "pred.json")]) == 0
    text = capsys.readouterr().out
    assert "poseval rule" in text and f"{want.mean():.1f}" in text
    nose_line = next(line for line in text.splitlines() if line.startswith("nose "))
    assert "not labelled" in nose_line and "0.0" in nose_line
    assert main(["eval", str(CLIP / "gt.json"), str(CLIP / "pred.json"), "--labelled-joints-only", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["map"] == pytest.approx(np.mean(np.delete(want, nose)))


def test_ground_truth_against_itself_is_the_official_figure():
    gt = read_annotations(CLIP / "gt.json")
    r = evaluate(gt, gt)
    assert r["map"] == pytest.approx(100.0 * 14 / 15) and r["ap"]["nose"] == 0.0
    assert evaluate(gt, gt, labelled_only=True)["map"] == 100.0
