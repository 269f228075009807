"""Generated test clips: a textured scene moved by known rigid motions, with exact joint positions."""

from __future__ import annotations

import cv2
import numpy as np

from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track
from stdpose_core.skeleton import POSETRACK18


def texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """Smooth random RGB texture ``(h,w,3)`` uint8 (corners everywhere, so LK can lock on)."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.float32)
    for sigma, amp in ((1.5, 0.5), (4.0, 1.0), (10.0, 1.0)):
        noise = rng.normal(size=(h, w, 3)).astype(np.float32)
        img += amp * cv2.GaussianBlur(noise, (0, 0), sigma) * sigma
    img = (img - img.min()) / (img.max() - img.min()) * 255
    return img.astype(np.uint8)


def person_joints(cx: float, cy: float, size: float = 60.0) -> np.ndarray:
    """PoseTrack18 joints ``[17,2]`` of an upright figure centred at (cx, cy), ``size`` px tall-ish."""
    u = size / 6
    pts = {
        "nose": (0, -2.2), "head_bottom": (0, -1.6), "head_top": (0, -3.0), "left_ear": (0, 0), "right_ear": (0, 0),
        "left_shoulder": (1, -1.4), "right_shoulder": (-1, -1.4), "left_elbow": (1.5, -0.3), "right_elbow": (-1.5, -0.3),
        "left_wrist": (1.8, 0.8), "right_wrist": (-1.8, 0.8), "left_hip": (0.6, 0.6), "right_hip": (-0.6, 0.6),
        "left_knee": (0.7, 2.0), "right_knee": (-0.7, 2.0), "left_ankle": (0.8, 3.3), "right_ankle": (-0.8, 3.3),
    }
    return np.array([[cx + u * pts[n][0], cy + u * pts[n][1]] for n in POSETRACK18.joint_names], np.float32)


def rigid_clip(num_frames: int, size=(160, 120), motion=(1.5, 0.7), rot_deg: float = 0.0, people=1, seed=0, wobble=0.0):
    """Frames of a texture moved rigidly by ``motion`` px/frame and rotated by ``rot_deg``/frame about
    the image centre, and the exact joints ``[F,P,17,2]`` of ``people`` figures painted in the texture.

    ``wobble`` adds a sinusoidal sideways shake of that many px (period 8 frames), which linear
    interpolation cannot follow."""
    w, h = size
    big = texture(h * 2, w * 2, seed)
    centre = np.array([w, h], np.float32)  # centre of the big texture
    base = [person_joints(w * (i + 1) / (people + 1) + w / 2, h, 0.5 * h) for i in range(people)]
    frames, joints = [], []
    for f in range(num_frames):
        ang = np.deg2rad(rot_deg * f)
        c, s = np.cos(ang), np.sin(ang)
        R = np.array([[c, -s], [s, c]], np.float32)
        t = np.array(motion, np.float32) * f + np.array([wobble * np.sin(2 * np.pi * f / 8), 0.5 * wobble * np.cos(2 * np.pi * f / 8)], np.float32)
        # world -> image: x' = R (x - centre) + centre + t - offset, offset crops the big texture.
        offset = np.array([w / 2, h / 2], np.float32)
        A = np.zeros((2, 3), np.float32)
        A[:, :2] = R
        A[:, 2] = -R @ centre + centre + t - offset
        frames.append(cv2.warpAffine(big, A, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT))
        joints.append(np.stack([(b @ A[:, :2].T) + A[:, 2] for b in base]))
    return frames, np.stack(joints)


def project_from_joints(joints: np.ndarray, size, keyframes) -> Project:
    """Project with one track per person; MANUAL visible joints on ``keyframes`` (others empty).
    Ears stay unlabelled like PoseTrack18. Head boxes around head_top..head_bottom."""
    F, P, K, _ = joints.shape
    w, h = size
    proj = Project(POSETRACK18, VideoInfo("mem", F, w, h))
    for p in range(P):
        t = Track.empty(p, F, K)
        for f in keyframes:
            set_manual(t, f, joints[f, p])
        proj.tracks[p] = t
    return proj


def set_manual(track: Track, f: int, xy: np.ndarray, vis: int = 2) -> None:
    used = np.ones(track.num_joints, bool)
    used[[3, 4]] = False
    track.xy[f] = np.where(used[:, None], xy, 0)
    track.vis[f] = np.where(used, vis, 0)
    track.score[f] = used.astype(np.float32)
    track.source[f] = np.where(used, Source.MANUAL, Source.NONE)
    pts = xy[used]
    track.bbox[f] = [*pts.min(0), *pts.max(0)]
    top, bottom = xy[2], xy[1]
    half = 0.5 * np.linalg.norm(top - bottom)
    cx, cy = 0.5 * (top + bottom)
    track.head_bbox[f] = [cx - half, cy - half, cx + half, cy + half]
