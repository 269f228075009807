"""Method 'stdpose': the STDPose model in propagation mode (keyframe heatmaps rendered from labels).

Needs a trained checkpoint; without one it raises MissingWeightsError that says where to put it.
"""

from __future__ import annotations

from typing import Generator

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.errors import MissingWeightsError
from stdpose_core.propagation.base import Gap, GapResult, Propagator, register


def validated_checkpoint() -> str | None:
    """Path of an installed checkpoint the model registry marks validated for propagation, or None."""
    return None


@register("stdpose")
class StdposePropagator(Propagator):
    """STDPose propagation. Options: ``weights`` (checkpoint/ONNX path), ``device`` (auto|cpu|cuda)."""

    source_code = Source.PROPAGATED

    def __init__(self, weights: str | None = None, device: str = "auto", **_ignored) -> None:
        self.weights = weights or validated_checkpoint()
        self.device = device
        if self.weights is None:
            raise MissingWeightsError(
                "method 'stdpose' needs trained STDPose weights: pass --weights PATH (a .pt checkpoint or .onnx "
                "from stdpose-retrain); the methods 'flow' and 'interp' need no weights"
            )

    def fill_group(self, project: Project, frames, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        raise MissingWeightsError("the STDPose model runtime is not available in this build")
        yield 0
