"""Annotation import/export: PoseTrack18, PoseTrack21 and COCO keypoints JSON.

* :func:`read_annotations` (format auto-detected) → a checked, self-contained Project;
* :func:`write_annotations` → atomic, self-validating export;
* :func:`import_edit` → one undoable edit adding a loaded file's people to a project.
"""

from stdpose_core.io.detect import FORMATS, detect_format
from stdpose_core.io.export import export_view, write_annotations
from stdpose_core.io.importing import frame_mapping, import_edit
from stdpose_core.io.jsonfile import MAX_FILE_BYTES, load_json
from stdpose_core.io.reader import list_videos, read_annotations

__all__ = ["FORMATS", "MAX_FILE_BYTES", "detect_format", "export_view", "frame_mapping", "import_edit", "list_videos",
           "load_json", "read_annotations", "write_annotations"]
