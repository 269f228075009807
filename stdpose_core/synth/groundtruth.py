"""Exact PoseTrack18 ground truth of a scene, computed from geometry (no pixels needed).

Per person and frame:
  - ``xy``: the joint's image position (world minus camera), pixels, 0-based.
  - ``vis``: 0 when the joint is outside ``[0, W-1] x [0, H-1]`` (xy then 0, as PoseTrack writes it);
    1 when the last part painted over the joint's point belongs to another person, or to a part of
    the same body that is not the joint's own (far-side hip behind the torso, a hand over the face),
    and for the nose when the face points away from the camera; else 2. Ears (unused) are always 0.
  - ``bbox``: around the labelled (vis > 0) joints, widened by 7% of the body height, clipped to the
    frame; NaN (the person is absent) when no joint is labelled.
  - ``head_bbox``: the axis-aligned box of the drawn head ellipse (not clipped; PoseTrack head boxes
    may leave the frame), whenever the person is present. It contains head_top, head_bottom and nose.
"""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.skeleton import POSETRACK18
from stdpose_core.synth.figure import JOINT_PARTS, NUM_PARTS, PART_INDEX, draw_order, part_fields
from stdpose_core.synth.scene import FrameState, Scene

FPS = 25.0
BOX_MARGIN = 0.07  # of body height
_CHUNK = 32  # frames per vectorised step: bounds memory at ~17 * 16 * 64 floats per person pair
JOINTS = POSETRACK18.joint_names
_FACE_AWAY = 0.1  # face direction's depth component above which the nose is behind the head


def frame_name(i: int) -> str:
    """PoseTrack-style image name of frame ``i``, relative to the clip folder."""
    return f"frames/{i:06d}.jpg"


def _own_mask() -> np.ndarray:
    """``[K,Q]`` bool: part q is joint k's own part."""
    own = np.zeros((POSETRACK18.num_joints, NUM_PARTS), bool)
    for k, parts in JOINT_PARTS.items():
        own[k, list(parts)] = True
    return own


def _part_extent(geom: np.ndarray) -> np.ndarray:
    """``[4]`` world box around all parts in ``geom[Q,n,7]`` over all n frames."""
    r = np.maximum(geom[..., 4], geom[..., 5])
    head = PART_INDEX["head"]
    ends = geom[..., [0, 1, 2, 3]].copy()
    ends[head, :, 2:] = ends[head, :, :2]  # the ellipse row holds an axis, not a second point
    x = np.concatenate([ends[..., 0] - r, ends[..., 2] - r, ends[..., 0] + r, ends[..., 2] + r])
    y = np.concatenate([ends[..., 1] - r, ends[..., 3] - r, ends[..., 1] + r, ends[..., 3] + r])
    return np.array([x.min(), y.min(), x.max(), y.max()])


