"""Stable person ids across frames: Hungarian matching on box IoU + keypoint OKS with a
constant-velocity motion model.

Per frame, detections are matched in two stages:

1. **anchors** — people already in the project at this frame (a box, or human-placed joints) claim
   the detection that fits them best (:func:`anchor_scores` ≥ ``anchor_min_iou``), so existing ids win;
2. **tracks** — the tracker's own people, each predicted forward with its box velocity, are matched
   to the remaining detections by similarity ``(1 - w) * IoU + w * OKS`` (OKS only when both sides
   have ≥ 3 confident joints); pairs below ``min_similarity`` are not matched.

Unmatched detections start new ids. When a project person claims the detection that one of these
made-up tracks would have continued into, the two are the same person: :attr:`Tracker.aliases`
records it so the caller can give the earlier boxes the project id too. A track that misses frames stays alive for ``max_lost`` frames
(predicted along its velocity), so a person hidden for a moment comes back with the same id and the
missed frames stay gaps. Boxes are ``x1, y1, x2, y2`` pixels; keypoints COCO-17 ``[17, 2]`` pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from stdpose_core.detection.base import Detections
from stdpose_core.detection.yolo_numpy import box_iou
from stdpose_core.skeleton import COCO17

_COCO_SIGMAS = np.asarray(COCO17.oks_sigmas, np.float64)


@dataclass(frozen=True)
class TrackerConfig:
    """Tuning of :class:`Tracker` (defaults suit 25-30 fps video)."""

    max_lost: int = 30  # frames a track survives without a detection
    min_similarity: float = 0.2  # weaker pairs are not matched
    anchor_min_iou: float = 0.3  # fit (anchor_scores) needed to give a detection an existing project id
    oks_weight: float = 0.5  # weight of OKS against IoU when both sides have keypoints
    kpt_min_score: float = 0.3  # joints below this score are ignored by OKS
    velocity_smoothing: float = 0.8  # weight of the old velocity in the running average
    max_extrapolate: int = 10  # frames of motion prediction at most (beyond, the box stays put)


@dataclass(frozen=True)
class Anchor:
    """A person already in the project at this frame: ``box[4]`` pixels, and for a person known
    only by human-placed joints, those ``points[P,2]`` (``box`` is then the box around them)."""

    track_id: int
    box: np.ndarray
    points: np.ndarray | None = None


def anchor_scores(boxes: np.ndarray, anchors: list[Anchor]) -> np.ndarray:
    """``[N, A]`` how well detection boxes ``[N,4]`` fit each anchor, in [0, 1].

    Box anchors: IoU. Joint anchors: the fraction of the joints inside the detection box, times
    ``0.6 + 0.4 * IoU`` with the joints' box (a joints' box can be much thinner than the person's box,
    so IoU alone would miss a side view; the IoU term prefers the tighter of two containing boxes).
    """
    out = box_iou(boxes, np.stack([a.box for a in anchors]))
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    for k, a in enumerate(anchors):
        if a.points is None or not len(a.points):
            continue
        x, y = a.points[:, 0], a.points[:, 1]
        inside = (x[None] >= b[:, :1]) & (x[None] <= b[:, 2:3]) & (y[None] >= b[:, 1:2]) & (y[None] <= b[:, 3:4])
        out[:, k] = inside.mean(axis=1) * (0.6 + 0.4 * out[:, k])
    return out


@dataclass
class _State:
    track_id: int
    box: np.ndarray  # [4] float64
    last_frame: int
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4))
    keypoints: np.ndarray | None = None
    keypoint_scores: np.ndarray | None = None
    hits: int = 1
    own: bool = False  # the id was made up by this tracker (not a project person)

    def predict(self, frame: int, max_steps: int) -> np.ndarray:
        """The box moved by the centre's velocity; its size is kept (sizes jump when a person is
        partly hidden, and extrapolating that shrinks or blows up the box)."""
        steps = min(frame - self.last_frame, max_steps)
        shift = 0.5 * (self.velocity[:2] + self.velocity[2:]) * steps
        return self.box + np.tile(shift, 2)


def oks(kp_a: np.ndarray, sc_a: np.ndarray, kp_b: np.ndarray, sc_b: np.ndarray, area: float, min_score: float) -> float:
    """Object keypoint similarity of two COCO-17 poses (``[17,2]`` pixels, ``[17]`` scores) over the
    joints confident in both; NaN when fewer than 3 such joints. ``area``: the person's box area."""
    both = (sc_a >= min_score) & (sc_b >= min_score)
    if both.sum() < 3 or area <= 0:
        return float("nan")
    d2 = ((kp_a[both] - kp_b[both]) ** 2).sum(axis=1)
    var = (2 * _COCO_SIGMAS[both]) ** 2
    return float(np.exp(-d2 / (2 * area * var)).mean())


