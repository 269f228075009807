"""Which (left, key, right) frame triplets can be trained on, and the train/validation split.

A triplet uses three labelled frames of ONE track: the key frame ``t`` and auxiliary frames
``t - g_l`` and ``t + g_r`` with gaps drawn at random in ``1..T`` (``T`` = ``--every``) among the
track's labelled frames (propagation mode renders the auxiliary heatmaps from their labels). When only
one side has a labelled frame within ``T`` (a track's ends) both auxiliary frames come from that side.
Single-frame clips (COCO) use the key image itself as both neighbours (augmented copies, see ``dataset``).

Split (documented in ``--help``): with two or more clips the LAST clip is held out for validation;
with a single clip, every 5th track (at least one, when there are two or more) is held out; with a
single track there is nothing to hold out and validation reuses the training track (reported).
"""

from __future__ import annotations

from dataclasses import dataclass

from stdpose_core.training.data import Clip


@dataclass(frozen=True)
class TripletRef:
    """A key frame with its candidate auxiliary frames (sorted frame indices; either may be empty)."""

    clip: int
    track_id: int
    frame: int
    left: tuple[int, ...]
    right: tuple[int, ...]


def track_triplets(clip_index: int, clip: Clip, track_id: int, every: int) -> list[TripletRef]:
    t = clip.tracks[track_id]
    frames = t.labelled_frames()
    if clip.single_frame:
        return [TripletRef(clip_index, track_id, int(f), (int(f),), (int(f),)) for f in frames]
    out = []
    for i, f in enumerate(frames):
        left = frames[:i][frames[:i] >= f - every]
        right = frames[i + 1:][frames[i + 1:] <= f + every]
        if len(left) or len(right):
            out.append(TripletRef(clip_index, track_id, int(f), tuple(int(x) for x in left), tuple(int(x) for x in right)))
    return out


def build_index(clips: list[Clip], every: int, selection: dict[int, set[int]] | None = None) -> list[TripletRef]:
    """Triplets of the selected tracks (``selection[clip] = track ids``; None = all tracks)."""
    out: list[TripletRef] = []
    for ci, clip in enumerate(clips):
        tids = sorted(clip.tracks) if selection is None else sorted(selection.get(ci, ()))
        for tid in tids:
            out.extend(track_triplets(ci, clip, tid, every))
    return out


@dataclass
class Split:
    """Track ids per clip for training and for validation, and how they were chosen."""

    train: dict[int, set[int]]
    val: dict[int, set[int]]
    how: str


def split_tracks(clips: list[Clip], val_clips: list[Clip] | None = None) -> Split:
    """Hold out validation data (see the module docstring). With ``val_clips`` given explicitly
    (``--val-data``), all of ``clips`` trains and the caller validates on ``val_clips``."""
    all_tracks = {ci: set(c.tracks) for ci, c in enumerate(clips)}
    if val_clips:
        return Split(all_tracks, {}, "explicit --val-data")
    if len(clips) >= 2:
        last = len(clips) - 1
        train = {ci: t for ci, t in all_tracks.items() if ci != last}
        return Split(train, {last: all_tracks[last]}, f"held-out clip {clips[last].name}")
    tids = sorted(all_tracks.get(0, ()))
    if len(tids) >= 2:
        val = set(tids[4::5]) or {tids[-1]}
        return Split({0: set(tids) - val}, {0: val}, f"held-out tracks {sorted(val)} of {clips[0].name}")
    return Split(all_tracks, dict(all_tracks), "no held-out data (one track): validating on the training track")
