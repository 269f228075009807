"""Keyframe suggestions: gaps where propagation is weak, and the frame to label next there (pure numpy).

For every two-sided gap of every track (``stdpose_core.propagation.find_gaps``) three signals are
measured on the machine-made joints inside it:

* ``confidence``: 1 - the lowest per-frame mean score (a gap the propagator was unsure about);
* ``motion``: the largest frame-to-frame displacement of the person's joints, as a fraction of the
  person's size (``fast`` above ``fast_motion``: flow and STDPose both lose fast limbs);
* ``occlusion``: the largest share of the person's joints that turn from visible (2) to occluded (1)
  from one frame to the next (occlusion onset: the model has to guess).

Gaps not propagated yet (no machine-made joints) are not judged.

``weakness = max(confidence, motion, occlusion)`` in [0, 1]; gaps above ``min_weakness`` are suggested,
with the frame to label: the weakest frame (lowest mean score, else the largest motion, else the
middle), never a frame next to a keyframe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.data import Project, Track
from stdpose_core.review import MACHINE, person_scale


@dataclass(frozen=True)
class Suggestion:
    """A weak gap ``[start, stop)`` of ``track_id`` and the ``frame`` suggested as an extra keyframe.

    ``weakness`` in [0, 1]; ``reason``: 'low confidence' | 'fast motion' | 'occlusion onset'."""

    track_id: int
    start: int
    stop: int
    frame: int
    weakness: float
    reason: str


def _gap_signals(track: Track, start: int, stop: int, fast_motion: float, scale: np.ndarray) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """Signals of one gap; ``scale[F]`` is :func:`person_scale` of the track (computed once per track)."""
    sl = slice(start, stop)
    m = np.isin(track.source[sl], MACHINE) & (track.vis[sl] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(m.any(1), (track.score[sl] * m).sum(1) / np.maximum(m.sum(1), 1), np.nan)
    conf = float(1 - np.nanmin(mean)) if np.isfinite(mean).any() else 0.0
    # Motion over the gap including its keyframes (a jump right after a keyframe counts too).
    a, b = max(start - 1, 0), min(stop + 1, track.num_frames)
    xy = track.xy[a:b].astype(np.float64)
    ok = track.vis[a:b] > 0
    step = np.hypot(*(xy[1:] - xy[:-1]).transpose(2, 0, 1))
    step[~(ok[1:] & ok[:-1])] = np.nan
    scale = scale[a + 1 : b]
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.nanmax(np.where(np.isfinite(step), step, -np.inf), axis=1) / scale
    rel = np.where(np.isfinite(rel), rel, 0.0)
    per_frame_motion = rel[: stop - start] if len(rel) else np.zeros(stop - start)
    motion = float(np.clip(rel.max() / (2 * fast_motion), 0, 1)) if len(rel) and rel.max() > fast_motion else 0.0
    vis = track.vis[a:b]
    # Share of the person's joints that stop being visible from one frame to the next.
    onset = ((vis[:-1] == 2) & (vis[1:] == 1)).sum(1) / np.maximum((vis[:-1] > 0).sum(1), 1) if len(vis) > 1 else np.zeros(0)
    occl = float(np.clip(onset.max() * 3, 0, 1) * 0.9) if len(onset) else 0.0
    return conf, motion, occl, mean, per_frame_motion


def suggest_keyframes(
    project: Project,
    min_weakness: float = 0.5,
    fast_motion: float = 0.08,
    track_ids: list[int] | None = None,
) -> list[Suggestion]:
    """Weak gaps and their suggested keyframes, weakest first (see module docstring).

    Gaps shorter than 3 frames are skipped (nothing to add between their keyframes).
    """
    from stdpose_core.propagation import find_gaps

    out: list[Suggestion] = []
    scales: dict[int, np.ndarray] = {}
    for gap in find_gaps(project, track_ids):
        if not gap.two_sided or gap.length < 3:
            continue
        track = project.tracks[gap.track_id]
        if not (np.isin(track.source[gap.start : gap.stop], MACHINE) & (track.vis[gap.start : gap.stop] > 0)).any():
            continue  # not propagated yet: nothing to judge
        if gap.track_id not in scales:
            scales[gap.track_id] = person_scale(track)
        conf, motion, occl, mean, per_motion = _gap_signals(track, gap.start, gap.stop, fast_motion, scales[gap.track_id])
        weakness = max(conf, motion, occl)
        if weakness < min_weakness:
            continue
        reason = ("low confidence", "fast motion", "occlusion onset")[int(np.argmax([conf, motion, occl]))]
        inner = np.arange(gap.start + 1, gap.stop - 1)  # never right beside a keyframe
        if reason == "low confidence" and np.isfinite(mean[1:-1]).any():
            frame = int(inner[np.nanargmin(mean[1:-1])])
        elif reason == "fast motion" and len(per_motion) > 2 and per_motion[1:-1].max() > 0:
            frame = int(inner[np.argmax(per_motion[1:-1])])
        else:
            frame = (gap.start + gap.stop - 1) // 2
        out.append(Suggestion(gap.track_id, gap.start, gap.stop, frame, round(weakness, 4), reason))
    out.sort(key=lambda s: (-s.weakness, s.start, s.track_id))
    return out
