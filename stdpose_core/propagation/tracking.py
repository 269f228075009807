"""Tracking people's joints through a run of frames with pyramidal Lucas-Kanade in regions of interest.

``cv2.calcOpticalFlowPyrLK`` builds both images' pyramids on every call, and OpenCV's Python
binding rejects prebuilt ones (OpenCV 5.0: a list from ``cv2.buildOpticalFlowPyramid``, with or
without derivatives, fails overload resolution: "prevImg is not a numerical tuple"). So
:func:`pyramidal_lk` runs LK's coarse-to-fine loop itself: one ``maxLevel=0`` call per level on
pyramids built once per frame (:class:`GrayFrames.pyramid`), each level starting from twice the
coarser level's result, exactly as OpenCV does inside; the results are bit-identical to one
``calcOpticalFlowPyrLK`` call on the same images, and a frame's pyramid serves the forward step
into it and out of it and both backward steps.

Each call gets only the part of the two frames the points can reach: the box around a person's
joints plus what the LK window covers at the coarsest level, with its corner on the pyramid's grid,
so the cropped pyramid equals the full frame's inside the region. (Fewer pyramid levels after slow
steps cost 0.1-0.3 PCK@0.2 points on JHMDB training clips: not done.) A big person is tracked on a
coarser level of the pyramid only (its *base level*, :func:`base_levels`): the coarsest level at which
it is still :data:`MIN_TRACK_SIZE` px tall or wide, so the LK window sees about as much of a body at
1080p as at JHMDB's 320x240, for a quarter of the pixels per level skipped. People far apart are tracked
in separate regions, people close together in one. One call per level tracks every live joint of
every person in a region; a step fails on LK's own status (a per-step forward-backward check
doubled the cost and did not help the final accuracy on JHMDB training clips); LK's residual is
summed along the chain as evidence for the confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generator, Sequence

import cv2
import numpy as np

from stdpose_core.propagation.gray_frames import GrayFrames

#: Pixels per pyramid level kept around the LK window: the pyramid's smoothing and the derivative
#: filter read a few pixels beyond the window at each level.
BORDER_PER_LEVEL = 3
#: Regions covering more than this fraction of the frame together are not worth cropping (LK's
#: per-image cost is about proportional to the pixels it gets).
MAX_CROP_FRACTION = 0.9
#: Two people's regions are merged when their union is at most this much bigger than the two ...
MERGE_SLACK = 1.15
#: ... or when it adds at most this many pixels of their base level (:func:`base_levels`): a region
#: costs a few LK calls and their Python whatever its size, about what LK's per-image work on this
#: many pixels costs (4 people at 540p: 126 regions instead of 172 per run, 5-10% faster, same joints).
MERGE_AREA = 32768
#: LK's residual (mean absolute grey-level difference over the window, 0-255) above which a step
#: fails; 0 = only LK's status counts. 12 recovered on generated clips what the per-step
#: forward-backward check gave, but cost 0.6-2 PCK@0.2 points on JHMDB training clips: off.
MAX_RESIDUAL = 0.0
#: A person is tracked from the coarsest pyramid level at which its joints still span this many px
#: (the larger of width and height) instead of from the full frame. JHMDB's people span a median 132 px
#: (val clips); tracking every one of them from level 1 (a median 66 px, 95% under 94) cost only
#: 0.1-0.7 PCK@0.2 points on the val clips, so 100 px keeps each person above the scale where
#: tracking was measured to hold, and leaves almost every JHMDB person at level 0.
MIN_TRACK_SIZE = 100.0


@dataclass
class Chain:
    """Joints tracked frame to frame from an anchor frame (index 0) through ``m`` more frames.

    ``xy[m+1,G,K,2]`` float32 pixels (G people, K joints); ``alive[m+1,G,K]`` bool: the joint passed
    every step's check so far (a dead joint then moves with its person's median motion);
    ``residual[m+1,G,K]`` float32: LK residual summed over the steps (0 at the anchor).
    """

    xy: np.ndarray
    alive: np.ndarray
    residual: np.ndarray


def frame_order(reader: GrayFrames, frames: Sequence[int]):
    """Yield the frames of ``frames`` in order; a decreasing run the reader does not hold
    (:meth:`GrayFrames.hold`) is first loaded chunk-wise in increasing order, so a backward pass over
    a long gap costs sequential reads, not seeks per frame."""
    frames = list(frames)
    if len(frames) < 2 or frames[1] > frames[0] or reader.holds(frames):
        yield from frames
        return
    for i in range(0, len(frames), reader.chunk):
        part = frames[i : i + reader.chunk]
        reader.load(part)
        yield from part


def joint_boxes(pts: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per person, the corners ``(lo[G,2], hi[G,2])`` (float32 px) of the box around its joints
    ``pts[G,K,2]`` where ``live[G,K]``; ``lo = 1e9``, ``hi = -1e9`` for a person with none."""
    big = np.float32(1e9)
    return (np.where(live[..., None], pts, big).min(axis=1), np.where(live[..., None], pts, -big).max(axis=1))


