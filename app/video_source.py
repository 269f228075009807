"""The app's door to the video layer: frame sources sized by the user's cache setting."""

from __future__ import annotations

from pathlib import Path


def open_source(path: str | Path, cache_mb: int | None = None):
    """Open a video file or image folder (raises InputError for unreadable input).

    ``cache_mb`` is the decoded-frame cache budget (the Settings value); None = the layer's default.
    """
    from stdpose_core.video import open_source as _open

    if cache_mb is None:
        return _open(path)
    return _open(path, cache_bytes=int(cache_mb) * 1024 * 1024)
