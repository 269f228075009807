"""Format detection: which annotation format a file is, and, when none fits, what it looks like.

Two steps. :func:`sniff_path` looks at the path and the first bytes (a folder of labelme files,
an HDF5 file, a CSV table) before anything is parsed, so a DeepLabCut CSV never gets a JSON error.
:func:`detect_format` then names the layout of a parsed JSON document. Refusals say what was seen
(``a Label Studio export``, ``a COCO detections file``, ``an object with keys ...``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stdpose_core.errors import InputError

#: Formats the exporters write as annotation JSON (``stdpose export --format``).
FORMATS = ("posetrack18", "posetrack21", "coco")
#: Formats the readers understand. ``sleap``, ``dlc`` and ``label-studio`` are read with sleap-io.
READ_FORMATS = FORMATS + ("coco-results", "labelme", "sleap", "dlc", "label-studio")
#: Names used in messages and summaries.
FORMAT_NAMES = {
    "posetrack18": "PoseTrack18 JSON", "posetrack21": "PoseTrack21 JSON", "coco": "COCO keypoints JSON",
    "coco-results": "COCO keypoint results (list with scores)", "labelme": "labelme / X-AnyLabeling JSON",
    "sleap": "SLEAP labels (.slp)", "dlc": "DeepLabCut CollectedData table", "label-studio": "Label Studio JSON export",
}

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def sniff_path(path: str | Path) -> str:
    """A format decided from the path and its first bytes, or ``"json"`` (parse, then
    :func:`detect_format`). Raises :class:`InputError` for files that are none of the formats."""
    path = Path(path)
    if path.is_dir():
        if any(looks_like_labelme(p) for p in sorted(path.glob("*.json"))[:20]):
            return "labelme"
        raise InputError(path, "a folder without labelme/X-AnyLabeling JSON files "
                               "(give an annotation file, or a folder of per-image labelme .json files)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    suffix = path.suffix.lower()
    if head.startswith(_HDF5_MAGIC):
        if suffix == ".slp" or suffix == ".pkg":
            return "sleap"
        if suffix in (".h5", ".hdf5"):
            return "dlc"
        raise InputError(path, "an HDF5 file that is neither SLEAP labels (.slp) nor a DeepLabCut table (.h5)")
    if suffix == ".slp":
        raise InputError(path, "named .slp but not an HDF5 file (SLEAP labels are HDF5)")
    if suffix in (".csv", ".tsv"):
        first = head.decode("utf-8", "replace").lstrip("\ufeff").split("\n", 1)[0]
        cell = first.split(",")[0].strip().strip('"')
        if cell.lower() == "scorer":
            return "dlc"
        raise InputError(path, f"a CSV table whose first cell is {cell[:30]!r}; the only CSV format read is "
                               "DeepLabCut's CollectedData (first cell 'scorer')")
    if head.startswith(b"\x89PNG") or head[:3] == b"\xff\xd8\xff":
        raise InputError(path, "an image, not an annotation file")
    return "json"


def looks_like_labelme(path: Path) -> bool:
    """Whether a JSON file looks like labelme / X-AnyLabeling (``shapes`` and ``imagePath`` near the start)."""
    try:
        head = path.read_bytes()[:65536].decode("utf-8", "replace")
    except OSError:
        return False
    return '"shapes"' in head and ('"imagePath"' in head or '"imageWidth"' in head)


def detect_format(data: Any, path: str) -> str:
    """The format of a parsed JSON document (one of :data:`READ_FORMATS`); :class:`InputError`
    naming what the document looks like otherwise.

    PoseTrack: images carry ``vid_id``/``frame_id``/``nframes``; PoseTrack21 when annotations carry
    ``person_id`` or images ``has_labeled_person``. COCO: ``images`` + ``annotations`` without those video fields. COCO results: a
    list of ``{image_id, keypoints, score}``. labelme / X-AnyLabeling: ``shapes`` + ``imagePath``.
    Label Studio: a list of tasks with ``data`` and ``annotations``/``predictions``.
    """
    if isinstance(data, list):
        return _detect_list(data, path)
    if not isinstance(data, dict):
        raise InputError(path, f"unknown annotation format: the JSON top level is a {type(data).__name__}")
    if "annolist" in data:
        raise InputError(path, "PoseTrack 2017 ('annolist') files are not supported; convert them to PoseTrack18 JSON with poseval's convert.py")
    if "shapes" in data and ("imagePath" in data or "imageWidth" in data):
        return "labelme"
    if "data" in data and ("annotations" in data or "predictions" in data) and "images" not in data:
        return "label-studio"
    if "images" not in data or "annotations" not in data:
        keys = ", ".join(repr(k) for k in list(data)[:8]) or "none"
        missing = [k for k in ("images", "annotations") if k not in data]
        raise InputError(path, f"unknown annotation format: an object with keys {keys}; missing key "
                               f"{', '.join(repr(m) for m in missing)} (PoseTrack18/21 and COCO files have 'images' and "
                               "'annotations', labelme files 'shapes' and 'imagePath')")
    for key in ("images", "annotations"):
        if not isinstance(data[key], list):
            raise InputError(path, f"'{key}' must be a list, got {type(data[key]).__name__}")
    video_keys = ("vid_id", "frame_id", "nframes")
    if any(isinstance(im, dict) and any(k in im for k in video_keys) for im in data["images"]):
        if any(isinstance(a, dict) and "person_id" in a for a in data["annotations"]) or \
                any(isinstance(im, dict) and "has_labeled_person" in im for im in data["images"]):
            return "posetrack21"
        return "posetrack18"
    return "coco"


def _detect_list(data: list, path: str) -> str:
    if not data:
        raise InputError(path, "unknown annotation format: the top level is an empty list")
    first = data[0]
    if not isinstance(first, dict):
        raise InputError(path, f"unknown annotation format: the top level is a list of {type(first).__name__}s")
    keys = set(first)
    if "data" in keys and ({"annotations", "predictions"} & keys):
        return "label-studio"
    if {"image_id", "keypoints", "score"} <= keys:
        return "coco-results"
    if {"image_id", "bbox", "score"} <= keys:
        raise InputError(path, "a COCO detections file (person boxes with scores, no keypoints): nothing to import as poses")
    if {"image_id", "keypoints"} <= keys:
        raise InputError(path, "a list of COCO-style keypoint entries without 'score': a results file needs a score per "
                               "entry; a ground-truth file is an object with 'images', 'annotations' and 'categories'")
    shown = ", ".join(repr(k) for k in sorted(keys)[:8])
    raise InputError(path, f"unknown annotation format: the top level is a list of objects with keys {shown} "
                           "(read are: COCO keypoint results, Label Studio exports)")
