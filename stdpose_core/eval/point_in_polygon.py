"""Point-in-polygon for PoseTrack ignore regions (pure numpy)."""

from __future__ import annotations

import numpy as np


def inside_any(points: np.ndarray, polygons: list[np.ndarray]) -> np.ndarray:
    """``[N]`` bool: which of ``points[N,2]`` (pixels) lie inside any of ``polygons`` (each ``[M,2]``).

    Even-odd ray casting, the rule shapely's ``contains`` follows for simple polygons (poseval drops
    points with ``Polygon.contains``); points exactly on an edge may go either way.
    """
    points = np.asarray(points, np.float64).reshape(-1, 2)
    out = np.zeros(len(points), bool)
    x, y = points[:, 0:1], points[:, 1:2]
    for poly in polygons:
        p = np.asarray(poly, np.float64).reshape(-1, 2)
        if len(p) < 3:
            continue
        x1, y1 = p[:, 0][None], p[:, 1][None]
        x2, y2 = np.roll(p[:, 0], -1)[None], np.roll(p[:, 1], -1)[None]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        hits = crosses & (x < x_at)
        out |= (hits.sum(axis=1) % 2) == 1
    return out