def person_regions(pts: np.ndarray, live: np.ndarray, size: tuple[int, int], margin: int,
                   align: int, base: np.ndarray | None = None) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Where to track: ``[(people, (x0, y0, x1, y1)), ...]`` for ``pts[G,K,2]`` with ``live[G,K]``.

    One box per person around its live joints, grown by ``margin`` px, corner on multiples of
    ``align`` (the coarsest pyramid level's grid), clipped to the frame ``size = (W, H)``; boxes
    that overlap much, or whose union adds little (:data:`MERGE_AREA` px of the people's base level,
    ``base[G]``, default 0), are merged; when the regions together are about as big as the frame, the
    whole frame. ``people`` are indices into G.
    """
    return boxes_to_regions(*region_boxes(pts, live, margin, base), size, align)


def region_boxes(pts: np.ndarray, live: np.ndarray, margin: int, base: np.ndarray | None = None) -> tuple[list, list, list, list]:
    """What :func:`boxes_to_regions` takes, for every person of ``pts[G,K,2]`` at once: whether it has a
    live joint, its box corners grown by ``margin`` px, and its merge allowance (:data:`MERGE_AREA` px
    of its base level ``base[G]``, default 0), as lists."""
    lo, hi = joint_boxes(pts, live)
    allow = MERGE_AREA * 4.0 ** (np.zeros(len(pts)) if base is None else base)
    return live.any(axis=1).tolist(), (lo - margin).tolist(), (hi + margin).tolist(), allow.tolist()


def boxes_to_regions(has: list[bool], lo: list, hi: list, allow: list[float], size: tuple[int, int],
                     align: int) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """:func:`person_regions` from per-person lists: ``has[g]`` (any live joint), box corners
    ``lo[g]``, ``hi[g]`` (px, margin included) and merge allowance ``allow[g]`` (px)."""
    w, h = size
    who = [g for g, x in enumerate(has) if x]
    whole = [(np.array(who, np.int64), (0, 0, w, h))]
    if not who:
        return whole
    boxes = [([g], (lo[g][0], lo[g][1], hi[g][0], hi[g][1]), allow[g]) for g in who]
    i = 0
    while i < len(boxes):
        a = boxes[i][1]
        area_a = max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])
        for j in range(i + 1, len(boxes)):
            b = boxes[j][1]
            u = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
            both = area_a + max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
            union = (u[2] - u[0]) * (u[3] - u[1])
            allowed = min(boxes[i][2], boxes[j][2])
            if union <= MERGE_SLACK * both or union - both <= allowed:
                boxes[i] = (boxes[i][0] + boxes[j][0], u, allowed)
                del boxes[j]
                i = -1  # a grown box may now overlap an earlier one
                break
        i += 1
    out, covered = [], 0
    for people, (x0, y0, x1, y1), _ in boxes:
        x0 = max(0, int(x0 // align) * align)
        y0 = max(0, int(y0 // align) * align)
        x1, y1 = min(w, math.ceil(x1)), min(h, math.ceil(y1))
        if x1 - x0 < 2 * align or y1 - y0 < 2 * align:  # joints far outside the frame
            return whole
        out.append((np.array(people), (x0, y0, x1, y1)))
        covered += (x1 - x0) * (y1 - y0)
    return whole if covered > MAX_CROP_FRACTION * w * h else out


def group_median(step: np.ndarray, good: np.ndarray) -> np.ndarray:
    """Per person, the median of ``step[G,K,2]`` over joints with ``good[G,K]``; 0 where none. ``[G,2]``."""
    vals = np.sort(np.where(good[..., None], step, np.inf), axis=1)
    n = good.sum(axis=1)
    lo, hi = np.maximum(n - 1, 0) // 2, n // 2
    g = np.arange(len(step))
    med = 0.5 * (vals[g, lo] + vals[g, np.minimum(hi, step.shape[1] - 1)])
    return np.where((n > 0)[:, None], med, 0.0).astype(np.float32)


def base_levels(pts: np.ndarray, alive: np.ndarray, levels: int, min_size: float = MIN_TRACK_SIZE) -> np.ndarray:
    """Per person, the pyramid level to track from: ``[G]`` int in ``0..levels-1``, for ``pts[G,K,2]``
    pixels with ``alive[G,K]``. The largest ``b`` with ``span / 2**b >= min_size``, where ``span`` is
    the larger side of the box around the person's live joints; 0 for fewer than two live joints,
    and for every person when ``min_size <= 0``. At least one level stays above the base, so the
    motion LK can follow does not shrink."""
    if min_size <= 0 or levels < 1 or len(pts) == 0:
        return np.zeros(len(pts), np.int64)
    lo, hi = joint_boxes(pts, alive)
    span = (hi - lo).max(axis=1).astype(np.float64)
    big = (alive.sum(axis=1) >= 2) & (span >= 2 * min_size)
    level = np.floor(np.log2(np.where(big, span, min_size) / min_size)).astype(np.int64)
    return np.where(big, np.minimum(level, levels - 1), 0)


def usable_levels(size: tuple[int, int], win: int, levels: int) -> int:
    """Pyramid levels OpenCV's LK uses for an image of ``size = (w, h)``: it stops before a level
    whose side would be ``<= win``."""
    w, h = size
    for lvl in range(levels):
        w, h = (w + 1) // 2, (h + 1) // 2
        if w <= win or h <= win:
            return lvl
    return levels


def pyramidal_lk(prev: list[np.ndarray], nxt: list[np.ndarray], pts: np.ndarray, win: int,
                 criteria) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pyramidal LK of ``pts[P,2]`` (pixels of level 0) from image pyramid ``prev`` to ``nxt``
    (lists of levels 0..L, each level half the previous): ``(new[P,2], status[P] bool, err[P])``.

    Runs ``cv2.calcOpticalFlowPyrLK``'s coarse-to-fine loop one level per call, so the pyramids
    can be built once and shared; level 0's status and residual are the result's, as in OpenCV.
    """
    guess = None
    for lvl in range(len(prev) - 1, -1, -1):
        p = (pts * np.float32(1.0 / (1 << lvl))).reshape(-1, 1, 2)
        guess = p.copy() if guess is None else guess * np.float32(2.0)
        guess, st, err = cv2.calcOpticalFlowPyrLK(prev[lvl], nxt[lvl], p, guess, winSize=(win, win), maxLevel=0,
                                                  criteria=criteria, flags=cv2.OPTFLOW_USE_INITIAL_FLOW)
    st = st.reshape(-1).astype(bool)
    # OpenCV leaves err unwritten for a point it loses on its gradient test (it sets 0 for one that leaves
    # the image): without this, a lost joint's residual is whatever memory the array got.
    return guess.reshape(-1, 2), st, np.where(st, err.reshape(-1), np.float32(0))


class LKTracker:
    """Pyramidal LK (:func:`pyramidal_lk`) of all joints of all people, one pyramidal call per region.

    ``win``: window side in px; ``levels``: pyramid levels above the base; ``iters``/``eps``: LK's
    stopping rule per level; ``max_residual``: a step whose LK residual exceeds it marks the joint
    dead (0 = only LK's status counts); ``min_size``: the span a person keeps at its base level
    (:func:`base_levels`; 0 = everyone from the full frame).
    """

    def __init__(self, win: int = 15, levels: int = 3, iters: int = 10, eps: float = 0.1,
                 max_residual: float = MAX_RESIDUAL, min_size: float = MIN_TRACK_SIZE):
        self.win = win
        self.levels = levels
        self.max_residual = max_residual
        self.min_size = min_size
        self.criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iters, eps)
        self.calls = 0  # pyramidal LK calls made, one per region and step (benchmarks report it)

    def margin(self, levels: int) -> int:
        """Pixels around a person's joints the LK window can reach at the coarsest of ``levels``."""
        return (self.win // 2 + 1 + BORDER_PER_LEVEL) * 2**levels + self.win

    def step(self, reader: GrayFrames, fa: int, fb: int, pts: np.ndarray, live: np.ndarray,
             levels: int | None = None, base: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Track ``pts[G,K,2]`` where ``live[G,K]`` from frame ``fa`` to frame ``fb`` of ``reader``.

        ``levels``: pyramid levels for this step (default all); ``base[G]``: each person's base level
        (default 0: the full frame; people tracked in one region share the finest of theirs).
        Returns ``(new[G,K,2], ok[G,K], residual[G,K])`` in level-0 pixels; joints not live keep
        their place, not ok.
        """
        return self.step_pairs(reader, [(fa, fb, 0, len(pts))], pts, live, levels, base)

    def step_pairs(self, reader: GrayFrames, pairs: Sequence[tuple[int, int, int, int]], pts: np.ndarray,
                   live: np.ndarray, levels: int | None = None,
                   base: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`step` for several frame pairs at once: ``pairs[i] = (fa, fb, p0, p1)`` tracks people
        ``p0:p1`` of ``pts[P,K,2]`` from frame ``fa`` to ``fb``. Every region still gets its own LK
        calls; what is done per joint afterwards is done once for all of them."""
        levels = self.levels if levels is None else levels
        K = live.shape[1]
        w, h = reader.size
        margin, align = self.margin(levels), 2**levels
        flat = pts.reshape(-1, 2).astype(np.float32)
        joint = np.arange(K)
        has, lo, hi, allow = region_boxes(pts, live, margin, base)  # every person at once; regions per pair
        where, moved, status, errors = [], [], [], []
        for fa, fb, p0, p1 in pairs:
            regions = boxes_to_regions(has[p0:p1], lo[p0:p1], hi[p0:p1], allow[p0:p1], (w, h), align)
            for f in (fa, fb):
                reader.cover(f, [rect for _, rect in regions])
            for people, rect in regions:
                people = people + p0
                idx = (people[:, None] * K + joint)[live[people]]
                if len(idx) == 0:  # nobody live (e.g. every anchor joint hidden): OpenCV returns None for no points
                    continue
                off = np.array(rect[:2], np.float32)
                self.calls += 1
                use = usable_levels((rect[2] - rect[0], rect[3] - rect[1]), self.win, levels)
                b = 0 if base is None else min(int(base[people].min()), max(use - 1, 0))
                scale = np.float32(1 << b)
                q1, st, err = pyramidal_lk(reader.pyramid(fa, rect, levels)[b : use + 1],
                                           reader.pyramid(fb, rect, levels)[b : use + 1],
                                           np.ascontiguousarray((flat[idx] - off) / scale, np.float32), self.win, self.criteria)
                where.append(idx)
                moved.append(q1 * scale + off)
                status.append(st)
                errors.append(err)
        new = flat.copy()
        ok = np.zeros(flat.shape[0], bool)
        res = np.zeros(flat.shape[0], np.float32)
        if where:
            idx, q1, st, err = (np.concatenate(v) for v in (where, moved, status, errors))
            err = np.clip(np.where(np.isnan(err), 255.0, err), 0.0, 255.0)
            finite = np.isfinite(q1).all(axis=1)
            inside = finite & (q1[:, 0] >= 0) & (q1[:, 0] <= w - 1) & (q1[:, 1] >= 0) & (q1[:, 1] <= h - 1)
            good = st & inside
            if self.max_residual > 0:
                good &= err <= self.max_residual
            new[idx] = np.where(finite[:, None], q1, flat[idx])
            ok[idx], res[idx] = good, err
        return new.reshape(pts.shape), ok.reshape(live.shape), res.reshape(live.shape)

    def chain(self, reader: GrayFrames, frames: Sequence[int], pts: np.ndarray,
              alive: np.ndarray) -> Generator[int, None, Chain]:
        """Track ``pts[G,K,2]`` (``alive[G,K]`` marks real joints) from ``frames[0]`` through the rest.

        A joint that fails a step is dead from then on (and no longer tracked) and moves with the
        median step of its person's live joints; its residual stops growing. (Moving it with its parent joint instead did not help on JHMDB training
        clips.) Each person is tracked from the base level its anchor pose gives (:func:`base_levels`).
        Yields the number of steps done; returns a :class:`Chain`.
        """
        return (yield from self.chains(reader, [(frames, pts, alive)]))[0]

    def chains(self, reader: GrayFrames, runs: Sequence[tuple[Sequence[int], np.ndarray, np.ndarray]]
               ) -> Generator[int, None, list[Chain]]:
        """:meth:`chain` of every run ``(frames, pts[G,K,2], alive[G,K])`` of ``runs``, in lockstep:
        step 1 of every run, then step 2, ..., so each step's work after LK is done once for all
        runs (every group of a batch, both directions). The runs' frames should be held by
        ``reader`` (:meth:`GrayFrames.hold`) unless there is one run. Yields the steps done over all
        runs; returns one :class:`Chain` per run."""
        sizes = [len(pts) for _, pts, _ in runs]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        steps = [len(frames) - 1 for frames, _, _ in runs]
        person_steps = np.repeat(steps, sizes)  # steps of each person's run
        cur = np.concatenate([np.asarray(pts, np.float32) for _, pts, _ in runs])
        is_live = np.concatenate([alive for _, _, alive in runs]).astype(bool)
        base = base_levels(cur, is_live, self.levels, self.min_size)  # from the anchor: steady along the chain
        M = max(steps)
        xy = np.zeros((M + 1,) + cur.shape, np.float32)
        live = np.zeros((M + 1,) + is_live.shape, bool)
        residual = np.zeros((M + 1,) + is_live.shape, np.float32)
        xy[0], live[0] = cur, is_live
        order = [frame_order(reader, frames) for frames, _, _ in runs]
        prev = [next(o) for o in order]
        done = 0
        for t in range(1, M + 1):
            active = [r for r in range(len(runs)) if steps[r] >= t]
            pairs, p0 = [], 0
            for r in active:
                f = next(order[r])
                pairs.append((prev[r], f, p0, p0 + sizes[r]))
                prev[r], p0 = f, p0 + sizes[r]
            act = slice(None) if len(active) == len(runs) else np.flatnonzero(person_steps >= t)
            c = cur[act]
            new, ok, res = self.step_pairs(reader, pairs, c, is_live[act], base=base[act])  # dead joints are not tracked
            step = new - c
            step = np.where(ok[..., None], step, group_median(step, ok)[:, None, :])
            cur[act] = c + step
            is_live[act] = ok
            xy[t], live[t] = cur, is_live
            residual[t] = residual[t - 1]
            residual[t][act] += res
            done += len(active)
            yield done
        return [Chain(xy[: m + 1, a:b], live[: m + 1, a:b], residual[: m + 1, a:b])
                for m, a, b in zip(steps, bounds[:-1], bounds[1:])]
