"""Skeleton presets (PoseTrack18, COCO-17) and explicit conversions between them.

Keypoint arrays follow the project's conventions: ``xy[..., K, 2]`` float32 pixels (0-based, x right,
y down), ``vis[..., K]`` int8 (0 not labelled, 1 occluded, 2 visible), ``score[..., K]`` float32 in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LEFT_COLOR = (66, 135, 245)
RIGHT_COLOR = (245, 130, 48)
CENTER_COLOR = (60, 200, 120)


@dataclass(frozen=True)
class Skeleton:
    """A keypoint layout: names, drawing edges, left/right flip pairs, OKS sigmas, colours.

    ``unused`` lists joints the dataset never labels (PoseTrack18's ears); editors hide them and the
    PoseTrack metric ignores them.
    """

    name: str
    joint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    flip_pairs: tuple[tuple[int, int], ...]
    oks_sigmas: tuple[float, ...]
    unused: tuple[int, ...] = ()
    joint_colors: tuple[tuple[int, int, int], ...] = field(default=())

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    def index(self, joint_name: str) -> int:
        return self.joint_names.index(joint_name)

    def flip_permutation(self) -> np.ndarray:
        """Index array ``perm`` such that ``xy_flipped = xy[..., perm, :]`` swaps left and right."""
        perm = np.arange(self.num_joints)
        for a, b in self.flip_pairs:
            perm[a], perm[b] = b, a
        return perm

    @property
    def used_joints(self) -> np.ndarray:
        """Indices of joints that are labelled in this layout (K minus ``unused``)."""
        return np.array([k for k in range(self.num_joints) if k not in self.unused], dtype=np.int64)


def _side_colors(names: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    return tuple(
        LEFT_COLOR if n.startswith("left") else RIGHT_COLOR if n.startswith("right") else CENTER_COLOR
        for n in names
    )


_LIMB_NAMES = (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
# Joints 5..16 are the same limbs, in the same order, in both layouts.
_LIMB_EDGES = (
    (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12),
    (11, 13), (13, 15), (12, 14), (14, 16),
)
_LIMB_FLIPS = ((5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16))
_LIMB_SIGMAS = (0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089)

_PT18_NAMES = ("nose", "head_bottom", "head_top", "left_ear", "right_ear") + _LIMB_NAMES
POSETRACK18 = Skeleton(
    name="posetrack18",
    joint_names=_PT18_NAMES,
    edges=((2, 0), (0, 1), (1, 5), (1, 6)) + _LIMB_EDGES,
    flip_pairs=((3, 4),) + _LIMB_FLIPS,
    # PoseTrack has no official OKS sigmas: nose as COCO's, head_bottom like a shoulder, head_top like an ear.
    oks_sigmas=(0.026, 0.079, 0.035, 0.035, 0.035) + _LIMB_SIGMAS,
    unused=(3, 4),
    joint_colors=_side_colors(_PT18_NAMES),
)

_COCO_NAMES = ("nose", "left_eye", "right_eye", "left_ear", "right_ear") + _LIMB_NAMES
COCO17 = Skeleton(
    name="coco17",
    joint_names=_COCO_NAMES,
    edges=((0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)) + _LIMB_EDGES,
    flip_pairs=((1, 2), (3, 4)) + _LIMB_FLIPS,
    oks_sigmas=(0.026, 0.025, 0.025, 0.035, 0.035) + _LIMB_SIGMAS,
    joint_colors=_side_colors(_COCO_NAMES),
)

SKELETONS = {s.name: s for s in (POSETRACK18, COCO17)}

#: OKS sigma given to a joint of a file's own skeleton (no published value): COCO's elbow value.
DEFAULT_SIGMA = 0.072


def get_skeleton(name: str) -> Skeleton:
    """Look up a preset by name (``posetrack18`` or ``coco17``)."""
    try:
        return SKELETONS[name]
    except KeyError:
        raise ValueError(f"unknown skeleton {name!r}; choose one of {sorted(SKELETONS)}") from None


def preset_for(joint_names) -> Skeleton | None:
    """The preset whose joint names are exactly ``joint_names`` (in order), or None."""
    names = tuple(joint_names)
    return next((sk for sk in SKELETONS.values() if sk.joint_names == names), None)


def _mirror(name: str) -> str | None:
    """The other side's name of a left/right joint name, or None."""
    for a, b in (("left", "right"), ("right", "left"), ("Left", "Right"), ("Right", "Left"), ("l_", "r_"), ("r_", "l_")):
        if name.startswith(a):
            return b + name[len(a):]
    for a, b in (("_left", "_right"), ("_right", "_left"), ("_l", "_r"), ("_r", "_l")):
        if name.endswith(a):
            return name[: -len(a)] + b
    return None


def custom_skeleton(name: str, joint_names, edges=()) -> Skeleton:
    """A file's own keypoint layout (SLEAP, DeepLabCut, Label Studio, labelme): the preset when the
    names are a preset's, else a skeleton with the file's names and edges, left/right pairs found
    from the names (``left_x``/``right_x``, ``l_x``/``r_x``, ``x_left``/``x_right``) and
    :data:`DEFAULT_SIGMA` for every joint."""
    names = tuple(str(n) for n in joint_names)
    preset = preset_for(names)
    if preset is not None:
        return preset
    if len(set(names)) != len(names) or not names:
        raise ValueError(f"a skeleton needs distinct joint names, got {list(names)[:8]}")
    index = {n: i for i, n in enumerate(names)}
    flips = []
    for i, n in enumerate(names):
        j = index.get(_mirror(n) or "")
        if j is not None and i < j:
            flips.append((i, j))
    good_edges = tuple((int(a), int(b)) for a, b in edges if 0 <= int(a) < len(names) and 0 <= int(b) < len(names) and int(a) != int(b))
    return Skeleton(name=name or "custom", joint_names=names, edges=good_edges, flip_pairs=tuple(flips),
                    oks_sigmas=(DEFAULT_SIGMA,) * len(names), joint_colors=_side_colors(names))


def file_skeleton(name: str, joint_names, edges=()) -> Skeleton:
    """The layout for a format that names every point (labelme, SLEAP, DeepLabCut, Label Studio):
    a preset when all the file's names are among its joints (COCO-17 first), else
    :func:`custom_skeleton`."""
    names = [str(n) for n in joint_names]
    for preset in (COCO17, POSETRACK18):
        if names and set(names) <= set(preset.joint_names):
            return preset
    return custom_skeleton(name, names, edges)


def skeleton_to_dict(sk: Skeleton) -> dict:
    """JSON form of a skeleton (what a project file stores for a non-preset layout)."""
    return {"name": sk.name, "joint_names": list(sk.joint_names), "edges": [list(e) for e in sk.edges],
            "flip_pairs": [list(e) for e in sk.flip_pairs], "oks_sigmas": list(sk.oks_sigmas), "unused": list(sk.unused)}


def skeleton_from_dict(d: dict) -> Skeleton:
    """Inverse of :func:`skeleton_to_dict` (a preset name gives the preset)."""
    if d.get("name") in SKELETONS and tuple(d.get("joint_names", ())) == SKELETONS[d["name"]].joint_names:
        return SKELETONS[d["name"]]
    names = tuple(d["joint_names"])
    return Skeleton(name=str(d["name"]), joint_names=names, edges=tuple(tuple(e) for e in d.get("edges", ())),
                    flip_pairs=tuple(tuple(e) for e in d.get("flip_pairs", ())),
                    oks_sigmas=tuple(float(s) for s in d.get("oks_sigmas", (DEFAULT_SIGMA,) * len(names))),
                    unused=tuple(int(u) for u in d.get("unused", ())), joint_colors=_side_colors(names))


#: Where head_bottom sits between the shoulder midpoint (0) and the face (1). Fitted on the JHMDB
#: ``train`` clips (YOLO11n-pose detections against the labelled neck): 0.25 puts 57% of them within
#: 0.2 head sizes, the shoulder midpoint alone 16% (``benchmarks/bench_review_queue.py --calibrate``).
#: Without a detected face the midpoint is all there is (23% within).
HEAD_BOTTOM_TOWARDS_FACE = 0.25
#: How often an approximated joint lands within 0.2 head sizes of where people label it, by how it was
#: made (same measurement, 2,800 people): this is its score, so it means what a detected joint's score
#: means. head_bottom is "confident" when both eyes are detected, every joint used scores >= 0.95 and
#: the face sits 0.5-1 shoulder widths from the shoulders (81% within; other faces 46%, no face 23%).
#: head_top has no such measurement (no shared data labels both it and a detector's face): its score
#: is its inputs' lowest score, and like head_bottom it is marked approximated.
APPROXIMATION_TRUST = {"head_bottom_confident": 0.81, "head_bottom": 0.46, "head_bottom_no_face": 0.23, "head_top": 1.0}


def coco17_to_posetrack18(
    xy: np.ndarray, vis: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convert COCO-17 keypoints to PoseTrack18 slots.

    Args: ``xy[..., 17, 2]``, ``vis[..., 17]``, ``score[..., 17]``.
    Returns ``(xy, vis, score, approximated[17] bool)``. Exact: nose and all limbs. Approximated
    (scores from :data:`APPROXIMATION_TRUST`): ``head_bottom`` =
    shoulder midpoint moved :data:`HEAD_BOTTOM_TOWARDS_FACE` of the way to the face (eye midpoint,
    else nose; the midpoint itself without a face), ``head_top`` = face + 0.8 x (face - shoulder midpoint).
    PoseTrack18's ear slots are never labelled in the dataset, so they stay empty (vis 0).
    """
    xy = np.asarray(xy, np.float32)
    vis = np.asarray(vis, np.int8)
    score = np.asarray(score, np.float32)
    out_xy = xy.copy()
    out_vis = vis.copy()
    out_score = score.copy()
    ls, rs, nose, le, re = 5, 6, 0, 1, 2
    both_sh = (vis[..., ls] > 0) & (vis[..., rs] > 0)
    shoulders = np.minimum(score[..., ls], score[..., rs])
    mid = 0.5 * (xy[..., ls, :] + xy[..., rs, :])
    eyes = (vis[..., le] > 0) & (vis[..., re] > 0)
    has_face = eyes | (vis[..., nose] > 0)
    face = np.where(eyes[..., None], 0.5 * (xy[..., le, :] + xy[..., re, :]), xy[..., nose, :])
    face_score = np.where(eyes, np.minimum(score[..., le], score[..., re]), score[..., nose])

    neck = np.where(has_face[..., None], mid + HEAD_BOTTOM_TOWARDS_FACE * (face - mid), mid)
    out_xy[..., 1, :] = np.where(both_sh[..., None], neck, 0.0)
    out_vis[..., 1] = np.where(both_sh, np.minimum(vis[..., ls], vis[..., rs]), 0)
    width = np.linalg.norm(xy[..., ls, :] - xy[..., rs, :], axis=-1)
    reach = np.linalg.norm(face - mid, axis=-1) / np.maximum(width, 1e-6)
    confident = eyes & (np.minimum(shoulders, face_score) >= 0.95) & (reach >= 0.5) & (reach < 1.0)
    neck_score = np.where(confident, APPROXIMATION_TRUST["head_bottom_confident"],
                          np.where(has_face, APPROXIMATION_TRUST["head_bottom"], APPROXIMATION_TRUST["head_bottom_no_face"]))
    out_score[..., 1] = np.where(both_sh, neck_score, 0.0)

    has_top = both_sh & has_face
    # The crown sits above the face by about the face-to-shoulders distance.
    top = face + 0.8 * (face - mid)
    out_xy[..., 2, :] = np.where(has_top[..., None], top, 0.0)
    out_vis[..., 2] = np.where(has_top, 2, 0)
    out_score[..., 2] = np.where(has_top, np.minimum(face_score, shoulders) * APPROXIMATION_TRUST["head_top"], 0.0)

    out_xy[..., 3:5, :] = 0.0
    out_vis[..., 3:5] = 0
    out_score[..., 3:5] = 0.0
    approximated = np.zeros(17, bool)
    approximated[[1, 2]] = True
    return out_xy, out_vis, out_score, approximated


def posetrack18_to_coco17(
    xy: np.ndarray, vis: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convert PoseTrack18 keypoints to COCO-17 slots.

    Exact: nose and limbs. Unknown (vis 0): eyes and ears, which PoseTrack18 does not label.
    ``head_bottom``/``head_top`` have no COCO slot and are dropped. Returns ``(xy, vis, score,
    approximated[17])`` (no joint is approximated; the unknown ones are empty).
    """
    out_xy = np.asarray(xy, np.float32).copy()
    out_vis = np.asarray(vis, np.int8).copy()
    out_score = np.asarray(score, np.float32).copy()
    out_xy[..., 1:5, :] = 0.0
    out_vis[..., 1:5] = 0
    out_score[..., 1:5] = 0.0
    return out_xy, out_vis, out_score, np.zeros(17, bool)


def by_name(
    xy: np.ndarray, vis: np.ndarray, score: np.ndarray, src: Skeleton, dst: Skeleton
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Joints copied by name (``dst`` joints the source lacks stay empty); nothing approximated."""
    xy, vis, score = np.asarray(xy, np.float32), np.asarray(vis, np.int8), np.asarray(score, np.float32)
    lead = vis.shape[:-1]
    out_xy = np.zeros(lead + (dst.num_joints, 2), np.float32)
    out_vis = np.zeros(lead + (dst.num_joints,), np.int8)
    out_score = np.zeros(lead + (dst.num_joints,), np.float32)
    for j, n in enumerate(dst.joint_names):
        if n in src.joint_names:
            i = src.index(n)
            out_xy[..., j, :], out_vis[..., j], out_score[..., j] = xy[..., i, :], vis[..., i], score[..., i]
    return out_xy, out_vis, out_score, np.zeros(dst.num_joints, bool)


def convertible(src: Skeleton, dst: Skeleton) -> bool:
    """Whether :func:`convert_keypoints` can map ``src`` onto ``dst`` (presets, or shared joint names)."""
    return src.name == dst.name or {src.name, dst.name} == {"coco17", "posetrack18"} or bool(set(src.joint_names) & set(dst.joint_names))


def convert_keypoints(
    xy: np.ndarray, vis: np.ndarray, score: np.ndarray, src: Skeleton, dst: Skeleton
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convert between layouts; identity when the names agree. Between the presets as described
    above; otherwise joints are matched by name (:func:`by_name`)."""
    if src.name == dst.name and src.joint_names == dst.joint_names:
        return (np.asarray(xy, np.float32).copy(), np.asarray(vis, np.int8).copy(), np.asarray(score, np.float32).copy(),
                np.zeros(dst.num_joints, bool))
    if (src.name, dst.name) == ("coco17", "posetrack18"):
        return coco17_to_posetrack18(xy, vis, score)
    if (src.name, dst.name) == ("posetrack18", "coco17"):
        return posetrack18_to_coco17(xy, vis, score)
    if set(src.joint_names) & set(dst.joint_names):
        return by_name(xy, vis, score, src, dst)
    from stdpose_core.errors import SkeletonMismatchError

    raise SkeletonMismatchError(
        f"no conversion from the {src.name} skeleton ({', '.join(src.joint_names[:4])}{', ...' if src.num_joints > 4 else ''}) "
        f"to {dst.name}: no joint names in common; make a project with the file's own skeleton "
        "('stdpose new PROJECT VIDEO --import FILE')")


def conversion_loss(vis: np.ndarray, src: Skeleton, dst: Skeleton) -> dict:
    """What converting labelled joints ``vis[..., K_src]`` from ``src`` to ``dst`` loses.

    Returns ``{"dropped": {joint name: labelled count}, "approximated": [dst joint names],
    "labelled_in": n, "labelled_out": n}``; ``dropped`` lists source joints with labels that the
    target has no slot for (e.g. COCO's eyes in PoseTrack18), ``approximated`` the target joints
    synthesised from other joints (PoseTrack18's head_bottom/head_top from COCO).
    """
    vis = np.asarray(vis).reshape(-1, src.num_joints)
    counts = (vis > 0).sum(axis=0)
    if src.name == dst.name and src.joint_names == dst.joint_names:
        n = int(counts.sum())
        return {"dropped": {}, "approximated": [], "labelled_in": n, "labelled_out": n}
    dummy_xy = np.zeros(vis.shape + (2,), np.float32)
    _, out_vis, _, approx = convert_keypoints(dummy_xy, vis.astype(np.int8), np.zeros(vis.shape, np.float32), src, dst)
    out_counts = (out_vis.reshape(-1, dst.num_joints) > 0).sum(axis=0)
    dropped = {}
    for n, c in zip(src.joint_names, counts):
        j = dst.joint_names.index(n) if n in dst.joint_names else None
        left = 0 if j is None or approx[j] else int(out_counts[j])
        if c > left:
            dropped[n] = int(c - left)
    return {"dropped": dropped, "approximated": [dst.joint_names[j] for j in np.flatnonzero(approx)],
            "labelled_in": int(counts.sum()), "labelled_out": int((out_vis > 0).sum())}


def describe_loss(loss: dict, src: Skeleton, dst: Skeleton) -> str:
    """One sentence for :func:`conversion_loss`."""
    parts = []
    if loss["dropped"]:
        parts.append("drops " + ", ".join(f"{n} ({c})" for n, c in loss["dropped"].items()))
    if loss["approximated"]:
        parts.append("approximates " + ", ".join(loss["approximated"]) + " from other joints")
    what = "; ".join(parts) or "loses nothing"
    return (f"converting {src.name} ({src.num_joints} joints) to {dst.name} ({dst.num_joints} joints) {what}: "
            f"{loss['labelled_in']} labelled joints in, {loss['labelled_out']} stored")
