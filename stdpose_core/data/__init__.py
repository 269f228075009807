"""The annotation data model: skeleton-agnostic tracks, the project, and invertible edits."""

from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.source import DETECTOR_SOURCES, HUMAN_SOURCES, MACHINE_SOURCES, Source
from stdpose_core.data.track import FRAME_FIELDS, Track, TrackFlag

__all__ = ["DETECTOR_SOURCES", "FRAME_FIELDS", "HUMAN_SOURCES", "MACHINE_SOURCES", "Project", "Source", "Track", "TrackFlag", "VideoInfo"]
