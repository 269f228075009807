"""Rasterise one frame of a scene: the panned background, shadows, then every body part back to front.

Parts are painted on crops with the signed fields of :mod:`~stdpose_core.synth.shapes` (coverage
``clip(0.5 - field, 0, 1)``, anti-aliased edges), shaded as lit cylinders (capsules) or a lit sphere
(the head, with hair, eyes and mouth placed from the face direction), and patterned with the person's
clothes. The optional id map records which part owns each pixel (``field < 0``), which is what the
ground-truth occlusion flags are defined on.
"""

from __future__ import annotations

import cv2
import numpy as np

from stdpose_core.synth.appearance import Look
from stdpose_core.synth.figure import PART_INDEX, PARTS, draw_order
from stdpose_core.synth.shapes import capsule_frame, ellipse_coords, ellipse_field

# Light from the upper left, towards the scene (x right, y down, z towards the camera).
_LIGHT = np.array([-0.45, -0.6, 0.66]) / np.linalg.norm([-0.45, -0.6, 0.66])
_LEFT_TINT = 1.12  # left limbs are a little lighter: a left/right cue besides the face
_NOISE_SIGMA = 2.0
_BLUR_SIGMA = 0.6


def _crop(bounds: tuple[float, float, float, float], width: int, height: int):
    x1, y1, x2, y2 = bounds
    x1, y1 = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
    x2, y2 = min(int(np.ceil(x2)) + 1, width), min(int(np.ceil(y2)) + 1, height)
    if x1 >= x2 or y1 >= y2:
        return None
    ys, xs = np.mgrid[y1:y2, x1:x2].astype(np.float32)
    return (slice(y1, y2), slice(x1, x2)), xs, ys


def _stripes(coord: np.ndarray, period: float) -> np.ndarray:
    return (np.mod(coord / max(period, 1.0), 1.0) < 0.5).astype(np.float32)


