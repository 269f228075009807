"""Image-driven propagation without weights: bidirectional Lucas-Kanade tracking of every joint.

For a gap between keyframes L and R, every joint is tracked frame by frame forward from L through R
and backward from R through L (:mod:`.tracking`, one LK call per frame pair and direction for all
people). :mod:`.flow_fusion` then turns the two tracks into one value per joint and frame: each track
misses the far keyframe by some *drift*, spread along the track's path so both tracks agree with
both keyframes; the two are blended by their reliability, shared between them by a model of which
one is nearer the truth; where both are unreliable the value falls back to interpolation shifted by
the person's reliable motion; bones that stretch beyond what the keyframes allow are caught. The confidence is :func:`~.confidence.flow_score`.
"""

from __future__ import annotations

from typing import Generator

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.progress import relay
from stdpose_core.propagation.base import Gap, GapResult, Propagator, register
from stdpose_core.propagation.confidence import flow_score, gap_head_size
from stdpose_core.propagation.flow_fusion import GapFrame, fuse_one_sided, fuse_two_sided, track_over_gap
from stdpose_core.propagation.gray_frames import GrayFrames
from stdpose_core.propagation.interp import interpolate_gaps, shift_boxes
from stdpose_core.propagation.tracking import Chain, LKTracker

#: LK window side (px): 15 beat 11, 21 and 31 on synth clips and JHMDB.
WIN = 15
#: Pyramid levels above the base image (3 = motion up to ~60 px per frame).
LEVELS = 3
#: Bytes of source frames a batch of groups may hold while its chains run in lockstep
#: (:meth:`GrayFrames.hold`): 64 frames of 1080p gray (the default ``chunk``), 17 of 4K gray, 22 of 1080p RGB.
BATCH_BYTES = 136 << 20


