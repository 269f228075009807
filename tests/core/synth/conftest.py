"""Small generated clips shared by the synth tests (module-scoped: rendering is the slow part)."""

from __future__ import annotations

import pytest

from stdpose_core.synth import generate_clip

SIZE = (160, 96)


@pytest.fixture(scope="package")
def small_clip():
    """3 people, 12 frames of 160x96, seed 1."""
    return generate_clip(persons=3, frames=12, size=SIZE, seed=1)
