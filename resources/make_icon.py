"""Draws resources/stdpose-annotator.png (256x256): a pose skeleton over a keyframe timeline.

    .venv/bin/python resources/make_icon.py
"""

from pathlib import Path

import cv2
import numpy as np

S = 256
HERE = Path(__file__).parent


def main() -> None:
    img = np.zeros((S, S, 4), np.uint8)
    # Rounded dark tile.
    tile = np.zeros((S, S), np.uint8)
    r = 44
    cv2.rectangle(tile, (r, 8), (S - r, S - 8), 255, -1)
    cv2.rectangle(tile, (8, r), (S - 8, S - r), 255, -1)
    for cx, cy in ((r, r), (S - r, r), (r, S - r), (S - r, S - r)):
        cv2.circle(tile, (cx, cy), r - 8, 255, -1, cv2.LINE_AA)
    img[..., :3] = (48, 38, 30)  # BGR
    img[..., 3] = tile
    green, orange, blue, white = (120, 200, 60), (48, 130, 245), (245, 135, 66), (235, 235, 235)
    pts = {
        "head": (128, 52), "neck": (128, 82), "ls": (100, 88), "rs": (156, 88), "le": (86, 122), "re": (174, 112),
        "lw": (80, 152), "rw": (196, 86), "lh": (110, 146), "rh": (146, 146), "lk": (100, 178), "rk": (158, 176),
        "la": (94, 206), "ra": (170, 204),
    }
    edges = [("head", "neck", green), ("neck", "ls", green), ("neck", "rs", green), ("ls", "le", blue), ("le", "lw", blue),
             ("rs", "re", orange), ("re", "rw", orange), ("ls", "lh", blue), ("rs", "rh", orange), ("lh", "rh", green),
             ("lh", "lk", blue), ("lk", "la", blue), ("rh", "rk", orange), ("rk", "ra", orange)]
    for a, b, c in edges:
        cv2.line(img, pts[a], pts[b], c + (255,), 9, cv2.LINE_AA)
    cv2.circle(img, pts["head"], 17, green + (255,), -1, cv2.LINE_AA)
    for name, p in pts.items():
        if name != "head":
            cv2.circle(img, p, 8, white + (255,), -1, cv2.LINE_AA)
    # Timeline with keyframe ticks.
    cv2.line(img, (36, 228), (220, 228), white + (255,), 5, cv2.LINE_AA)
    for x in range(44, 221, 28):
        cv2.circle(img, (x, 228), 7, green + (255,) if (x - 44) % 56 == 0 else white + (255,), -1, cv2.LINE_AA)
    img[..., 3] = np.minimum(img[..., 3], tile)
    cv2.imwrite(str(HERE / "stdpose-annotator.png"), img)


if __name__ == "__main__":
    main()
