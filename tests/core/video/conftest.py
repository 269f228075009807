"""Fixtures for the video tests: an isolated index cache and generated index-coded clips."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # pytest runs in importlib mode: make video_clips importable

from video_clips import CLIPS, SIZE, N

from stdpose_core.video.indexed_clip import write_indexed_clip


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own frame-index cache directory (never the user's)."""
    d = tmp_path / "cache"
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def make_clip(clip_dir):
    """``make_clip(name)`` -> path of the generated clip ``CLIPS[name]`` (written once per session)."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            fname, kw = CLIPS[name]
            made[name] = write_indexed_clip(clip_dir / fname, N, SIZE, **kw)
        return made[name]

    return make


@pytest.fixture(params=sorted(CLIPS))
def any_clip(request, make_clip) -> Path:
    """Each generated clip in turn."""
    return make_clip(request.param)
