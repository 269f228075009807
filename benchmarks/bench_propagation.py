"""Propagation benchmark: throughput, accuracy per keyframe interval T, and confidence calibration.

    .venv/bin/python benchmarks/bench_propagation.py [--legacy] [--baseline REV] [--split] [--quick] [--seeds 3] [--persons 4] [--val-limit N]

``--legacy`` adds ``flow-legacy`` (v0.1's flow, ``benchmarks/legacy_flow.py``) beside today's ``flow``
in every table, measured in the same process on the same frames. ``--baseline REV`` (e.g. ``main``)
adds ``flow@REV``: the flow modules as committed at git revision REV (``benchmarks/baseline_flow.py``).

1. Throughput: person-frames/s at 1920x1080 with 1 person and 960x540 with 4 people (generated clips,
   64 frames, T = 7, frames in memory), best of 3 alternating runs, with PCKh@0.2 and mean px on the
   same clip. ``--split`` also times flow's OpenCV calls in its best run: the rest is Python, and
   the old run's time over the OpenCV time bounds what removing all of that Python could give. It
   also runs ``flow`` with its LK calls made free (points stay put; speed only) beside the others,
   and measures LK's cost per tracked point on the clip's frames: together they bound what a faster
   tracker could give (one that does no per-image work but tracks a point as fast as OpenCV does).
2. Real video: the JHMDB ``val`` clips of ``models/splits/jhmdb.json`` (never used for tuning) and the
   goalkeeping clip, T = 5, 7, 15, 30: PCK@0.2 (box-normalised: JHMDB has no head boxes; pooled over
   all joints), mean px, the confidence's AUROC for "error > 0.2" pooled over the clips (and the mean
   of per-clip AUROCs), and the review queue's precision: of the 10% of propagated joints with the
   lowest scores, the share that really is wrong (base rate beside it).
3. Generated clips (``stdpose_core.synth``; seeds 100+, never fitted on), T in {5, 7, 10, 15, 20}:
   PCKh@0.2, mean px, AUROC per method, as v0.1's benchmark printed them.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from jhmdb_clips import load_goalkeeping, load_split  # noqa: E402

from stdpose_core.data.project import Project, VideoInfo  # noqa: E402
from stdpose_core.data.track import Track  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import ListSource, available_methods, get_propagator  # noqa: E402
from stdpose_core.propagation.evaluation import eval_propagation  # noqa: E402
from stdpose_core.skeleton import POSETRACK18  # noqa: E402

INTERVALS = (5, 7, 10, 15, 20)
REAL_INTERVALS = (5, 7, 15, 30)


# ---------------------------------------------------------------- built-in renderer (fallback)
@dataclass
class Clip:
    frames: list
    gt: Project


# bone (parent, child) in PoseTrack18 slots, with length in units of person height
_BONES = [(1, 2, 0.13), (1, 0, 0.07), (1, 5, 0.11), (1, 6, 0.11), (5, 7, 0.17), (6, 8, 0.17), (7, 9, 0.15),
          (8, 10, 0.15), (11, 13, 0.24), (12, 14, 0.24), (13, 15, 0.24), (14, 16, 0.24)]


def _texture(h, w, rng, tint=None):
    img = np.zeros((h, w, 3), np.float32)
    for sigma in (1.0, 3.0, 8.0):
        img += cv2.GaussianBlur(rng.normal(size=(h, w, 3)).astype(np.float32), (0, 0), sigma) * sigma
    img = (img - img.min()) / (np.ptp(img) + 1e-6)
    if tint is not None:  # clothes: a colour with texture on top
        return np.clip(0.5 * (40 + 180 * img) + 0.5 * tint, 0, 255).astype(np.uint8)
    return (40 + 180 * img).astype(np.uint8)


def _pose(t, prm, height):
    """Joints [17,2] of one person at time t (frames): walking root, swinging limbs."""
    cx = prm["x0"] + prm["vx"] * t
    cy = prm["y0"] + 3 * np.sin(2 * np.pi * t / prm["step"])
    u = height
    j = np.zeros((17, 2))
    pelvis = np.array([cx, cy])
    neck = pelvis + [0.03 * u * np.sin(2 * np.pi * t / prm["sway"]), -0.32 * u]
    j[1] = neck
    j[2] = neck + [0.02 * u * np.sin(t / 7), -0.13 * u]
    j[0] = neck + [0.03 * u * prm["face"], -0.07 * u]
    j[5], j[6] = neck + [0.11 * u, 0.01 * u], neck + [-0.11 * u, 0.01 * u]
    j[11], j[12] = pelvis + [0.07 * u, 0], pelvis + [-0.07 * u, 0]

    def limb(a, ang, length):
        return a + length * u * np.array([np.sin(ang), np.cos(ang)])

    for side, sgn in ((0, 1), (1, -1)):
        sh, hip = 5 + side, 11 + side
        arm = prm["arm_amp"] * np.sin(2 * np.pi * t / prm["arm_per"] + side * np.pi + prm["ph"]) + sgn * 0.3
        j[7 + side] = limb(j[sh], arm, 0.17)
        j[9 + side] = limb(j[7 + side], arm + prm["fore"] * (1 + np.sin(2 * np.pi * t / prm["arm_per"] * 1.7)), 0.15)
        leg = prm["leg_amp"] * np.sin(2 * np.pi * t / prm["step"] + side * np.pi)
        j[13 + side] = limb(j[hip], leg, 0.24)
        j[15 + side] = limb(j[13 + side], leg - 0.4 * max(0.0, np.sin(2 * np.pi * t / prm["step"] + side * np.pi)), 0.24)
    return j


def builtin_clip(persons: int, frames: int, size=(480, 270), seed=0) -> Clip:
    """Textured articulated figures (limbs carry their own texture) walking and crossing over a
    textured, slowly panning background; exact PoseTrack18 GT with head boxes; vis 1 when occluded."""
    rng = np.random.default_rng(seed)
    W, H = size
    bg = _texture(H + 80, W + 80, rng)
    people = []
    for p in range(persons):
        height = rng.uniform(0.45, 0.7) * H
        left = p % 2 == 0
        people.append(dict(
            height=height, depth=rng.uniform(), x0=rng.uniform(0.1, 0.4) * W if left else rng.uniform(0.6, 0.9) * W,
            vx=rng.uniform(1.0, 3.0) * (1 if left else -1), y0=H * 0.45 + rng.uniform(-0.05, 0.15) * H,
            step=rng.uniform(14, 24), sway=rng.uniform(20, 40), face=rng.choice([-1, 1]), arm_amp=rng.uniform(0.4, 1.0),
            arm_per=rng.uniform(14, 30), ph=rng.uniform(0, 6.28), fore=rng.uniform(-0.8, 0.8), leg_amp=rng.uniform(0.3, 0.6),
            tex=[_texture(64, 24, rng, rng.uniform(0, 255, 3)) for _ in _BONES] + [_texture(64, 64, rng, rng.uniform(0, 255, 3))],
        ))
    order = sorted(range(persons), key=lambda i: people[i]["depth"])
    out_frames = []
    gt = Project(POSETRACK18, VideoInfo("synth", frames, W, H, 30.0))
    tracks = {i: Track.empty(i, frames, 17) for i in range(persons)}
    used = POSETRACK18.used_joints
    for f in range(frames):
        ox, oy = 40 + 25 * np.sin(f / 30), 40 + 15 * np.sin(f / 45)
        img = bg[int(oy) : int(oy) + H, int(ox) : int(ox) + W].copy()
        owner = np.full((H, W), -1, np.int32)
        joints = {}
        for i in order:
            prm = people[i]
            j = _pose(f, prm, prm["height"])
            joints[i] = j
            width = 0.07 * prm["height"]
            torso = np.array([j[5], j[6], j[12], j[11]], np.float32)
            _paint_quad(img, owner, i, torso, prm["tex"][-1])
            _paint_quad(img, owner, i, _rect(j[1], j[2], 0.11 * prm["height"]), prm["tex"][-1])
            for b, (a, c, _) in enumerate(_BONES[2:], start=2):
                _paint_quad(img, owner, i, _rect(j[a], j[c], width), prm["tex"][b])
        for i in range(persons):
            j = joints[i]
            t = tracks[i]
            xi = np.clip(np.round(j[:, 0]).astype(int), 0, W - 1)
            yi = np.clip(np.round(j[:, 1]).astype(int), 0, H - 1)
            inside = (j[:, 0] >= 0) & (j[:, 0] < W) & (j[:, 1] >= 0) & (j[:, 1] < H)
            on = np.zeros(17, bool)
            on[used] = inside[used]
            if not on.any():
                continue
            visible = owner[yi, xi] == i
            t.xy[f] = np.where(on[:, None], j, 0)
            t.vis[f] = np.where(on, np.where(visible, 2, 1), 0)
            pts = j[on]
            t.bbox[f] = [*pts.min(0), *pts.max(0)]
            half = 0.5 * np.linalg.norm(j[2] - j[1])
            c = 0.5 * (j[1] + j[2])
            t.head_bbox[f] = [c[0] - half, c[1] - half, c[0] + half, c[1] + half]
        gt.labeled[f] = True
        out_frames.append(cv2.GaussianBlur(img, (3, 3), 0.7))
    gt.tracks = tracks
    return Clip(out_frames, gt)


def _rect(a, b, width):
    d = np.asarray(b, np.float64) - a
    n = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6) * width / 2
    return np.array([a + n, b + n, b - n, a - n], np.float32)


def _paint_quad(img, owner, who, quad, tex):
    """Warp texture ``tex`` onto the quadrilateral ``quad[4,2]`` (texture moves with the limb)."""
    h, w = tex.shape[:2]
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    x0, y0 = np.floor(quad.min(0)).astype(int) - 1
    x1, y1 = np.ceil(quad.max(0)).astype(int) + 2
    H, W = owner.shape
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if x1 <= x0 or y1 <= y0:
        return
    M = cv2.getPerspectiveTransform(src, quad - np.array([x0, y0], np.float32))
    patch = cv2.warpPerspective(tex, M, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), M, (x1 - x0, y1 - y0), flags=cv2.INTER_NEAREST) > 0
    img[y0:y1, x0:x1][mask] = patch[mask]
    owner[y0:y1, x0:x1][mask] = who


def make_clip(persons: int, frames: int, size, seed: int) -> tuple[Clip, str]:
    try:
        from stdpose_core.synth import generate_clip
    except ImportError:
        return builtin_clip(persons, frames, size, seed), "built-in renderer"
    return generate_clip(persons=persons, frames=frames, size=size, seed=seed), "stdpose synth"


# ---------------------------------------------------------------- runs
def methods_to_run(legacy: bool, baseline: str | None = None) -> list[str]:
    names = ["interp"] + (["flow-legacy"] if legacy else []) + ([baseline] if baseline else []) + ["flow"]
    try:
        get_propagator("stdpose")
        names.append("stdpose")
    except Exception:  # noqa: BLE001 - no weights installed: the column is left out
        pass
    return names + ["auto"]


def accuracy(datasets, intervals, methods):
    """rows[(dataset, T)][method] = (pck02, mean_px, auroc, person_frames_per_s)."""
    rows = {}
    for name, items in datasets:
        for T in intervals:
            agg: dict[str, list] = {m: [] for m in methods}
            for gt, src in items:
                if gt.num_frames <= T + 1:
                    continue
                res = run_to_completion(eval_propagation(gt, src, every=T, methods=methods))
                for m in methods:
                    r = res["methods"][m]
                    agg[m].append((r["pckh02"], r["mean_px"], r["auroc"] if r["auroc"] is not None else np.nan,
                                   r["person_frames_per_s"] or np.nan, r.get("method", m), r["norm"]))
            rows[(name, T)] = {m: (np.mean([a[0] for a in v]), np.mean([a[1] for a in v]), np.nanmean([a[2] for a in v]),
                                   np.nanmean([a[3] for a in v]), v[0][4], v[0][5]) for m, v in agg.items() if v}
            print(format_row(name, T, rows[(name, T)]), flush=True)
    return rows


def format_row(name, T, row):
    cells = []
    for pck, px, au, *_ in row.values():
        cells.append(f"{pck:6.1f} {px:6.2f} {au:5.2f}")
    return f"{name:<10}{T:>4}  " + "  |  ".join(cells)


class OpenCVClock:
    """Stands in for the ``cv2`` module inside flow's modules and adds up the seconds spent in the
    OpenCV calls that do its image work (LK, gray conversion, pyramids): what is left of a run's time
    is Python around them. ``seconds`` maps call name to seconds; ``reset()`` starts again."""

    TIMED = ("calcOpticalFlowPyrLK", "cvtColor", "pyrDown")

    def __init__(self):
        self.seconds = dict.fromkeys(self.TIMED, 0.0)
        for name in self.TIMED:
            setattr(self, name, self._timed(name, getattr(cv2, name)))

    def _timed(self, name, fn):
        def call(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t0
        return call

    def __getattr__(self, name):  # everything else is plain cv2
        return getattr(cv2, name)

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.TIMED, 0.0)


@contextmanager
def opencv_clock(on: bool = True):
    """An :class:`OpenCVClock` standing in for ``cv2`` in today's flow modules while the block runs
    (not in flow-legacy's or a baseline's); None when not ``on``."""
    from stdpose_core.propagation import gray_frames, tracking

    if not on:
        yield None
        return
    clock = OpenCVClock()
    tracking.cv2 = gray_frames.cv2 = clock
    try:
        yield clock
    finally:
        tracking.cv2 = gray_frames.cv2 = cv2


class FreeLK:
    """Stands in for :func:`~stdpose_core.propagation.tracking.pyramidal_lk` while a block runs: every
    point stays where it is, found, with residual 0, at no cost (speed bounds only: accuracy is
    meaningless). ``points`` counts the points it was asked to track."""

    def __init__(self):
        self.points = 0

    def __call__(self, prev, nxt, pts, win, criteria):
        self.points += len(pts)
        return pts.copy(), np.ones(len(pts), bool), np.zeros(len(pts), np.float32)


@contextmanager
def free_lk(on: bool):
    """The block runs with a :class:`FreeLK` as flow's LK (yielded) when ``on``."""
    from stdpose_core.propagation import tracking

    if not on:
        yield None
        return
    real, tracking.pyramidal_lk = tracking.pyramidal_lk, FreeLK()
    try:
        yield tracking.pyramidal_lk
    finally:
        tracking.pyramidal_lk = real


