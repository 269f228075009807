"""Project-level operations shared by the CLI and the GUI: create a project for a video, thin its
keyframes, summarise it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from stdpose_core.data import Project, Source, VideoInfo
from stdpose_core.data.edits import Compound, Edit, SetPoseRange
from stdpose_core.data.track import empty_field
from stdpose_core.errors import InputError
from stdpose_core.session import ProjectSession
from stdpose_core.skeleton import Skeleton, get_skeleton


def stored_video_path(project_path: Path, source_path: Path) -> str:
    """How a project stores its video's path: relative to the project's folder when possible, so a
    project folder can be moved as a whole."""
    try:
        return os.path.relpath(source_path.resolve(), project_path.resolve().parent)
    except ValueError:  # another drive on Windows
        return str(source_path.resolve())


def default_project_path(source: str | Path) -> Path:
    """Where a video's project goes by default: ``VIDEO.stdpose`` next to a video file,
    ``FOLDER.stdpose`` next to an image folder (the editor and ``stdpose dataset init`` agree)."""
    source = Path(source)
    return source.with_name(source.name + ".stdpose") if source.is_dir() else source.with_suffix(".stdpose")


def video_path(session_or_path: ProjectSession | Path, project: Project | None = None) -> Path:
    """Absolute path of the project's video (stored paths are relative to the project file)."""
    if isinstance(session_or_path, ProjectSession):
        project_path, project = session_or_path.path, session_or_path.project
    else:
        project_path = Path(session_or_path)
    p = Path(project.video.path)
    return p if p.is_absolute() else (Path(project_path).resolve().parent / p)


#: ``Project.meta`` key of the video's fingerprint (:func:`stdpose_core.checksum.video_fingerprint`),
#: what ``stdpose relink`` checks a moved video against (:mod:`stdpose_core.ops.relink`).
FINGERPRINT_KEY = "video_fingerprint"


def remember_video(project: Project, path: str | Path) -> None:
    """Store the fingerprint of ``path`` as the project's video's (in ``meta``; save settings after)."""
    from stdpose_core.checksum import video_fingerprint

    project.meta[FINGERPRINT_KEY] = video_fingerprint(path)


def create_project(project_path: str | Path, source_path: str | Path, skeleton: str | Skeleton = "posetrack18",
                   keyframe_interval: int = 7, notes: list[str] | None = None) -> ProjectSession:
    """Create ``project_path`` (a new ``.stdpose`` file) for a video file or image folder.

    Opens the source once to learn its frame count, size, fps and (for folders) image names and,
    for a photo collection of different sizes, each image's size. ``skeleton``: a preset name or
    a file's own layout (e.g. a SLEAP skeleton). The video reader's warnings (truncated file,
    inexact seeking) are appended to ``notes`` when given, so the caller can show them where the
    user is.
    """
    from stdpose_core.video import open_source

    project_path, source_path = Path(project_path), Path(source_path)
    if keyframe_interval < 1:
        raise InputError(None, f"keyframe interval must be >= 1, got {keyframe_interval}")
    with open_source(source_path, prefetch=False) as src:
        if notes is not None:
            notes.extend(video_notes(src))
        width, height = src.size
        info = VideoInfo(
            path=stored_video_path(project_path, source_path),
            num_frames=len(src),
            width=int(width),
            height=int(height),
            fps=float(src.fps),
            frame_names=list(src.frame_names) if src.frame_names is not None else None,
            frame_sizes=[list(wh) for wh in src.frame_sizes] if src.frame_sizes is not None else None,
        )
    sk = get_skeleton(skeleton) if isinstance(skeleton, str) else skeleton
    project = Project(sk, info, keyframe_interval=keyframe_interval)
    remember_video(project, source_path)
    return ProjectSession.create(project_path, project)


