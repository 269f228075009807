"""Method 'auto' (the default): the best method available here.

``stdpose`` when weights are given or a validated STDPose checkpoint is installed (see
:func:`stdpose_core.propagation.stdpose.validated_checkpoint`), else ``flow``. An installed model
that cannot be loaded does not stop the work: 'auto' then runs ``flow`` and says why in ``note``.
"""

from __future__ import annotations

from stdpose_core.errors import StdposeError
from stdpose_core.propagation.base import REGISTRY, Propagator, accepted_options
from stdpose_core.propagation.stdpose import validated_checkpoint


def choose_method(weights: str | None = None) -> str:
    """Name of the method 'auto' runs."""
    return "stdpose" if (weights or validated_checkpoint()) else "flow"


def make_auto(weights: str | None = None, **stdpose_opts) -> Propagator:
    """Build the chosen method; its ``name`` stays the chosen one (shown in progress and undo labels).

    Takes the options of ``stdpose`` (weights, device, …); ``flow`` runs with its defaults.
    Explicit ``weights`` that fail to load raise; an installed model that fails falls back to flow.
    """
    if choose_method(weights) == "stdpose":
        prop = REGISTRY["stdpose"](weights=weights, **stdpose_opts)
        try:
            prop.runtime  # load now, before any long work
            return prop
        except StdposeError as e:
            if weights:
                raise
            flow = REGISTRY["flow"]()
            flow.note = f"installed STDPose model not usable ({e}); used flow"
            return flow
    return REGISTRY["flow"]()


make_auto.options = accepted_options(REGISTRY["stdpose"])
REGISTRY["auto"] = make_auto