@register("flow")
class FlowPropagator(Propagator):
    """Bidirectional pyramidal LK propagation (see module docstring). Options: ``win`` (LK window,
    px), ``levels`` (pyramid levels), ``chunk`` (frames kept in memory), ``iters``/``eps`` (LK's
    stopping rule), ``max_residual`` (LK residual that marks a step failed), ``min_size`` (the span
    in px a person keeps on the pyramid level it is tracked from; 0 = everyone from the full frame)."""

    source_code = Source.PROPAGATED
    frame_pixels = "gray"  # LK reads gray only: a job's video hands out its luma plane (docs/adr/0022)

    def __init__(self, win: int = WIN, levels: int = LEVELS, chunk: int = 64, iters: int = 10, eps: float = 0.1,
                 max_residual: float | None = None, min_size: float | None = None) -> None:
        opts = {} if max_residual is None else {"max_residual": max_residual}
        if min_size is not None:
            opts["min_size"] = min_size
        self.tracker = LKTracker(win=win, levels=levels, iters=iters, eps=eps, **opts)
        self.chunk = chunk
        self._reader: GrayFrames | None = None

    def reader(self, source) -> GrayFrames:
        if self._reader is None or self._reader.source is not source:
            self._reader = GrayFrames(source, self.chunk)
        return self._reader

    def release(self) -> None:
        self._reader = None

    def hold_limit(self, reader: GrayFrames, frame: int) -> int:
        """How many frames a batch may span: ``chunk``, and frames like ``frame`` worth :data:`BATCH_BYTES`."""
        return max(2, min(self.chunk, BATCH_BYTES // max(1, reader.frame_bytes(frame))))

    def batches(self, groups: list[list[Gap]], source) -> list[list[list[Gap]]]:
        """Consecutive groups whose frames together span at most :meth:`hold_limit` frames."""
        if source is None or len(groups) < 2:
            return [[g] for g in groups]
        spans = [tracked_frames(g[0]) for g in groups]
        limit = self.hold_limit(self.reader(source), spans[0][0])
        out: list[list[list[Gap]]] = []
        lo = hi = 0
        for gaps, (a, b) in zip(groups, spans):
            if out and max(b, hi) - min(a, lo) < limit:
                out[-1].append(gaps)
                lo, hi = min(a, lo), max(b, hi)
            else:
                out.append([gaps])
                lo, hi = a, b
        return out

    def track_batch(self, project: Project, source, batch: list[list[Gap]]) -> Generator[int, None, list[dict[str, Chain]]]:
        """Both directions' LK chains of every group of ``batch``: per group ``{"forward": Chain,
        "backward": Chain}`` (a one-sided gap has one). When the batch's frames fit :meth:`hold_limit`
        they are read once, in order, and every chain runs in lockstep (``LKTracker.chains``);
        a longer gap streams, one direction after the other. Yields frames done of the batch."""
        reader = self.reader(source)
        runs, owners = [], []
        for gi, gaps in enumerate(batch):
            tracks = [project.tracks[g.track_id] for g in gaps]
            for direction, frames in chain_frames(gaps[0]).items():
                xy0, v0 = np.stack([t.xy[frames[0]] for t in tracks]), np.stack([t.vis[frames[0]] for t in tracks])
                runs.append((frames, xy0, v0 > 0))
                owners.append((gi, direction))
        total = sum(gaps[0].length for gaps in batch)
        steps = max(1, sum(len(frames) - 1 for frames, _, _ in runs))
        needed = sorted(set().union(*(frames for frames, _, _ in runs)))
        if needed[-1] - needed[0] < self.hold_limit(reader, needed[0]):
            reader.hold(needed)
            try:
                chains = yield from relay(self.tracker.chains(reader, runs), lambda s: total * s // steps)
            finally:
                reader.hold([])
        else:
            chains, done = [], 0
            for run in runs:
                chains.append((yield from relay(self.tracker.chain(reader, *run), lambda s, d=done: total * (d + s) // steps)))
                done += len(run[0]) - 1
        tracked: list[dict[str, Chain]] = [{} for _ in batch]
        for (gi, direction), chain in zip(owners, chains):
            tracked[gi][direction] = chain
        return tracked

    def track(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, tuple[GapFrame, Chain | None, Chain | None]]:
        """Both directions' LK chains over a group of gaps (yields frames done of ``gaps[0].length``)."""
        tracked = (yield from self.track_batch(project, source, [gaps]))[0]
        return gap_frame(project, gaps), tracked.get("forward"), tracked.get("backward")

    def fill_batch(self, project: Project, source, batch: list[list[Gap]]) -> Generator[int, None, list[list[GapResult]]]:
        tracked = yield from self.track_batch(project, source, batch)
        return fuse_batch(project, batch, tracked)

    def fill_group(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        return (yield from self.fill_batch(project, source, [gaps]))[0]


def chain_frames(g: Gap) -> dict[str, list[int]]:
    """The frames each direction's chain runs over, from its anchor: ``{"forward": [left, ..., right],
    "backward": [right, ..., left]}``; a one-sided gap's chain ends at its last filled frame."""
    fill = g.fill_mask()
    frames = np.arange(g.start, g.stop)
    last = int(frames[fill].max()) if fill.any() else g.start
    first = int(frames[fill].min()) if fill.any() else g.start
    out = {}
    if g.left is not None:
        out["forward"] = list(range(g.left, (g.right if g.right is not None else last) + 1))
    if g.right is not None:
        out["backward"] = list(range(g.right, (g.left if g.left is not None else first) - 1, -1))
    return out


def tracked_frames(g: Gap) -> tuple[int, int]:
    """First and last frame the chains of gap ``g`` read."""
    frames = [f for run in chain_frames(g).values() for f in run]
    return min(frames), max(frames)


def fusion_shape(g: Gap) -> tuple:
    """Gaps with equal shapes (length, which anchors, keyframe distance) are fused as one: their
    relative times and chain lengths are the same."""
    return g.length, g.left is None, g.right is None, (g.right - g.left) if g.two_sided else 0, g.max_extrapolate


def fuse_batch(project: Project, batch: list[list[Gap]], tracked: list[dict[str, Chain]]) -> list[list[GapResult]]:
    """Every group's :class:`GapResult` per gap from its chains (:meth:`FlowPropagator.track_batch`).
    Groups of one :func:`fusion_shape` are fused together, their people side by side (the fusion
    treats each person on its own, so this only saves the per-call work)."""
    shapes: dict[tuple, list[int]] = {}
    for gi, gaps in enumerate(batch):
        shapes.setdefault(fusion_shape(gaps[0]), []).append(gi)
    out: list[list[GapResult]] = [[] for _ in batch]
    for members in shapes.values():
        gaps = [g for gi in members for g in batch[gi]]
        frame = gap_frame(project, gaps)
        n = gaps[0].length
        sides = {}
        for direction, reverse in (("forward", False), ("backward", True)):
            chains = [tracked[gi].get(direction) for gi in members]
            if chains[0] is not None:
                sides[direction] = track_over_gap(Chain(*(np.concatenate([getattr(c, k) for c in chains], axis=1)
                                                          for k in ("xy", "alive", "residual"))), n, reverse)
        f, b = sides.get("forward"), sides.get("backward")
        if f is not None and b is not None:
            xy, evidence = fuse_two_sided(frame, f, b)
            score = flow_score(evidence)
        else:
            xy, score = fuse_one_sided(frame, f, b)
        results = gap_results(project, frame, xy, score)
        at = 0
        for gi in members:
            out[gi] = results[at : at + len(batch[gi])]
            at += len(batch[gi])
    return out


def gap_results(project: Project, frame: GapFrame, xy: np.ndarray, score: np.ndarray | None) -> list[GapResult]:
    """One :class:`GapResult` per person of ``frame`` from the fused ``xy[n,G,K,2]`` and ``score[n,G,K]``
    (None: the interpolation's); boxes move with the joints."""
    out = []
    for gi, (res, side) in enumerate(frame.base):
        r = GapResult(xy[:, gi].astype(np.float32), res.vis.copy(), res.score.copy(), res.filled.copy(),
                      res.bbox.copy(), res.head_bbox.copy())
        if score is not None:
            r.score = np.where(side == 2, score[:, gi], r.score).astype(np.float32)
        shift_boxes(r, res, project.skeleton)
        out.append(r)
    return out


def gap_frame(project: Project, gaps: list[Gap]) -> GapFrame:
    """What the fusion needs to know about gaps of one :func:`fusion_shape` besides the tracks (see
    :class:`GapFrame`); each gap's keyframes are its own."""
    g0 = gaps[0]
    tracks = [project.tracks[g.track_id] for g in gaps]
    head = np.array([gap_head_size(t, g.left, g.right, project.skeleton) for t, g in zip(tracks, gaps)])
    base = interpolate_gaps(tracks, gaps, project.skeleton, head)
    K = project.num_joints

    def at(side, field, fill):
        if getattr(g0, side) is None:
            return np.full((len(tracks), K) + fill.shape, fill, np.float32 if field == "xy" else np.int8)
        return np.stack([getattr(t, field)[getattr(g, side)] for t, g in zip(tracks, gaps)])

    # vis 1 means 'occluded' only in data that also uses 2 (PoseTrack files mark every joint 1).
    marks_occlusion = np.array([(t.vis == 2).any() for t in tracks])
    return GapFrame(
        s=g0.relative_time(),
        span=(g0.right - g0.left) if g0.two_sided else 1,
        left_xy=at("left", "xy", np.zeros(2, np.float32)), right_xy=at("right", "xy", np.zeros(2, np.float32)),
        left_vis=at("left", "vis", np.zeros((), np.int8)), right_vis=at("right", "vis", np.zeros((), np.int8)),
        interp=np.stack([b[0].xy for b in base], axis=1), side=np.stack([b[1] for b in base], axis=1),
        head=head,
        marks_occlusion=marks_occlusion, edges=tuple(project.skeleton.edges), base=base,
    )
