"""Small invertible edits of a Project.

``edit.apply(project)`` and ``edit.revert(project)`` each mutate the project in place and return a
:class:`Change` (which tracks and which frames changed) so the store writes and the views repaint
only that. ``apply`` records what it overwrites, so ``apply`` then ``revert`` restores every array
exactly. An edit is applied at most once before it is reverted (the undo stack guarantees this).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import MACHINE_SOURCES, Source
from stdpose_core.data.track import FRAME_FIELDS, Track


@dataclass(frozen=True)
class Change:
    """What an edit touched: ``tracks`` over frames ``[start, stop)``.

    ``structure`` is True when tracks were added or removed; ``frame_info`` when per-frame project
    data (labeled flags, ignore regions) changed.
    """

    tracks: frozenset[int]
    start: int
    stop: int
    structure: bool = False
    frame_info: bool = False

    def union(self, other: "Change") -> "Change":
        if not self.tracks and not self.frame_info and not self.structure:
            return other
        if not other.tracks and not other.frame_info and not other.structure:
            return self
        return Change(
            self.tracks | other.tracks,
            min(self.start, other.start),
            max(self.stop, other.stop),
            self.structure or other.structure,
            self.frame_info or other.frame_info,
        )


NO_CHANGE = Change(frozenset(), 0, 0)


class Edit(ABC):
    """Base class of all edits; ``label`` is what the undo history shows."""

    label: str = "edit"

    @abstractmethod
    def apply(self, project: Project) -> Change: ...

    @abstractmethod
    def revert(self, project: Project) -> Change: ...


def _track(project: Project, track_id: int) -> Track:
    try:
        return project.tracks[track_id]
    except KeyError:
        raise KeyError(f"no track {track_id} in the project") from None


def edited_sources(old: np.ndarray) -> np.ndarray:
    """Sources after a person edits joints whose sources were ``old`` (any shape, uint8).

    A machine value (propagated, interpolated, detected) a person touches becomes CORRECTED, and stays
    CORRECTED when touched again; anything else becomes MANUAL. The distinction feeds review and
    retraining statistics.
    """
    old = np.asarray(old, np.uint8)
    corrected = np.isin(old, np.array(MACHINE_SOURCES + (Source.CORRECTED,), np.uint8))
    return np.where(corrected, np.uint8(Source.CORRECTED), np.uint8(Source.MANUAL)).astype(np.uint8)


def _edited_source(old: int) -> int:
    return int(edited_sources(np.array([old]))[0])


@dataclass
class SetPoseRange(Edit):
    """Write per-frame values of one track over frames ``[start, start + n)``.

    ``values`` maps a field name of :data:`FRAME_FIELDS` to an array of n frames. ``joint_mask[n,K]``
    (optional) limits per-joint fields to the True joints; frame-level fields (bbox, head_bbox,
    reviewed) are written where ``frame_mask[n]`` (optional) is True. Used by propagation, import,
    detection and deletions (write 'empty' values).
    """

    track_id: int
    start: int
    values: dict[str, np.ndarray]
    joint_mask: np.ndarray | None = None
    frame_mask: np.ndarray | None = None
    label: str = "set poses"
    _before: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.values) - set(FRAME_FIELDS)
        if unknown:
            raise ValueError(f"unknown track fields {sorted(unknown)}")
        lengths = {len(v) for v in self.values.values()}
        if len(lengths) != 1:
            raise ValueError("all value arrays must cover the same number of frames")

    @property
    def stop(self) -> int:
        return self.start + len(next(iter(self.values.values())))

    def apply(self, project: Project) -> Change:
        track = _track(project, self.track_id)
        sl = slice(self.start, self.stop)
        self._before = {}
        for name, new in self.values.items():
            cur = getattr(track, name)[sl]
            self._before[name] = cur.copy()
            per_joint = FRAME_FIELDS[name][1] in ("K", "K2")
            mask = self.joint_mask if per_joint else self.frame_mask
            if mask is None:
                cur[...] = new
            else:
                m = mask if mask.ndim == cur.ndim else mask.reshape(mask.shape + (1,) * (cur.ndim - mask.ndim))
                np.copyto(cur, np.asarray(new, cur.dtype), where=np.broadcast_to(m, cur.shape))
        return Change(frozenset({self.track_id}), self.start, self.stop)

    def revert(self, project: Project) -> Change:
        track = _track(project, self.track_id)
        sl = slice(self.start, self.stop)
        for name, old in self._before.items():
            getattr(track, name)[sl] = old
        return Change(frozenset({self.track_id}), self.start, self.stop)


def _single_joint_edit(project: Project, track_id: int, frame: int, updates: dict[str, object], joint: int, label: str) -> SetPoseRange:
    track = _track(project, track_id)
    mask = np.zeros((1, track.num_joints), bool)
    mask[0, joint] = True
    values = {}
    for name, value in updates.items():
        arr = getattr(track, name)[frame : frame + 1].copy()
        arr[0, joint] = value
        values[name] = arr
    return SetPoseRange(track_id, frame, values, joint_mask=mask, label=label)


class MoveKeypoint(SetPoseRange):
    """A person places or drags joint ``joint`` of a track on one frame to ``xy`` (pixels).

    The joint becomes visible if it was not labelled, gets score 1 and source MANUAL (or CORRECTED
    when a machine had put it there).
    """

    def __init__(self, project: Project, track_id: int, frame: int, joint: int, xy: tuple[float, float]):
        track = _track(project, track_id)
        old_vis = int(track.vis[frame, joint])
        updates = {
            "xy": np.asarray(xy, np.float32),
            "vis": old_vis if old_vis > 0 else 2,
            "score": 1.0,
            "source": _edited_source(int(track.source[frame, joint])),
            "model_version": 0,
        }
        base = _single_joint_edit(project, track_id, frame, updates, joint, "move keypoint")
        super().__init__(base.track_id, base.start, base.values, base.joint_mask, label="move keypoint")


class SetVisibility(SetPoseRange):
    """A person sets joint visibility (0 not labelled, 1 occluded, 2 visible) on one frame."""

    def __init__(self, project: Project, track_id: int, frame: int, joint: int, vis: int):
        if vis not in (0, 1, 2):
            raise ValueError(f"visibility must be 0, 1 or 2, got {vis}")
        track = _track(project, track_id)
        updates = {"vis": vis, "source": _edited_source(int(track.source[frame, joint])), "score": 1.0}
        base = _single_joint_edit(project, track_id, frame, updates, joint, "set visibility")
        super().__init__(base.track_id, base.start, base.values, base.joint_mask, label="set visibility")


@dataclass
class Compound(Edit):
    """Several edits as one undo step (applied in order, reverted in reverse order)."""

    edits: list[Edit]
    label: str = "edits"

    def apply(self, project: Project) -> Change:
        change = NO_CHANGE
        for e in self.edits:
            change = change.union(e.apply(project))
        return change

    def revert(self, project: Project) -> Change:
        change = NO_CHANGE
        for e in reversed(self.edits):
            change = change.union(e.revert(project))
        return change


def leaves(edit: Edit) -> list[Edit]:
    """The non-compound edits inside ``edit``, in order."""
    if isinstance(edit, Compound):
        return [leaf for e in edit.edits for leaf in leaves(e)]
    return [edit]


def edit_is_empty(edit: Edit | None) -> bool:
    """True for None and for a Compound without any leaf edit (it would change nothing)."""
    return edit is None or (isinstance(edit, Compound) and not leaves(edit))


@dataclass
class AddTrack(Edit):
    """Add a new person (its arrays are taken as they are)."""

    track: Track
    label: str = "add person"

    def apply(self, project: Project) -> Change:
        if self.track.track_id in project.tracks:
            raise ValueError(f"track {self.track.track_id} already exists")
        if self.track.vis.shape != (project.num_frames, project.num_joints):
            raise ValueError("track arrays do not match the project's frames and joints")
        project.tracks[self.track.track_id] = self.track
        return Change(frozenset({self.track.track_id}), 0, project.num_frames, structure=True)

    def revert(self, project: Project) -> Change:
        del project.tracks[self.track.track_id]
        return Change(frozenset({self.track.track_id}), 0, project.num_frames, structure=True)


@dataclass
class DeleteTrack(Edit):
    """Remove a person everywhere."""

    track_id: int
    label: str = "delete person"
    _removed: Track | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Change:
        self._removed = project.tracks.pop(self.track_id)
        return Change(frozenset({self.track_id}), 0, project.num_frames, structure=True)

    def revert(self, project: Project) -> Change:
        project.tracks[self.track_id] = self._removed
        project.tracks = dict(sorted(project.tracks.items()))
        return Change(frozenset({self.track_id}), 0, project.num_frames, structure=True)


def clear_frames(project: Project, track_id: int, start: int, stop: int, label: str = "delete person from frames") -> SetPoseRange:
    """Edit that removes a person from frames ``[start, stop)`` (everything becomes 'nothing there')."""
    from stdpose_core.data.track import empty_field

    n = stop - start
    values = {name: empty_field(name, n, project.num_joints) for name in FRAME_FIELDS}
    return SetPoseRange(track_id, start, values, label=label)


@dataclass
class SwapTracksFrom(Edit):
    """Swap everything of tracks ``a`` and ``b`` from ``frame`` onward (fixes an identity switch)."""

    a: int
    b: int
    frame: int
    label: str = "swap ids"

    def _swap(self, project: Project) -> Change:
        ta, tb = _track(project, self.a), _track(project, self.b)
        for name in FRAME_FIELDS:
            xa, xb = getattr(ta, name), getattr(tb, name)
            tmp = xa[self.frame :].copy()
            xa[self.frame :] = xb[self.frame :]
            xb[self.frame :] = tmp
        return Change(frozenset({self.a, self.b}), self.frame, project.num_frames)

    apply = _swap
    revert = _swap


@dataclass
class MergeTracks(Edit):
    """Move track ``src`` into track ``dst`` and delete ``src``.

    On frames where only ``src`` is present its values move over; on frames where both are present
    (conflicts) ``keep`` decides: ``"target"`` keeps ``dst``'s, ``"source"`` takes ``src``'s.
    """

    src: int
    dst: int
    label: str = "merge tracks"
    keep: str = "target"
    _before: tuple[Track, Track] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.keep not in ("target", "source"):
            raise ValueError(f"keep must be 'target' or 'source', got {self.keep!r}")

    def apply(self, project: Project) -> Change:
        src, dst = _track(project, self.src), _track(project, self.dst)
        self._before = (src.copy(), dst.copy())
        take = src.present() & (~dst.present() if self.keep == "target" else True)
        for name in FRAME_FIELDS:
            getattr(dst, name)[take] = getattr(src, name)[take]
        del project.tracks[self.src]
        return Change(frozenset({self.src, self.dst}), 0, project.num_frames, structure=True)

    def revert(self, project: Project) -> Change:
        src, dst = self._before
        project.tracks[self.src] = src.copy()
        project.tracks[self.dst] = dst.copy()
        project.tracks = dict(sorted(project.tracks.items()))
        return Change(frozenset({self.src, self.dst}), 0, project.num_frames, structure=True)


def set_reviewed(project: Project, frame_start: int, frame_stop: int, reviewed: bool = True, track_ids: list[int] | None = None) -> Compound:
    """Edit that marks tracks (default: all present) as reviewed on frames ``[start, stop)``."""
    ids = list(project.tracks) if track_ids is None else track_ids
    n = frame_stop - frame_start
    edits: list[Edit] = [
        SetPoseRange(tid, frame_start, {"reviewed": np.full(n, reviewed)}, label="mark reviewed") for tid in ids
    ]
    return Compound(edits, label="mark reviewed" if reviewed else "unmark reviewed")


@dataclass
class SetFrameInfo(Edit):
    """Set per-frame project data: ``labeled`` flags from ``start`` and ignore-region polygons."""

    start: int
    labeled: np.ndarray | None = None
    ignore_regions: dict[int, list[np.ndarray]] | None = None
    label: str = "set frame info"
    _before: tuple | None = field(default=None, repr=False)

    def _range(self) -> tuple[int, int]:
        frames = [self.start] + list((self.ignore_regions or {}).keys())
        stop = self.start + (0 if self.labeled is None else len(self.labeled))
        return min(frames), max([stop] + [f + 1 for f in frames])

    def apply(self, project: Project) -> Change:
        old_labeled = project.labeled.copy()
        old_regions = {f: list(project.ignore_regions.get(f, [])) for f in (self.ignore_regions or {})}
        self._before = (old_labeled, old_regions)
        if self.labeled is not None:
            project.labeled[self.start : self.start + len(self.labeled)] = self.labeled
        for f, polys in (self.ignore_regions or {}).items():
            if polys:
                project.ignore_regions[f] = [np.asarray(p, np.float32) for p in polys]
            else:
                project.ignore_regions.pop(f, None)
        a, b = self._range()
        return Change(frozenset(), a, b, frame_info=True)

    def revert(self, project: Project) -> Change:
        old_labeled, old_regions = self._before
        project.labeled[:] = old_labeled
        for f, polys in old_regions.items():
            if polys:
                project.ignore_regions[f] = polys
            else:
                project.ignore_regions.pop(f, None)
        a, b = self._range()
        return Change(frozenset(), a, b, frame_info=True)


@dataclass
class SetMeta(Edit):
    """Set ``project.meta[key]`` (None removes it), e.g. what an import carries from its file."""

    key: str
    value: object
    label: str = "set project metadata"
    _before: tuple | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Change:
        self._before = (self.key in project.meta, project.meta.get(self.key))
        if self.value is None:
            project.meta.pop(self.key, None)
        else:
            project.meta[self.key] = self.value
        return Change(frozenset(), 0, 0, structure=True)  # structure: the store rewrites project metadata

    def revert(self, project: Project) -> Change:
        had, old = self._before
        if had:
            project.meta[self.key] = old
        else:
            project.meta.pop(self.key, None)
        return Change(frozenset(), 0, 0, structure=True)
