"""``detect_job``: find people on a frame range, give them stable ids and pose pre-labels.

The job reads the project but never changes it: it returns one :class:`Compound` edit (new people as
``AddTrack``, existing people as ``SetPoseRange``, plus :class:`SetDetectionInfo`) that the caller
applies, so a whole run is one undo step and cancelling (stop iterating) leaves no trace.

What is written, per person and detected frame:
  - ``bbox``: the detected box, unless the person has human-placed joints on that frame and already
    has a box there, or a person set the box (``TrackFlag.BOX_SET``): a person's box wins;
  - joints (pose detectors only, on frames without any human-placed joint of that person, and only
    over empty or earlier detector joints): see :mod:`stdpose_core.detection.prelabel`; source
    DETECTED (APPROXIMATED for derived joints), ``model_version`` = the detector's name.
Nothing is written on frames where a person flagged the person OUTSIDE (out of view).
With ``redo``, frames detected before are detected again; a person found there before but not now
loses their DETECTED joints and box on that frame (unless it has human-placed joints there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from stdpose_core.data.edits import AddTrack, Compound, Edit, SetPoseRange
from stdpose_core.data.project import Project
from stdpose_core.data.source import DETECTOR_SOURCES
from stdpose_core.data.track import Track, TrackFlag, empty_field
from stdpose_core.detection.base import Detections, PersonDetector
from stdpose_core.detection.detected import SetDetectionInfo, detected_mask
from stdpose_core.detection.identity_tracking import Tracker, TrackerConfig
from stdpose_core.detection.prelabel import (
    DEFAULT_KEYPOINT_THRESHOLD,
    WRITABLE_SOURCES,
    anchors_at,
    coco_to_project_pose,
    last_box_before,
)
from stdpose_core.errors import InputError
from stdpose_core.progress import Job, Progress

_POSE_FIELDS = ("xy", "vis", "score", "source", "model_version")
_DETECTOR = np.array(DETECTOR_SOURCES, np.uint8)


class FrameSourceLike(Protocol):
    """What the job needs from ``stdpose_core.video.FrameSource``."""

    def __len__(self) -> int: ...

    def frame(self, index: int) -> np.ndarray: ...


@dataclass(frozen=True)
class DetectConfig:
    """Options of a detection run.

    ``batch_size``: frames per detector call; ``keypoint_threshold``: see ``prelabel``;
    a *new* person seen on fewer than ``min_track_frames`` frames is dropped unless one of its
    detections scores ≥ ``confident_score`` (filters one-frame false alarms, keeps real people at the
    edge of a short range).
    """

    batch_size: int = 4
    keypoint_threshold: float = DEFAULT_KEYPOINT_THRESHOLD
    min_track_frames: int = 3
    confident_score: float = 0.5
    tracker: TrackerConfig = field(default_factory=TrackerConfig)


@dataclass
class DetectResult:
    """Per person id: ``frames`` → ``(box[4], score, keypoints[17,2] | None, keypoint_scores[17] | None)``."""

    people: dict[int, dict[int, tuple]] = field(default_factory=dict)

    def add(self, frame: int, ids: np.ndarray, dets: Detections) -> None:
        for j, tid in enumerate(ids):
            kp = None if dets.keypoints is None else dets.keypoints[j]
            ks = None if dets.keypoint_scores is None else dets.keypoint_scores[j]
            self.people.setdefault(int(tid), {})[frame] = (dets.boxes[j], float(dets.scores[j]), kp, ks)

    def merge_aliases(self, aliases: dict[int, int], project: Project) -> None:
        """Give a made-up id's boxes to the project person it turned out to be, on the frames where
        that person has nothing (no box or joints in the project, no detection in this run)."""
        for made_up, pid in aliases.items():
            seen = self.people.get(made_up)
            if not seen:
                continue
            target = self.people.setdefault(pid, {})
            present = project.tracks[pid].present() if pid in project.tracks else None
            for f in sorted(seen):
                if f not in target and (present is None or not present[f]):
                    target[f] = seen.pop(f)
            if not seen:
                del self.people[made_up]


def frames_to_detect(project: Project, start: int, stop: int, redo: bool) -> np.ndarray:
    """Frame indices in ``[start, stop)`` that a run will process (already detected ones skipped unless ``redo``)."""
    frames = np.arange(start, stop)
    return frames if redo else frames[~detected_mask(project)[start:stop]]


def _seed(tracker: Tracker, project: Project, frame: int, max_back: int) -> None:
    """Continue the project's people seen shortly before ``frame`` (a resumed or partial run)."""
    for tid in project.tracks:
        last = last_box_before(project, tid, frame, max_back)
        if last is not None:
            tracker.seed(tid, last[0], last[1])


def run_detection(
    project: Project, source: FrameSourceLike, detector: PersonDetector, frames: np.ndarray, config: DetectConfig
) -> Job[DetectResult]:
    """Detect and track on ``frames`` (sorted); yields Progress, returns a :class:`DetectResult`."""
    tracker = Tracker(config.tracker, reserved_ids=list(project.tracks))
    result = DetectResult()
    processed = set()
    total = len(frames)
    for i in range(0, total, config.batch_size):
        batch = [int(f) for f in frames[i : i + config.batch_size]]
        dets = detector.detect([source.frame(f) for f in batch])
        for f, d in zip(batch, dets):
            if f - 1 not in processed:
                _seed(tracker, project, f, config.tracker.max_lost)
            ids = tracker.update(f, d, anchors_at(project, f))
            result.add(f, ids, d)
            processed.add(f)
        yield Progress(min(i + config.batch_size, total), total, f"frame {batch[-1]}: {len(dets[-1])} people")
    result.merge_aliases(tracker.aliases, project)
    return result


