"""Propagation: fill the frames between keyframes (interp, flow, stdpose, auto), returning one Edit.

Usage (CLI, GUI worker thread and tests call the same functions)::

    prop = get_propagator("auto")                    # or "flow", "interp", "stdpose" (weights=..., device=...)
    job = prop.run(project, source)                  # generator: yields Progress, returns a Compound edit
    edit = run_with_bar(job)                         # or iterate; stop iterating (job.close()) to cancel
    session.apply(edit)                              # one undo step; nothing changed before this

After a person's edit, re-propagate only what the edited joints anchor (per joint, never over
reviewed frames): :func:`stdpose_core.ops.repropagate.repropagate_job`. A gap's frames can also be
re-filled directly::

    prop.run(project, source, track_ids=[tid], frames=frames_around(project, tid, frame))

``source``: anything with ``len(source)`` and ``source.frame(i) -> (H,W,3) uint8 RGB``
(``stdpose_core.video.open_source``, :class:`ListSource`); ``interp`` accepts None.
Scoring on densely labelled clips: :func:`stdpose_core.propagation.evaluation.eval_propagation`.
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
from stdpose_core.propagation.list_sources import ImageListSource, ListSource

# The methods register in this order, the order users see them listed in.
# isort: off
from stdpose_core.propagation import interp as _interp  # noqa: F401  (registers 'interp')
from stdpose_core.propagation import flow as _flow  # noqa: F401  (registers 'flow')
from stdpose_core.propagation import stdpose as _stdpose  # noqa: F401  (registers 'stdpose')
from stdpose_core.propagation import auto as _auto  # noqa: F401  (registers 'auto')
from stdpose_core.propagation.auto import choose_method
# isort: on

__all__ = [
    "EXTRAPOLATED_SCORE", "MAX_EXTRAPOLATE", "REGISTRY", "Gap", "GapResult", "ImageListSource", "ListSource",
    "Propagator", "available_methods", "choose_method", "find_gaps", "frames_around", "gaps_around",
    "get_propagator", "track_gaps",
]
