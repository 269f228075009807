"""Frame-accurate access to video files and image folders (docs/architecture.md "Packages").

``open_source(path)`` returns a :class:`FrameSource`: ``len(src)``, ``src.fps``, ``src.size`` →
``(width, height)``, ``src.frame(i)`` → read-only ``(H, W, 3) uint8 RGB`` (``(H, W)`` gray with
``pixels="gray"``), ``src.timestamps`` (seconds,
[F]), ``src.frame_names`` (image folders), ``src.warnings``, ``src.seek_exact``,
``src.set_position(i)`` (prefetch around the shown frame), ``src.close()`` / context manager.
``index_job(path)`` builds a video's frame index with progress ahead of ``open_source`` (first open
of a big file), so a GUI can show a bar; ``stdpose reencode`` fixes files with ``seek_exact`` False.
"""

from __future__ import annotations

from pathlib import Path

from stdpose_core.errors import InputError
from stdpose_core.video.base import FrameSource
from stdpose_core.video.cache import DEFAULT_CACHE_BYTES, JOB_CACHE_BYTES, FrameCache
from stdpose_core.video.frame_index import FrameIndex, index_job
from stdpose_core.video.image_folder import ImageFolderSource
from stdpose_core.video.video_file import VideoFileSource

__all__ = ["FrameSource", "FrameCache", "FrameIndex", "ImageFolderSource", "VideoFileSource", "open_source",
           "index_job", "DEFAULT_CACHE_BYTES", "JOB_CACHE_BYTES"]


def open_source(path: str | Path, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True,
                pixels: str = "rgb", read_ahead: bool = False) -> FrameSource:
    """Open a video file or an image folder.

    ``cache_bytes``: memory budget for decoded frames (default 1 GiB); ``prefetch``: allow the
    background decoding started by ``set_position``; ``pixels``: ``"rgb"`` frames, or ``"gray"`` for
    a job that reads only gray (flow: a video then hands out its luma plane and never makes RGB);
    ``read_ahead``: for a job reading frames in order, decode the next ones on a thread meanwhile. Raises InputError for a missing path, a file that
    is not a decodable video, a video without frames, or a folder without images / with mixed sizes.
    """
    p = Path(path)
    if p.is_dir():
        return ImageFolderSource(p, cache_bytes, prefetch, pixels=pixels, read_ahead=read_ahead)
    if not p.exists():
        raise InputError(p, "file not found")
    return VideoFileSource(p, cache_bytes, prefetch, pixels=pixels, read_ahead=read_ahead)
