"""``import_edit``: put a loaded annotation file into a project as one undoable edit."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project, Source, Track
from stdpose_core.data.edits import AddTrack, Compound, Edit, SetFrameInfo, SetMeta
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, interop, merge_interop, remap_annotations, remap_interop
from stdpose_core.io.frame_names import basename
from stdpose_core.skeleton import conversion_loss, convert_keypoints, convertible, describe_loss


class SkeletonMismatchError(InputError):
    """The file's keypoint layout is not the project's: importing needs a choice (convert with the
    stated loss, or a project made with the file's skeleton)."""


def _image_ids(project: Project) -> list | None:
    images = (interop(project).get("images") or {})
    if not images:
        return None
    ids = [None] * project.num_frames
    for f, im in images.items():
        if 0 <= int(f) < project.num_frames and isinstance(im, dict):
            ids[int(f)] = im.get("id")
    return ids


def frame_mapping(target: Project, loaded: Project, what: str = "annotation file") -> np.ndarray:
    """``map[f_loaded]`` = the target frame of each loaded frame (-1 = no such frame).

    By image id when the loaded file names no images (a COCO results file) and both carry their
    files' image ids; by image file name (basename, e.g. ``000123.jpg``) when both know their frame
    names; else by index. Names that occur twice in the target cannot be matched by name, so index
    is used then.
    """
    n = loaded.num_frames
    tn, ln = target.video.frame_names, loaded.video.frame_names
    if ln is None:
        t_ids, l_ids = _image_ids(target), _image_ids(loaded)
        if t_ids is not None and l_ids is not None:
            where = {str(v): f for f, v in enumerate(t_ids) if v is not None}
            return np.array([where.get(str(v), -1) if v is not None else -1 for v in l_ids], np.int64)
    if tn and ln:
        names = [basename(x) for x in tn]
        if len(set(names)) == len(names):
            where = {x: i for i, x in enumerate(names)}
            return np.array([where.get(basename(x), -1) for x in ln], np.int64)
    idx = np.arange(n, dtype=np.int64)
    idx[idx >= target.num_frames] = -1
    return idx


def check_skeleton(target: Project, loaded: Project, convert: bool, path: str | None = None) -> dict:
    """The conversion loss of importing ``loaded`` into ``target`` (:func:`conversion_loss`).

    Same layout: no loss. Otherwise, unless ``convert``, :class:`SkeletonMismatchError` says what
    converting would lose and how to choose; layouts with no joint name in common cannot convert.
    """
    src, dst = loaded.skeleton, target.skeleton
    vis = np.concatenate([t.vis for t in loaded.tracks.values()]) if loaded.tracks else np.zeros((0, src.num_joints), np.int8)
    if src.joint_names == dst.joint_names:
        return conversion_loss(vis, src, src)
    if not convertible(src, dst):
        raise SkeletonMismatchError(path, f"the file's {src.name} keypoints ({', '.join(src.joint_names[:5])}, ...) have no joint in "
                                          f"common with the project's {dst.name} skeleton; create a project with the file's skeleton "
                                          f"(stdpose new PROJECT VIDEO --import {basename(str(path or 'FILE'))})")
    loss = conversion_loss(vis, src, dst)
    if not convert:
        raise SkeletonMismatchError(path, f"the file has {src.name} keypoints, the project {dst.name}: {describe_loss(loss, src, dst)}. "
                                          "Import with --convert to accept that, or create a project with the file's skeleton "
                                          "(stdpose new PROJECT VIDEO --import FILE)")
    return loss


def import_edit(target: Project, loaded: Project, as_source: Source = Source.MANUAL, path: str | None = None,
                convert: bool = False) -> Edit:
    """One :class:`Compound` edit adding every person of ``loaded`` to ``target``.

    * Keypoints are converted to the target's skeleton; labelled joints get source ``as_source``.
      With ``convert`` False a different skeleton is refused (:func:`check_skeleton`).
    * Frames are matched with :func:`frame_mapping`; a loaded frame that carries annotation (people,
      ``is_labeled``, ignore regions) but has no target frame is an error, raised before anything
      changes.
    * Track ids are kept when the target does not use them; otherwise the person gets the next
      free id (the new id is recorded in ``track.extra['imported_from']``).
    * ``labeled`` flags are OR-ed in; ignore regions of matched frames replace the target's.
    * What the file says beyond the arrays (ids, names, extra fields; :mod:`stdpose_core.io.carry`)
      moves to the target's frames and is stored with the project, so an export writes it back.
    """
    path = path if path is not None else loaded.meta.get("source_file")
    check_skeleton(target, loaded, convert, path)
    fmap = frame_mapping(target, loaded)
    used = np.zeros(loaded.num_frames, bool)
    used |= loaded.labeled.astype(bool)
    for t in loaded.tracks.values():
        used |= t.present()
    for f in loaded.ignore_regions:
        used[f] = True
    missing = np.flatnonzero(used & (fmap < 0))
    if len(missing):
        f = int(missing[0])
        name = loaded.video.frame_names[f] if loaded.video.frame_names else f"frame {f}"
        how = "no frame of that name" if target.video.frame_names and loaded.video.frame_names else f"the video has {target.num_frames} frames"
        raise InputError(path, f"{len(missing)} annotated frame(s) do not fit the project's video: {name} ({how})")

    edits: list[Edit] = []
    taken = set(target.tracks)
    next_id = max(taken | set(loaded.tracks), default=-1) + 1
    ok = fmap >= 0
    src_f, dst_f = np.flatnonzero(ok), fmap[ok]
    for tid in sorted(loaded.tracks):
        t = loaded.tracks[tid]
        if not t.present().any():
            continue
        new_id = tid
        if tid in taken:
            new_id, next_id = next_id, next_id + 1
        taken.add(new_id)
        xy, vis, score, _ = convert_keypoints(t.xy, t.vis, t.score, loaded.skeleton, target.skeleton)
        extra = remap_annotations(t.extra, src_f, dst_f)
        if new_id != tid:
            extra["imported_from"] = tid
        nt = Track.empty(new_id, target.num_frames, target.num_joints, person_id=t.person_id, name=t.name, extra=extra)
        nt.xy[dst_f] = np.where((vis[src_f] > 0)[..., None], xy[src_f], 0)
        nt.vis[dst_f] = vis[src_f]
        nt.score[dst_f] = np.where(vis[src_f] > 0, score[src_f], 0)
        nt.source[dst_f] = np.where(vis[src_f] > 0, int(as_source), int(Source.NONE))
        nt.bbox[dst_f] = t.bbox[src_f]
        nt.head_bbox[dst_f] = t.head_bbox[src_f]
        edits.append(AddTrack(nt, label="import person"))
    labeled = target.labeled.copy()
    labeled[dst_f] |= loaded.labeled[src_f].astype(bool)
    regions = {int(fmap[f]): polys for f, polys in loaded.ignore_regions.items() if fmap[f] >= 0}
    if labeled.any() or regions:
        edits.append(SetFrameInfo(0, labeled=labeled, ignore_regions=regions or None, label="import frame info"))
    carried = interop(loaded)
    if carried:
        edits.append(SetMeta(INTEROP, merge_interop(interop(target), remap_interop(carried, fmap)), label="import file fields"))
    return Compound(edits, label=f"import {len([e for e in edits if isinstance(e, AddTrack)])} people")
