"""The flow propagator as it was before issue 16 (v0.1), kept ONLY for side-by-side benchmarks.

``benchmarks/bench_propagation.py --legacy`` registers it as method ``flow-legacy`` so old and new
run in the same process on the same frames. A verbatim copy of v0.1's ``propagation/flow.py``,
``tracking.py``, ``frames.PyramidReader`` and ``confidence.flow_score``; not part of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generator, Sequence

import cv2
import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.errors import StdposeError
from stdpose_core.propagation.base import REGISTRY, Gap, GapResult, Propagator
from stdpose_core.propagation.confidence import gap_head_size
from stdpose_core.propagation.interp import interpolate_gap, shift_boxes


class PyramidReader:
    """Grayscale frames for LK, read from ``source`` in increasing order, cached per chunk.

    (OpenCV 5's Python binding no longer accepts prebuilt pyramids in ``calcOpticalFlowPyrLK``, so
    the cache holds the grayscale images; ``win``/``levels`` are kept for callers.)
    """

    def __init__(self, source, win: int = 21, levels: int = 3, chunk: int = 64):
        if source is None:
            raise StdposeError("this propagation method needs the video frames (no frame source given)")
        self.source = source
        self.win = win
        self.levels = levels
        self.chunk = chunk
        self._cache: dict[int, np.ndarray] = {}

    def _build(self, i: int) -> np.ndarray:
        try:
            rgb = self.source.frame(i)
        except IndexError:
            raise StdposeError(f"frame {i} is missing from the video/image source") from None
        return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)

    def load(self, frames: Sequence[int]) -> None:
        """Make ``frames`` (at most ``chunk``) available; drops everything else from the cache."""
        keep = {f: self._cache[f] for f in frames if f in self._cache}
        self._cache = keep
        for f in sorted(frames):
            if f not in self._cache:
                self._cache[f] = self._build(f)

    def get(self, i: int) -> np.ndarray:
        if i not in self._cache:
            if len(self._cache) >= self.chunk:
                self._cache.pop(next(iter(self._cache)))
            self._cache[i] = self._build(i)
        return self._cache[i]



@dataclass
class Chain:
    """Points tracked frame to frame from an anchor (index 0) through ``m`` more frames.

    ``xy[m+1,P,2]`` float32 pixels; ``alive[m+1,P]`` bool: the point passed every LK and
    forward-backward check so far (dead points then move with their group's median motion);
    ``fb[m+1,P]`` float32: accumulated forward-backward error in pixels.
    """

    xy: np.ndarray
    alive: np.ndarray
    fb: np.ndarray


def iter_pyramids(reader: PyramidReader, frames: Sequence[int]):
    """Yield ``(frame, pyramid)`` in the order of ``frames``; decreasing runs are read chunk-wise
    forward, so a backward pass over a long gap costs sequential reads, not seeks per frame."""
    frames = list(frames)
    if len(frames) < 2 or frames[1] > frames[0]:
        for f in frames:
            yield f, reader.get(f)
        return
    for i in range(0, len(frames), reader.chunk):
        part = frames[i : i + reader.chunk]
        reader.load(part)
        for f in part:
            yield f, reader.get(f)


class LKTracker:
    """Pyramidal LK (``cv2.calcOpticalFlowPyrLK``) with a per-step forward-backward check.

    ``win``: window side in px; ``levels``: pyramid levels above the base; ``fb_max``: a step whose
    forward-backward error exceeds this many pixels marks the point dead.
    """

    def __init__(self, win: int = 21, levels: int = 3, fb_max: float = 2.0, iters: int = 20, spread: float = 0.0):
        self.win = win
        self.spread = spread
        self.levels = levels
        self.fb_max = fb_max
        self.criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iters, 0.03)

    def _lk(self, pa, pb, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nxt, st, _ = cv2.calcOpticalFlowPyrLK(
            pa, pb, pts.reshape(-1, 1, 2), None, winSize=(self.win, self.win), maxLevel=self.levels, criteria=self.criteria
        )
        return nxt.reshape(-1, 2), st.reshape(-1).astype(bool)

    def step(self, pa, pb, pts: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Track ``pts[P,2]`` from image ``pa`` to ``pb``: ``(new[P,2], ok[P], fb[P])``.

        With ``spread > 0`` each point is tracked as a small cross of 5 points (``spread`` px apart)
        and moves by their median step, which is robust to one sub-point sliding along an edge.
        """
        if len(pts) == 0:
            return pts.copy(), np.zeros(0, bool), np.zeros(0, np.float32)
        if self.spread > 0:
            P = len(pts)
            offs = self.spread * np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], np.float32)
            sub = (np.asarray(pts, np.float32)[:, None, :] + offs[None]).reshape(-1, 2)
            new, ok, fb = self._step(pa, pb, sub, size)
            d = (new - sub).reshape(P, 5, 2)
            ok = ok.reshape(P, 5)
            fbm = fb.reshape(P, 5)
            dm = np.where(ok[..., None], d, np.nan)
            with np.errstate(all="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    med = np.nanmedian(dm, axis=1)
                    fmed = np.nanmedian(np.where(ok, fbm, np.nan), axis=1)
            good = ok.sum(axis=1) >= 3
            med = np.where(good[:, None], med, d[:, 0])
            fmed = np.where(good, fmed, fbm[:, 0])
            return (np.asarray(pts, np.float32) + med).astype(np.float32), good, fmed.astype(np.float32)
        return self._step(pa, pb, pts, size)

    def _step(self, pa, pb, pts: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p0 = np.ascontiguousarray(pts, np.float32)
        p1, st1 = self._lk(pa, pb, p0)
        back, st2 = self._lk(pb, pa, p1)
        fb = np.nan_to_num(np.linalg.norm(back - p0, axis=1), nan=1e3, posinf=1e3).astype(np.float32)
        w, h = size
        inside = (p1[:, 0] >= 0) & (p1[:, 0] <= w - 1) & (p1[:, 1] >= 0) & (p1[:, 1] <= h - 1)
        ok = st1 & st2 & inside & np.isfinite(p1).all(axis=1) & (fb <= self.fb_max)
        p1 = np.where(np.isfinite(p1), p1, p0)
        return p1, ok, fb

    def chain(
        self, reader: PyramidReader, frames: Sequence[int], pts: np.ndarray, alive: np.ndarray, groups: np.ndarray
    ) -> Generator[int, None, Chain]:
        """Track ``pts[P,2]`` (``alive[P]`` marks real points) from ``frames[0]`` through the rest.

        ``groups[P]`` int: points of one person; a dead point moves with the median step of its
        person's live points. Yields the number of steps done; returns a :class:`Chain`.
        """
        m = len(frames) - 1
        P = len(pts)
        xy = np.zeros((m + 1, P, 2), np.float32)
        live = np.zeros((m + 1, P), bool)
        fb = np.zeros((m + 1, P), np.float32)
        xy[0], live[0] = pts, alive
        cur = np.asarray(pts, np.float32).copy()
        is_live = alive.copy()
        prev = None
        size = None
        for t, (_f, pyr) in enumerate(iter_pyramids(reader, frames)):
            if size is None:
                size = (pyr.shape[1], pyr.shape[0])
            if t > 0:
                idx = np.flatnonzero(alive)
                new, ok, err = self.step(prev, pyr, cur[idx], size)
                step = np.zeros_like(cur)
                step[idx] = new - cur[idx]
                good = np.zeros(P, bool)
                good[idx] = ok & is_live[idx]
                for g in np.unique(groups[idx]):
                    mem = groups == g
                    ref = good & mem
                    med = np.median(step[ref], axis=0) if ref.any() else np.zeros(2, np.float32)
                    step[mem & ~good] = med
                cur = cur + step
                fb_step = np.zeros(P, np.float32)
                fb_step[idx] = np.where(ok, err, np.maximum(err, self.fb_max))
                is_live &= good | ~alive
                xy[t], live[t] = cur, is_live & alive
                fb[t] = fb[t - 1] + fb_step
                yield t
            prev = pyr
        return Chain(xy, live, fb)


#: Logistic model of P(error > 0.2 head size) for a flow-propagated joint: intercept, then weights of
#: ``log1p(b * motion / h)``, ``log1p(disagreement / h)``, ``log1p(b * drift / h)``, ``fallback``,
#: ``log(gap frames)`` with ``b = 4 s (1 - s)`` and ``h`` the head size. Fitted by logistic regression
#: on stdpose synth clips (3 seeds x 4 people x 90 frames, T = 5..20); AUROC on 2 held-out seeds
#: 0.91 (the hand-made expected-error score it replaced: 0.89), on the JHMDB clip 0.78 (0.77).
FLOW_LOGIT = (-5.916, 1.367, 0.643, 0.882, 3.551, 0.208)


def flow_score(
    s: np.ndarray,
    motion: np.ndarray,
    disagreement: np.ndarray,
    drift: np.ndarray,
    fallback: np.ndarray,
    span: int,
    scale: np.ndarray,
) -> np.ndarray:
    """Score in (0, 1) = estimated probability that a flow joint is within 0.2 head sizes.

    ``s[n]`` relative time; ``motion[G,K]`` joint displacement between the keyframes (px);
    ``disagreement[n,G,K]`` distance of the drift-corrected forward and backward tracks (px);
    ``drift[G,K]`` mean distance by which the two tracks missed their far keyframe (px);
    ``fallback[n,G,K]`` weight of interpolation in the value; ``span`` keyframe distance (frames);
    ``scale[G]`` head size (px). Returns ``[n,G,K]`` float32.
    """
    b = (4.0 * s * (1.0 - s))[:, None, None]
    h = np.asarray(scale, np.float64)[None, :, None]
    c = FLOW_LOGIT
    z = (c[0] + c[1] * np.log1p(b * motion[None] / h) + c[2] * np.log1p(disagreement / h)
         + c[3] * np.log1p(b * drift[None] / h) + c[4] * fallback + c[5] * np.log(max(span, 1)))
    return (1.0 / (1.0 + np.exp(z))).astype(np.float32)


#: Trust in a track that starts from an occluded keyframe joint (it follows the occluder).
OCCLUDED_FACTOR = 0.3
#: LK window side (px): 15 beat 11, 21 and 31 on synth clips and JHMDB.
WIN = 15
#: Temporal weighting of the two directions, ((1 - s)^p, s^p): 0.5 trusts the far track more than a
#: linear blend does (measured on synth clips, T = 7 and 15).
BLEND_POW = 0.5
#: Sub-point cross per joint (px, 0 = single point); 2-4 px gave no gain, so it is off.
SPREAD = 0.0
#: Drift and forward-backward error (in head sizes) at which a track's reliability halves.
DRIFT_SCALE = 0.5
FB_SCALE = 0.5


def _mapped(job, fn):
    """Drive sub-generator ``job``, yielding ``fn(value)`` for each of its yields; return its result."""
    while True:
        try:
            value = next(job)
        except StopIteration as stop:
            return stop.value
        yield fn(value)


def _reliability(drift: np.ndarray, alive: np.ndarray, fb: np.ndarray, scale: np.ndarray, occluded: np.ndarray) -> np.ndarray:
    """Reliability in [0, 1] of one direction's track, ``[n,G,K]`` (``drift[G,K]``, ``scale[G]``)."""
    sc = scale[None, :, None]
    q = 1.0 / (1.0 + (drift[None] / (DRIFT_SCALE * sc)) ** 2)
    q = q / (1.0 + (fb / (FB_SCALE * sc)) ** 2)
    q = np.where(alive, q, 0.15 * q)
    return np.where(occluded[None], OCCLUDED_FACTOR * q, q)


def _body_shift(delta: np.ndarray, good: np.ndarray) -> np.ndarray:
    """Median over a person's good joints of ``delta[n,G,K,2]``; zeros where none is good. ``[n,G,2]``."""
    masked = np.where(good[..., None], delta, np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(masked, axis=2)
    return np.nan_to_num(med, nan=0.0)


def _bone_check(xy: np.ndarray, fallback: np.ndarray, xl: np.ndarray, xr: np.ndarray, both: np.ndarray,
                edges, scale: np.ndarray) -> np.ndarray:
    """``[n,G,K]`` bool: joints whose bones stretch beyond what the keyframes allow.

    ``xy``/``fallback`` ``[n,G,K,2]``; ``xl``/``xr`` ``[G,K,2]`` keyframe joints; ``both[G,K]`` the
    joint exists at both keyframes. Of a bad bone, the end farther from the fallback is blamed.
    """
    bad = np.zeros(xy.shape[:3], bool)
    tol = 0.15 * scale[None, :]
    for a, b in edges:
        ok = both[:, a] & both[:, b]
        if not ok.any():
            continue
        l1 = np.linalg.norm(xl[:, a] - xl[:, b], axis=-1)
        l2 = np.linalg.norm(xr[:, a] - xr[:, b], axis=-1)
        length = np.linalg.norm(xy[:, :, a] - xy[:, :, b], axis=-1)
        wrong = ((length > 1.3 * np.maximum(l1, l2)[None] + tol) | (length < 0.5 * np.minimum(l1, l2)[None] - tol)) & ok[None]
        da = np.linalg.norm(xy[:, :, a] - fallback[:, :, a], axis=-1)
        db = np.linalg.norm(xy[:, :, b] - fallback[:, :, b], axis=-1)
        bad[:, :, a] |= wrong & (da >= db)
        bad[:, :, b] |= wrong & (db > da)
    return bad


class LegacyFlowPropagator(Propagator):
    """Bidirectional pyramidal LK propagation (see module docstring). Options: ``win`` (LK window,
    px), ``levels`` (pyramid levels), ``fb_max`` (px), ``chunk`` (frames kept in memory)."""

    name = "flow-legacy"
    source_code = Source.PROPAGATED

    def __init__(self, win: int = WIN, levels: int = 3, fb_max: float = 2.0, chunk: int = 64, spread: float = SPREAD,
                 **_ignored) -> None:
        self.tracker = LKTracker(win=win, levels=levels, fb_max=fb_max, spread=spread)
        self.chunk = chunk
        self._reader: PyramidReader | None = None

    def reader(self, source) -> PyramidReader:
        if self._reader is None or self._reader.source is not source:
            self._reader = PyramidReader(source, self.tracker.win, self.tracker.levels, self.chunk)
        return self._reader

    def release(self) -> None:
        self._reader = None

    def _chain(self, reader, frames, anchor_xy, anchor_vis) -> Generator[int, None, Chain]:
        G, K = anchor_vis.shape
        groups = np.repeat(np.arange(G), K)
        return (yield from self.tracker.chain(reader, frames, anchor_xy.reshape(-1, 2), anchor_vis.reshape(-1) > 0, groups))

    def fill_group(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        g0 = gaps[0]
        n = g0.length
        tracks = [project.tracks[g.track_id] for g in gaps]
        base = [interpolate_gap(t, g, project.skeleton) for t, g in zip(tracks, gaps)]
        reader = self.reader(source)
        frames = np.arange(g0.start, g0.stop)
        fill = g0.fill_mask()
        last = int(frames[fill].max()) if fill.any() else g0.start
        first = int(frames[fill].min()) if fill.any() else g0.start

        def anchors(f):
            return np.stack([t.xy[f] for t in tracks]), np.stack([t.vis[f] for t in tracks])

        half = 2 if g0.two_sided else 1
        fwd = bwd = None
        if g0.left is not None:
            stop = g0.right if g0.right is not None else last
            xy0, v0 = anchors(g0.left)
            job = self._chain(reader, list(range(g0.left, stop + 1)), xy0, v0)
            fwd = yield from _mapped(job, lambda t: min(n, t) // half)
        if g0.right is not None:
            stop = g0.left if g0.left is not None else first
            xy0, v0 = anchors(g0.right)
            job = self._chain(reader, list(range(g0.right, stop - 1, -1)), xy0, v0)
            bwd = yield from _mapped(job, lambda t: (n // 2 if half == 2 else 0) + min(n, t) // half)
        return self._fuse(project, gaps, tracks, base, fwd, bwd)

    def _fuse(self, project, gaps, tracks, base, fwd: Chain | None, bwd: Chain | None) -> list[GapResult]:
        g0 = gaps[0]
        n, G, K = g0.length, len(gaps), project.num_joints
        s = g0.relative_time()
        side = np.stack([b[1] for b in base], axis=1)  # [n,G,K]
        interp = np.stack([b[0].xy for b in base], axis=1)  # [n,G,K,2]
        xy = interp.copy()
        scale = np.array([gap_head_size(t, g.left, g.right, project.skeleton) for t, g in zip(tracks, gaps)])
        flow_scores = None

        def chain_part(ch: Chain, reverse: bool):
            """Chain values over the gap's frames, in frame order; index 0 of the chain is the anchor."""
            m = ch.xy.shape[0] - 1
            take = min(n, m)
            out_xy = np.zeros((n, G, K, 2), np.float32)
            out_alive = np.zeros((n, G, K), bool)
            out_fb = np.zeros((n, G, K), np.float32)
            xyc = ch.xy[1 : take + 1].reshape(take, G, K, 2)
            al = ch.alive[1 : take + 1].reshape(take, G, K)
            fbc = ch.fb[1 : take + 1].reshape(take, G, K)
            sl = slice(n - take, n) if reverse else slice(0, take)
            rev = slice(None, None, -1) if reverse else slice(None)
            out_xy[sl], out_alive[sl], out_fb[sl] = xyc[rev], al[rev], fbc[rev]
            return out_xy, out_alive, out_fb

        if fwd is not None and bwd is not None:
            xl = np.stack([t.xy[g0.left] for t in tracks])
            xr = np.stack([t.xy[g0.right] for t in tracks])
            vl = np.stack([t.vis[g0.left] for t in tracks])
            vr = np.stack([t.vis[g0.right] for t in tracks])
            F, fa, ffb = chain_part(fwd, False)
            B, ba, bfb = chain_part(bwd, True)
            drift_f = xr - fwd.xy[-1].reshape(G, K, 2)
            drift_b = xl - bwd.xy[-1].reshape(G, K, 2)
            Fc = F + s[:, None, None, None] * drift_f[None]
            Bc = B + (1 - s)[:, None, None, None] * drift_b[None]
            df, db = np.linalg.norm(drift_f, axis=-1), np.linalg.norm(drift_b, axis=-1)
            # vis 1 means 'occluded' only in data that also uses 2 (PoseTrack files mark every joint 1).
            marks = np.array([(t.vis == 2).any() for t in tracks])[:, None]
            qf = _reliability(df, fa, ffb, scale, (vl == 1) & marks)
            qb = _reliability(db, ba, bfb, scale, (vr == 1) & marks)
            wf = ((1 - s) ** BLEND_POW)[:, None, None] * qf + 1e-6
            wb = (s ** BLEND_POW)[:, None, None] * qb + 1e-6
            tracked = (wf[..., None] * Fc + wb[..., None] * Bc) / (wf + wb)[..., None]
            lam = np.clip(1.0 - (wf + wb), 0.0, 1.0)
            both = side == 2
            good = both & (lam < 0.3)
            shifted = interp + _body_shift(tracked - interp, good)[:, :, None, :]
            two = (lam[..., None] * shifted + (1 - lam[..., None]) * tracked).astype(np.float32)
            bad = _bone_check(two, shifted, xl, xr, (vl > 0) & (vr > 0), project.skeleton.edges, scale)
            two[bad] = shifted[bad]
            lam = np.where(bad, 1.0, lam)
            xy = np.where(both[..., None], two, xy)
            motion = np.linalg.norm(xr - xl, axis=-1)  # [G,K]
            flow_scores = flow_score(s, motion, np.linalg.norm(Fc - Bc, axis=-1), 0.5 * (df + db), lam,
                                     g0.right - g0.left, scale)
            # Joints seen on one side only: the raw track from that side.
            one_l, one_r = side == 0, side == 1
            xy[one_l] = F[one_l]
            xy[one_r] = B[one_r]
        elif fwd is not None:
            F, _, _ = chain_part(fwd, False)
            xy = np.where((side == 0)[..., None], F, xy)
        elif bwd is not None:
            B, _, _ = chain_part(bwd, True)
            xy = np.where((side == 1)[..., None], B, xy)

        out = []
        for gi, (res, _) in enumerate(base):
            r = GapResult(xy[:, gi].astype(np.float32), res.vis.copy(), res.score.copy(), res.filled.copy(),
                          res.bbox.copy(), res.head_bbox.copy())
            if flow_scores is not None:
                r.score = np.where(side[:, gi] == 2, flow_scores[:, gi], r.score).astype(np.float32)
            shift_boxes(r, res, project.skeleton)
            out.append(r)
        return out


def register_legacy() -> str:
    """Add the legacy method to the registry (benchmark processes only); returns its name."""
    REGISTRY["flow-legacy"] = LegacyFlowPropagator
    return "flow-legacy"