#: The throughput row of flow run with :class:`FreeLK`.
FREE_LK = "flow, LK free"


def lk_point_cost(frames, points: np.ndarray, copies: int = 10, repeats: int = 5) -> tuple[float, float]:
    """``(seconds per point, seconds per call without points)`` of one pyramidal LK step as flow
    makes it (:func:`~stdpose_core.propagation.tracking.pyramidal_lk` over whole-frame pyramids),
    from the best time with ``points[P,2]`` and with ``copies`` jittered copies of them, between the
    first two of ``frames`` (RGB)."""
    from stdpose_core.propagation.gray_frames import GrayFrames
    from stdpose_core.propagation.tracking import LKTracker, pyramidal_lk

    lk = LKTracker()
    reader = GrayFrames(ListSource(frames[:2]))  # the pyramids flow builds
    pyr = [reader.pyramid(i, (0, 0) + reader.size, lk.levels) for i in (0, 1)]
    jitter = np.random.default_rng(0).uniform(-0.5, 0.5, (len(points) * copies, 2)).astype(np.float32)
    sets = [points.astype(np.float32), np.tile(points, (copies, 1)).astype(np.float32) + jitter]
    best = [np.inf, np.inf]
    for _ in range(repeats):
        for i, pts in enumerate(sets):
            t0 = time.perf_counter()
            for _ in range(10):
                pyramidal_lk(pyr[0], pyr[1], pts, lk.win, lk.criteria)
            best[i] = min(best[i], (time.perf_counter() - t0) / 10)
    per_point = (best[1] - best[0]) / (len(sets[1]) - len(sets[0]))
    return per_point, best[0] - per_point * len(sets[0])


