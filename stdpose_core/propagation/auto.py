"""Method 'auto' (the default): the best method available here.

``stdpose`` when a validated STDPose checkpoint is installed (or weights are given), else ``flow``.
"""

from __future__ import annotations

from stdpose_core.propagation.base import REGISTRY, Propagator
from stdpose_core.propagation.stdpose import validated_checkpoint


def choose_method(weights: str | None = None) -> str:
    """Name of the method 'auto' runs."""
    return "stdpose" if (weights or validated_checkpoint()) else "flow"


def make_auto(weights: str | None = None, **opts) -> Propagator:
    """Build the chosen method; its ``name`` stays the chosen one (shown in progress and undo labels)."""
    name = choose_method(weights)
    if name == "stdpose":
        opts["weights"] = weights
    return REGISTRY[name](**opts)


REGISTRY["auto"] = make_auto
