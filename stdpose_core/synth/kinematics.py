"""Forward kinematics of the generated figures: joint angles over time -> 3D points in world pixels.

The body is a rigid-bone 3D skeleton in units of body height, seen by an orthographic camera: every bone
keeps its 3D length exactly, and its length in the image is that length times ``cos`` of its angle out
of the image plane (the only foreshortening there is). World coordinates are ``x`` right and ``y`` down
in pixels (the image at camera offset 0) and ``depth`` in pixels, growing away from the camera.

Body-local axes: ``l`` = the person's left, ``u`` = up, ``f`` = forward. Yaw ``psi`` turns the body about
the vertical: ``psi = 0`` faces the camera, ``psi = +pi/2`` faces image-right (then the person's left side
is away from the camera).
"""

from __future__ import annotations

import numpy as np

# Body proportions in units of body height (ankle on the ground to the crown).
ANKLE_HEIGHT = 0.045
SHIN = 0.24
THIGH = 0.245
HIP_HEIGHT = ANKLE_HEIGHT + SHIN + THIGH
HIP_HALF = 0.085
TORSO = 0.29
SHOULDER_HALF = 0.115
SHOULDER_DROP = 0.025
UPPER_ARM = 0.165
FOREARM = 0.15
HAND = 0.07
NECK = 0.03
HEAD = 0.14
FOOT = 0.09

SIDES = {"left": 1.0, "right": -1.0}

#: Angle tracks a motion must provide, each ``[F]`` radians (``*`` = ``l`` or ``r``).
ANGLE_NAMES = (
    "lean", "head_yaw",
    "hip_flex_l", "hip_flex_r", "hip_abd_l", "hip_abd_r", "knee_l", "knee_r",
    "sh_flex_l", "sh_flex_r", "sh_abd_l", "sh_abd_r", "elbow_l", "elbow_r",
)

#: Bones whose 3D length is fixed: (joint a, joint b, length in body heights).
BONES = (
    ("head_bottom", "head_top", HEAD),
    ("left_shoulder", "left_elbow", UPPER_ARM), ("right_shoulder", "right_elbow", UPPER_ARM),
    ("left_elbow", "left_wrist", FOREARM), ("right_elbow", "right_wrist", FOREARM),
    ("left_hip", "left_knee", THIGH), ("right_hip", "right_knee", THIGH),
    ("left_knee", "left_ankle", SHIN), ("right_knee", "right_ankle", SHIN),
    ("left_hip", "right_hip", 2 * HIP_HALF),
)


def _v(l, u, f) -> np.ndarray:
    """Stack body-local components (broadcast ``[F]`` arrays) into ``[F,3]`` (l, u, f)."""
    l, u, f = np.broadcast_arrays(np.asarray(l, float), np.asarray(u, float), np.asarray(f, float))
    return np.stack([l, u, f], axis=-1)


def body_points(angles: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Body-local 3D points ``[F,3]`` (l, u, f) in body heights, the ankles' floor at ``u = 0``.

    Returns the PoseTrack18 joints by name plus render-only points: ``pelvis``, ``spine_top``,
    ``*_hand_tip``, ``*_toe``, ``head_center``, and ``face_dir`` (a unit direction, not a point).
    """
    a = angles
    n = len(a["lean"])
    zero = np.zeros(n)
    pts: dict[str, np.ndarray] = {}
    pelvis = _v(zero, HIP_HEIGHT, zero)
    spine = _v(zero, np.cos(a["lean"]), np.sin(a["lean"]))
    neck = pelvis + TORSO * spine
    pts["pelvis"] = pelvis
    pts["spine_top"] = neck - 0.02 * spine
    pts["head_bottom"] = neck + NECK * spine
    pts["head_top"] = pts["head_bottom"] + HEAD * spine
    pts["head_center"] = pts["head_bottom"] + 0.5 * HEAD * spine
    hy = a["head_yaw"]
    # The face looks along the body's forward turned by the head yaw, kept level.
    face = _v(np.sin(hy), zero, np.cos(hy))
    pts["face_dir"] = face
    pts["nose"] = pts["head_bottom"] + 0.4 * HEAD * spine + 0.38 * HEAD * face
    for side, s in SIDES.items():
        k = side[0]
        hip = pelvis + _v(s * HIP_HALF, zero, zero)
        th, ab, kn = a[f"hip_flex_{k}"], a[f"hip_abd_{k}"], a[f"knee_{k}"]
        thigh_dir = _v(s * np.sin(ab), -np.cos(ab) * np.cos(th), np.cos(ab) * np.sin(th))
        shin_dir = _v(s * np.sin(ab), -np.cos(ab) * np.cos(th - kn), np.cos(ab) * np.sin(th - kn))
        # The foot points forward, square to the shin, tipped slightly down.
        foot_dir = _v(zero, np.sin(th - kn) - 0.25, np.cos(th - kn))
        pts[f"{side}_hip"] = hip
        pts[f"{side}_knee"] = hip + THIGH * thigh_dir
        pts[f"{side}_ankle"] = pts[f"{side}_knee"] + SHIN * shin_dir
        pts[f"{side}_toe"] = pts[f"{side}_ankle"] + FOOT * foot_dir / np.linalg.norm(foot_dir, axis=-1, keepdims=True)
        fl, sa, el = a[f"sh_flex_{k}"], a[f"sh_abd_{k}"], a[f"elbow_{k}"]
        shoulder = neck - SHOULDER_DROP * spine + _v(s * SHOULDER_HALF, zero, zero)
        upper_dir = _v(s * np.sin(sa), -np.cos(sa) * np.cos(fl), np.cos(sa) * np.sin(fl))
        fore_dir = _v(s * np.sin(sa), -np.cos(sa) * np.cos(fl + el), np.cos(sa) * np.sin(fl + el))
        pts[f"{side}_shoulder"] = shoulder
        pts[f"{side}_elbow"] = shoulder + UPPER_ARM * upper_dir
        pts[f"{side}_wrist"] = pts[f"{side}_elbow"] + FOREARM * fore_dir
        pts[f"{side}_hand_tip"] = pts[f"{side}_wrist"] + HAND * fore_dir
    # Ears are unused in PoseTrack18; keep them at the head centre so arrays stay finite.
    pts["left_ear"] = pts["head_center"].copy()
    pts["right_ear"] = pts["head_center"].copy()
    return pts


def to_world(
    local: dict[str, np.ndarray], yaw: np.ndarray, root: np.ndarray, scale: float
) -> dict[str, np.ndarray]:
    """Place body-local points in the world.

    Args: ``local`` from :func:`body_points`, ``yaw[F]`` radians, ``root[F,3]`` world position of the
    floor point under the pelvis (x px, y px of the floor line, depth px), ``scale`` px per body height.
    Returns ``{name: [F,3]}`` world (x px, y px down, depth px); ``face_dir`` stays a unit direction.
    """
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    out = {}
    for name, p in local.items():
        l, u, f = p[:, 0:1], p[:, 1:2], p[:, 2:3]
        # Left axis (x, depth) = (cos, sin); forward axis = (sin, -cos): psi = 0 faces the camera.
        x = l * c + f * s
        d = l * s - f * c
        vec = np.concatenate([x, -u, d], axis=1)
        out[name] = vec if name == "face_dir" else root + scale * vec
    return out
