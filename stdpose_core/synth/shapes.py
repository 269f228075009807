"""The two shapes a figure is made of, as signed fields shared by the renderer and the ground truth.

A field is negative inside the shape, about "pixels outside the edge" outside. The renderer paints a
pixel with coverage ``clip(0.5 - field, 0, 1)`` and counts it as the shape's when ``field < 0``; the
occlusion flags test joints with the same ``field < 0``, so the flags agree with the painted pixels.
Pixel centres are at integer coordinates. All arguments broadcast (numpy arrays or scalars).
"""

from __future__ import annotations

import numpy as np


def capsule_frame(px, py, ax, ay, bx, by):
    """Coordinates of points P relative to segment A->B.

    Returns ``(u, dist)``: ``u`` = position of the closest axis point as a fraction of A->B in [0, 1],
    ``dist`` = distance from P to that axis point in pixels.
    """
    dx, dy = bx - ax, by - ay
    len2 = np.maximum(dx * dx + dy * dy, 1e-9)
    u = np.clip(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0)
    cx, cy = ax + u * dx, ay + u * dy
    return u, np.hypot(px - cx, py - cy)


def capsule_field(px, py, ax, ay, bx, by, ra, rb):
    """Tapered capsule from A (radius ``ra``) to B (radius ``rb``): ``dist - radius(u)``."""
    u, dist = capsule_frame(px, py, ax, ay, bx, by)
    return dist - (ra + (rb - ra) * u)


def ellipse_coords(px, py, cx, cy, ux, uy, a, b):
    """Normalised coordinates of P in the ellipse centred at C with unit major axis (ux, uy).

    Returns ``(s, t)``: ``s`` along the major axis over ``a``, ``t`` across (to the axis' right in
    the image, i.e. rotated +90 degrees with y down) over ``b``; inside when ``s^2 + t^2 < 1``.
    """
    dx, dy = px - cx, py - cy
    s = (dx * ux + dy * uy) / a
    t = (-dx * uy + dy * ux) / b
    return s, t


def ellipse_field(px, py, cx, cy, ux, uy, a, b):
    """Approximate signed distance in pixels to the ellipse edge (exact on the axes)."""
    s, t = ellipse_coords(px, py, cx, cy, ux, uy, a, b)
    rho = np.sqrt(s * s + t * t)
    return (rho - 1.0) * np.minimum(a, b)