def throughput(methods, persons: int, size, frames: int = 64, every: int = 7, repeats: int = 3,
               clock: OpenCVClock | None = None):
    """``{method: (person_frames, best seconds, rate, cpu seconds, pck02, mean_px)}`` on one generated clip.

    Methods run alternately ``repeats`` times (the machine is shared: the best run of each is the one
    least disturbed); accuracy is scored on the propagated frames. With ``clock``, ``flow``'s best run
    also gets ``"opencv"``: ``{call: seconds}`` of that run, :data:`FREE_LK` runs beside the
    others, and ``"lk"`` is ``(seconds per point, seconds per call without points, points tracked
    in a run)`` (:func:`lk_point_cost`, :class:`FreeLK`).
    """
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.propagation.scoring import score_frames

    clip, _ = make_clip(persons, frames, size, seed=11)
    src = ListSource(clip.frames)
    keep = keep_frames(clip.gt.num_frames, every)
    sparse = sparse_project(clip.gt, keep)
    best: dict = {}
    runs = methods + ([FREE_LK] if clock is not None else [])
    points = 0
    for _ in range(repeats):
        for m in runs:
            prop = get_propagator("flow" if m == FREE_LK else m)
            if clock is not None:
                clock.reset()
            with free_lk(m == FREE_LK) as lk:
                t0, c0 = time.perf_counter(), time.process_time()
                edit = run_to_completion(prop.run(sparse, src))
                dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            points = lk.points if lk is not None else points
            if m == "flow" and clock is not None and ("flow" not in best or dt < best["flow"][1]):
                best["opencv"] = dict(clock.seconds)
            if m not in best or dt < best[m][1]:
                pred = sparse_project(clip.gt, keep)
                edit.apply(pred)
                r = score_frames(clip.gt, pred, np.flatnonzero(~keep))
                pf = sum(int(e.joint_mask.any(axis=1).sum()) for e in edit.edits)
                best[m] = (pf, dt, pf / dt, cpu, r["pckh02"], r["mean_px"])
    if clock is not None:
        xy = np.concatenate([t.xy[0][t.vis[0] > 0] for t in clip.gt.tracks.values()])
        best["lk"] = lk_point_cost(clip.frames, xy) + (points,)
    return best


