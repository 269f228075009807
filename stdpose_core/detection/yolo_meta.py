"""What a YOLO weight file says about itself, checked for use as a person detector."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stdpose_core.errors import InputError

#: ultralytics tasks whose outputs include axis-aligned person boxes.
BOX_TASKS = ("detect", "pose", "segment")


@dataclass(frozen=True)
class YoloInfo:
    """``person_class``: index of the 'person' class; ``num_classes``: C; ``num_kpts``: K keypoints per
    box (17 = COCO order, 0 = box-only) with ``kpt_dim`` values each (x, y[, score]); ``task``:
    ultralytics task name."""

    task: str
    person_class: int
    num_classes: int
    num_kpts: int
    kpt_dim: int = 3

    @property
    def has_coco_keypoints(self) -> bool:
        return self.num_kpts == 17


def check_person_model(path: str | Path, task: str | None, names: dict | list, kpt_shape=None) -> YoloInfo:
    """Validate that a YOLO model can find people; raise ``InputError`` naming the file otherwise."""
    if task not in BOX_TASKS:
        kind = {"classify": "an image classification model", "obb": "an oriented-box model"}.get(str(task), f"a {task!r} model")
        raise InputError(path, f"is {kind}; person detection needs an ultralytics detect or pose model (e.g. yolo11n-pose.pt)")
    if isinstance(names, dict):
        pairs = [(int(k), str(v)) for k, v in names.items()]
    else:
        pairs = list(enumerate(str(v) for v in names))
    person = [k for k, v in pairs if v.strip().lower() == "person"]
    if not person:
        shown = ", ".join(v for _, v in pairs[:6]) + (" ..." if len(pairs) > 6 else "")
        raise InputError(path, f"the model has no 'person' class (its classes: {shown})")
    num_kpts, kpt_dim = 0, 3
    if task == "pose" and kpt_shape is not None:
        num_kpts, kpt_dim = (int(v) for v in list(kpt_shape)[:2])
    return YoloInfo(str(task), person[0], len(pairs), num_kpts, kpt_dim)