def joint_state(scene: Scene, st: FrameState) -> tuple[np.ndarray, np.ndarray]:
    """Image joints ``xy[P,n,K,2]`` float64 and ``vis[P,n,K]`` int8 at the frames of ``st``."""
    w, h = scene.size
    n, P, K = st.stop - st.start, scene.num_persons, POSETRACK18.num_joints
    cam = scene.camera[st.start : st.stop]  # [n,2]
    world = np.stack([np.stack([st.points[p][j][:, :2] for j in JOINTS], axis=1) for p in range(P)])  # [P,n,K,2]
    geom = st.geom  # [P,Q,n,7] world
    # Painting rank of every part: people far to near, then each person's own order.
    order_in_person = np.argsort(draw_order(np.moveaxis(geom, 2, 1)), axis=-1)  # [P,n,Q] position of q
    rank = np.empty((P, n, NUM_PARTS), np.int64)
    for pos, p in enumerate(scene.order):
        rank[p] = pos * NUM_PARTS + order_in_person[p]
    # The last-painted part over each joint: only people whose extents meet can cover each other.
    best = np.full((P, n, K), -1, np.int64)
    owner_person = np.full((P, n, K), -1, np.int64)
    owner_part = np.zeros((P, n, K), np.int64)
    extent = [_part_extent(geom[q]) for q in range(P)]
    for p in range(P):
        lo, hi = world[p].reshape(-1, 2).min(axis=0), world[p].reshape(-1, 2).max(axis=0)
        for q in range(P):
            e = extent[q]
            if q != p and (hi[0] < e[0] or lo[0] > e[2] or hi[1] < e[1] or lo[1] > e[3]):
                continue
            covered = part_fields(world[p, ..., 0], world[p, ..., 1], np.moveaxis(geom[q], 1, 0)) < 0  # [n,K,Q]
            top = np.where(covered, rank[q][:, None, :], -1)
            part = np.argmax(top, axis=-1)
            value = np.take_along_axis(top, part[..., None], axis=-1)[..., 0]
            better = value > best[p]
            best[p] = np.where(better, value, best[p])
            owner_person[p] = np.where(better, q, owner_person[p])
            owner_part[p] = np.where(better, part, owner_part[p])
    own = _own_mask()[np.arange(K)[None, None, :], owner_part] & (owner_person == np.arange(P)[:, None, None])
    vis = np.where((best < 0) | own, 2, 1).astype(np.int8)
    nose = JOINTS.index("nose")
    for p in range(P):
        away = st.points[p]["face_dir"][:, 2] > _FACE_AWAY
        vis[p, away, nose] = 1
    xy = world - cam[None, :, None]
    inside = (xy[..., 0] >= 0) & (xy[..., 0] <= w - 1) & (xy[..., 1] >= 0) & (xy[..., 1] <= h - 1)
    vis[~inside] = 0
    vis[..., list(POSETRACK18.unused)] = 0
    xy[vis == 0] = 0.0
    return xy, vis


def _head_boxes(scene: Scene, st: FrameState) -> np.ndarray:
    """``[P,n,4]`` image boxes of the head ellipses at the frames of ``st``."""
    g = st.geom[:, PART_INDEX["head"]]  # [P,n,7]
    cx, cy, ux, uy, a, b = (g[..., i] for i in range(6))
    ex = np.sqrt((a * ux) ** 2 + (b * uy) ** 2)
    ey = np.sqrt((a * uy) ** 2 + (b * ux) ** 2)
    cam = scene.camera[st.start : st.stop]
    cx, cy = cx - cam[None, :, 0], cy - cam[None, :, 1]
    return np.stack([cx - ex, cy - ey, cx + ex, cy + ey], axis=-1)


def ground_truth(scene: Scene) -> Project:
    """The scene's exact PoseTrack18 annotation: one MANUAL track per person, every frame labeled."""
    w, h = scene.size
    F, P, K = scene.num_frames, scene.num_persons, POSETRACK18.num_joints
    video = VideoInfo(path="frames", num_frames=F, width=w, height=h, fps=FPS,
                      frame_names=[frame_name(i) for i in range(F)])
    tracks = {p: Track.empty(p, F, K) for p in range(P)}
    for start in range(0, F, _CHUNK):
        stop = min(start + _CHUNK, F)
        st = scene.state(start, stop)
        xy, vis = joint_state(scene, st)
        heads = _head_boxes(scene, st)
        for p, t in tracks.items():
            v = vis[p]
            labeled = v > 0
            present = labeled.any(axis=1)
            t.xy[start:stop] = xy[p]
            t.vis[start:stop] = v
            t.score[start:stop] = labeled
            t.source[start:stop] = np.where(labeled, Source.MANUAL, Source.NONE)
            t.reviewed[start:stop] = present
            margin = BOX_MARGIN * scene.motions[p].scale
            lo = np.where(labeled[..., None], xy[p], np.inf).min(axis=1) - margin
            hi = np.where(labeled[..., None], xy[p], -np.inf).max(axis=1) + margin
            box = np.concatenate([np.maximum(lo, 0), np.minimum(hi, [w - 1, h - 1])], axis=1)
            t.bbox[start:stop] = np.where(present[:, None], box, np.nan)
            t.head_bbox[start:stop] = np.where(present[:, None], heads[p], np.nan)
    meta = {"generator": "stdpose synth", "seed": scene.seed, "persons": P,
            "gaits": [m.gait for m in scene.motions]}
    return Project(skeleton=POSETRACK18, video=video, tracks=tracks, labeled=np.ones(F, bool), meta=meta)