def real_video(items, every: int, method: str) -> dict:
    """Pooled joint-level figures of ``method`` over ``items = [(gt, source), ...]`` at interval ``every``."""
    from stdpose_core.eval import auroc, joint_errors
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project
    from stdpose_core.propagation.scoring import restrict

    rel, score, px, clip_auroc = [], [], [], []
    for gt, src in items:
        if gt.num_frames <= every + 1:
            continue
        keep = keep_frames(gt.num_frames, every)
        sparse, pred = sparse_project(gt, keep), sparse_project(gt, keep)
        run_to_completion(get_propagator(method).run(sparse, src)).apply(pred)
        scored = np.flatnonzero(~keep)
        je = joint_errors(restrict(gt, scored), restrict(pred, scored))
        m = je.valid
        r, sc = je.relative()[m], je.score[m]
        rel.append(r)
        score.append(sc)
        px.append(je.err_px[m & np.isfinite(je.err_px)])
        fin = np.isfinite(r)
        clip_auroc.append(auroc(1.0 - sc[fin], r[fin] > 0.2))
    rel, score, px = np.concatenate(rel), np.concatenate(score), np.concatenate(px)
    fin = np.isfinite(rel)
    wrong = rel[fin] > 0.2
    order = np.argsort(score[fin], kind="stable")
    top = order[: max(1, int(round(0.1 * len(order))))]
    return {"clips": len(clip_auroc), "joints": int(len(rel)), "pck02": 100.0 * float(np.mean(rel <= 0.2)),
            "mean_px": float(px.mean()), "auroc": auroc(1.0 - score[fin], wrong),
            "clip_auroc": float(np.nanmean(clip_auroc)), "queue_precision": 100.0 * float(wrong[top].mean()),
            "base_rate": 100.0 * float(wrong.mean())}


