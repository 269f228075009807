"""How generated people and scenes look: clothes colours and patterns, and the background texture."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import cv2
import numpy as np

SKIN_TONES = ((255, 219, 190), (234, 192, 160), (205, 150, 115), (160, 110, 75), (110, 72, 48), (70, 45, 32))
HAIR_COLORS = ((30, 22, 18), (80, 50, 30), (150, 100, 50), (220, 190, 120), (120, 120, 120), (160, 40, 20))


@dataclass(frozen=True)
class Look:
    """One person's appearance. Colours are RGB floats in [0, 255]; ``materials`` maps the
    :class:`~stdpose_core.synth.figure.PartSpec` material names to colours."""

    materials: dict[str, np.ndarray]
    stripe: np.ndarray  # second colour of patterned clothes
    pattern: str  # "plain", "stripes" or "checks"
    period: float  # stripe period in body heights
    hair: np.ndarray
    band: np.ndarray  # wrist band on the left wrist (a left/right cue)


def _vivid(rng: np.random.Generator, sat=(0.35, 0.9), val=(0.3, 0.95)) -> np.ndarray:
    rgb = colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(*sat), rng.uniform(*val))
    return np.array(rgb) * 255.0


def random_look(rng: np.random.Generator) -> Look:
    """A random look: shirt, trousers or shorts, shoes, skin, hair, pattern."""
    skin = np.array(SKIN_TONES[rng.integers(len(SKIN_TONES))], float)
    shirt = _vivid(rng)
    pants = _vivid(rng, sat=(0.1, 0.7), val=(0.15, 0.7))
    long_sleeves = rng.random() < 0.6
    shorts = rng.random() < 0.3
    materials = {
        "skin": skin,
        "shirt": shirt,
        "sleeve": shirt if long_sleeves else skin,
        "pants": pants,
        "shins": skin if shorts else pants,
        "shoes": _vivid(rng, sat=(0.0, 0.5), val=(0.05, 0.5)),
    }
    return Look(
        materials=materials,
        stripe=_vivid(rng),
        pattern=str(rng.choice(["plain", "stripes", "checks"], p=[0.3, 0.45, 0.25])),
        period=float(rng.uniform(0.025, 0.06)),
        hair=np.array(HAIR_COLORS[rng.integers(len(HAIR_COLORS))], float),
        band=_vivid(rng, sat=(0.8, 1.0), val=(0.9, 1.0)),
    )


def _noise(h: int, w: int, cell: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth value noise in [0, 1] with features about ``cell`` pixels apart, ``[h,w]`` float32."""
    gh, gw = int(h / cell) + 2, int(w / cell) + 2
    grid = rng.random((gh, gw)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def background(width: int, height: int, horizon: float, rng: np.random.Generator) -> np.ndarray:
    """A procedural scene ``[height,width,3]`` uint8 RGB: a textured wall with posters and bricks
    above ``horizon`` (y px), a tiled floor below it."""
    scale = max(height, 64) / 360.0
    yy = np.arange(height, dtype=np.float32)[:, None]
    n = 0.55 * _noise(height, width, 90 * scale, rng) + 0.3 * _noise(height, width, 20 * scale, rng) \
        + 0.15 * _noise(height, width, 4 * scale, rng)
    wall_a, wall_b = _vivid(rng, (0.1, 0.5), (0.45, 0.9)), _vivid(rng, (0.1, 0.6), (0.3, 0.8))
    floor_a, floor_b = _vivid(rng, (0.05, 0.4), (0.25, 0.6)), _vivid(rng, (0.05, 0.4), (0.15, 0.5))
    n3 = n[..., None]
    wall = wall_a * n3 + wall_b * (1 - n3)
    floor = floor_a * n3 + floor_b * (1 - n3)
    img = np.where((yy < horizon)[..., None], wall, floor).astype(np.float32)
    # Bricks: mortar lines make dense texture that moves with the camera.
    brick_h = max(3, int(rng.uniform(10, 22) * scale))
    brick_w = brick_h * rng.uniform(2.0, 3.5)
    for row, y in enumerate(range(0, int(horizon), brick_h)):
        img[y : y + max(1, brick_h // 8), :] *= 0.75
        off = (row % 2) * brick_w / 2
        for x in np.arange(off, width, brick_w):
            img[y : y + brick_h, int(x) : int(x) + max(1, brick_h // 8)] *= 0.8
    # Posters and windows: large features with sharp edges.
    for _ in range(int(width * height / (110 * scale) ** 2)):
        w = int(rng.uniform(25, 90) * scale)
        h = int(rng.uniform(25, 80) * scale)
        x0 = int(rng.uniform(0, width))
        y0 = int(rng.uniform(0, max(1, horizon - h)))
        color = _vivid(rng)
        cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), color.tolist(), -1)
        if rng.random() < 0.5:
            cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (_vivid(rng) * 0.5).tolist(), max(1, int(3 * scale)))
        if rng.random() < 0.5:
            yc = y0 + h // 2
            cv2.line(img, (x0, yc), (x0 + w, yc), (_vivid(rng)).tolist(), max(1, int(4 * scale)))
    # Floor tiles: lines converging to a vanishing point over the middle of the scene.
    vx = width / 2
    for k in np.arange(-width, 2 * width, 60 * scale):
        cv2.line(img, (int(vx + (k - vx) * 0.3), int(horizon)), (int(k), height), (40, 40, 40), max(1, int(2 * scale)))
    y = horizon
    step = 6 * scale
    while y < height:
        cv2.line(img, (0, int(y)), (width, int(y)), (50, 50, 50), max(1, int(2 * scale)))
        step *= 1.35
        y += step
    fine = _noise(height, width, 1.5, rng)[..., None]
    img *= 0.9 + 0.2 * fine
    return np.clip(img, 0, 255).astype(np.uint8)
