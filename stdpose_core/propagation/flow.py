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
from stdpose_core.propagation.interp import interpolate_gap, shift_boxes
from stdpose_core.propagation.tracking import Chain, LKTracker

#: LK window side (px): 15 beat 11, 21 and 31 on synth clips and JHMDB.
WIN = 15
#: Pyramid levels above the base image (3 = motion up to ~60 px per frame).
LEVELS = 3


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

    def track(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, tuple[GapFrame, Chain | None, Chain | None]]:
        """Both directions' LK chains over a group of gaps (yields frames done of ``gaps[0].length``)."""
        g0 = gaps[0]
        n = g0.length
        tracks = [project.tracks[g.track_id] for g in gaps]
        reader = self.reader(source)
        fill = g0.fill_mask()
        frames = np.arange(g0.start, g0.stop)
        last = int(frames[fill].max()) if fill.any() else g0.start
        first = int(frames[fill].min()) if fill.any() else g0.start
        half = 2 if g0.two_sided else 1
        fwd = bwd = None
        if g0.left is not None:
            stop = g0.right if g0.right is not None else last
            xy0, v0 = np.stack([t.xy[g0.left] for t in tracks]), np.stack([t.vis[g0.left] for t in tracks])
            job = self.tracker.chain(reader, list(range(g0.left, stop + 1)), xy0, v0 > 0)
            fwd = yield from relay(job, lambda t: min(n, t) // half)
        if g0.right is not None:
            stop = g0.left if g0.left is not None else first
            xy0, v0 = np.stack([t.xy[g0.right] for t in tracks]), np.stack([t.vis[g0.right] for t in tracks])
            job = self.tracker.chain(reader, list(range(g0.right, stop - 1, -1)), xy0, v0 > 0)
            bwd = yield from relay(job, lambda t: (n // 2 if half == 2 else 0) + min(n, t) // half)
        return gap_frame(project, gaps), fwd, bwd

    def fill_group(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        frame, fwd, bwd = yield from self.track(project, source, gaps)
        n = gaps[0].length
        f = track_over_gap(fwd, n, reverse=False) if fwd is not None else None
        b = track_over_gap(bwd, n, reverse=True) if bwd is not None else None
        if f is not None and b is not None:
            xy, evidence = fuse_two_sided(frame, f, b)
            score = flow_score(evidence)
        else:
            xy, score = fuse_one_sided(frame, f, b)
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
    """What the fusion needs to know about a group of gaps besides the tracks (see :class:`GapFrame`)."""
    g0 = gaps[0]
    tracks = [project.tracks[g.track_id] for g in gaps]
    base = [interpolate_gap(t, g, project.skeleton) for t, g in zip(tracks, gaps)]
    K = project.num_joints

    def at(frame, field, fill):
        if frame is None:
            return np.full((len(tracks), K) + fill.shape, fill, np.float32 if field == "xy" else np.int8)
        return np.stack([getattr(t, field)[frame] for t in tracks])

    # vis 1 means 'occluded' only in data that also uses 2 (PoseTrack files mark every joint 1).
    marks_occlusion = np.array([(t.vis == 2).any() for t in tracks])
    return GapFrame(
        s=g0.relative_time(),
        span=(g0.right - g0.left) if g0.two_sided else 1,
        left_xy=at(g0.left, "xy", np.zeros(2, np.float32)), right_xy=at(g0.right, "xy", np.zeros(2, np.float32)),
        left_vis=at(g0.left, "vis", np.zeros((), np.int8)), right_vis=at(g0.right, "vis", np.zeros((), np.int8)),
        interp=np.stack([b[0].xy for b in base], axis=1), side=np.stack([b[1] for b in base], axis=1),
        head=np.array([gap_head_size(t, g.left, g.right, project.skeleton) for t, g in zip(tracks, gaps)]),
        marks_occlusion=marks_occlusion, edges=tuple(project.skeleton.edges), base=base,
    )
