"""Per-frame state of each track for the timeline strips (pure numpy, no Qt).

Codes are ordered by how much they need attention, so aggregating many frames into one pixel
column takes the maximum (a single low-confidence frame stays visible when zoomed out).
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import DETECTOR_SOURCES, Source, Track
from stdpose_core.review import doubtful

ABSENT, BOX, REVIEWED, DETECTED, PROPAGATED, MANUAL, LOW_CONF = range(7)
STATE_NAMES = ("absent", "box only", "reviewed", "detected", "propagated", "manual", "low confidence")
STATE_COLORS = ("#2b2b2b", "#5a5a5a", "#4a90d9", "#9b9b9b", "#3cb371", "#f0f0f0", "#e8412c")

_HUMAN = np.array([Source.MANUAL, Source.CORRECTED], np.uint8)
_FILLED = np.array([Source.PROPAGATED, Source.INTERPOLATED], np.uint8)
_DETECTOR = np.array(DETECTOR_SOURCES, np.uint8)


def track_states(track: Track, low_confidence: float) -> np.ndarray:
    """``[F]`` uint8 state code of one track.

    manual: a person placed/corrected a joint there; reviewed: a person checked the frame; otherwise
    low confidence when a propagated/interpolated/detected joint scores below ``low_confidence``,
    propagated when filled by a machine, detected for detector pre-labels, box only when the person
    has a box but no joint, absent when not there.
    """
    labelled = track.vis > 0
    human = (np.isin(track.source, _HUMAN) & labelled).any(1)
    low = doubtful(track, low_confidence).any(1)  # the review queue's rule
    filled = (np.isin(track.source, _FILLED) & labelled).any(1)
    detected = (np.isin(track.source, _DETECTOR) & labelled).any(1)
    out = np.full(track.num_frames, ABSENT, np.uint8)
    out[track.present()] = BOX
    out[detected] = DETECTED
    out[filled] = PROPAGATED
    out[low] = LOW_CONF
    out[track.reviewed & track.present()] = REVIEWED
    out[human] = MANUAL
    return out


def bin_states(states: np.ndarray, start: int, stop: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate ``states[start:stop]`` into at most ``width`` pixel columns and run-length encode.

    Returns ``(x0, x1, code)`` arrays: pixel spans ``[x0, x1)`` with one state each (max over the
    frames falling into a column). Works for both zoomed-in (frames wider than a pixel) and
    zoomed-out views.
    """
    n = stop - start
    if n <= 0 or width <= 0:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0, np.uint8)
    if n <= width:  # each frame spans one or more pixels
        edges = np.round(np.arange(n + 1) * (width / n)).astype(int)
        codes = states[start:stop]
        lo, hi = edges[:-1], edges[1:]
    else:  # several frames per pixel column
        cols = np.floor(np.arange(n) * (width / n)).astype(int)
        first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
        codes = np.maximum.reduceat(states[start:stop], first)
        lo = cols[first]
        hi = np.r_[lo[1:], width]
    change = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    x0 = lo[change]
    x1 = np.r_[lo[change[1:]], hi[-1]]
    return x0, x1, codes[change]


def column_states(states: np.ndarray, start: int, stop: int, width: int) -> np.ndarray:
    """``[width]`` state code per pixel column for frames ``[start, stop)`` (max over the frames a
    column covers; a frame wider than a pixel fills all its columns)."""
    codes = np.zeros(max(width, 0), np.uint8)
    for x0, x1, c in zip(*bin_states(states, start, stop, width)):
        codes[x0:x1] = c
    return codes
