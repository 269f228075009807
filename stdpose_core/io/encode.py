"""Writing float32 arrays as short JSON numbers that read back to exactly the same float32."""

from __future__ import annotations

import numpy as np


def compact(values: np.ndarray) -> np.ndarray:
    """float64 values, each the shortest decimal (up to 6 places) whose float32 is the input float32.

    ``409.52542`` instead of ``409.5254211425781``; integers stay integral. Values that need more
    places keep their exact float64 form, so reading them back as float32 is always lossless.
    """
    v32 = np.asarray(values, np.float32)
    exact = v32.astype(np.float64)
    out = exact.copy()
    todo = np.ones(v32.shape, bool)
    for places in range(7):
        r = np.round(exact, places)
        ok = todo & (r.astype(np.float32) == v32)
        out[ok] = r[ok]
        todo &= ~ok
        if not todo.any():
            break
    return out


def number_list(values: np.ndarray) -> list:
    """Flat JSON list of compact numbers; integral values as ints (``1079`` not ``1079.0``)."""
    c = compact(np.ravel(values))
    return [int(x) if x == int(x) and abs(x) < 2**53 else float(x) for x in c.tolist()]


def box_numbers(box: np.ndarray) -> list:
    """``[x1, y1, x2, y2]`` float32 → JSON ``[x, y, w, h]`` such that a reader computing
    ``float32(x + w)`` gets ``x2`` back exactly (short decimals when they do, exact values otherwise)."""
    b = np.asarray(box, np.float32)
    xy = compact(b[:2])
    wh = np.round(compact(b[2:]) - xy, 6)
    if not (np.float32(xy[0] + wh[0]) == b[2] and np.float32(xy[1] + wh[1]) == b[3]):
        xy = b[:2].astype(np.float64)
        wh = b[2:].astype(np.float64) - xy
    return [int(v) if v == int(v) else float(v) for v in np.concatenate([xy, wh]).tolist()]
