"""Image-driven propagation without weights: bidirectional Lucas-Kanade tracking of every joint.

For a gap between keyframes L and R, every joint is tracked frame by frame forward from L through R
and backward from R through L. Each track misses the far keyframe by some *drift*; spreading that
drift linearly over the gap makes both tracks agree with both keyframes exactly (a track that got
stuck becomes linear interpolation). The two corrected tracks are blended by temporal distance
(nearer keyframe weighs more) and by their reliability (LK status, forward-backward error, drift).
Where tracking failed, the value falls back to linear interpolation shifted by the person's
reliable motion; a bone-length check against the keyframes catches the remaining outliers.
"""

from __future__ import annotations

from typing import Generator

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.progress import relay
from stdpose_core.propagation.base import Gap, GapResult, Propagator, register
from stdpose_core.propagation.confidence import flow_score, gap_head_size
from stdpose_core.propagation.frames import PyramidReader
from stdpose_core.propagation.interp import interpolate_gap, shift_boxes
from stdpose_core.propagation.tracking import Chain, LKTracker


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


@register("flow")
class FlowPropagator(Propagator):
    """Bidirectional pyramidal LK propagation (see module docstring). Options: ``win`` (LK window,
    px), ``levels`` (pyramid levels), ``fb_max`` (px), ``chunk`` (frames kept in memory)."""

    source_code = Source.PROPAGATED

    def __init__(self, win: int = WIN, levels: int = 3, fb_max: float = 2.0, chunk: int = 64, spread: float = SPREAD) -> None:
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
        n, G, K = g0.length, len(gaps), project.num_joints
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
            fwd = yield from relay(job, lambda t: min(n, t) // half)
        if g0.right is not None:
            stop = g0.left if g0.left is not None else first
            xy0, v0 = anchors(g0.right)
            job = self._chain(reader, list(range(g0.right, stop - 1, -1)), xy0, v0)
            bwd = yield from relay(job, lambda t: (n // 2 if half == 2 else 0) + min(n, t) // half)
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
