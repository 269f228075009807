"""Linear interpolation between two keyframes (the baseline, and the fallback of image methods)."""

from __future__ import annotations

from typing import Generator, Sequence

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track
from stdpose_core.propagation.base import EXTRAPOLATED_SCORE, Gap, GapResult, Propagator, register
from stdpose_core.propagation.confidence import gap_head_size, interp_expected_error, score_from_error


def _anchors(tracks: Sequence[Track], frames: Sequence[int | None]):
    """Per track its keyframe ``frames[g]`` (None: absent): ``xy[G,K,2]``, ``vis[G,K]``, ``bbox[G,4]``,
    ``head_bbox[G,4]`` (zeros / NaN boxes where absent)."""
    k = tracks[0].num_joints
    xy = np.zeros((len(tracks), k, 2), np.float32)
    vis = np.zeros((len(tracks), k), np.int8)
    box = np.full((len(tracks), 4), np.nan, np.float32)
    head = np.full((len(tracks), 4), np.nan, np.float32)
    for g, (t, f) in enumerate(zip(tracks, frames)):
        if f is not None:
            xy[g], vis[g], box[g], head[g] = t.xy[f], t.vis[f], t.bbox[f], t.head_bbox[f]
    return xy, vis, box, head


def _lerp_boxes(a: np.ndarray, b: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Boxes ``[n,G,4]`` from ``a``, ``b`` ``[G,4]`` at times ``s[n,G]``: interpolated when both exist,
    else the existing one, else NaN."""
    fa, fb = np.isfinite(a).all(axis=1), np.isfinite(b).all(axis=1)
    lerp = (1 - s)[..., None] * a[None] + s[..., None] * b[None]
    one = np.where(fa[:, None], a, b)[None]
    return np.where((fa & fb)[None, :, None], lerp, one).astype(np.float32)


def interpolate_gap(track: Track, gap: Gap, skeleton) -> tuple[GapResult, np.ndarray]:
    """Linear interpolation over one gap.

    Returns the result and ``side[n,K]`` int8: 2 = interpolated between both keyframes, 0/1 = held
    from the left/right keyframe only (one-sided: extrapolated at most ``gap.max_extrapolate`` frames
    towards the missing side, low score), -1 = not filled. Visibility is the nearer keyframe's (the
    lower one at mid-gap).
    """
    return interpolate_gaps([track], [gap], skeleton)[0]


def interpolate_gaps(tracks: Sequence[Track], gaps: Sequence[Gap], skeleton,
                     head: np.ndarray | None = None) -> list[tuple[GapResult, np.ndarray]]:
    """:func:`interpolate_gap` of ``gaps[g]`` of ``tracks[g]``, all gaps of one length, computed for
    all of them at once. ``head[G]``: their :func:`gap_head_size` when the caller has it."""
    n, G = gaps[0].length, len(gaps)
    frames = np.arange(n)[:, None] + np.array([g.start for g in gaps])[None]  # [n,G]
    s = np.stack([g.relative_time() for g in gaps], axis=1)
    xl, vl, bl, hl = _anchors(tracks, [g.left for g in gaps])
    xr, vr, br, hr = _anchors(tracks, [g.right for g in gaps])
    near_left = (s < 0.5)[..., None]
    mid = (s == 0.5)[..., None]

    both = (vl > 0) & (vr > 0)
    xy = ((1 - s)[..., None, None] * xl[None] + s[..., None, None] * xr[None]).astype(np.float32)
    vis = np.where(near_left, vl[None], vr[None])
    vis = np.where(mid, np.minimum(vl, vr)[None], vis)
    side = np.repeat(np.where(both, 2, -1).astype(np.int8)[None], n, axis=0)

    # Joints (or people) seen on one side only: hold the value, at most max_extrapolate frames away.
    left = np.array([g.left if g.left is not None else -10**9 for g in gaps])
    right = np.array([g.right if g.right is not None else 10**9 for g in gaps])
    reach = np.array([g.max_extrapolate for g in gaps])
    d_left, d_right = frames - left[None], right[None] - frames
    only_l = (vl > 0) & ~both
    only_r = (vr > 0) & ~both
    take_l = ((d_left <= reach) & (d_left <= d_right))[..., None] & only_l[None]
    take_r = ((d_right <= reach) & (d_right < d_left))[..., None] & only_r[None]
    xy = np.where(take_l[..., None], xl[None], np.where(take_r[..., None], xr[None], xy))
    vis = np.where(take_l, vl[None], np.where(take_r, vr[None], vis))
    side[take_l] = 0
    side[take_r] = 1

    filled = side >= 0
    vis = np.where(filled, vis, 0).astype(np.int8)
    scale = head if head is not None else np.array([gap_head_size(t, g.left, g.right, skeleton) for t, g in zip(tracks, gaps)])
    two = np.array([g.two_sided for g in gaps])
    motion = np.where(two[:, None], np.linalg.norm(xr - xl, axis=-1), 0.0)
    span = np.array([(g.right - g.left) if g.two_sided else 1 for g in gaps])
    score = score_from_error(interp_expected_error(motion, s, span, scale), scale[None, :, None])
    dist = np.minimum(d_left, d_right).astype(np.float32)
    extra = EXTRAPOLATED_SCORE * (1.0 - dist / (reach + 1.0))
    score = np.where(side == 2, score, extra[..., None]).astype(np.float32)
    score[~filled] = 0
    any_filled = filled.any(axis=2)
    bbox = np.where(any_filled[..., None], _lerp_boxes(bl, br, s), np.float32(np.nan))
    head_bbox = np.where(any_filled[..., None], _lerp_boxes(hl, hr, s), np.float32(np.nan))
    return [(GapResult(xy[:, g], vis[:, g], score[:, g], filled[:, g], bbox[:, g], head_bbox[:, g]), side[:, g])
            for g in range(G)]


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
        out = [r for r, _ in interpolate_gaps([project.tracks[g.track_id] for g in gaps], gaps, project.skeleton)]
        return out
        yield  # a generator that needs no steps