class Tracker:
    """Assigns track ids to per-frame detections (call :meth:`update` in increasing frame order).

    ``reserved_ids``: ids already used in the project; new ids never collide with them.
    """

    def __init__(self, config: TrackerConfig | None = None, reserved_ids: list[int] | tuple[int, ...] = ()):
        self.config = config or TrackerConfig()
        self._states: dict[int, _State] = {}
        self._reserved = {int(i) for i in reserved_ids}
        self._next_id = max(self._reserved, default=-1) + 1
        #: ids this tracker made up that turned out to be a project person: ``{made_up_id: project_id}``
        self.aliases: dict[int, int] = {}

    @property
    def active_ids(self) -> list[int]:
        return sorted(self._states)

    def seed(self, track_id: int, frame: int, box: np.ndarray, keypoints: np.ndarray | None = None,
             keypoint_scores: np.ndarray | None = None) -> None:
        """Continue an existing person last seen at ``frame`` (e.g. the project's track before a resumed run)."""
        self._reserved.add(int(track_id))
        self._next_id = max(self._next_id, int(track_id) + 1)
        self._states[int(track_id)] = _State(int(track_id), np.asarray(box, np.float64), frame, keypoints=keypoints, keypoint_scores=keypoint_scores)

    def _new_id(self) -> int:
        while self._next_id in self._reserved:
            self._next_id += 1
        self._reserved.add(self._next_id)
        return self._next_id

    def _similarity(self, frame: int, states: list[_State], dets: Detections) -> np.ndarray:
        cfg = self.config
        preds = np.stack([s.predict(frame, cfg.max_extrapolate) for s in states])
        sim = box_iou(preds, dets.boxes)
        if dets.keypoints is None:
            return sim
        areas = np.prod(np.clip(dets.boxes[:, 2:] - dets.boxes[:, :2], 0, None), axis=1)
        for i, s in enumerate(states):
            if s.keypoints is None:
                continue
            steps = min(frame - s.last_frame, cfg.max_extrapolate)
            shift = 0.5 * (s.velocity[:2] + s.velocity[2:]) * steps  # move the pose with the box centre
            for j in range(len(dets)):
                if sim[i, j] <= 0:
                    continue  # OKS would only rescue pairs the motion model rules out
                o = oks(s.keypoints + shift, s.keypoint_scores, dets.keypoints[j], dets.keypoint_scores[j], areas[j], cfg.kpt_min_score)
                if np.isfinite(o):
                    sim[i, j] = (1 - cfg.oks_weight) * sim[i, j] + cfg.oks_weight * o
        return sim

    def _match_anchors(self, dets: Detections, anchors: list[Anchor], ids: np.ndarray) -> None:
        if not anchors or not len(dets):
            return
        fit = anchor_scores(dets.boxes, anchors)
        rows, cols = linear_sum_assignment(-fit)
        for r, c in zip(rows, cols):
            if fit[r, c] >= self.config.anchor_min_iou:
                ids[r] = anchors[c].track_id

    def _alias_own_tracks(self, frame: int, dets: Detections, ids: np.ndarray, claimed: set[int]) -> None:
        """A made-up track that would have continued into a detection a project person claimed *is*
        that person: record the alias (callers relabel its earlier boxes) and end the made-up track."""
        anchored = np.flatnonzero(ids >= 0)
        own = [s for s in self._states.values() if s.own and s.track_id not in claimed and s.last_frame < frame]
        if not len(anchored) or not own:
            return
        sim = self._similarity(frame, own, dets.select(anchored))
        rows, cols = linear_sum_assignment(-sim)
        for r, c in zip(rows, cols):
            if sim[r, c] >= self.config.min_similarity:
                self.aliases[own[r].track_id] = int(ids[anchored[c]])
                del self._states[own[r].track_id]

    def update(self, frame: int, dets: Detections, anchors: list[Anchor] = ()) -> np.ndarray:
        """Ids ``[N]`` int64 for the detections of ``frame`` (project anchors first, then tracks)."""
        cfg = self.config
        self._states = {i: s for i, s in self._states.items() if frame - s.last_frame <= cfg.max_lost}
        ids = np.full(len(dets), -1, np.int64)
        self._match_anchors(dets, list(anchors), ids)
        claimed = {a.track_id for a in anchors}
        for a in anchors:
            self._reserved.add(int(a.track_id))
        self._alias_own_tracks(frame, dets, ids, claimed)
        free = np.flatnonzero(ids < 0)
        states = [s for i, s in self._states.items() if i not in claimed and s.last_frame < frame]
        if len(free) and states:
            sim = self._similarity(frame, states, dets.select(free))
            rows, cols = linear_sum_assignment(-sim)
            for r, c in zip(rows, cols):
                if sim[r, c] >= cfg.min_similarity:
                    ids[free[c]] = states[r].track_id
        new = set()
        for j in np.flatnonzero(ids < 0):
            ids[j] = self._new_id()
            new.add(int(ids[j]))
        for j, tid in enumerate(ids):
            self._observe(int(tid), frame, dets, j, own=int(tid) in new)
        return ids

    def _observe(self, tid: int, frame: int, dets: Detections, j: int, own: bool = False) -> None:
        box = dets.boxes[j].astype(np.float64)
        kp = None if dets.keypoints is None else dets.keypoints[j].astype(np.float64)
        ks = None if dets.keypoint_scores is None else dets.keypoint_scores[j]
        s = self._states.get(tid)
        if s is None:
            self._states[tid] = _State(tid, box, frame, keypoints=kp, keypoint_scores=ks, own=own)
            return
        dt = frame - s.last_frame
        if dt > 0:
            a = self.config.velocity_smoothing
            step = (box - s.box) / dt
            s.velocity = step if s.hits == 1 else a * s.velocity + (1 - a) * step
        s.box, s.last_frame, s.keypoints, s.keypoint_scores = box, frame, kp, ks
        s.hits += 1