def _capsule_color(g: np.ndarray, xs, ys, spec, look: Look, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Colour ``[h,w,3]`` and field ``[h,w]`` of one capsule part on a crop."""
    ax, ay, bx, by, ra, rb = g[:6]
    u, dist = capsule_frame(xs, ys, ax, ay, bx, by)
    radius = ra + (rb - ra) * u
    field = dist - radius  # = capsule_field(...), computed once with the frame it needs anyway
    length = float(np.hypot(bx - ax, by - ay))
    # Signed position across the axis, -1..1, and the cylinder's surface normal.
    side = np.sign((xs - ax) * (by - ay) - (ys - ay) * (bx - ax))
    across = np.clip(side * dist / np.maximum(radius, 1e-3), -1, 1)
    px, py = (-(by - ay) / length, (bx - ax) / length) if length > 1e-6 else (1.0, 0.0)
    nz = np.sqrt(np.clip(1 - across * across, 0, 1))
    lambert = np.clip(across * px * _LIGHT[0] + across * py * _LIGHT[1] + nz * _LIGHT[2], 0, 1)
    base = look.materials[spec.material]
    color = np.broadcast_to(base, xs.shape + (3,)).astype(np.float32)
    clothed = spec.material != "shoes" and look.materials[spec.material] is not look.materials["skin"]
    if clothed and look.pattern != "plain":
        along = u * length
        mask = _stripes(along, look.period * scale)
        if look.pattern == "checks":
            mask = np.abs(mask - _stripes(across * radius + 100.0, look.period * scale))
        color = color + (look.stripe - base) * (0.7 * mask)[..., None]
    if spec.name == "torso":
        belt = (u > 0.9).astype(np.float32)[..., None]
        color = color * (1 - belt) + look.materials["pants"] * 0.6 * belt
    if spec.name == "left_forearm":
        band = ((u > 0.8) & (u < 0.95)).astype(np.float32)[..., None]
        color = color * (1 - band) + look.band * band
    if spec.side == "left":
        color = color * _LEFT_TINT
    return color * (0.35 + 0.75 * lambert)[..., None], field


def _head_color(g: np.ndarray, xs, ys, look: Look, face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Colour and field of the head ellipse; ``face`` = unit face direction (x, y down, depth)."""
    cx, cy, ux, uy, a, b = g[:6]
    field = ellipse_field(xs, ys, cx, cy, ux, uy, a, b)
    s, t = ellipse_coords(xs, ys, cx, cy, ux, uy, a, b)
    z = np.sqrt(np.clip(1 - s * s - t * t, 0, 1))
    # Surface normal in camera axes (x right, y down, z towards the camera).
    nx = s * ux - t * uy
    ny = s * uy + t * ux
    f = np.array([face[0], face[1], -face[2]])
    up = np.array([ux, uy, 0.0])
    left = np.array([-face[2], 0.0, -face[0]])  # the head's left: the face turned 90 degrees
    dot_face = nx * f[0] + ny * f[1] + z * f[2]
    dot_up = nx * up[0] + ny * up[1]
    color = np.broadcast_to(look.materials["skin"], xs.shape + (3,)).astype(np.float32).copy()
    hair = (dot_face < -0.05) | (dot_up > 0.6)
    color[hair] = look.hair * (0.85 + 0.15 * np.sin(40 * t[hair]))[:, None]
    if f[2] > -0.3:  # features on the far side of the head are hidden by it
        for sign in (1.0, -1.0):
            e = f + 0.3 * up + sign * 0.4 * left
            e /= np.linalg.norm(e)
            if e[2] > 0:
                eye = nx * e[0] + ny * e[1] + z * e[2] > 0.985
                color[eye] = (25, 25, 35)
        m = f - 0.5 * up
        m /= np.linalg.norm(m)
        if m[2] > 0:
            color[nx * m[0] + ny * m[1] + z * m[2] > 0.99] = (150, 40, 40)
        nose = dot_face > 0.995
        color[nose] = color[nose] * 0.75
    lambert = np.clip(nx * _LIGHT[0] + ny * _LIGHT[1] + z * _LIGHT[2], 0, 1)
    return color * (0.4 + 0.7 * lambert)[..., None], field


def paint_person(img: np.ndarray, ids: np.ndarray | None, geom: np.ndarray, face: np.ndarray, look: Look,
                 scale: float, first_id: int) -> None:
    """Paint one person's parts back to front into ``img[H,W,3]`` float32 (in place).

    ``geom[Q,7]`` image-pixel geometry at this frame (see :mod:`~stdpose_core.synth.figure`);
    ``face[3]`` unit face direction; part ``q`` writes ``first_id + q`` into ``ids[H,W]`` where it
    owns the pixel.
    """
    height, width = img.shape[:2]
    head = PART_INDEX["head"]
    for q in draw_order(geom):
        g = geom[q]
        if q == head:
            r = max(g[4], g[5])
            bounds = (g[0] - r, g[1] - r, g[0] + r, g[1] + r)
        else:
            r = max(g[4], g[5])
            bounds = (min(g[0], g[2]) - r, min(g[1], g[3]) - r, max(g[0], g[2]) + r, max(g[1], g[3]) + r)
        crop = _crop(bounds, width, height)
        if crop is None:
            continue
        region, xs, ys = crop
        if q == head:
            color, field = _head_color(g, xs, ys, look, face)
        else:
            color, field = _capsule_color(g, xs, ys, PARTS[q], look, scale)
        alpha = np.clip(0.5 - field, 0, 1)[..., None].astype(np.float32)
        img[region] = img[region] * (1 - alpha) + color * alpha
        if ids is not None:
            ids[region][field < 0] = first_id + q


def paint_shadow(img: np.ndarray, x: float, y: float, scale: float) -> None:
    """Darken a soft ellipse on the floor at image point (x, y) under a person of ``scale`` px."""
    height, width = img.shape[:2]
    rx, ry = 0.2 * scale, 0.035 * scale
    crop = _crop((x - rx, y - ry, x + rx, y + ry), width, height)
    if crop is None:
        return
    region, xs, ys = crop
    d = np.sqrt(((xs - x) / rx) ** 2 + ((ys - y) / ry) ** 2)
    shade = 1 - 0.45 * np.clip(1.2 - d, 0, 1)
    img[region] *= shade[..., None]


def finish(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Light blur and sensor noise (luminance only: a third of the random numbers), then ``uint8``."""
    img = cv2.GaussianBlur(img, (3, 3), _BLUR_SIGMA)
    noise = rng.standard_normal(img.shape[:2] + (1,), dtype=np.float32)
    img += _NOISE_SIGMA * noise
    return np.clip(img, 0, 255).astype(np.uint8)