def model_throughput(model_name: str = "stdpose_vit_s", backend: str = "onnx", frames: int = 15, device: str = "cpu",
                     batch: int = 8, persons: int = 4, size=(960, 540)):
    """Timing of method 'stdpose' with an UNTRAINED network of ``model_name`` (speed only, not accuracy)."""
    import tempfile

    from stdpose_core.model import create_model, export_onnx, load_runtime, save_checkpoint

    clip, _ = make_clip(persons, frames, size, seed=11)
    from stdpose_core.propagation.evaluation import keep_frames, sparse_project

    sparse = sparse_project(clip.gt, keep_frames(clip.gt.num_frames, frames - 1))
    with tempfile.TemporaryDirectory() as tmp:
        model = create_model(model_name, pretrained=False)
        ckpt = save_checkpoint(Path(tmp) / f"{model_name}.pt", model)
        if backend.startswith("onnx"):  # "onnx-int8": onnxruntime dynamic int8 quantisation
            path = export_onnx(ckpt, Path(tmp) / f"{model_name}.onnx", quantize=backend == "onnx-int8")[0]
        else:
            path = ckpt
        rt = load_runtime(path, device)
        prop = get_propagator("stdpose", runtime=rt, batch=batch)
        prop.weights = str(path)
        t0, c0 = time.perf_counter(), time.process_time()
        edit = run_to_completion(prop.run(sparse, ListSource(clip.frames)))
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    pf = sum(int(e.joint_mask.any(axis=1).sum()) for e in getattr(edit, "edits", []) if hasattr(e, "joint_mask"))
    return pf, dt, pf / dt, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--legacy", action="store_true", help="also run v0.1's flow (flow-legacy) side by side")
    ap.add_argument("--baseline", default="", metavar="REV", help="also run the flow of git revision REV (flow@REV) side by side")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--persons", type=int, default=4)
    ap.add_argument("--frames", type=int, default=90)
    ap.add_argument("--size", default="480x270")
    ap.add_argument("--val-limit", type=int, default=None, help="JHMDB val clips to use (default all 100)")
    ap.add_argument("--quick", action="store_true", help="T in {7, 15}, 1 seed, 20 val clips")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: speed, real, synth")
    ap.add_argument("--model-speed", default="", help="also time method 'stdpose' with an untrained MODEL[:onnx|onnx-int8|torch]"
                    " (e.g. stdpose_vit_s:onnx, stdpose_vit_s:onnx-int8)")
    ap.add_argument("--split", action="store_true", help="also time flow's OpenCV calls in the throughput runs "
                    "(what is left is Python; bounds the speed-up that Python work alone could bring)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if args.legacy:
        from legacy_flow import register_legacy

        register_legacy()
    baseline = None
    if args.baseline:
        from baseline_flow import register_baseline

        baseline = register_baseline(args.baseline)
    intervals = (7, 15) if args.quick else INTERVALS
    seeds = 1 if args.quick else args.seeds
    val_limit = 20 if args.quick and args.val_limit is None else args.val_limit
    size = tuple(int(v) for v in args.size.split("x"))
    methods = methods_to_run(args.legacy, baseline)
    flows = [m for m in methods if m.startswith("flow")]
    print(f"methods available: {available_methods()}; benchmarked: {methods}")

    if "speed" not in skip:
        with opencv_clock(args.split) as clock:
            for persons, wh in ((1, (1920, 1080)), (4, (960, 540))):
                print(f"\nthroughput at {wh[0]}x{wh[1]}, {persons} {'person' if persons == 1 else 'people'}, T=7, 64 frames in memory "
                      "(best of 3 alternating runs; CPU = process CPU time):")
                res = throughput(["interp"] + flows, persons, wh, clock=clock)
                split = res.pop("opencv", None)
                lk = res.pop("lk", None)
                for m, (pf, dt, rate, cpu, pck, px) in res.items():
                    acc = "(speed only)" if m == FREE_LK else f"PCKh@0.2 {pck:5.1f}  {px:6.2f} px"
                    print(f"  {m:<13} {pf:5d} person-frames in {dt:6.3f} s = {rate:8.1f} person-frames/s "
                          f"({pf / max(cpu, 1e-9):8.1f} per CPU-second)  {acc}")
                for old in ("flow-legacy", baseline):
                    if old in res:
                        print(f"  flow / {old} speed: {res['flow'][2] / res[old][2]:.2f}x wall, "
                              f"{res[old][3] / res['flow'][3]:.2f}x CPU")
                if split is not None:
                    run = res["flow"][1]
                    cv = sum(split.values())
                    parts = ", ".join(f"{k} {v * 1e3:.1f}" for k, v in split.items())
                    print(f"  flow's best run, {run * 1e3:.1f} ms: OpenCV {cv * 1e3:.1f} ms ({parts}), the rest "
                          f"{(run - cv) * 1e3:.1f} ms (Python around it)")
                    for old in ("flow-legacy", baseline):
                        if old in res:
                            print(f"  flow / {old} speed if flow's Python took no time: at most {res[old][1] / cv:.2f}x")
                    per_point, per_call, points = lk
                    tracked = res[FREE_LK][1] + per_point * points
                    print(f"  LK step (4 levels, whole-frame pyramids): {per_point * 1e6:.2f} us per point + "
                          f"{per_call * 1e3:.3f} ms per call (image work); {points} points tracked per run")
                    for old in ("flow-legacy", baseline):
                        if old in res:
                            print(f"  flow / {old} speed if flow's LK took no time: at most {res[old][1] / res[FREE_LK][1]:.2f}x; "
                                  f"with a tracker doing no per-image work at OpenCV's speed per point: "
                                  f"at most {res[old][1] / tracked:.2f}x")

    if "real" not in skip:
        real = [("jhmdb-val", load_split("val", val_limit))]
        gk = load_goalkeeping()
        if gk is not None:
            real.append(("goalkeeping", [gk]))
        real = [(n, items) for n, items in real if items]
        if not real:
            print("\nno JHMDB data (../shared/data or $STDPOSE_SHARED_DATA): real-video figures skipped")
        for name, items in real:
            print(f"\n{name}: {len(items)} clip(s); PCK@0.2 box-normalised, pooled over joints; AUROC of 1-score for "
                  "error > 0.2 (pooled | mean per clip); queue = share wrong among the 10% lowest-scored joints (base rate)")
            print(f"{'T':>3}  {'method':<12}{'PCK@.2':>7}{'px':>7}{'AUROC':>7}{'/clip':>7}{'queue':>7}{'base':>7}")
            for every in REAL_INTERVALS:
                for m in ["interp"] + flows:
                    r = real_video(items, every, m)
                    if not r["joints"]:
                        continue
                    print(f"{every:>3}  {m:<12}{r['pck02']:7.1f}{r['mean_px']:7.2f}{r['auroc']:7.3f}{r['clip_auroc']:7.3f}"
                          f"{r['queue_precision']:7.1f}{r['base_rate']:7.1f}", flush=True)

    if "synth" not in skip:
        clips = []
        for seed in range(100, 100 + seeds):  # seeds 0-4 fitted v0.1's flow confidence model: keep them out
            clip, kind = make_clip(args.persons, args.frames, size, seed)
            clips.append((clip.gt, ListSource(clip.frames)))
        print(f"\nsynth: {kind}, {seeds} seeds x {args.persons} people x {args.frames} frames at {size[0]}x{size[1]}")
        print(f"{'data':<10}{'T':>4}  " + "  |  ".join(f"{m:^20}" for m in methods))
        print(f"{'':<10}{'':>4}  " + "  |  ".join(f"{'PCK@.2':>6} {'px':>6} {'AUROC':>5}" for _ in methods))
        rows = accuracy([("synth", clips)], intervals, methods)
        print("(PCKh@0.2 with head boxes; AUROC of 1-score for error > 0.2 head, mean over clips)")
        auto_ok = all(
            (r["auto"][0] >= r["interp"][0] and r["auto"][1] <= r["interp"][1]) if T >= 7 else r["auto"][0] >= r["interp"][0] - 1.0
            for (name, T), r in rows.items()
        )
        print(f"target (auto beats interp on PCK@0.2 and px at T >= 7, within 1 point at T = 5): {'met' if auto_ok else 'NOT met'}")
    if args.model_speed:
        name, _, backend = args.model_speed.partition(":")
        pf, dt, rate, cpu = model_throughput(name, backend or "onnx", device=args.device, batch=args.batch)
        print(f"  stdpose ({name}, {backend or 'onnx'}, {args.device}, batch {args.batch}, untrained weights: speed only) "
              f"{pf} person-frames in {dt:.2f} s wall = {rate:.1f} person-frames/s ({cpu:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
