"""The parts a figure is drawn from, their per-frame geometry, draw order and joint ownership.

Part geometry is one array ``geom[Q,F,7]`` in world pixels (x right, y down) per person:
capsules ``(ax, ay, bx, by, ra, rb, key)`` and the head ellipse ``(cx, cy, ux, uy, a, b, key)`` with
(ux, uy) the unit axis from head_bottom towards head_top. ``key`` is the painter's depth: within a
person, parts are drawn from the largest key (farthest) to the smallest. Between people, the farther
lane is drawn first (lanes never cross, see :mod:`~stdpose_core.synth.motion`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.skeleton import POSETRACK18
from stdpose_core.synth import kinematics as kin
from stdpose_core.synth.shapes import capsule_field, ellipse_field


@dataclass(frozen=True)
class PartSpec:
    """A drawn body part: a capsule from point ``a`` to ``b`` or the head ellipse."""

    name: str
    kind: str  # "capsule" or "ellipse"
    a: str
    b: str
    ra: float  # body heights
    rb: float
    material: str  # look attribute that colours it
    side: str = ""  # "left", "right" or ""


def _limbs(side: str) -> tuple[PartSpec, ...]:
    s = side
    return (
        PartSpec(f"{s}_upper_arm", "capsule", f"{s}_shoulder", f"{s}_elbow", 0.038, 0.032, "shirt", s),
        PartSpec(f"{s}_forearm", "capsule", f"{s}_elbow", f"{s}_wrist", 0.031, 0.025, "sleeve", s),
        PartSpec(f"{s}_hand", "capsule", f"{s}_wrist", f"{s}_hand_tip", 0.026, 0.02, "skin", s),
        PartSpec(f"{s}_thigh", "capsule", f"{s}_hip", f"{s}_knee", 0.056, 0.043, "pants", s),
        PartSpec(f"{s}_shin", "capsule", f"{s}_knee", f"{s}_ankle", 0.041, 0.03, "shins", s),
        PartSpec(f"{s}_foot", "capsule", f"{s}_ankle", f"{s}_toe", 0.029, 0.024, "shoes", s),
    )


PARTS: tuple[PartSpec, ...] = (
    PartSpec("torso", "capsule", "spine_top", "pelvis", 0.0, 0.0, "shirt"),  # radii depend on yaw
    PartSpec("neck", "capsule", "spine_top", "head_bottom", 0.03, 0.03, "skin"),
    PartSpec("head", "ellipse", "head_bottom", "head_top", 0.56 * kin.HEAD, 0.46 * kin.HEAD, "skin"),
) + _limbs("left") + _limbs("right")

PART_INDEX = {p.name: i for i, p in enumerate(PARTS)}
NUM_PARTS = len(PARTS)

# Painter's bias in body heights: the torso is a volume, so a limb level with its centre is drawn in
# front of it; only a limb clearly behind (the far side of a turned body) is covered by it.
_KEY_BIAS = {"torso": 0.04, "neck": 0.02, "head": -0.01}


def _joint_parts() -> dict[int, tuple[int, ...]]:
    own: dict[str, tuple[str, ...]] = {"nose": ("head",), "head_top": ("head",), "head_bottom": ("head", "neck")}
    for s in ("left", "right"):
        own[f"{s}_shoulder"] = (f"{s}_upper_arm",)
        own[f"{s}_elbow"] = (f"{s}_upper_arm", f"{s}_forearm")
        own[f"{s}_wrist"] = (f"{s}_forearm", f"{s}_hand")
        own[f"{s}_hip"] = (f"{s}_thigh",)
        own[f"{s}_knee"] = (f"{s}_thigh", f"{s}_shin")
        own[f"{s}_ankle"] = (f"{s}_shin", f"{s}_foot")
    return {POSETRACK18.index(j): tuple(PART_INDEX[p] for p in parts) for j, parts in own.items()}


#: PoseTrack18 joint index -> the parts it belongs to; a joint is visible when the last part painted
#: over it is one of these (unused ears are absent).
JOINT_PARTS: dict[int, tuple[int, ...]] = _joint_parts()


def part_geometry(points: dict[str, np.ndarray], yaw: np.ndarray, scale: float) -> np.ndarray:
    """Geometry ``[Q,F,7]`` (see module doc) of one person from its world points ``{name: [F,3]}``."""
    n = len(yaw)
    geom = np.empty((NUM_PARTS, n, 7))
    c = np.abs(np.cos(yaw))
    for q, spec in enumerate(PARTS):
        a, b = points[spec.a], points[spec.b]
        key = 0.5 * (a[:, 2] + b[:, 2]) + _KEY_BIAS.get(spec.name, 0.0) * scale
        if spec.kind == "ellipse":
            d = b[:, :2] - a[:, :2]
            norm = np.hypot(d[:, 0], d[:, 1])
            # A head seen end-on (lean towards the camera) keeps an upright axis.
            safe = norm > 1e-6
            ux = np.where(safe, d[:, 0] / np.where(safe, norm, 1), 0.0)
            uy = np.where(safe, d[:, 1] / np.where(safe, norm, 1), -1.0)
            center = points["head_center"]
            geom[q] = np.stack([center[:, 0], center[:, 1], ux, uy, np.full(n, spec.ra * scale),
                                np.full(n, spec.rb * scale), key], axis=1)
            continue
        if spec.name == "torso":
            # Seen from the front the torso is shoulder-wide, from the side chest-deep.
            ra = np.maximum(0.8 * kin.SHOULDER_HALF * c, 0.07) * scale
            rb = np.maximum(0.85 * kin.HIP_HALF * c + 0.02, 0.065) * scale
        else:
            ra, rb = np.full(n, spec.ra * scale), np.full(n, spec.rb * scale)
        geom[q] = np.stack([a[:, 0], a[:, 1], b[:, 0], b[:, 1], ra, rb, key], axis=1)
    # Hands and feet go right after the forearm/shin they hang from.
    for s in ("left", "right"):
        for end, limb in (("hand", "forearm"), ("foot", "shin")):
            geom[PART_INDEX[f"{s}_{end}"], :, 6] = geom[PART_INDEX[f"{s}_{limb}"], :, 6] - 1e-3
    return geom


def part_fields(px: np.ndarray, py: np.ndarray, geom: np.ndarray) -> np.ndarray:
    """Signed fields (negative inside) of points ``px, py [..., N]`` against parts ``geom[..., Q, 7]``.

    ``Q`` is a multiple of :data:`NUM_PARTS` (one or more people's parts concatenated in
    :data:`PARTS` order). Returns ``[..., N, Q]``.
    """
    x, y = px[..., :, None], py[..., :, None]
    is_head = np.arange(geom.shape[-2]) % NUM_PARTS == PART_INDEX["head"]
    out = np.empty(np.broadcast_shapes(x.shape, geom[..., None, :, 0].shape))
    for mask, field in ((is_head, ellipse_field), (~is_head, capsule_field)):
        g = geom[..., None, mask, :]
        out[..., mask] = field(x, y, g[..., 0], g[..., 1], g[..., 2], g[..., 3], g[..., 4], g[..., 5])
    return out


def draw_order(geom: np.ndarray) -> np.ndarray:
    """Part indices in painting order (farthest key first) along the parts axis of ``geom[..., Q, 7]``.

    The renderer and the occlusion flags both use this, so they agree on who is in front.
    """
    return np.argsort(-geom[..., 6], axis=-1, kind="stable")
