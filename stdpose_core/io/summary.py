"""What an import reads, stores and leaves out, for the CLI line and the GUI's summary dialog."""

from __future__ import annotations

import numpy as np

from stdpose_core.data import Project
from stdpose_core.io.carry import ANNOTATIONS, interop
from stdpose_core.io.format_detection import FORMAT_NAMES
from stdpose_core.skeleton import conversion_loss, describe_loss

#: Fields the project models itself (everything else a file says is carried verbatim).
MODELLED_IMAGE_KEYS = frozenset({"id", "frame_id", "file_name", "is_labeled", "width", "height", "ignore_regions_x", "ignore_regions_y",
                                 "frame_index", "vid_id", "nframes"})
MODELLED_ANNOTATION_KEYS = frozenset({"id", "image_id", "track_id", "person_id", "category_id", "keypoints", "scores", "num_keypoints",
                                      "iscrowd", "bbox", "bbox_head", "area"})


def import_summary(loaded: Project, target: Project | None = None) -> dict:
    """Counts of what ``loaded`` holds and, for an import into ``target``, what is stored.

    Keys: ``format``, ``format_name``, ``file``, ``skeleton``, ``people``, ``annotations``
    (person-frames), ``joints`` (labelled), ``frames`` (with people), ``labelled_frames``,
    ``stored_joints``, ``loss`` (:func:`~stdpose_core.skeleton.conversion_loss` or None),
    ``carried_image_fields`` / ``carried_annotation_fields`` (names of the file's fields kept
    verbatim), ``crowd_regions``, ``left_out`` (sentences).
    """
    carried = interop(loaded)
    people = [t for t in loaded.tracks.values() if t.present().any()]
    frames_with = np.zeros(loaded.num_frames, bool)
    for t in people:
        frames_with |= t.present()
    joints = int(sum((t.vis > 0).sum() for t in people))
    ann_keys, img_keys = set(), set()
    for t in people:
        for entry in ((t.extra or {}).get(ANNOTATIONS) or {}).values():
            ann_keys |= set(entry)
    for im in (carried.get("images") or {}).values():
        img_keys |= set(im)
    others = [a for v in (carried.get("other") or {}).values() for a in v]
    crowd = sum(1 for a in others if isinstance(a, dict) and a.get("iscrowd") in (1, True))
    empty = len(others) - crowd
    out = {
        "format": loaded.meta.get("format", ""), "format_name": FORMAT_NAMES.get(loaded.meta.get("format", ""), ""),
        "file": loaded.meta.get("source_file", ""), "skeleton": loaded.skeleton.name,
        "people": len(people), "annotations": int(sum(t.present().sum() for t in people)), "joints": joints,
        "frames": int(frames_with.sum()), "labelled_frames": int(np.asarray(loaded.labeled, bool).sum()),
        "stored_joints": joints, "loss": None,
        "carried_image_fields": sorted(img_keys - MODELLED_IMAGE_KEYS),
        "carried_annotation_fields": sorted(ann_keys - MODELLED_ANNOTATION_KEYS),
        "crowd_regions": crowd, "left_out": [],
    }
    for text in carried.get("left_out") or []:
        out["left_out"].append(text)
    if crowd:
        out["left_out"].append(f"{crowd} crowd region(s) (iscrowd 1) are not people: kept as file fields and written back on export")
    if empty:
        out["left_out"].append(f"{empty} entr(y/ies) with neither joints nor a box, or of another category: kept as file fields, not people")
    if target is not None and target.skeleton.joint_names != loaded.skeleton.joint_names and people:
        vis = np.concatenate([t.vis for t in people])
        loss = conversion_loss(vis, loaded.skeleton, target.skeleton)
        out["loss"] = loss
        out["stored_joints"] = loss["labelled_out"]
        text = describe_loss(loss, loaded.skeleton, target.skeleton)
        if loss["dropped"]:
            out["left_out"].append(text)
        elif loss["approximated"]:
            out["converted"] = text
    return out


def summary_lines(s: dict) -> list[str]:
    """Human-readable lines of :func:`import_summary`."""
    lines = [f"{s['file']}: {s['format_name'] or s['format']}, {s['skeleton']} keypoints",
             f"read {s['people']} people, {s['annotations']} person-frames, {s['joints']} labelled joints on {s['frames']} frames"
             + (f" ({s['labelled_frames']} marked labelled)" if s["labelled_frames"] else "")]
    if s["stored_joints"] != s["joints"]:
        lines.append(f"stored {s['stored_joints']} joints after converting to the project's skeleton")
    carried = s["carried_image_fields"] + s["carried_annotation_fields"]
    if carried:
        lines.append("kept verbatim for export: " + ", ".join(dict.fromkeys(carried)))
    if s.get("converted"):
        lines.append("converted: " + s["converted"])
    for text in s["left_out"]:
        lines.append("left out: " + text)
    if not s["left_out"]:
        lines.append("left out: nothing")
    return lines
