"""What the editor re-propagates after a person's edit: the one policy the GUI and the simulated annotator run.

After an edit, :func:`touched_joints` names the joints it made or unmade human; :func:`repropagate_job`
re-fills what those joints anchor. The GUI's automatic re-propagation (``app/jobs/auto.py``) and
``stdpose simulate-annotator --strategy app`` both call exactly these two functions, and the job's
edit is applied after :func:`~stdpose_core.ops.human_wins.protect_human`.

The rules:

* **Per joint.** A corrected joint anchors only itself: joint k of a track is re-propagated between
  its own anchors, the frames where joint k is human-placed, or where the track has a keyframe and
  joint k holds no machine value (a keyframe that leaves k unlabelled says "k is not there"). A frame
  where a person fixed one joint is not a keyframe for the other joints: their machine values there
  stay what propagation from the real keyframes made them, and only the fixed joint's segment changes.
  When a whole pose was placed (every labelled joint of the frame touched) the person's box follows too.
* **Reviewed frames stay.** Propagation never writes a frame a person marked reviewed for that track
  (:func:`~stdpose_core.propagation.base.gap_edit`), so re-propagating the gap behind an edit never
  turns already-checked joints wrong again.

Segments end at the track's known-absent frames (:func:`~stdpose_core.propagation.base.absent_frames`):
there the joint is extrapolated one-sided, as full propagation does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from stdpose_core.data import MACHINE_SOURCES, Project, Source
from stdpose_core.data.edits import Compound, Edit, SetPoseRange
from stdpose_core.ops.human_wins import human_joint_touches
from stdpose_core.progress import Job, Progress, relay
from stdpose_core.propagation.base import Propagator, absent_frames

#: ``{(track_id, frame, joint)}`` joints an edit set or removed as human-placed.
Touches = set[tuple[int, int, int]]
_MACHINE = np.array(MACHINE_SOURCES, np.uint8)


def touched_joints(edit: Edit) -> Touches:
    """``{(track_id, frame, joint)}`` where an applied ``edit`` set or removed human-placed joints."""
    return human_joint_touches(edit)


@dataclass(frozen=True)
class Segment:
    """Joints ``joints`` of track ``track_id`` to re-propagate on frames ``[start, stop)`` from the
    keyframes ``anchors`` (1 to 3 frames: left, the edited frame, right); ``whole_pose``: the box
    follows too."""

    track_id: int
    start: int
    stop: int
    anchors: tuple[int, ...]
    joints: tuple[int, ...]
    whole_pose: bool = False


def joint_anchors(project: Project, track_id: int) -> np.ndarray:
    """``[F,K]`` bool: frames that anchor each joint of a track (see the module docstring)."""
    t = project.tracks[track_id]
    keyframe = t.human_mask().any(axis=1)
    return keyframe[:, None] & ~np.isin(t.source, _MACHINE)


def plan(project: Project, touches: Touches) -> list[Segment]:
    """The segments to re-propagate after the edits that touched ``touches`` (unknown tracks ignored)."""
    groups: dict[tuple, set[int]] = {}
    mids: dict[tuple, int | None] = {}
    for tid in sorted({t for t, _, _ in touches}):
        if tid not in project.tracks:
            continue
        anchors = joint_anchors(project, tid)
        absent = absent_frames(project, project.tracks[tid])
        reviewed = project.tracks[tid].reviewed
        for _, f, k in sorted(x for x in touches if x[0] == tid):
            own = np.flatnonzero(anchors[:, k])
            before = np.concatenate([own[own < f], absent[absent < f]])
            after = np.concatenate([own[own > f], absent[absent > f]])
            prev = int(before.max()) if len(before) else -1
            nxt = int(after.min()) if len(after) else project.num_frames
            left = prev if prev >= 0 and anchors[prev, k] else None
            right = nxt if nxt < project.num_frames and anchors[nxt, k] else None
            mid = f if anchors[f, k] else None
            keys = tuple(a for a in (left, mid, right) if a is not None)
            if not keys or nxt - prev < 2:
                continue
            # Only frames that may change: a side that is reviewed all through is not run at all.
            free = np.flatnonzero(~reviewed[prev + 1 : nxt]) + prev + 1
            free = free[free != mid]
            if not len(free):
                continue
            start, stop = int(free[0]), int(free[-1]) + 1
            if mid is not None:  # an anchor beyond the edited frame only matters on its side
                keys = tuple(a for a in keys if not (a < mid and start > mid) and not (a > mid and stop <= mid))
            key = (tid, start, stop, keys)
            groups.setdefault(key, set()).add(k)
            mids[key] = mid
    out = []
    for (tid, start, stop, keys), joints in sorted(groups.items()):
        mid = mids[(tid, start, stop, keys)]
        t = project.tracks[tid]
        whole = mid is not None and set(np.flatnonzero(t.vis[mid] > 0).tolist()) <= joints
        out.append(Segment(tid, start, stop, keys, tuple(sorted(joints)), whole))
    return out


def anchor_view(project: Project, track_id: int, anchors: Sequence[int]) -> Project:
    """A one-track copy of ``project`` whose only keyframes are ``anchors``: every labelled joint there
    is an anchor value, human joints elsewhere count as machine values. Propagating it fills the frames
    between the anchors as if they were the only keyframes (reviewed frames of the track stay unwritten)."""
    t = project.tracks[track_id].copy()
    human = t.human_mask()
    t.source[human] = Source.PROPAGATED
    for f in anchors:  # a person's "not labelled" stays a person's, so an anchor of a hidden joint counts
        t.source[f] = np.where((t.vis[f] > 0) | human[f], np.uint8(Source.MANUAL), np.uint8(Source.NONE))
    return dataclasses.replace(project, tracks={track_id: t}, labeled=np.zeros(project.num_frames, bool),
                               ignore_regions={}, model_versions=list(project.model_versions))


def restrict_to(edit: Edit, project: Project, joints: Sequence[int], whole_pose: bool) -> list[Edit]:
    """The leaves of a propagation ``edit`` limited to ``joints`` (and to the box when ``whole_pose``),
    never over human joints or reviewed frames of ``project``."""
    out: list[Edit] = []
    keep = np.zeros(project.num_joints, bool)
    keep[list(joints)] = True
    for e in (edit.edits if isinstance(edit, Compound) else [edit]):
        if not isinstance(e, SetPoseRange) or e.joint_mask is None:
            out.append(e)  # e.g. registering the model version
            continue
        t = project.tracks[e.track_id]
        sl = slice(e.start, e.stop)
        free = ~t.reviewed[sl]
        mask = e.joint_mask & keep[None] & free[:, None] & ~t.human_mask()[sl]
        values = dict(e.values)
        frame_mask = None
        if whole_pose and e.frame_mask is not None:
            frame_mask = e.frame_mask & free
        else:
            values.pop("bbox", None)
            values.pop("head_bbox", None)
        if mask.any() or (frame_mask is not None and frame_mask.any()):
            out.append(SetPoseRange(e.track_id, e.start, values, joint_mask=mask, frame_mask=frame_mask, label=e.label))
    return out


def repropagate_job(project: Project, source, propagator: Propagator | Callable[[], Propagator], touches: Touches,
                    label: str = "re-propagate") -> Job[Compound]:
    """Re-propagate what ``touches`` anchor (:func:`plan`), per segment on an :func:`anchor_view`.

    ``propagator``: a Propagator or a function building one (called after the first progress step);
    methods that read images need ``source`` to hold every frame. Returns one Compound (empty when
    there is nothing to re-propagate); the project is not changed.
    """
    from stdpose_core.ops.jobs import check_frames

    segments = plan(project, touches)
    yield Progress(0, len(segments), "planning re-propagation")
    if not segments:
        return Compound([], label=label)
    prop = propagator if isinstance(propagator, Propagator) else propagator()
    if prop.needs_frames:
        check_frames(source, project)
    else:
        source = None
    parts: list[Edit] = []
    registered = False
    for i, seg in enumerate(segments):
        view = anchor_view(project, seg.track_id, seg.anchors)
        if not len(view.keyframes()):
            continue  # nothing labelled on any anchor: nothing to propagate from
        edit = yield from relay(prop.run(view, source, [seg.track_id], (seg.start, seg.stop)),
                                lambda p, i=i: Progress(int(1000 * (i + p.fraction)), 1000 * len(segments), p.message))
        for e in restrict_to(edit, project, seg.joints, seg.whole_pose):
            if not isinstance(e, SetPoseRange):
                if registered:
                    continue
                registered = True
            parts.append(e)
    prop.release()
    return Compound(parts if any(isinstance(e, SetPoseRange) for e in parts) else [], label=label)
