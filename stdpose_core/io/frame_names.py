"""Where listed images sit among a video's frames, and the reverse: a file name for every frame.

PoseTrack files list either every frame of a video (``len(images) == nframes``) or only some
(e.g. only the labelled ones). Rule used by the readers:

* all frames listed (or ``nframes`` unknown): frame index = position of the image when sorted by
  ``frame_id`` (then by file name); ``num_frames`` = number of images;
* some frames listed: the number at the end of each file name is the frame index (0-based, as in
  PoseTrack's ``000000.jpg``; if the numbers run 1..nframes they are taken as 1-based);
  ``num_frames = nframes`` and names of unlisted frames follow the listed names' pattern. When the
  numbers do not fit, positions are used as in the first case.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

#: More frames than this in one annotated video means a corrupt count (9 hours at 30 fps).
MAX_FRAMES = 1_000_000

_DIGITS_AT_END = re.compile(r"^(.*?)(\d+)(\.[^./]*)?$")


def natural_key(name: str) -> list:
    """Sort key that orders ``img2`` before ``img10``."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def basename(name: str) -> str:
    return posixpath.basename(name.replace("\\", "/"))


@dataclass
class FrameLayout:
    """``index[i]`` is the frame of the i-th listed image; ``names`` has one file name per frame."""

    index: list[int]
    num_frames: int
    names: list[str]


def layout_by_position(file_names: list[str], order: list[int]) -> FrameLayout:
    index = [0] * len(file_names)
    for pos, i in enumerate(order):
        index[i] = pos
    return FrameLayout(index, len(file_names), [file_names[i] for i in order])


def layout_frames(file_names: list[str], order: list[int], nframes: int | None) -> FrameLayout:
    """Place images (listed in ``order``, already sorted) among ``nframes`` frames (module rule)."""
    if nframes is None or len(file_names) >= nframes:
        return layout_by_position(file_names, order)
    parsed = [_DIGITS_AT_END.match(n) for n in file_names]
    if not all(parsed):
        return layout_by_position(file_names, order)
    numbers = [int(m.group(2)) for m in parsed]
    if len(set(numbers)) != len(numbers):
        return layout_by_position(file_names, order)
    if all(0 <= n < nframes for n in numbers):
        offset = 0
    elif all(1 <= n <= nframes for n in numbers):
        offset = 1
    else:
        return layout_by_position(file_names, order)
    first = parsed[order[0]]
    prefix, width, suffix = first.group(1), len(first.group(2)), first.group(3) or ""
    names = [f"{prefix}{f + offset:0{width}d}{suffix}" for f in range(nframes)]
    index = [n - offset for n in numbers]
    for i, f in enumerate(index):
        names[f] = file_names[i]
    return FrameLayout(index, nframes, names)


def common_folder(file_names: list[str]) -> str:
    """The folder all images share (``''`` when none)."""
    dirs = {posixpath.dirname(n.replace("\\", "/")) for n in file_names}
    if not dirs:
        return ""
    try:
        return posixpath.commonpath(list(dirs)) if len(dirs) > 1 else dirs.pop()
    except ValueError:  # mix of absolute and relative paths
        return ""


def export_file_names(frame_names: list[str] | None, video_path: str, num_frames: int) -> list[str]:
    """File name written for each frame.

    Names that already contain a folder are kept. Bare names (a project made from an image folder)
    get the folder's name in front, e.g. ``frames/000000.jpg``. Without names (a video file) frames
    are called ``<video stem>/000000.jpg`` as if extracted PoseTrack-style.
    """
    folder = Path(video_path).name if video_path else ""
    if frame_names is None:
        stem = Path(video_path).stem if video_path else "frames"
        return [f"{stem}/{f:06d}.jpg" for f in range(num_frames)]
    out = []
    for n in frame_names:
        n = n.replace("\\", "/")
        out.append(n if "/" in n or not folder else f"{folder}/{n}")
    return out
