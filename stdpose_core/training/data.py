"""Training data sources: a ``--data SPEC`` becomes a :class:`Clip` (labels + a frame reader).

SPEC forms (``stdpose-retrain --data``):

* ``PROJECT.stdpose`` — a project file; its video is opened with ``stdpose_core.video.open_source``
  (the stored video path is relative to the project file). Only human-placed joints (Source MANUAL
  or CORRECTED) are used as labels: propagated/detected values would teach the model its own errors.
* ``DATASET_DIR`` — a dataset folder (``stdpose dataset init``): every project it lists, as above.
* ``ANNOTATIONS.json:IMAGE_ROOT`` — PoseTrack18/21 or COCO keypoint JSON read with
  ``stdpose_core.io.read_annotations`` (one clip per video of a multi-video PoseTrack file); image
  ``i`` is ``IMAGE_ROOT / file_name``. ``ANNOTATIONS.json`` alone uses the JSON's folder as the image
  root (the layout ``stdpose synth`` writes). ``IMAGE_ROOT`` may also be the clip's video file
  (``jhmdb/catch/C.json:jhmdb/catch/C.avi``): image ``i`` is then video frame ``i``.

COCO files hold unrelated single images (no time axis): such clips are ``single_frame`` and are trained
estimation-style with augmented copies of the key image as its neighbours (see ``dataset``).

Pseudo-labels (``--pseudo SPEC``, the paper's Table 3; :func:`load_pseudo_spec`): the same SPEC forms,
but every labelled joint is used with a label WEIGHT in [0, 1] that scales its heatmap loss: in a
project, human-placed joints weigh 1 and propagated/interpolated/detected joints their confidence
score; in an annotation file every joint weighs its ``scores`` entry (1 without one). Joints of
weight 0 are no labels.

Labels are converted to the model's skeleton (``posetrack18`` or ``coco17``, 17 joints); any other
layout is refused. Coordinates are image pixels, 0-based, x right, y down.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from stdpose_core.checksum import file_sha256
from stdpose_core.data import Project
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.skeleton import convert_keypoints, get_skeleton

SUPPORTED_SKELETONS = ("posetrack18", "coco17")
#: Decoded-frame budget of each clip's video source (the FrameReader's LRU does the caching).
VIDEO_CACHE_BYTES = 8 << 20
_JSON_SPEC = re.compile(r"^(?P<ann>.+?\.json):(?P<root>.+)$", re.IGNORECASE)


@dataclass
class TrackLabels:
    """One person's training labels over the clip's F frames (K joints, model skeleton).

    ``xy[F,K,2]`` float32 image pixels; ``vis[F,K]`` int8 (0 = not a label, 1 occluded, 2 visible);
    ``bbox[F,4]`` float32 x1,y1,x2,y2 (NaN = none); ``head_bbox[F,4]`` likewise; ``weight[F,K]``
    float32 label weights in (0, 1] (pseudo-labels; None = every label weighs 1).
    """

    track_id: int
    xy: np.ndarray
    vis: np.ndarray
    bbox: np.ndarray
    head_bbox: np.ndarray
    weight: np.ndarray | None = None

    def labelled_frames(self) -> np.ndarray:
        """Sorted frames with at least one label."""
        return np.flatnonzero((self.vis > 0).any(axis=1))


@dataclass
class Clip:
    """One data source ready for sampling: labels per track and random access to frames.

    ``frame(i)`` returns ``(H, W, 3) uint8 RGB``. ``fingerprint`` is what the checkpoint records
    about this input (sha256 of the annotation file or of the project's human labels).
    """

    name: str
    spec: str
    num_frames: int
    tracks: dict[int, TrackLabels]
    reader: "FrameReader"
    single_frame: bool = False
    fingerprint: dict = field(default_factory=dict)
    project: Project | None = None

    def frame(self, i: int) -> np.ndarray:
        return self.reader(i)


class ClipFrames:
    """A clip as a propagation frame source (``len``, ``frame(i)``: flow priors, flow baselines)."""

    def __init__(self, clip: Clip):
        self.clip = clip

    def __len__(self) -> int:
        return self.clip.num_frames

    def frame(self, i: int) -> np.ndarray:
        return self.clip.frame(int(i))


class FrameReader:
    """Lazy, picklable frame access with a small LRU cache (a triplet reads neighbouring frames often).

    Either a video/image folder (``open_source``) or a list of image files. The source is opened on
    first use so a DataLoader worker opens its own handle.

    A short video (decoded size at most :attr:`DECODED_LIMIT`, e.g. a JHMDB clip) is decoded once into
    an uncompressed ``.npy`` under ``<user cache>/train-frames/`` and read through a memory map: a
    training set of hundreds of clips would otherwise keep hundreds of decoders open, each with its
    threads and buffers (measured: 383 JHMDB clips, 2,100 threads and 4.8 GB resident). The map costs
    no decoding and its pages are the OS's to evict.
    """

    DECODED_LIMIT = 64 << 20

    def __init__(self, video: Path | None = None, images: list[Path] | None = None, cache_frames: int = 8):
        self.video, self.images = video, images
        self.cache_frames = cache_frames
        self._src = None
        self._decoded: np.ndarray | None = None
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def __getstate__(self):
        return {**self.__dict__, "_src": None, "_decoded": None, "_cache": OrderedDict()}

    def __call__(self, i: int) -> np.ndarray:
        hit = self._cache.get(i)
        if hit is not None:
            self._cache.move_to_end(i)
            return hit
        img = self._read(int(i))
        self._cache[i] = img
        while len(self._cache) > self.cache_frames:
            self._cache.popitem(last=False)
        return img

    def _read(self, i: int) -> np.ndarray:
        if self.images is not None:
            path = self.images[i]
            img = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if img is None:
                raise InputError(path, "image missing or not readable")
            return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        if self._decoded is None and self._src is None:
            self._open()
        if self._decoded is not None:
            if not 0 <= i < len(self._decoded):
                raise IndexError(f"frame {i} is out of range (0..{len(self._decoded) - 1})")
            return np.array(self._decoded[i])
        return np.asarray(self._src.frame(i))

    def _open(self) -> None:
        from stdpose_core.video import open_source

        # The reader's own LRU is the cache; a run may hold hundreds of clips open at once.
        src = open_source(self.video, cache_bytes=VIDEO_CACHE_BYTES, prefetch=False)
        w, h = src.size
        if len(src) * w * h * 3 > self.DECODED_LIMIT:
            self._src = src
            return
        try:
            self._decoded = decoded_frames(Path(self.video), src)
        finally:
            src.close()

    def close(self) -> None:
        self._decoded = None
        if self._src is not None:
            self._src.close()
            self._src = None


def decoded_frames(video: Path, src) -> np.ndarray:
    """All frames of ``src`` (opened from ``video``) as a read-only memory map ``[F,H,W,3]`` uint8,
    decoded once into ``<user cache>/train-frames/`` (keyed by the file's path, size and mtime)."""
    from stdpose_core.paths import user_cache_dir

    st = video.stat()
    key = hashlib.sha256(f"{video.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:24]
    path = user_cache_dir() / "train-frames" / f"{key}.npy"
    if not path.is_file():
        w, h = src.size
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{key}.{os.getpid()}.tmp.npy")
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(len(src), h, w, 3))
        for i in range(len(src)):
            out[i] = src.frame(i)
        out.flush()
        del out
        os.replace(tmp, path)
    return np.load(path, mmap_mode="r")


# ---------------------------------------------------------------------------------------------- specs
def parse_spec(spec: str) -> tuple[str, Path, Path | None]:
    """``spec`` → ``(kind, path, image_root)`` with kind ``"project"`` or ``"annotations"``."""
    m = _JSON_SPEC.match(spec)
    if m:
        return "annotations", Path(m["ann"]), Path(m["root"])
    path = Path(spec)
    if path.suffix.lower() == ".json":
        return "annotations", path, path.parent
    return "project", path, None


def labels_hash(tracks: dict[int, TrackLabels]) -> str:
    """sha256 over the labels actually used (track ids, xy, vis), independent of file layout."""
    h = hashlib.sha256()
    for tid in sorted(tracks):
        t = tracks[tid]
        h.update(str(tid).encode())
        h.update(np.ascontiguousarray(t.vis).tobytes())
        h.update(np.ascontiguousarray(np.where(t.vis[..., None] > 0, t.xy, 0)).tobytes())
    return h.hexdigest()


def check_skeleton(project: Project, path: Path) -> None:
    sk = project.skeleton
    if sk.name not in SUPPORTED_SKELETONS or sk.num_joints != 17:
        raise InputError(path, f"skeleton {sk.name!r} with {sk.num_joints} joints is not supported for training; "
                               f"expected 17 joints in one of {', '.join(SUPPORTED_SKELETONS)}")


def project_labels(project: Project, target_skeleton: str, human_only: bool, weights: str = "none") -> dict[int, TrackLabels]:
    """Per-track labels converted to ``target_skeleton``; ``human_only`` drops machine-made joints.

    ``weights`` (pseudo-labels): ``"none"`` (every label weighs 1), ``"machine"`` (machine-made
    joints weigh their score, human-placed ones 1) or ``"score"`` (every joint weighs its score).
    """
    src, dst = project.skeleton, get_skeleton(target_skeleton)
    out = {}
    for tid, t in project.tracks.items():
        vis = t.vis.copy()
        human = t.human_mask()
        if human_only:
            vis[~human] = 0
        score = np.clip(np.nan_to_num(t.score.astype(np.float32)), 0, 1)
        if weights == "machine":
            w = np.where(human, 1.0, score).astype(np.float32)
        elif weights == "score":
            w = score
        else:
            w = np.ones(vis.shape, np.float32)
        xy, vis, w, _ = convert_keypoints(t.xy, vis, w, src, dst)
        vis = np.where(w > 0, vis, 0)
        if not (vis > 0).any():
            continue
        out[int(tid)] = TrackLabels(int(tid), xy.astype(np.float32), vis.astype(np.int8), t.bbox.copy(), t.head_bbox.copy(),
                                    None if weights == "none" else np.where(vis > 0, w, 0).astype(np.float32))
    return out


def _looks_like_coco(path: Path, project: Project) -> bool:
    """COCO files have no video structure: no ``vid_id``/``frame_id`` on images, no track ids."""
    fmt = str(project.meta.get("format", "")).lower()
    if fmt:
        return fmt.startswith("coco")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    images = d.get("images") or []
    anns = d.get("annotations") or []
    video_keys = ("vid_id", "frame_id", "is_labeled")
    return not any(k in im for im in images[:100] for k in video_keys) and not any("track_id" in a for a in anns[:100])


def load_project_clip(path: Path, target_skeleton: str, pseudo: bool = False) -> Clip:
    from stdpose_core.project_ops import video_path
    from stdpose_core.session import ProjectSession

    if not path.exists():
        raise InputError(path, "data file not found")
    session = ProjectSession.open(path, mode="read")
    try:
        project = session.project
        video = video_path(session)
    finally:
        session.close()
    check_skeleton(project, path)
    if not video.exists():
        raise InputError(path, f"the project's video {video} is missing")
    tracks = project_labels(project, target_skeleton, human_only=not pseudo, weights="machine" if pseudo else "none")
    return Clip(
        name=path.stem, spec=str(path), num_frames=project.num_frames, tracks=tracks,
        reader=FrameReader(video=video), project=project,
        fingerprint={"kind": "project", "path": str(path.resolve()), "labels_sha256": labels_hash(tracks),
                     "video": str(video.resolve()), "video_bytes": video.stat().st_size if video.is_file() else None},
    )


def load_annotation_clips(path: Path, root: Path, target_skeleton: str, pseudo: bool = False) -> list[Clip]:
    """One clip per video of the file (PoseTrack files may hold several ``vid_id``s)."""
    if not path.is_file():
        raise InputError(path, "annotation file not found")
    if not (root.is_dir() or root.is_file()):
        raise InputError(root, "image root folder (or video file) not found")
    from stdpose_core.io import list_videos

    videos = list_videos(path)
    if len(videos) <= 1:
        return [load_annotation_clip(path, root, target_skeleton, pseudo=pseudo)]
    return [load_annotation_clip(path, root, target_skeleton, video=v, pseudo=pseudo) for v in videos]


def load_annotation_clip(path: Path, root: Path, target_skeleton: str, video: str | None = None,
                         pseudo: bool = False) -> Clip:
    from stdpose_core.io import read_annotations

    project = read_annotations(path, video=video)
    check_skeleton(project, path)
    names = project.video.frame_names
    if not names:
        raise InputError(path, "annotation file lists no image file names")
    tracks = project_labels(project, target_skeleton, human_only=False, weights="score" if pseudo else "none")
    if root.is_file():  # the clip's video: annotation image i is video frame i
        reader = FrameReader(video=root)
    else:
        images = [root / n for n in names]
        used = sorted({int(f) for t in tracks.values() for f in t.labelled_frames()})
        missing = [images[f] for f in used if not images[f].is_file()]
        if missing:
            raise InputError(missing[0], f"image missing ({len(missing)} of {len(used)} labelled images under {root} are missing)")
        reader = FrameReader(images=images)
    return Clip(
        name=path.stem if video is None else f"{path.stem}/{video}", spec=f"{path}:{root}", num_frames=project.num_frames, tracks=tracks,
        reader=reader, single_frame=_looks_like_coco(path, project), project=project,
        fingerprint={"kind": "annotations", "path": str(path.resolve()), "sha256": file_sha256(path),
                     "image_root": str(root.resolve()), "video": video},
    )


def load_spec(spec: str, target_skeleton: str = "posetrack18", pseudo: bool = False) -> list[Clip]:
    """Load one ``--data`` SPEC (see the module docstring): one clip per video. Raises InputError."""
    kind, path, root = parse_spec(spec)
    if kind == "annotations":
        return load_annotation_clips(path, root, target_skeleton, pseudo=pseudo)
    return [load_project_clip(path, target_skeleton, pseudo=pseudo)]


def load_pseudo_spec(spec: str, target_skeleton: str = "posetrack18") -> list[Clip]:
    """Load one ``--pseudo`` SPEC: every labelled joint, weighted (see the module docstring)."""
    return load_spec(spec, target_skeleton, pseudo=True)


def same_source(a: Clip, b: Clip) -> bool:
    """Whether two clips were read from the same file (and video of it)."""
    fa, fb = a.fingerprint, b.fingerprint
    return bool(fa.get("path")) and fa.get("path") == fb.get("path") and fa.get("video") == fb.get("video")


def load_clip(spec: str, target_skeleton: str = "posetrack18") -> Clip:
    """The single clip of ``spec`` (the first video of a multi-video PoseTrack file)."""
    return load_spec(spec, target_skeleton)[0]


def load_clips(specs: list[str], target_skeleton: str = "posetrack18",
               loader: Callable[[str, str], list[Clip]] = load_spec) -> list[Clip]:
    """All clips of all specs in order; an empty list raises StdposeError."""
    from stdpose_core.dataset.training import expand_specs

    if not specs:
        raise StdposeError("no training data: pass --data SPEC (a project file, a dataset folder or ANNOTATIONS.json:IMAGE_ROOT)")
    return [clip for s in expand_specs(specs) for clip in loader(s, target_skeleton)]
