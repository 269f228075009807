"""People win over machines: what a background job may still write once a person has edited meanwhile.

* :func:`protect_human`: a job computed its edit on a copy of the project; before it is applied to
  the live project, writes over joints a person placed, or frames a person marked reviewed, meanwhile
  are dropped.
* :func:`human_joint_touches`: which (track, frame, joint) keyframe joints an edit created, moved or removed — what
  automatic re-propagation needs to know.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project
from stdpose_core.data.edits import Compound, Edit, SetPoseRange, edit_is_empty, leaves
from stdpose_core.data.source import is_human
from stdpose_core.data.track import FRAME_FIELDS


def _per_joint(values: dict) -> bool:
    return any(FRAME_FIELDS[n][1] in ("K", "K2") for n in values)


def protect_human(edit: Edit, project: Project) -> Edit:
    """``edit`` with its pose writes restricted to joints that are not human-placed in ``project``
    now and to frames not marked reviewed (a person checked them), and without writes to tracks that
    no longer exist. Compound edits are filtered in place
    (they have not been applied yet)."""
    if isinstance(edit, Compound):
        kept = []
        for e in edit.edits:
            e = protect_human(e, project)
            if not edit_is_empty(e):
                kept.append(e)
        edit.edits = kept
        return edit
    if isinstance(edit, SetPoseRange):
        track = project.tracks.get(edit.track_id)
        if track is None:
            return Compound([], label=edit.label)
        if not _per_joint(edit.values) or edit.stop > track.num_frames:
            return edit
        new_source = edit.values.get("source")
        if new_source is not None and is_human(new_source).any():
            return edit  # a person's edit, not a machine's
        reviewed = track.reviewed[edit.start : edit.stop]
        human = is_human(track.source[edit.start : edit.stop]) | reviewed[:, None]  # only this range: edits are many and small
        if human.any():
            n, k = human.shape
            mask = np.ones((n, k), bool) if edit.joint_mask is None else edit.joint_mask.copy()
            edit.joint_mask = mask & ~human
        if reviewed.any() and any(FRAME_FIELDS[n][1] == "4" for n in edit.values):
            frames = np.ones(len(reviewed), bool) if edit.frame_mask is None else edit.frame_mask.copy()
            edit.frame_mask = frames & ~reviewed
    return edit


def human_joint_touches(edit: Edit) -> set[tuple[int, int, int]]:
    """``{(track_id, frame, joint)}`` where an *applied* edit set or removed human-placed joints.

    Uses the values the edit wrote and the values it overwrote (``SetPoseRange`` keeps them), so
    placing, moving, hiding and deleting a keyframe joint all count.
    """
    out: set[tuple[int, int, int]] = set()
    for e in leaves(edit):
        if not isinstance(e, SetPoseRange) or "source" not in e.values:
            continue
        new = is_human(e.values["source"])
        before = getattr(e, "_before", None) or {}
        old = is_human(before["source"]) if "source" in before else np.zeros_like(new)
        touched = new | old
        if e.joint_mask is not None:
            touched &= e.joint_mask
        for i, k in zip(*np.nonzero(touched)):
            out.add((e.track_id, e.start + int(i), int(k)))
    return out
