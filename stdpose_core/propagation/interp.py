"""Linear interpolation between two keyframes (the baseline, and the fallback of image methods)."""

from __future__ import annotations

from typing import Generator

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track
from stdpose_core.propagation.base import EXTRAPOLATED_SCORE, Gap, GapResult, Propagator, register
from stdpose_core.propagation.confidence import gap_head_size, interp_expected_error, score_from_error


def _anchor(track: Track, frame: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    k = track.num_joints
    if frame is None:
        return np.zeros((k, 2), np.float32), np.zeros(k, np.int8), np.full(4, np.nan, np.float32), np.full(4, np.nan, np.float32)
    return track.xy[frame], track.vis[frame], track.bbox[frame], track.head_bbox[frame]


def _lerp_boxes(a: np.ndarray, b: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Boxes ``[n,4]``: interpolated when both exist, else the existing one, else NaN."""
    fa, fb = np.isfinite(a).all(), np.isfinite(b).all()
    if fa and fb:
        return ((1 - s)[:, None] * a + s[:, None] * b).astype(np.float32)
    one = a if fa else b
    return np.repeat(one[None].astype(np.float32), len(s), axis=0)


def interpolate_gap(track: Track, gap: Gap, skeleton) -> tuple[GapResult, np.ndarray]:
    """Linear interpolation over one gap.

    Returns the result and ``side[n,K]`` int8: 2 = interpolated between both keyframes, 0/1 = held
    from the left/right keyframe only (one-sided: extrapolated at most ``gap.max_extrapolate`` frames
    towards the missing side, low score), -1 = not filled. Visibility is the nearer keyframe's (the
    lower one at mid-gap).
    """
    n, k = gap.length, track.num_joints
    res = GapResult.empty(n, k)
    frames = np.arange(gap.start, gap.stop)
    s = gap.relative_time()
    xl, vl, bl, hl = _anchor(track, gap.left)
    xr, vr, br, hr = _anchor(track, gap.right)
    near_left = s < 0.5
    mid = s == 0.5

    both = (vl > 0) & (vr > 0)
    res.xy[:] = ((1 - s)[:, None, None] * xl[None] + s[:, None, None] * xr[None]).astype(np.float32)
    vis = np.where(near_left[:, None], vl[None], vr[None])
    vis = np.where(mid[:, None], np.minimum(vl, vr)[None], vis)
    side = np.where(both[None], 2, -1).astype(np.int8).repeat(n, 0)

    # Joints (or people) seen on one side only: hold the value, at most max_extrapolate frames away.
    d_left = frames - (gap.left if gap.left is not None else -10**9)
    d_right = (gap.right if gap.right is not None else 10**9) - frames
    only_l = (vl > 0) & ~both
    only_r = (vr > 0) & ~both
    take_l = (d_left <= gap.max_extrapolate)[:, None] & only_l[None] & (d_left <= d_right)[:, None]
    take_r = (d_right <= gap.max_extrapolate)[:, None] & only_r[None] & (d_right < d_left)[:, None]
    res.xy[take_l] = np.broadcast_to(xl, (n, k, 2))[take_l]
    res.xy[take_r] = np.broadcast_to(xr, (n, k, 2))[take_r]
    vis = np.where(take_l, vl[None], np.where(take_r, vr[None], vis))
    side[take_l] = 0
    side[take_r] = 1

    res.filled[:] = side >= 0
    res.vis[:] = np.where(res.filled, vis, 0)
    scale = gap_head_size(track, gap.left, gap.right, skeleton)
    motion = np.linalg.norm(xr - xl, axis=-1) if gap.two_sided else np.zeros(k)
    span = (gap.right - gap.left) if gap.two_sided else 1
    score = score_from_error(interp_expected_error(motion, s, span, scale), scale)
    dist = np.minimum(d_left, d_right).astype(np.float32)
    extra = EXTRAPOLATED_SCORE * (1.0 - dist / (gap.max_extrapolate + 1.0))
    res.score[:] = np.where(side == 2, score, extra[:, None])
    res.score[~res.filled] = 0
    any_filled = res.filled.any(axis=1)
    res.bbox[any_filled] = _lerp_boxes(bl, br, s)[any_filled]
    res.head_bbox[any_filled] = _lerp_boxes(hl, hr, s)[any_filled]
    return res, side


def shift_boxes(result: GapResult, base: GapResult, skeleton) -> None:
    """Move ``result``'s boxes (copied from the interpolation ``base``) by the mean shift of its
    filled joints away from ``base``; the head box by the head joints' shift. In place."""

    def mean_shift(delta: np.ndarray, mask: np.ndarray) -> np.ndarray:
        cnt = mask.sum(axis=1, keepdims=True)
        tot = (delta * mask[..., None]).sum(axis=1)
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0).astype(np.float32)

    delta = result.xy - base.xy
    shift = mean_shift(delta, result.filled)
    head = [k for k, n in enumerate(skeleton.joint_names) if n in ("nose", "head_bottom", "head_top")]
    hshift = mean_shift(delta[:, head], result.filled[:, head]) if head else shift
    result.bbox = (base.bbox + np.concatenate([shift, shift], axis=1)).astype(np.float32)
    result.head_bbox = (base.head_bbox + np.concatenate([hshift, hshift], axis=1)).astype(np.float32)


@register("interp")
class InterpPropagator(Propagator):
    """Linear interpolation of joints and boxes; needs no images (``source`` may be None)."""

    source_code = Source.INTERPOLATED
    needs_frames = False

    def fill_group(self, project: Project, frames, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        out = [interpolate_gap(project.tracks[g.track_id], g, project.skeleton)[0] for g in gaps]
        return out
        yield  # a generator that needs no steps
