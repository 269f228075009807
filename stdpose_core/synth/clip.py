"""Generated clips: frames plus exact ground truth, in memory or frame by frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from stdpose_core.data import Project
from stdpose_core.synth.groundtruth import ground_truth
from stdpose_core.synth.scene import Scene, make_scene

_CHUNK = 32  # frames whose geometry is computed together while rendering


@dataclass(eq=False)
class SynthClip:
    """A rendered clip: ``frames`` (list of ``[H,W,3]`` uint8 RGB), ``gt`` (PoseTrack18 Project whose
    ``video.frame_names[i]`` is ``frames/%06d.jpg``) and the ``scene`` that made them."""

    frames: list[np.ndarray]
    gt: Project
    scene: Scene


def iter_frames(scene: Scene, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
    """Render frames ``[start, stop)`` of ``scene`` one at a time (``[H,W,3]`` uint8 RGB each).

    Memory stays bounded whatever the clip length; frame ``i`` is the same whether rendered alone
    or in a run.
    """
    stop = scene.num_frames if stop is None else stop
    for chunk in range(start, stop, _CHUNK):
        state = scene.state(chunk, min(chunk + _CHUNK, stop))
        for i in range(state.start, state.stop):
            yield scene.render(i, state)


def generate_clip(persons: int = 3, frames: int = 60, size: tuple[int, int] = (640, 360), seed: int = 0,
                  exits: bool = False) -> SynthClip:
    """Render a whole clip in memory: ``persons`` people, ``frames`` frames of ``size = (W, H)``;
    with ``exits`` people may leave the frame and come back.

    Deterministic: the same arguments give identical frames and ground truth. For long clips use
    :func:`~stdpose_core.synth.scene.make_scene`, :func:`ground_truth` and :func:`iter_frames`.
    """
    scene = make_scene(persons, frames, size, seed, exits)
    return SynthClip(list(iter_frames(scene)), ground_truth(scene), scene)