def _drop_false_alarms(result: DetectResult, project: Project, config: DetectConfig) -> None:
    for tid in [t for t in result.people if t not in project.tracks]:
        seen = result.people[tid]
        if len(seen) < config.min_track_frames and max(v[1] for v in seen.values()) < config.confident_score:
            del result.people[tid]


def _renumber_new(result: DetectResult, project: Project) -> None:
    """New people get consecutive ids after the project's, in order of first appearance."""
    new = sorted((min(v), t) for t, v in result.people.items() if t not in project.tracks)
    first = project.next_track_id()
    result.people = {
        **{t: v for t, v in result.people.items() if t in project.tracks},
        **{first + k: result.people[t] for k, (_, t) in enumerate(new)},
    }


def _track_edit(
    project: Project, tid: int, seen: dict[int, tuple], clear: np.ndarray, version_code: int, config: DetectConfig
) -> Edit | None:
    """The edit writing person ``tid``'s detections (``seen``) and clearing ``clear[F]`` frames."""
    existing = project.tracks.get(tid)
    track = existing if existing is not None else Track.empty(tid, project.num_frames, project.num_joints)
    frames = sorted(set(seen) | set(np.flatnonzero(clear).tolist()))
    if not frames:
        return None
    a, b = frames[0], frames[-1] + 1
    values = {n: getattr(track, n)[a:b].copy() for n in ("bbox",) + _POSE_FIELDS}
    outside = track.has_flag(TrackFlag.OUTSIDE)[a:b]  # a person said: not in view here
    box_set = track.has_flag(TrackFlag.BOX_SET)[a:b]
    human_frame = track.human_mask()[a:b].any(axis=1) | outside
    jmask = np.isin(track.source[a:b], np.array(WRITABLE_SOURCES, np.uint8)) & ~human_frame[:, None]
    fmask = np.zeros(b - a, bool)
    write_joints = np.zeros(b - a, bool)
    for f in frames:
        r = f - a
        if f in seen:
            box, _, kp, ks = seen[f]
            if outside[r]:
                continue
            if not box_set[r] and (not human_frame[r] or not np.isfinite(values["bbox"][r]).all()):
                values["bbox"][r], fmask[r] = box, True
            if kp is not None:
                xy, vis, score, source = coco_to_project_pose(kp[None], ks[None], project.skeleton, config.keypoint_threshold)
                values["xy"][r], values["vis"][r], values["score"][r] = xy[0], vis[0], score[0]
                values["source"][r] = source[0]
                values["model_version"][r] = np.where(vis[0] > 0, version_code, 0)
                write_joints[r] = True
        elif not human_frame[r] and not box_set[r]:  # redo: found before, not now
            values["bbox"][r], fmask[r] = np.nan, True
            stale = np.isin(values["source"][r], _DETECTOR)
            for n in _POSE_FIELDS:
                values[n][r][stale] = empty_field(n, 1, project.num_joints)[0][stale]
            write_joints[r] = True
    jmask &= write_joints[:, None]
    if existing is None:
        for n, v in values.items():
            getattr(track, n)[a:b] = v
        return AddTrack(track, label="add detected person")
    if not fmask.any() and not jmask.any():
        return None
    return SetPoseRange(tid, a, values, joint_mask=jmask, frame_mask=fmask, label="detected poses")


def build_edit(project: Project, result: DetectResult, frames: np.ndarray, detector_name: str, config: DetectConfig, redo: bool) -> Compound:
    """The edit that stores ``result`` (detections on ``frames``) in ``project``."""
    _drop_false_alarms(result, project, config)
    _renumber_new(result, project)
    versions = project.model_versions
    version_code = versions.index(detector_name) + 1 if detector_name in versions else len(versions) + 1
    before = detected_mask(project)
    mask = before.copy()
    mask[frames] = True
    edits: list[Edit] = [SetDetectionInfo(mask, detector_name)]
    redone = np.zeros(project.num_frames, bool)
    if redo:
        redone[frames] = before[frames]
    for tid in sorted(set(result.people) | set(project.tracks)):
        seen = result.people.get(tid, {})
        clear = np.zeros(project.num_frames, bool)
        if tid in project.tracks and redo:
            t = project.tracks[tid]
            had = np.isfinite(t.bbox).all(axis=1) | np.isin(t.source, _DETECTOR).any(axis=1)
            clear = redone & had
            clear[list(seen)] = False
        e = _track_edit(project, tid, seen, clear, version_code, config)
        if e is not None:
            edits.append(e)
    return Compound(edits, label=f"detect people ({len(frames)} frames)")


def detect_job(
    project: Project,
    source: FrameSourceLike,
    detector: PersonDetector,
    start: int = 0,
    stop: int | None = None,
    redo: bool = False,
    config: DetectConfig | None = None,
) -> Job[Edit]:
    """Detect people on frames ``[start, stop)`` of ``source`` (the project's video).

    Yields :class:`Progress` per batch; returns one Compound edit (see the module docstring). Frames
    already detected are skipped unless ``redo``; with nothing to do the edit is an empty Compound.
    """
    config = config or DetectConfig()
    stop = project.num_frames if stop is None else stop
    if not 0 <= start < stop <= project.num_frames:
        raise InputError(None, f"frame range {start}:{stop} outside the video's 0:{project.num_frames}")
    if len(source) < stop:
        raise InputError(project.video.path, f"the video has {len(source)} frames, the project expects {project.num_frames}")
    frames = frames_to_detect(project, start, stop, redo)
    if not len(frames):
        yield Progress(0, 0, "all frames already detected")
        return Compound([], label="detect people (nothing to do)")
    result = yield from run_detection(project, source, detector, frames, config)
    return build_edit(project, result, frames, detector.name, config, redo)
