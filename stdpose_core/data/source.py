"""Where a joint value came from (per joint, per frame)."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Source(IntEnum):
    """Provenance of one joint. Stored as ``uint8`` in ``Track.source``."""

    NONE = 0  # nothing there
    MANUAL = 1  # placed by a person on a keyframe
    PROPAGATED = 2  # filled by an image-driven propagator (flow, STDPose)
    INTERPOLATED = 3  # filled by linear interpolation
    DETECTED = 4  # pre-label from the person/pose detector
    CORRECTED = 5  # a machine value a person fixed
    APPROXIMATED = 6  # a pre-label derived from other detected joints (e.g. PoseTrack18's head_bottom from the shoulders)


#: Sources a person decided; propagation and detection never overwrite these.
HUMAN_SOURCES = (Source.MANUAL, Source.CORRECTED)
#: Sources the person detector writes (pre-labels): detected joints and joints derived from them.
DETECTOR_SOURCES = (Source.DETECTED, Source.APPROXIMATED)
#: Sources written by machines; a person's edit turns them into CORRECTED.
MACHINE_SOURCES = (Source.PROPAGATED, Source.INTERPOLATED) + DETECTOR_SOURCES


def is_human(source: np.ndarray) -> np.ndarray:
    """``source == MANUAL | CORRECTED`` (:data:`HUMAN_SOURCES`) elementwise: two comparisons, because
    ``np.isin``'s set machinery costs ~50 us a call and a run makes hundreds of such calls."""
    return (source == Source.MANUAL) | (source == Source.CORRECTED)
