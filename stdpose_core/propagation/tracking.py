"""Point tracking through a run of frames with pyramidal Lucas-Kanade and a forward-backward check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generator, Sequence

import cv2
import numpy as np

from stdpose_core.propagation.frames import PyramidReader


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
        for t, (f, pyr) in enumerate(iter_pyramids(reader, frames)):
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
