"""A generated scene: people's motions and looks, the camera path and the background, by seed.

Everything is decided up front and cheaply (angles over time, a few KB per person and frame range);
joint positions, part geometry and pixels are computed for any frame range on demand, so long clips
stay memory-bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from stdpose_core.errors import StdposeError
from stdpose_core.synth import motion as mo
from stdpose_core.synth.appearance import Look, background, random_look
from stdpose_core.synth.figure import PART_INDEX, part_geometry
from stdpose_core.synth.render import finish, paint_person, paint_shadow

#: Largest accepted frame side: a guard against typos like 64000x360.
MAX_SIDE = 8192
HORIZON = 0.6  # of the frame height: where wall meets floor


@dataclass(frozen=True)
class FrameState:
    """People at frames ``[start, stop)``: world points ``points[p][name] -> [n,3]`` and part
    geometry ``geom[P,Q,n,7]`` in world pixels."""

    start: int
    stop: int
    points: list[dict[str, np.ndarray]]
    geom: np.ndarray


@dataclass(frozen=True, eq=False)
class Scene:
    """A deterministic scene of ``len(motions)`` people over ``num_frames`` frames of ``size = (W, H)``.

    ``camera[F,2]``: world position (px) of the image's top-left pixel centre per frame; image
    coordinates = world coordinates - camera. ``background`` is a world texture whose pixel (0, 0) is
    at world ``bg_origin``. ``order`` lists people far to near (the painting order).
    """

    size: tuple[int, int]
    num_frames: int
    seed: int
    motions: tuple[mo.PersonMotion, ...]
    looks: tuple[Look, ...]
    lanes: tuple[mo.Lane, ...]
    camera: np.ndarray
    background: np.ndarray
    bg_origin: tuple[float, float]

    @property
    def num_persons(self) -> int:
        return len(self.motions)

    @property
    def order(self) -> np.ndarray:
        return np.argsort([-lane.depth for lane in self.lanes], kind="stable")

    def state(self, start: int, stop: int) -> FrameState:
        """People's points and part geometry for frames ``[start, stop)``."""
        points, geoms = [], []
        for m in self.motions:
            sl = slice(start, stop)
            sub = mo.PersonMotion(m.gait, {k: v[sl] for k, v in m.angles.items()}, m.yaw[sl], m.root[sl],
                                  m.scale, m.lane)
            pts = mo.person_points(sub)
            points.append(pts)
            geoms.append(part_geometry(pts, sub.yaw, m.scale))
        return FrameState(start, stop, points, np.stack(geoms))

    def render(self, frame: int, state: FrameState | None = None, ids: bool = False, people: bool = True):
        """The image ``[H,W,3]`` uint8 RGB of ``frame``; with ``ids`` also ``[H,W]`` int32 part owners
        (``-1`` background, else ``person * NUM_PARTS + part``). ``people=False`` gives the empty
        background plate of that frame (same camera and noise)."""
        if state is None or not state.start <= frame < state.stop:
            state = self.state(frame, frame + 1)
        k = frame - state.start
        w, h = self.size
        cx, cy = self.camera[frame]
        ox, oy = self.bg_origin
        shift = np.float32([[1, 0, cx - ox], [0, 1, cy - oy]])
        bg = cv2.warpAffine(self.background, shift, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                            borderMode=cv2.BORDER_REFLECT)
        img = bg.astype(np.float32)
        id_map = np.full((h, w), -1, np.int32) if ids else None
        for p in self.order if people else ():
            m = self.motions[p]
            paint_shadow(img, m.root[frame, 0] - cx, self.lanes[p].floor_y - cy, m.scale)
        for p in self.order if people else ():
            g = state.geom[p, :, k].copy()
            capsule = np.ones(len(g), bool)
            capsule[PART_INDEX["head"]] = False
            g[:, 0] -= cx
            g[:, 1] -= cy
            g[capsule, 2] -= cx
            g[capsule, 3] -= cy
            face = state.points[p]["face_dir"][k]
            paint_person(img, id_map, g, face, self.looks[p], self.motions[p].scale, int(p) * g.shape[0])
        out = finish(img, np.random.default_rng([self.seed, 7, frame]))
        return (out, id_map) if ids else out


def check_params(persons: int, frames: int, size: tuple[int, int], seed: int) -> None:
    """Raise :class:`StdposeError` with one clear line for parameters that cannot make a clip."""
    w, h = size
    if persons < 1:
        raise StdposeError(f"persons must be at least 1, got {persons}")
    if frames < 1:
        raise StdposeError(f"frames must be at least 1, got {frames}")
    if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE):
        raise StdposeError(f"size {w}x{h}: width and height must be between 16 and {MAX_SIDE} pixels")
    if seed < 0:
        raise StdposeError(f"seed must be >= 0, got {seed}")


def make_scene(persons: int = 3, frames: int = 60, size: tuple[int, int] = (640, 360), seed: int = 0,
               exits: bool = False) -> Scene:
    """Decide a scene: ``persons`` people, ``frames`` frames of ``size = (W, H)``, all from ``seed``.

    ``exits``: people may walk out of the frame and back in (their tracks then have absent frames).

    People's motions are prefix-stable: the same seed with more frames extends the same clip.
    """
    check_params(persons, frames, size, seed)
    w, h = int(size[0]), int(size[1])
    rng = np.random.default_rng([seed, 0])
    lanes = mo.make_lanes(persons, (w, h), rng)
    camera, bound = mo.camera_path(frames, (w, h), rng)
    # The texture covers every position the camera can reach, whatever the clip length.
    bx, by = int(np.ceil(bound[0])) + 2, int(np.ceil(bound[1])) + 2
    bg = background(w + 2 * bx, h + 2 * by, HORIZON * h + by, rng)
    # Each person draws from its own stream, so one person's choices never shift another's.
    motions = tuple(mo.make_person(frames, (w, h), lanes[i], np.random.default_rng([seed, 1, i]), exits)
                    for i in range(persons))
    looks = tuple(random_look(np.random.default_rng([seed, 2, i])) for i in range(persons))
    return Scene((w, h), frames, seed, motions, looks, tuple(lanes), camera, bg, (-float(bx), -float(by)))
