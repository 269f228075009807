"""Propagation: fill the frames between keyframes (interp, flow, stdpose, auto), returning one Edit.

Usage::

    prop = get_propagator("auto")
    edit = run_with_bar(prop.run(project, source))          # or iterate; stop iterating to cancel
    session.apply(edit)                                      # one undo step

After a keyframe edit on ``frame`` of track ``tid`` re-propagate only its neighbouring gaps::

    prop.run(project, source, track_ids=[tid], frames=frames_around(project, tid, frame))
"""

from stdpose_core.propagation.base import (
    EXTRAPOLATED_SCORE,
    MAX_EXTRAPOLATE,
    REGISTRY,
    Gap,
    GapResult,
    Propagator,
    available_methods,
    find_gaps,
    frames_around,
    gaps_around,
    get_propagator,
    track_gaps,
)
from stdpose_core.propagation.frames import ListSource
from stdpose_core.propagation import interp as _interp  # noqa: F401  (registers 'interp')
from stdpose_core.propagation import flow as _flow  # noqa: F401  (registers 'flow')
from stdpose_core.propagation import stdpose as _stdpose  # noqa: F401  (registers 'stdpose')
from stdpose_core.propagation import auto as _auto  # noqa: F401  (registers 'auto')

__all__ = [
    "EXTRAPOLATED_SCORE", "MAX_EXTRAPOLATE", "REGISTRY", "Gap", "GapResult", "ListSource", "Propagator",
    "available_methods", "find_gaps", "frames_around", "gaps_around", "get_propagator", "track_gaps",
]
