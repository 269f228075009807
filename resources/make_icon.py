"""Draws resources/stdpose-annotator.png (256x256) and the same picture as stdpose-annotator.svg:
a pose skeleton over a keyframe timeline.

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
    (HERE / "stdpose-annotator.svg").write_text(_svg(pts, edges, green, white))


def _hex(bgr: tuple[int, int, int]) -> str:
    b, g, r = bgr
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(pts: dict, edges: list, green: tuple, white: tuple) -> str:
    """The PNG's drawing as SVG (same coordinates, colours given in BGR like OpenCV)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{S}" height="{S}" viewBox="0 0 {S} {S}">',
           f'<rect x="8" y="8" width="{S - 16}" height="{S - 16}" rx="36" fill="{_hex((48, 38, 30))}"/>',
           '<g stroke-width="9" stroke-linecap="round">']
    for a, b, c in edges:
        (x1, y1), (x2, y2) = pts[a], pts[b]
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{_hex(c)}"/>')
    out.append("</g>")
    out.append(f'<circle cx="{pts["head"][0]}" cy="{pts["head"][1]}" r="17" fill="{_hex(green)}"/>')
    out += [f'<circle cx="{x}" cy="{y}" r="8" fill="{_hex(white)}"/>' for n, (x, y) in pts.items() if n != "head"]
    out.append(f'<line x1="36" y1="228" x2="220" y2="228" stroke="{_hex(white)}" stroke-width="5" stroke-linecap="round"/>')
    out += [f'<circle cx="{x}" cy="228" r="7" fill="{_hex(green if (x - 44) % 56 == 0 else white)}"/>'
            for x in range(44, 221, 28)]
    return "\n".join(out + ["</svg>", ""])


if __name__ == "__main__":
    main()