def video_notes(src) -> list[str]:
    """One-line notes about an open frame source worth telling the user: the reader's warnings,
    with the way out (``stdpose reencode``) where they are about a video file."""
    from stdpose_core.video.frame_index import REENCODE_HINT

    notes = list(getattr(src, "warnings", []) or [])
    if notes and getattr(src, "path", None) is not None and Path(src.path).is_file():
        if not any(REENCODE_HINT in n for n in notes):
            notes.append(f"re-encoding fixes this: {REENCODE_HINT}")
    return notes


def replace_video(session: ProjectSession, new_path: str | Path) -> list[str]:
    """Point the project at ``new_path`` (e.g. its re-encoded video) after checking it has the same
    frames: the same count, and the same size up to the one pixel ``reencode`` crops from odd sizes
    (pixel coordinates are unchanged). Saved at once; returns the new video's notes."""
    from stdpose_core.video import open_source

    new_path = Path(new_path)
    v = session.project.video
    with open_source(new_path, prefetch=False) as src:
        w, h = src.size
        if len(src) != v.num_frames:
            raise InputError(new_path, f"has {len(src)} frames, the project {v.num_frames}: not the same video")
        if abs(w - v.width) > 1 or abs(h - v.height) > 1:
            raise InputError(new_path, f"is {w}x{h}, the project's video {v.width}x{v.height}: not the same video")
        notes = video_notes(src)
        fps = float(src.fps)
    v.path = stored_video_path(session.path, new_path)
    v.width, v.height, v.fps = int(w), int(h), fps
    session.save_settings()
    return notes


def keep_keyframes_every(project: Project, every: int, keep_last: bool = False) -> Edit:
    """Edit that keeps human-placed poses only on frames ``0, T, 2T, ...`` (and the last labelled frame
    when ``keep_last``), clearing every other human joint. For experiments with sparse labels."""
    if every < 1:
        raise InputError(None, f"--every must be >= 1, got {every}")
    edits: list[Edit] = []
    for tid, track in project.tracks.items():
        human = track.human_mask()
        keep = np.zeros(project.num_frames, bool)
        keep[::every] = True
        if keep_last:
            labelled = np.flatnonzero(human.any(axis=1))
            if len(labelled):
                keep[labelled[-1]] = True
        clear = human & ~keep[:, None]
        if not clear.any():
            continue
        frames = np.flatnonzero(clear.any(axis=1))
        a, b = int(frames[0]), int(frames[-1]) + 1
        n, k = b - a, project.num_joints
        values = {name: empty_field(name, n, k) for name in ("xy", "vis", "score", "source", "model_version")}
        edits.append(SetPoseRange(tid, a, values, joint_mask=clear[a:b], label="thin keyframes"))
    return Compound(edits, label=f"keep keyframes every {every}")


def summarize(project: Project) -> dict:
    """Counts a person (or a script) wants to see about a project."""
    labelled_by_source = {s.name.lower(): 0 for s in Source if s is not Source.NONE}
    reviewed_frames = np.zeros(project.num_frames, bool)
    for track in project.tracks.values():
        labelled = track.vis > 0
        for s in Source:
            if s is not Source.NONE:
                labelled_by_source[s.name.lower()] += int((labelled & (track.source == s)).sum())
        reviewed_frames |= track.reviewed & track.present()
    present = [t.present() for t in project.tracks.values()]
    frames_with_people = int(np.logical_or.reduce(present).sum()) if present else 0
    return {
        "frames": project.num_frames,
        "width": project.video.width,
        "height": project.video.height,
        "fps": project.video.fps,
        "video": project.video.path,
        "skeleton": project.skeleton.name,
        "keyframe_interval": project.keyframe_interval,
        "people": len(project.tracks),
        "frames_with_people": frames_with_people,
        "keyframes": int(len(project.keyframes())),
        "reviewed_frames": int(reviewed_frames.sum()),
        "joints_by_source": labelled_by_source,
        "model_versions": list(project.model_versions),
    }
