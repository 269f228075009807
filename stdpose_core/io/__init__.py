"""Annotation import/export: PoseTrack18, PoseTrack21, COCO keypoints and results, YOLO-pose
datasets, labelme / X-AnyLabeling, and (with sleap-io) SLEAP, DeepLabCut and Label Studio.

* :func:`read_annotations` (format auto-detected) → a checked, self-contained Project;
* :func:`write_annotations` → atomic, self-validating export; :func:`write_yolo_pose` → a dataset;
* :func:`import_edit` → one undoable edit adding a loaded file's people to a project;
* :func:`import_summary` → what an import reads, stores and leaves out.
"""

from stdpose_core.io.export import WRITE_FORMATS, export_view, write_annotations
from stdpose_core.io.format_detection import FORMAT_NAMES, FORMATS, READ_FORMATS, detect_format, sniff_path
from stdpose_core.io.importing import SkeletonMismatchError, check_skeleton, frame_mapping, import_edit
from stdpose_core.io.jsonfile import MAX_FILE_BYTES, load_json
from stdpose_core.io.reader import list_videos, read_annotations
from stdpose_core.io.summary import import_summary
from stdpose_core.io.yolo import write_yolo_pose

__all__ = ["FORMATS", "FORMAT_NAMES", "MAX_FILE_BYTES", "READ_FORMATS", "SkeletonMismatchError", "WRITE_FORMATS", "check_skeleton",
           "detect_format", "export_view", "frame_mapping", "import_edit", "import_summary", "list_videos", "load_json",
           "read_annotations", "sniff_path", "write_annotations", "write_yolo_pose"]
