"""What every propagation method shares: gaps between keyframes, the Propagator interface, the registry.

A *keyframe* of a track is a frame where it has at least one human-placed joint (MANUAL or CORRECTED,
``Track.keyframes()``). A *gap* is the run of frames a method fills for one track: between two
consecutive keyframes of the track (two-sided), or beside a keyframe where the person is seen on one
side only (one-sided: filled for at most ``max_extrapolate`` frames, flagged low-confidence).

A person is known to be *absent* on a frame when that frame is a project keyframe (some person has
human joints there) that is marked ``Project.labeled`` (any project keyframe when no frame is marked
labeled) and the track has no human joint there, or when a person flagged the track OUTSIDE there. (A GUI that lets people label one person at a time
should mark a frame labeled when all its people are done.) Such a frame splits the track's gap in two one-sided
gaps: a person who leaves and re-enters gets a hole, not invented poses.

Methods are generators: ``run`` yields :class:`~stdpose_core.progress.Progress` and returns one
:class:`~stdpose_core.data.edits.Compound` of :class:`SetPoseRange` edits (one undo step). Nothing is
mutated until the caller applies that edit; stopping iteration cancels the job.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Generator, Iterable

import numpy as np

from stdpose_core.data.edits import Compound, Edit, SetPoseRange
from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track, TrackFlag
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress, relay

#: Frames a one-sided gap is extrapolated beyond its keyframe.
MAX_EXTRAPOLATE = 3
#: Highest score an extrapolated joint gets (review queues surface it).
EXTRAPOLATED_SCORE = 0.25


@dataclass(frozen=True)
class Gap:
    """Frames ``[start, stop)`` of track ``track_id`` that a method owns.

    ``left`` is the keyframe just before (``start - 1``) or None; ``right`` the keyframe at ``stop``
    or None. At least one of them is set. Frames farther than ``max_extrapolate`` from the only
    anchor of a one-sided gap are not filled (old machine values there are cleared).
    """

    track_id: int
    start: int
    stop: int
    left: int | None
    right: int | None
    max_extrapolate: int = MAX_EXTRAPOLATE

    @property
    def two_sided(self) -> bool:
        return self.left is not None and self.right is not None

    @property
    def length(self) -> int:
        return self.stop - self.start

    @property
    def anchors(self) -> tuple[int | None, int | None]:
        return self.left, self.right

    def fill_mask(self) -> np.ndarray:
        """``[length]`` bool: frames of the gap a method fills."""
        frames = np.arange(self.start, self.stop)
        if self.two_sided:
            return np.ones(self.length, bool)
        if self.left is not None:
            return frames - self.left <= self.max_extrapolate
        return self.right - frames <= self.max_extrapolate

    def relative_time(self) -> np.ndarray:
        """``[length]`` float in (0, 1): position between left (0) and right (1) keyframe.

        One-sided gaps: 0 on the left side, 1 on the right side (the anchor's side).
        """
        frames = np.arange(self.start, self.stop, dtype=np.float64)
        if self.two_sided:
            return (frames - self.left) / (self.right - self.left)
        return np.zeros(self.length) if self.left is not None else np.ones(self.length)


@dataclass
class GapResult:
    """A method's values for the frames of one gap (``n = gap.length``).

    ``xy[n,K,2]`` float32 pixels, ``vis[n,K]`` int8, ``score[n,K]`` float32 in [0, 1], ``filled[n,K]``
    bool (joints to write; others are left alone or cleared when machine-filled), ``bbox[n,4]`` and
    ``head_bbox[n,4]`` float32 (NaN = none). ``model_version[n,K]`` int16, when set, overrides the
    method's model-version code per joint (a method that mixes a model with flow, ``auto``).
    """

    xy: np.ndarray
    vis: np.ndarray
    score: np.ndarray
    filled: np.ndarray
    bbox: np.ndarray
    head_bbox: np.ndarray
    model_version: np.ndarray | None = None

    @classmethod
    def empty(cls, n: int, k: int) -> "GapResult":
        return cls(
            np.zeros((n, k, 2), np.float32), np.zeros((n, k), np.int8), np.zeros((n, k), np.float32),
            np.zeros((n, k), bool), np.full((n, 4), np.nan, np.float32), np.full((n, 4), np.nan, np.float32),
        )


def absent_frames(project: Project, track: Track) -> np.ndarray:
    """Sorted frames where ``track`` is known to be absent (see module docstring), and frames a person
    flagged the track OUTSIDE (out of view)."""
    keys = project.keyframes()
    if project.labeled is not None and project.labeled.any():
        keys = keys[project.labeled[keys]]
    own = track.human_mask().any(axis=1)
    return np.union1d(keys[~own[keys]], np.flatnonzero(track.has_flag(TrackFlag.OUTSIDE)))


def track_gaps(project: Project, track: Track, max_extrapolate: int = MAX_EXTRAPOLATE) -> list[Gap]:
    """All gaps of one track in frame order."""
    keys = track.keyframes()
    if len(keys) == 0:
        return []
    absent = absent_frames(project, track)
    tid, F = track.track_id, project.num_frames
    gaps: list[Gap] = []

    def add(start: int, stop: int, left: int | None, right: int | None) -> None:
        if stop > start:
            gaps.append(Gap(tid, start, stop, left, right, max_extrapolate))

    before = absent[absent < keys[0]]
    add(int(before[-1]) + 1 if len(before) else 0, int(keys[0]), None, int(keys[0]))
    for k1, k2 in zip(keys[:-1], keys[1:]):
        k1, k2 = int(k1), int(k2)
        inside = absent[(absent > k1) & (absent < k2)]
        if len(inside) == 0:
            add(k1 + 1, k2, k1, k2)
        else:
            add(k1 + 1, int(inside[0]), k1, None)
            add(int(inside[-1]) + 1, k2, None, k2)
    after = absent[absent > keys[-1]]
    add(int(keys[-1]) + 1, int(after[0]) if len(after) else F, int(keys[-1]), None)
    return gaps


def find_gaps(
    project: Project,
    track_ids: Iterable[int] | None = None,
    frames: tuple[int, int] | None = None,
    max_extrapolate: int = MAX_EXTRAPOLATE,
) -> list[Gap]:
    """Gaps of the given tracks (default all) that overlap frames ``[start, stop)`` (default all)."""
    ids = sorted(project.tracks) if track_ids is None else list(track_ids)
    f0, f1 = frames if frames is not None else (0, project.num_frames)
    out = []
    for tid in ids:
        for g in track_gaps(project, project.tracks[tid], max_extrapolate):
            if g.start < f1 and g.stop > f0:
                out.append(g)
    return out


def gaps_around(project: Project, track_id: int, frame: int, max_extrapolate: int = MAX_EXTRAPOLATE) -> list[Gap]:
    """The gaps touching ``frame`` of one track: the two next to a keyframe, or the one containing it.

    After a keyframe is added, corrected or removed, re-propagating these (and only these) brings
    the track up to date.
    """
    return [g for g in track_gaps(project, project.tracks[track_id], max_extrapolate) if g.start - 1 <= frame <= g.stop]


def frames_around(project: Project, track_id: int, frame: int) -> tuple[int, int]:
    """``(start, stop)`` spanning :func:`gaps_around`; ``(frame, frame)`` when there is none.

    Pass it as ``frames=`` to :meth:`Propagator.run` with ``track_ids=[track_id]``.
    """
    gaps = gaps_around(project, track_id, frame)
    if not gaps:
        return frame, frame
    return min(g.start for g in gaps), max(g.stop for g in gaps)


def group_gaps(gaps: list[Gap]) -> list[list[Gap]]:
    """Gaps sharing the same anchors and frames (usually all people between two keyframes), in frame order.

    A method reads the frames of a group once for all its people.
    """
    groups: dict[tuple, list[Gap]] = defaultdict(list)
    for g in gaps:
        groups[(g.left, g.right, g.start, g.stop)].append(g)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[2], k[3]))]


def gap_edit(project: Project, gap: Gap, result: GapResult, source: Source, model_version: int = 0,
             frames: tuple[int, int] | None = None) -> SetPoseRange | None:
    """The edit writing ``result`` over ``gap`` (restricted to ``frames``), or None if nothing changes.

    Human joints and frames a person marked reviewed for this track are never written. Frames the
    method does not fill lose stale PROPAGATED/INTERPOLATED joints (and then their box, if no joint is left).
    """
    track = project.tracks[gap.track_id]
    f0, f1 = frames if frames is not None else (0, project.num_frames)
    a, b = max(gap.start, f0), min(gap.stop, f1)
    if b <= a:
        return None
    sl, rs = slice(a, b), slice(a - gap.start, b - gap.start)
    human = track.human_mask(sl) | track.reviewed[sl, None]
    filled = result.filled[rs] & ~human
    old = track.source[sl]
    stale = ((old == Source.PROPAGATED) | (old == Source.INTERPOLATED)) & ~filled & ~human
    write = filled | stale
    if not write.any():
        return None
    n, k = write.shape
    code = np.where(filled, np.uint8(source), np.uint8(Source.NONE)).astype(np.uint8)
    values = {
        "xy": np.where(filled[..., None], result.xy[rs], 0).astype(np.float32),
        "vis": np.where(filled, result.vis[rs], 0).astype(np.int8),
        "score": np.where(filled, np.clip(result.score[rs], 0, 1), 0).astype(np.float32),
        "source": code,
        "model_version": np.where(filled, model_version if result.model_version is None else result.model_version[rs],
                                  0).astype(np.int16),
    }
    final_vis = np.where(write, values["vis"], track.vis[sl])
    any_filled = filled.any(axis=1)
    emptied = stale.any(axis=1) & ~(final_vis > 0).any(axis=1)
    frame_mask = (any_filled | emptied) & ~track.has_flag(TrackFlag.BOX_SET)[sl]  # a box a person set stays
    if frame_mask.any():
        values["bbox"] = np.where(any_filled[:, None], result.bbox[rs], np.nan).astype(np.float32)
        values["head_bbox"] = np.where(any_filled[:, None], result.head_bbox[rs], np.nan).astype(np.float32)
    return SetPoseRange(gap.track_id, a, values, joint_mask=write, frame_mask=frame_mask, label="propagate")


def require_keyframes(project: Project) -> None:
    """StdposeError unless the project has a keyframe (a human-placed joint): nothing to propagate from."""
    if len(project.keyframes()) == 0:
        raise StdposeError("the project has no keyframe: label some poses first (manual or corrected joints)")


class Propagator(ABC):
    """A propagation method. Subclasses implement :meth:`fill_group`; one that gains from filling
    several groups at once also :meth:`batches` and :meth:`fill_batch`.

    ``source_code`` is the :class:`Source` written on filled joints; ``needs_frames`` says whether
    the method reads images (its ``source`` must then hold every frame); ``frame_pixels`` what it
    needs of them: ``"rgb"``, or ``"gray"`` when it reads only gray (a job may then open its video
    with ``open_source(path, pixels="gray")``, which skips making RGB frames; RGB sources still work).
    """

    name: str = "base"
    source_code: Source = Source.PROPAGATED
    needs_frames: bool = True
    frame_pixels: str = "rgb"

    def model_version(self, project: Project) -> int:
        """Code stored in ``Track.model_version`` for joints this method fills (0 = none)."""
        return 0

    def release(self) -> None:
        """Drop per-run caches (frames); called when a run finishes."""

    def extra_edits(self, project: Project) -> list[Edit]:
        """Edits applied before the pose edits (e.g. registering the model version); default none."""
        return []

    def batches(self, groups: list[list[Gap]], source) -> list[list[list[Gap]]]:
        """``groups`` (frame order) cut into runs that :meth:`fill_batch` fills at once; default one
        group per batch."""
        return [[g] for g in groups]

    def fill_batch(self, project: Project, source, batch: list[list[Gap]]) -> Generator[int, None, list[list[GapResult]]]:
        """Fill several groups (one of :meth:`batches`); yields frames done of all of them and returns
        :meth:`fill_group`'s result per group. Default: one group after the other."""
        out, done = [], 0
        for gaps in batch:
            out.append((yield from relay(self.fill_group(project, source, gaps), lambda step, d=done: d + step)))
            done += gaps[0].length
        return out

    @abstractmethod
    def fill_group(self, project: Project, frames, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        """Fill gaps that share anchors and frames. Yields the number of frames done so far (of
        ``gaps[0].length``) and returns one :class:`GapResult` per gap. ``frames`` is the frame source
        (``len``, ``frame(i)`` RGB ``(H,W,3)`` uint8); methods that ignore images accept None."""

    def run(
        self,
        project: Project,
        source=None,
        track_ids: Iterable[int] | None = None,
        frames: tuple[int, int] | None = None,
    ) -> Job[Edit]:
        """Propagate keyframes into every gap of ``track_ids`` (default all) overlapping ``frames``.

        Yields Progress (done/total in frames of gaps) and returns one Compound edit.
        Raises StdposeError when the project has no keyframe.
        """
        require_keyframes(project)
        if frames is not None and not 0 <= frames[0] <= frames[1] <= project.num_frames:
            raise StdposeError(f"frames {frames} outside the video (0..{project.num_frames})")
        groups = group_gaps(find_gaps(project, track_ids, frames))
        total = sum(g[0].length for g in groups)
        done = 0
        edits: list[Edit] = []
        code = self.model_version(project) if groups else 0
        yield Progress(0, total, self.name)
        for batch in self.batches(groups, source):
            filled = yield from relay(self.fill_batch(project, source, batch),
                                      lambda step, d=done: Progress(d + step, total, self.name))
            for group, results in zip(batch, filled):
                done += group[0].length
                for gap, res in zip(group, results):
                    e = gap_edit(project, gap, res, self.source_code, code, frames)
                    if e is not None:
                        edits.append(e)
            yield Progress(done, total, self.name)
        self.release()
        if edits:
            edits = self.extra_edits(project) + edits
        return Compound(edits, label=f"propagate ({self.name})")


#: Methods by name; ``get_propagator`` builds one.
REGISTRY: dict[str, Callable[..., Propagator]] = {}


def register(name: str):
    """Class decorator adding a method to :data:`REGISTRY`."""

    def deco(cls):
        cls.name = name
        REGISTRY[name] = cls
        return cls

    return deco


def _factory(name: str) -> Callable[..., Propagator]:
    import stdpose_core.propagation  # noqa: F401  (registers the methods)

    try:
        return REGISTRY[name]
    except KeyError:
        raise StdposeError(f"unknown propagation method {name!r}; choose one of {sorted(REGISTRY)}") from None


def accepted_options(factory: Callable[..., Propagator]) -> frozenset[str]:
    """The keyword options ``factory`` takes: its ``options`` attribute, else its signature's named parameters."""
    declared = getattr(factory, "options", None)
    if declared is not None:
        return frozenset(declared)
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in inspect.signature(factory).parameters.values() if p.kind in kinds)


def method_options(name: str) -> frozenset[str]:
    """The options method ``name`` takes (e.g. ``weights``, ``device`` for stdpose; none for interp)."""
    return accepted_options(_factory(name))


def get_propagator(name: str = "auto", **opts) -> Propagator:
    """Build method ``name`` (auto, interp, flow, stdpose) with keyword options.

    An option the method does not take is an error (StdposeError naming the options it takes), so a
    misspelt ``wieghts=`` never passes silently. Options given as None count as not given.
    """
    factory = _factory(name)
    opts = {k: v for k, v in opts.items() if v is not None}
    unknown = sorted(set(opts) - accepted_options(factory))
    if unknown:
        takes = ", ".join(sorted(accepted_options(factory))) or "none"
        raise StdposeError(f"propagation method {name!r} has no option {', '.join(map(repr, unknown))} (its options: {takes})")
    return factory(**opts)


def options_for(methods: Iterable[str], opts: dict) -> dict[str, dict]:
    """Per method, the options of ``opts`` (None values dropped) that it takes: shared options such as
    ``weights`` go to the methods that use them. An option no method of ``methods`` takes is an error."""
    methods = list(methods)
    given = {k: v for k, v in opts.items() if v is not None}
    taken = {m: method_options(m) for m in methods}
    unused = sorted(k for k in given if not any(k in t for t in taken.values()))
    if unused:
        raise StdposeError(f"option {', '.join(map(repr, unused))} is not used by method(s) {', '.join(methods)}")
    return {m: {k: v for k, v in given.items() if k in taken[m]} for m in methods}


def available_methods() -> list[str]:
    """The method names a user can choose, sorted ('auto' first)."""
    import stdpose_core.propagation  # noqa: F401

    return sorted(REGISTRY)
