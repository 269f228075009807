"""Review-queue precision on detected poses, and the calibration of approximated joints' scores.

    .venv/bin/python benchmarks/bench_review_queue.py [--clips N] [--calibrate [--train-clips N]]

Runs the YOLO person/pose detector (``stdpose detect``'s pipeline: tracking, pre-labels, the
PoseTrack18 conversion) on the JHMDB ``val`` clips of ``models/splits/jhmdb.json`` and builds the
review queue of each clip as the editor does right after detection (threshold 0.5). A queued joint is
*really off* when the ground truth labels that joint of the matched person (box IoU >= 0.5) and the
detected joint is farther than 0.2 head sizes (JHMDB has no head boxes: 0.125 x person-box diagonal,
as ``stdpose eval``); queued joints the ground truth cannot judge (JHMDB labels no head_top; people
it does not have) are counted apart. Precision = really off / judged; recall = really-off queued
joints / really-off detector joints in all (queued or not).

"v0.1" is the rule before approximated joints had meaningful scores (head_bottom/head_top capped at
0.3, so every detected frame was queued); "now" is the current code.

``--calibrate`` fits :data:`stdpose_core.skeleton.HEAD_BOTTOM_TOWARDS_FACE` and measures
:data:`~stdpose_core.skeleton.APPROXIMATION_TRUST` instead, on JHMDB ``train`` clips: how often the
approximated head_bottom lands within 0.2 head sizes of the labelled neck. (No shared data labels
head_top together with a detector's face, so head_top is not calibrated.)

Raw detections are cached under ``$STDPOSE_CACHE_DIR/bench-detections`` (a later run re-uses them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdpose_core.data import Project, Source, VideoInfo  # noqa: E402
from stdpose_core.detection.base import Detections, PersonDetector  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import ListSource  # noqa: E402
from stdpose_core.review import review_queue  # noqa: E402
from stdpose_core.skeleton import POSETRACK18  # noqa: E402

SHARED = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
TOL = 0.2
HEAD_BOTTOM = 1


def cache_dir() -> Path:
    from stdpose_core.paths import user_cache_dir

    d = user_cache_dir() / "bench-detections"
    d.mkdir(parents=True, exist_ok=True)
    return d


class Replay(PersonDetector):
    """Detections computed once (and cached), handed out frame by frame in order."""

    has_keypoints = True

    def __init__(self, dets: list[Detections], name: str):
        self.dets, self.name, self.i = dets, name, 0

    def detect(self, frames):
        out = self.dets[self.i : self.i + len(frames)]
        self.i += len(frames)
        return out


def detections(key: str, frames: list[np.ndarray], detector_factory) -> list[Detections]:
    path = cache_dir() / f"{key.replace('/', '__')}.npz"
    if path.is_file():
        z = np.load(path)
        n = z["counts"]
        cuts = np.r_[0, np.cumsum(n)]
        return [Detections(z["boxes"][a:b], z["scores"][a:b], z["kp"][a:b], z["ks"][a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    det = detector_factory()
    out = []
    for i in range(0, len(frames), 4):
        out += det.detect(frames[i : i + 4])
    np.savez_compressed(path, counts=np.array([len(d) for d in out]),
                        boxes=np.concatenate([d.boxes for d in out]).reshape(-1, 4),
                        scores=np.concatenate([d.scores for d in out]),
                        kp=np.concatenate([d.keypoints for d in out]).reshape(-1, 17, 2),
                        ks=np.concatenate([d.keypoint_scores for d in out]).reshape(-1, 17))
    return out


def detected_project(gt: Project, frames, dets) -> Project:
    from stdpose_core.detection import detect_job

    v = gt.video
    project = Project(POSETRACK18, VideoInfo("clip", gt.num_frames, v.width, v.height, v.fps))
    edit = run_to_completion(detect_job(project, ListSource(frames), Replay(dets, "yolo11n-pose")))
    edit.apply(project)
    return project


def iou(a, b) -> float:
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return 0.0
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def gt_match(gt: Project, det: Project, tid: int, f: int):
    """(GT track, norm px) of the GT person detected person ``tid`` is on frame ``f``, or None."""
    box = det.tracks[tid].bbox[f]
    for g in gt.tracks.values():
        if (g.vis[f] > 0).any() and iou(box, g.bbox[f]) >= 0.5:
            gb = g.bbox[f]
            head = g.head_bbox[f]
            if np.isfinite(head).all():
                return g, 0.6 * float(np.hypot(head[2] - head[0], head[3] - head[1]))
            return g, 0.125 * float(np.hypot(gb[2] - gb[0], gb[3] - gb[1]))
    return None


def judge(gt: Project, det: Project, f: int, tid: int, k: int) -> bool | None:
    """True: really off; False: within tolerance; None: the ground truth cannot say."""
    m = gt_match(gt, det, tid, f)
    if m is None or m[0].vis[f, k] <= 0:
        return None
    g, norm = m
    return bool(np.hypot(*(det.tracks[tid].xy[f, k] - g.xy[f, k])) > TOL * norm)


def v01_rule(project: Project) -> Project:
    """The same detections as v0.1 stored them: approximated joints at score 0.3, source DETECTED,
    head_bottom at the shoulder midpoint."""
    import dataclasses

    tracks = {}
    for tid, t in project.tracks.items():
        c = t.copy()
        a = c.source == Source.APPROXIMATED
        c.score[a] = 0.3  # v0.1: min(inputs, 0.3); detected inputs score >= 0.5, so always 0.3
        c.source[a] = Source.DETECTED
        neck = a[:, HEAD_BOTTOM]  # v0.1 put head_bottom at the shoulder midpoint
        c.xy[neck, HEAD_BOTTOM] = 0.5 * (c.xy[neck, 5] + c.xy[neck, 6])
        tracks[tid] = c
    return dataclasses.replace(project, tracks=tracks)


def clips(split: str, n: int | None):
    from stdpose_core.io import read_annotations
    from stdpose_core.video import open_source

    names = json.loads((REPO / "models" / "splits" / "jhmdb.json").read_text())[split]
    for name in names[:n]:
        gt = read_annotations(SHARED / "jhmdb" / f"{name}.json")
        with open_source(SHARED / "jhmdb" / f"{name}.avi") as src:
            frames = [src.frame(i) for i in range(min(len(src), gt.num_frames))]
        if len(frames) == gt.num_frames:
            yield name, gt, frames


def make_detector():
    from stdpose_core.detection import create_detector

    return create_detector(device="cpu")


def precision(n: int | None) -> None:
    rows = {r: dict(queued=0, frames=0, judged=0, off=0, off_all=0) for r in ("v0.1", "now")}
    det_frames = 0
    n_clips = 0
    t0 = time.perf_counter()
    for name, gt, frames in clips("val", n):
        n_clips += 1
        project = detected_project(gt, frames, detections(f"jhmdb/{name}", frames, make_detector))
        det_frames += int(np.logical_or.reduce([t.present() for t in project.tracks.values()]).sum()) if project.tracks else 0
        for rule, p in (("v0.1", v01_rule(project)), ("now", project)):
            q = review_queue(p, 0.5)
            r = rows[rule]
            for tid, t in p.tracks.items():  # every really-off detector joint, queued or not
                for f, k in zip(*np.nonzero(t.vis > 0)):
                    r["off_all"] += int(judge(gt, p, int(f), tid, int(k)) is True)
            r["queued"] += len(q)
            r["frames"] += len(q.frames)
            for f, tid, k in zip(q.frame.tolist(), q.track.tolist(), q.joint.tolist()):
                verdict = judge(gt, p, f, tid, k)
                if verdict is not None:
                    r["judged"] += 1
                    r["off"] += int(verdict)
    print(f"JHMDB val: {n_clips} clips, {det_frames} frames with detected people ({time.perf_counter() - t0:.0f} s)")
    print(f"{'rule':<6}{'queued joints':>15}{'queued frames':>15}{'judged':>8}{'really off':>12}{'precision':>11}"
          f"{'off in all':>12}{'recall':>9}")
    for rule, r in rows.items():
        prec = r["off"] / r["judged"] if r["judged"] else float("nan")
        rec = r["off"] / r["off_all"] if r["off_all"] else float("nan")
        print(f"{rule:<6}{r['queued']:>15}{r['frames']:>15}{r['judged']:>8}{r['off']:>12}{100 * prec:>10.1f}%"
              f"{r['off_all']:>12}{100 * rec:>8.1f}%")


def calibrate(n: int | None) -> None:
    """Fit where head_bottom sits between the shoulder midpoint and the face, and how often it is right."""
    kp, ks, neck, norm = [], [], [], []
    for name, gt, frames in clips("train", n):
        dets = detections(f"jhmdb/{name}", frames, make_detector)
        g = gt.tracks[min(gt.tracks)]
        for f, d in enumerate(dets):
            if not len(d) or g.vis[f, HEAD_BOTTOM] <= 0 or not np.isfinite(g.bbox[f]).all():
                continue
            overlap = [iou(b, g.bbox[f]) for b in d.boxes]
            j = int(np.argmax(overlap))
            if overlap[j] < 0.5 or min(d.keypoint_scores[j][5], d.keypoint_scores[j][6]) < 0.5:
                continue  # head_bottom is made only from two detected shoulders
            gb = g.bbox[f]
            kp.append(d.keypoints[j])
            ks.append(d.keypoint_scores[j])
            neck.append(g.xy[f, HEAD_BOTTOM])
            norm.append(0.125 * float(np.hypot(gb[2] - gb[0], gb[3] - gb[1])))
    kp, ks, neck, norm = np.array(kp), np.array(ks), np.array(neck), np.array(norm)
    mid = 0.5 * (kp[:, 5] + kp[:, 6])
    eyes = (ks[:, 1] >= 0.5) & (ks[:, 2] >= 0.5)
    face_seen = eyes | (ks[:, 0] >= 0.5)
    face = np.where(eyes[:, None], 0.5 * (kp[:, 1] + kp[:, 2]), kp[:, 0])
    print(f"JHMDB train: {len(kp)} detected people with both shoulders ({face_seen.sum()} with a face)")
    print(f"{'towards face':>13}{'within 0.2 head (face seen)':>29}{'(no face: midpoint)':>21}")
    for a in (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5):
        est = mid + a * (face - mid)
        ok = np.hypot(*(est - neck).T) <= TOL * norm
        ok_mid = np.hypot(*(mid - neck).T) <= TOL * norm
        print(f"{a:>13.2f}{ok[face_seen].mean():>29.3f}{ok_mid[~face_seen].mean():>21.3f}")
    from stdpose_core.skeleton import HEAD_BOTTOM_TOWARDS_FACE

    est = mid + HEAD_BOTTOM_TOWARDS_FACE * (face - mid)
    ok = np.hypot(*(est - neck).T) <= TOL * norm
    face_score = np.where(eyes, np.minimum(ks[:, 1], ks[:, 2]), ks[:, 0])
    lowest = np.minimum(np.minimum(ks[:, 5], ks[:, 6]), face_score)
    reach = np.hypot(*(face - mid).T) / np.maximum(np.hypot(*(kp[:, 5] - kp[:, 6]).T), 1e-6)
    confident = eyes & (lowest >= 0.95) & (reach >= 0.5) & (reach < 1.0)
    print(f"at {HEAD_BOTTOM_TOWARDS_FACE}: confident (both eyes, joints >= 0.95, face 0.5-1 shoulder widths away) "
          f"{ok[confident].mean():.3f} of {confident.sum()}; other faces {ok[face_seen & ~confident].mean():.3f} "
          f"of {(face_seen & ~confident).sum()}; no face {np.hypot(*(mid - neck).T)[~face_seen].__le__(TOL * norm[~face_seen]).mean():.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, help="JHMDB val clips (default all 100)")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--train-clips", type=int, default=80)
    args = ap.parse_args()
    if args.calibrate:
        calibrate(args.train_clips)
    else:
        precision(args.clips)
    return 0


if __name__ == "__main__":
    sys.exit(main())
