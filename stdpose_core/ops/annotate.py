"""The edits an annotator makes: pure builders of core Edits (place, move, hide, delete, swap, merge…).

Each function reads the project and returns one Edit (or raises ValueError with a message for the
user); the caller applies it through :class:`~stdpose_core.session.ProjectSession` (the GUI: one undo
step). Coordinates are pixels (0-based, x right, y down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.data import Project, Source
from stdpose_core.data.edits import (
    Compound,
    DeleteTrack,
    Edit,
    MergeTracks,
    MoveKeypoint,
    SetPoseRange,
    SetVisibility,
    SwapTracksFrom,
    clear_frames,
    edited_sources,
    set_reviewed,
)
from stdpose_core.data.track import person_name

DELETE_SCOPES = ("frame", "forward", "all")


def place_joint(project: Project, tid: int, frame: int, joint: int, xy: tuple[float, float], vis: int = 2) -> Edit:
    """Place (or move) a joint; ``vis`` 1 places it as occluded. One undo step either way."""
    move = MoveKeypoint(project, tid, frame, joint, xy)
    if vis == 2 or int(project.tracks[tid].vis[frame, joint]) == vis:
        return move
    # The visibility edit is built against the state after the move, so build it lazily.
    return _PlaceWithVisibility(move, tid, frame, joint, vis)


class _PlaceWithVisibility(Compound):
    def __init__(self, move: MoveKeypoint, tid: int, frame: int, joint: int, vis: int):
        super().__init__([move], label="place keypoint")
        self._vis = (tid, frame, joint, vis)

    def apply(self, project: Project):
        change = self.edits[0].apply(project)
        self.edits[1:] = [set_visibility(project, *self._vis)]
        return change.union(self.edits[1].apply(project))


def set_visibility(project: Project, tid: int, frame: int, joint: int, vis: int) -> Edit:
    return SetVisibility(project, tid, frame, joint, vis)


def delete_person(project: Project, tid: int, frame: int, scope: str) -> Edit:
    """Remove a person from this frame, from this frame on, or everywhere."""
    if scope == "frame":
        return clear_frames(project, tid, frame, frame + 1, label=f"delete {person_name(tid)} from frame {frame}")
    if scope == "forward":
        return clear_frames(project, tid, frame, project.num_frames, label=f"delete {person_name(tid)} from frame {frame} on")
    if scope == "all":
        return DeleteTrack(tid, label=f"delete {person_name(tid)}")
    raise ValueError(f"scope must be one of {DELETE_SCOPES}")


def previous_keyframe(project: Project, tid: int, frame: int) -> int | None:
    keys = project.tracks[tid].keyframes()
    keys = keys[keys < frame]
    return int(keys[-1]) if len(keys) else None


def copy_previous_pose(project: Project, frame: int, track_ids: list[int] | None = None) -> Edit:
    """Copy each person's pose from their previous keyframe (human-placed joints) to ``frame``.

    The copied joints become MANUAL with score 1; the box is copied too. ``track_ids`` None = all
    people with a keyframe before ``frame``.
    """
    ids = list(project.tracks) if track_ids is None else track_ids
    edits: list[Edit] = []
    for tid in ids:
        src = previous_keyframe(project, tid, frame)
        if src is None:
            continue
        t = project.tracks[tid]
        vis = t.vis[src : src + 1].copy()
        values = {
            "xy": t.xy[src : src + 1].copy(),
            "vis": vis,
            "score": (vis > 0).astype(np.float32),
            "source": np.where(vis > 0, np.uint8(Source.MANUAL), np.uint8(Source.NONE)).astype(np.uint8),
            "model_version": np.zeros_like(t.model_version[:1]),
            "bbox": t.bbox[src : src + 1].copy(),
        }
        edits.append(SetPoseRange(tid, frame, values, label=f"copy pose of {person_name(tid)} from frame {src}"))
    if not edits:
        raise ValueError("no person has a keyframe before this frame")
    return edits[0] if len(edits) == 1 else Compound(edits, label=f"copy previous poses to frame {frame}")


def transform_pose(project: Project, tid: int, frame: int, dx: float, dy: float, scale: float = 1.0,
                   center: tuple[float, float] | None = None, base=None) -> SetPoseRange:
    """Move (by dx, dy) and scale (about ``center``) a person's labelled joints and box on one frame.

    ``base`` (optional Track) supplies the arrays to transform (a drag passes the pre-drag copy so
    moves do not accumulate); default is the project's track.
    """
    t = base if base is not None else project.tracks[tid]
    xy = t.xy[frame].astype(np.float64)
    vis = t.vis[frame]
    bbox = t.bbox[frame].astype(np.float64)
    if center is None:
        center = tuple(np.nanmean(bbox.reshape(2, 2), 0)) if np.isfinite(bbox).all() else tuple(xy[vis > 0].mean(0))
    c = np.asarray(center, np.float64)
    off = np.array([dx, dy])
    new_xy = np.where((vis > 0)[:, None], (xy - c) * scale + c + off, xy).astype(np.float32)
    new_box = ((bbox.reshape(2, 2) - c) * scale + c + off).reshape(4).astype(np.float32)
    labelled = vis > 0
    cur_source = project.tracks[tid].source[frame]
    values = {
        "xy": new_xy[None],
        "score": np.where(labelled, 1.0, t.score[frame]).astype(np.float32)[None],
        "source": np.where(labelled, edited_sources(cur_source), cur_source).astype(np.uint8)[None],
        "bbox": new_box[None],
    }
    return SetPoseRange(tid, frame, values, label="move pose" if scale == 1.0 else "scale pose")


def add_person(project: Project, frame: int, box: tuple[float, float, float, float], prelabel: dict | None = None):
    """A new track with ``box`` (x1,y1,x2,y2 pixels) on ``frame``; ``prelabel`` (optional) gives
    detector joints ``{"xy": [K,2], "score": [K]}`` stored as DETECTED pre-labels."""
    from stdpose_core.data.edits import AddTrack

    x1, y1, x2, y2 = box
    track = project.new_track()
    track.bbox[frame] = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    if prelabel is not None:
        track.xy[frame] = np.asarray(prelabel["xy"], np.float32)
        score = np.asarray(prelabel["score"], np.float32)
        track.score[frame] = score
        track.vis[frame] = np.where(score > 0, 2, 0)
        track.source[frame] = np.where(score > 0, np.uint8(Source.DETECTED), 0)
    return AddTrack(track, label=f"add {person_name(track.track_id)}")


def swap_ids(project: Project, a: int, b: int, frame: int) -> Edit:
    if a == b or a not in project.tracks or b not in project.tracks:
        raise ValueError("choose two different people to swap")
    return SwapTracksFrom(a, b, frame, label=f"swap {person_name(a)} and {person_name(b)} from frame {frame}")


#: What merging does on frames where both people are present: refuse (say so), keep the target's
#: poses there, or take the source's.
MERGE_KEEP = ("refuse", "target", "source")


@dataclass(frozen=True)
class MergeConflict:
    """Frames where both people of a merge are present (``frames``, sorted), and how many
    human-placed joints each has there (what keeping the other one would throw away)."""

    src: int
    dst: int
    frames: np.ndarray
    human_src: int
    human_dst: int

    def __bool__(self) -> bool:
        return bool(len(self.frames))

    def describe(self) -> str:
        f = self.frames
        span = f"frame {f[0]}" if len(f) == 1 else f"{len(f)} frames ({f[0]}–{f[-1]})"
        return (f"{person_name(self.src)} and {person_name(self.dst)} are both present on {span}; "
                f"{person_name(self.src)} has {self.human_src} and {person_name(self.dst)} {self.human_dst} "
                "human-placed joints there")


def merge_conflict(project: Project, src: int, dst: int) -> MergeConflict:
    """Where merging ``src`` into ``dst`` must choose whose poses to keep."""
    a, b = project.tracks[src], project.tracks[dst]
    both = a.present() & b.present()
    return MergeConflict(src, dst, np.flatnonzero(both), int((a.human_mask()[both] & (a.vis[both] > 0)).sum()),
                         int((b.human_mask()[both] & (b.vis[both] > 0)).sum()))


class MergeConflictError(ValueError):
    """A merge would have to drop poses and the caller did not say whose to keep."""

    def __init__(self, conflict: MergeConflict):
        self.conflict = conflict
        super().__init__(f"{conflict.describe()}: choose whose poses to keep there (target or source)")


def merge_tracks(project: Project, src: int, dst: int, keep: str = "refuse") -> Edit:
    """Merge ``src`` into ``dst`` (``src`` disappears). Where both are present, ``keep`` says whose
    poses stay: ``"target"`` (dst's), ``"source"`` (src's) or ``"refuse"`` (the default): raise
    :class:`MergeConflictError` naming the frames, so nothing is thrown away silently."""
    if src == dst or src not in project.tracks or dst not in project.tracks:
        raise ValueError("choose two different people to merge")
    if keep not in MERGE_KEEP:
        raise ValueError(f"keep must be one of {', '.join(MERGE_KEEP)}, got {keep!r}")
    conflict = merge_conflict(project, src, dst)
    if conflict and keep == "refuse":
        raise MergeConflictError(conflict)
    n = len(conflict.frames)
    whose = person_name(src if keep == "source" else dst)
    how = f", keeping {whose}'s poses on {n} shared frame{'s' if n != 1 else ''}" if conflict else ""
    return MergeTracks(src, dst, label=f"merge {person_name(src)} into {person_name(dst)}{how}",
                       keep="source" if keep == "source" else "target")


def toggle_reviewed(project: Project, start: int, stop: int) -> Edit:
    """Mark frames ``[start, stop)`` reviewed, or unmark them if every person present there already is.

    Everyone is marked, present or not: for a person not there it records "checked: not here", so a
    later re-propagation does not put them on a frame the annotator checked (ADR 0015)."""
    ids = [tid for tid, t in project.tracks.items() if t.present()[start:stop].any()]
    if not ids:
        raise ValueError("nobody to review on these frames")
    done = all(project.tracks[tid].reviewed[start:stop][project.tracks[tid].present()[start:stop]].all() for tid in ids)
    return set_reviewed(project, start, stop, not done, list(project.tracks))


def mark_reviewed(project: Project, start: int, stop: int, reviewed: bool = True, track_ids: list[int] | None = None) -> Edit:
    """Mark (or unmark) frames ``[start, stop)`` reviewed for everyone (present or not, as
    :func:`toggle_reviewed`), or for ``track_ids`` only. ValueError when nobody is present there
    (or none of ``track_ids``)."""
    if not 0 <= start < stop <= project.num_frames:
        raise ValueError(f"frames {start}:{stop} outside the video (0:{project.num_frames})")
    present = [tid for tid, t in project.tracks.items() if t.present()[start:stop].any()]
    if track_ids is None:
        if not present:
            raise ValueError("nobody to review on these frames")
        return set_reviewed(project, start, stop, reviewed, list(project.tracks))
    ids = [tid for tid in track_ids if tid in present]
    if not ids:
        raise ValueError("nobody to review on these frames")
    return set_reviewed(project, start, stop, reviewed, ids)


def set_box(project: Project, tid: int, frame: int, box: tuple[float, float, float, float], label: str = "edit box") -> Edit:
    """Set a person's box on one frame (``x1, y1, x2, y2`` pixels, any corner order), joints untouched.

    The box is marked :attr:`TrackFlag.BOX_SET`, so detection and propagation keep it."""
    from stdpose_core.data.track import TrackFlag

    t = project.tracks[tid]
    x1, y1, x2, y2 = (float(v) for v in box)
    b = np.array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], np.float32)
    if not np.isfinite(b).all() or b[2] - b[0] < 1 or b[3] - b[1] < 1:
        raise ValueError("a box needs a width and a height of at least 1 pixel")
    flags = t.flags[frame : frame + 1] | np.uint8(TrackFlag.BOX_SET)
    return SetPoseRange(tid, frame, {"bbox": b[None], "flags": flags.astype(np.uint8)}, label=label)


#: Flags a person sets from the editor or ``stdpose set-flag`` (BOX_SET follows box edits).
USER_FLAGS = {"outside": "OUTSIDE", "truncated": "TRUNCATED"}


def set_flag(project: Project, tid: int, start: int, stop: int, flag: str, on: bool = True) -> Edit:
    """Set (``on``) or clear a person's ``flag`` ("outside" | "truncated") on frames ``[start, stop)``.

    Marking a person *outside* (out of view) also removes their pose and box on those frames: it says
    "not there", which propagation then respects (the gaps end there) and detection never overwrites."""
    from stdpose_core.data.track import TrackFlag

    if flag not in USER_FLAGS:
        raise ValueError(f"flag must be one of {', '.join(USER_FLAGS)}, got {flag!r}")
    if not 0 <= start < stop <= project.num_frames:
        raise ValueError(f"frames {start}:{stop} outside the video (0:{project.num_frames})")
    bit = np.uint8(TrackFlag[USER_FLAGS[flag]])
    t = project.tracks[tid]
    flags = t.flags[start:stop].copy()
    flags = (flags | bit) if on else (flags & ~bit)
    what = f"{flag} {person_name(tid)}" + (f" frame {start}" if stop - start == 1 else f" frames {start}–{stop - 1}")
    if on and flag == "outside":
        clear = clear_frames(project, tid, start, stop)
        clear.values["flags"] = flags.astype(np.uint8)
        return SetPoseRange(tid, start, clear.values, label=f"mark {what}")
    return SetPoseRange(tid, start, {"flags": flags.astype(np.uint8)}, label=("mark " if on else "unmark ") + what)


def accept_prelabels(project: Project, frame: int, track_ids: list[int] | None = None) -> Edit:
    """A person accepts the detector's pose on ``frame`` as it is: every labelled pre-label joint
    (DETECTED, APPROXIMATED) of the given people (default: everyone there) becomes CORRECTED with
    score 1, so the frame becomes a keyframe without dragging joints that were right already.
    ValueError when nobody there has a pre-label."""
    from stdpose_core.data import DETECTOR_SOURCES

    ids = list(project.tracks) if track_ids is None else track_ids
    detector = np.array(DETECTOR_SOURCES, np.uint8)
    edits: list[Edit] = []
    for tid in ids:
        t = project.tracks[tid]
        take = np.isin(t.source[frame], detector) & (t.vis[frame] > 0)
        if not take.any():
            continue
        values = {"source": np.where(take, edited_sources(t.source[frame]), t.source[frame])[None].astype(np.uint8),
                  "score": np.where(take, 1.0, t.score[frame])[None].astype(np.float32),
                  "model_version": np.where(take, 0, t.model_version[frame])[None].astype(np.int16)}
        edits.append(SetPoseRange(tid, frame, values, joint_mask=take[None], label=f"accept pre-labels of {person_name(tid)}"))
    if not edits:
        raise ValueError(f"nobody on frame {frame} has detector pre-labels to accept")
    return edits[0] if len(edits) == 1 else Compound(edits, label=f"accept pre-labels on frame {frame}")
