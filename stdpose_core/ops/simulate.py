"""A simulated annotator: how many joints a person places or fixes to get a clip right (``stdpose simulate-annotator``).

On a densely labelled clip (ground truth on every frame) the annotator labels every T-th frame and the
last one (keyframes, from the ground truth), propagation fills the rest, and then the annotator walks
the in-between frames in order and fixes every joint that is wrong: a ground-truth joint that is missing
or off by more than :data:`TOLERANCE` x head size (the evaluation's normaliser: 0.6 x head-box
diagonal, else 0.125 x person-box diagonal), or a joint the ground truth does not have. Each fixed or
removed joint counts once; after a frame's fixes the annotator marks it reviewed.

    effort = (keyframe joints + fixed joints) / all ground-truth joints

Strategies differ in what happens after a frame's fixes:

* ``naive``: nothing; every wrong joint is fixed by hand.
* ``smart``: each fixed joint is an anchor: that joint alone is propagated again from the fixed frame
  to its next keyframe (the frames behind are checked already).
* ``app``: exactly what the editor does after a correction: the joints the fixes touched
  (:func:`~stdpose_core.ops.repropagate.touched_joints`) go to
  :func:`~stdpose_core.ops.repropagate.repropagate_job`, its edit is applied after
  :func:`~stdpose_core.ops.human_wins.protect_human`, and the frame is marked reviewed with
  :func:`~stdpose_core.ops.annotate.mark_reviewed` (the R key).

If a later re-propagation turns joints of frames already walked wrong again, a last pass fixes them
and counts them too (``refixed``): effort is what it takes to end with every joint right.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.boxes import joints_box
from stdpose_core.data.edits import Compound, Edit, SetPoseRange
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress, run_to_completion
from stdpose_core.propagation.base import Propagator, get_propagator
from stdpose_core.propagation.evaluation import check_dense, keep_frames, sparse_project

STRATEGIES = ("naive", "smart", "app")
#: A joint farther than this many head sizes from the ground truth is fixed.
TOLERANCE = 0.2
HEAD_SIZE_FACTOR = 0.6  # as stdpose_core.eval.frame_people (poseval)
BOX_NORM_FACTOR = 0.125


@dataclass
class Effort:
    """Joint counts of one simulated run; ``effort`` = (keyframe + fixed) / all."""

    strategy: str
    every: int
    keyframe_joints: int = 0
    fixed_joints: int = 0
    refixed_joints: int = 0  # of fixed_joints: joints of walked frames a later re-propagation broke again
    all_joints: int = 0
    repropagations: int = 0

    @property
    def effort(self) -> float:
        return (self.keyframe_joints + self.fixed_joints) / self.all_joints if self.all_joints else float("nan")

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["effort"] = round(self.effort, 6)
        return d


def joint_norms(gt: Project) -> np.ndarray:
    """``[P,F]`` float64 head size (pixels) per ground-truth person (track-id order) and frame, as the
    evaluation normalises: head boxes when every labelled person has one, else person boxes."""
    tids = sorted(gt.tracks)
    head = np.full((len(tids), gt.num_frames), np.nan)
    box = np.full((len(tids), gt.num_frames), np.nan)
    all_head = True
    for i, tid in enumerate(tids):
        t = gt.tracks[tid]
        labelled = (t.vis > 0).any(axis=1)
        hb = t.head_bbox.astype(np.float64)
        d = np.hypot(hb[:, 2] - hb[:, 0], hb[:, 3] - hb[:, 1])
        all_head &= bool((d[labelled] > 0).all())
        head[i] = HEAD_SIZE_FACTOR * d
        for f in np.flatnonzero(labelled):
            b = t.bbox[f] if np.isfinite(t.bbox[f]).all() else joints_box(t.xy[f], t.vis[f] > 0)
            if b is not None:
                box[i, f] = BOX_NORM_FACTOR * float(np.hypot(b[2] - b[0], b[3] - b[1]))
    return head if all_head else box


def wrong_joints(project: Project, gt: Project, frame: int, norms: np.ndarray) -> list[tuple[int, int, bool]]:
    """``[(track_id, joint, remove)]`` of ``frame`` an annotator fixes: ``remove`` False = place the
    ground-truth joint (missing or off by > TOLERANCE head sizes), True = the ground truth has no such joint."""
    used = project.skeleton.used_joints
    out = []
    for i, tid in enumerate(sorted(gt.tracks)):
        g = gt.tracks[tid]
        t = project.tracks[tid]
        gv, pv = g.vis[frame, used] > 0, t.vis[frame, used] > 0
        dist = np.hypot(*(t.xy[frame, used] - g.xy[frame, used]).astype(np.float64).T)
        off = gv & (~pv | ~(dist <= TOLERANCE * norms[i, frame]))
        extra = pv & ~gv
        out += [(tid, int(k), False) for k in used[off]] + [(tid, int(k), True) for k in used[extra]]
    return out


def fix_frame(project: Project, gt: Project, frame: int, wrong: list[tuple[int, int, bool]]) -> Compound:
    """Apply the annotator's fixes of ``frame`` (each built by :mod:`stdpose_core.ops.annotate`, as
    the editor builds them) and return them as one applied Compound."""
    from stdpose_core.ops.annotate import place_joint, set_visibility

    done: list[Edit] = []
    for tid, k, remove in wrong:
        if remove:
            e = set_visibility(project, tid, frame, k, 0)
        else:
            g = gt.tracks[tid]
            e = place_joint(project, tid, frame, k, tuple(g.xy[frame, k].tolist()), int(g.vis[frame, k]))
        e.apply(project)
        done.append(e)
    return Compound(done, label=f"fix frame {frame}")


def _smart_step(project: Project, source, prop: Propagator, frame: int, fixes: Compound, keys: np.ndarray) -> int:
    """Re-propagate each fixed joint alone from ``frame`` to the next keyframe; returns the runs made."""
    nxt = keys[keys > frame]
    if not fixes.edits or not len(nxt):
        return 0
    right = int(nxt[0])
    if right - frame < 2:
        return 0
    by_track: dict[int, set[int]] = {}
    for e in fixes.edits:
        for leaf in (e.edits if isinstance(e, Compound) else [e]):
            by_track.setdefault(leaf.track_id, set()).update(np.flatnonzero(leaf.joint_mask[0]).tolist())
    from stdpose_core.ops.repropagate import anchor_view

    runs = 0
    for tid, joints in sorted(by_track.items()):
        view = anchor_view(project, tid, [frame, right])
        edit = run_to_completion(prop.run(view, source, [tid], (frame + 1, right)))
        keep = np.zeros(project.num_joints, bool)
        keep[sorted(joints)] = True
        for e in edit.edits:
            if isinstance(e, SetPoseRange) and e.joint_mask is not None:
                poses = {n: v for n, v in e.values.items() if n not in ("bbox", "head_bbox")}
                SetPoseRange(tid, e.start, poses, joint_mask=e.joint_mask & keep[None]).apply(project)
        runs += 1
    return runs


def _app_step(project: Project, source, prop: Propagator, frame: int, fixes: Compound) -> int:
    from stdpose_core.data.edits import edit_is_empty
    from stdpose_core.ops.annotate import mark_reviewed
    from stdpose_core.ops.human_wins import protect_human
    from stdpose_core.ops.repropagate import repropagate_job, touched_joints

    runs = 0
    touches = touched_joints(fixes)
    if touches:
        edit = protect_human(run_to_completion(repropagate_job(project, source, prop, touches)), project)
        if not edit_is_empty(edit):
            edit.apply(project)
        runs = 1
    try:
        mark_reviewed(project, frame, frame + 1).apply(project)
    except ValueError:  # nobody on this frame
        pass
    return runs


def simulate_job(gt: Project, source, every: int, propagator: Propagator | str = "flow", strategy: str = "app",
                 **method_opts) -> Job[Effort]:
    """Simulate the annotator of the module docstring on densely labelled ``gt`` with keyframes every
    ``every`` frames. ``source``: the clip's frames (None for ``interp``). Yields Progress per frame."""
    if strategy not in STRATEGIES:
        raise StdposeError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    keep = keep_frames(gt.num_frames, every)
    check_dense(gt)
    prop = propagator if isinstance(propagator, Propagator) else get_propagator(propagator, **method_opts)
    if not prop.needs_frames:
        source = None
    used = gt.skeleton.used_joints
    res = Effort(strategy, every)
    for t in gt.tracks.values():
        labelled = t.vis[:, used] > 0
        res.all_joints += int(labelled.sum())
        res.keyframe_joints += int(labelled[keep].sum())
    project = sparse_project(gt, keep)
    yield Progress(0, gt.num_frames, f"{strategy}: propagating every {every}")
    run_to_completion(prop.run(project, source)).apply(project)
    norms = joint_norms(gt)
    keys = np.flatnonzero(keep)
    walk = np.flatnonzero(~keep)
    step: Callable[[int, Compound], int] | None = {
        "naive": None,
        "smart": lambda f, fixes: _smart_step(project, source, prop, f, fixes, keys),
        "app": lambda f, fixes: _app_step(project, source, prop, f, fixes),
    }[strategy]
    for i, f in enumerate(walk.tolist()):
        wrong = wrong_joints(project, gt, f, norms)
        res.fixed_joints += len(wrong)
        fixes = fix_frame(project, gt, f, wrong)
        if step is not None:
            res.repropagations += step(f, fixes)
        yield Progress(i + 1, len(walk), f"{strategy}: frame {f}")
    for f in walk.tolist():  # the last pass: joints a later re-propagation broke again
        wrong = wrong_joints(project, gt, f, norms)
        if wrong:
            res.refixed_joints += len(wrong)
            res.fixed_joints += len(wrong)
            fix_frame(project, gt, f, wrong)
    prop.release()
    return res


def format_table(results: list[Effort]) -> str:
    """One line per strategy: joints placed on keyframes, fixed, all, effort %."""
    lines = [f"{'strategy':<9}{'T':>4}{'keyframe':>10}{'fixed':>8}{'refixed':>9}{'all':>8}{'effort':>9}"]
    for r in results:
        lines.append(f"{r.strategy:<9}{r.every:>4}{r.keyframe_joints:>10}{r.fixed_joints:>8}{r.refixed_joints:>9}"
                     f"{r.all_joints:>8}{100 * r.effort:>8.1f}%")
    return "\n".join(lines)
