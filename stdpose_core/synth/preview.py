"""A contact sheet of clip frames with the ground truth drawn on them, for eyeballing generated data."""

from __future__ import annotations

import cv2
import numpy as np

from stdpose_core.data import Project


def draw_ground_truth(image: np.ndarray, gt: Project, frame: int) -> np.ndarray:
    """A copy of ``image[H,W,3]`` RGB with every track's skeleton, boxes and vis marks at ``frame``.

    Visible joints are filled dots, occluded (vis 1) hollow rings; person boxes white, head boxes yellow.
    """
    out = image.copy()
    sk = gt.skeleton
    for t in gt.tracks.values():
        xy, vis = t.xy[frame], t.vis[frame]
        for a, b in sk.edges:
            if vis[a] > 0 and vis[b] > 0:
                pa, pb = tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b])
                cv2.line(out, pa, pb, sk.joint_colors[b], 1, cv2.LINE_AA)
        for k in range(sk.num_joints):
            if vis[k] > 0:
                c = tuple(int(v) for v in xy[k])
                cv2.circle(out, c, 3, sk.joint_colors[k], -1 if vis[k] == 2 else 1, cv2.LINE_AA)
        for box, color in ((t.bbox[frame], (255, 255, 255)), (t.head_bbox[frame], (255, 230, 0))):
            if np.isfinite(box).all():
                cv2.rectangle(out, (int(box[0]), int(box[1])), (int(box[2]), int(box[3])), color, 1)
        if np.isfinite(t.bbox[frame]).all():
            cv2.putText(out, str(t.track_id), (int(t.bbox[frame][0]) + 2, int(t.bbox[frame][1]) + 12),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
    return out


def contact_sheet(frames: list[np.ndarray], gt: Project | None, indices: list[int], columns: int = 3) -> np.ndarray:
    """Tile ``frames[i]`` for ``i`` in ``indices`` (with the ground truth drawn when ``gt`` is given)."""
    tiles = []
    for i in indices:
        img = frames[i] if gt is None else draw_ground_truth(frames[i], gt, i)
        img = img.copy()
        cv2.putText(img, f"#{i}", (4, img.shape[0] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        tiles.append(img)
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.concatenate(tiles[r : r + columns], axis=1) for r in range(0, len(tiles), columns)]
    return np.concatenate(rows, axis=0)
