"""The shared JHMDB clips (``../shared/data/jhmdb``) by the project's split (``models/splits/jhmdb.json``).

Benchmarks and calibration scripts only: ``train`` clips are for fitting and tuning, ``val`` clips for
every reported figure. Each clip is a one-person densely labelled Project plus its frames in memory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: ``$STDPOSE_SHARED_DATA`` (as in the tests) or ``../shared/data`` beside the checkout.
SHARED_DATA = Path(os.environ.get("STDPOSE_SHARED_DATA", REPO.parent / "shared" / "data"))
JHMDB = SHARED_DATA / "jhmdb"
GOALKEEPING = SHARED_DATA / "jhmdb_goalkeeping"
SPLIT = REPO / "models" / "splits" / "jhmdb.json"


def clip_names(part: str, limit: int | None = None) -> list[str]:
    """Clip names (``action/clip``) of split ``part`` ('train' or 'val'); ``limit`` spreads evenly."""
    names = json.loads(SPLIT.read_text())[part]
    if limit is not None and limit < len(names):
        step = len(names) / limit
        names = [names[int(i * step)] for i in range(limit)]
    return names


def load_clip(name: str, pixels: str = "rgb"):
    """``(gt Project, ListSource of its frames)`` of one JHMDB clip (``pixels="gray"``: the video's luma)."""
    from stdpose_core.io import read_annotations
    from stdpose_core.propagation import ListSource
    from stdpose_core.video import open_source

    gt = read_annotations(JHMDB / f"{name}.json")
    with open_source(JHMDB / f"{name}.avi", prefetch=False, pixels=pixels) as src:
        frames = [src.frame(i).copy() for i in range(min(len(src), gt.num_frames))]
    return gt, ListSource(frames)


def load_split(part: str, limit: int | None = None, pixels: str = "rgb") -> list:
    """``[(gt, source), ...]`` of a split part; empty when the shared data is absent."""
    if not JHMDB.is_dir() or not SPLIT.is_file():
        return []
    return [load_clip(n, pixels) for n in clip_names(part, limit)]


def load_goalkeeping():
    """The goalkeeping clip ``(gt, source)`` (frames as PNG files), or None when absent."""
    gt_path = GOALKEEPING / "gt_posetrack18.json"
    if not gt_path.is_file():
        return None
    from stdpose_core.io import read_annotations
    from stdpose_core.propagation.list_sources import ImageListSource

    gt = read_annotations(gt_path)
    return gt, ImageListSource(GOALKEEPING, gt.video.frame_names)
