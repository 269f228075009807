"""Point a project at its video again after the file moved (``stdpose relink``, File → Locate video…).

A project remembers what its video looks like: frame count, frame size, image names (folders) and a
*fingerprint* (file size plus SHA-256 of the first and last MiB; for a folder, of its image names and
sizes), stored in ``Project.meta`` when the project is created or relinked. A candidate is accepted only
when it matches; anything else is refused with the reason, so annotations never end up over another
video's frames. Projects made before fingerprints existed are checked by frame count, size and names,
and get a fingerprint on relinking.
"""

from __future__ import annotations

from pathlib import Path

from stdpose_core.checksum import video_fingerprint as fingerprint
from stdpose_core.data import Project
from stdpose_core.errors import InputError
from stdpose_core.project_ops import FINGERPRINT_KEY, remember_video

__all__ = ["FINGERPRINT_KEY", "check_same_video", "fingerprint", "relink", "remember_video"]


def check_same_video(project: Project, path: str | Path, force: bool = False) -> dict:
    """The facts of the video at ``path`` (``frames, width, height, fingerprint``) if it is the project's
    video; InputError naming the first difference otherwise. ``force`` accepts a file whose fingerprint
    differs when frame count, size and names all match (e.g. a re-encoded copy)."""
    from stdpose_core.video import open_source

    p = Path(path)
    if not p.exists():
        raise InputError(p, "not found")
    with open_source(p, prefetch=False) as src:
        width, height = src.size
        frames, names = len(src), src.frame_names
    v = project.video
    if frames != v.num_frames:
        raise InputError(p, f"has {frames} frames, the project's video {v.num_frames}: not the same video")
    if (int(width), int(height)) != (v.width, v.height):
        raise InputError(p, f"is {width}x{height}, the project's video {v.width}x{v.height}: not the same video")
    if v.frame_names and names is not None and [Path(n).name for n in v.frame_names] != [Path(n).name for n in names]:
        raise InputError(p, "holds other image names than the project's frames: not the same image folder")
    fp = fingerprint(p)
    known = project.meta.get(FINGERPRINT_KEY)
    if known and known != fp and not force:
        raise InputError(p, f"has the right frame count and size but other content ({fp['bytes']} bytes, the "
                            f"project's video {known['bytes']}); if it is a re-encoded copy of the same video, "
                            "relink with --force (File → Locate video… asks)")
    return {"frames": frames, "width": int(width), "height": int(height), "fingerprint": fp}


def relink(session, path: str | Path, force: bool = False) -> dict:
    """Point ``session``'s project at the video ``path`` after :func:`check_same_video`; the stored path
    is relative to the project file when possible. Saved at once (a project setting, not an undo step).
    Returns the check's facts plus ``path`` (as stored) and ``previous``."""
    from stdpose_core.project_ops import stored_video_path

    facts = check_same_video(session.project, path, force)
    previous = session.project.video.path
    session.project.video.path = stored_video_path(session.path, Path(path))
    session.project.meta[FINGERPRINT_KEY] = facts["fingerprint"]
    session.save_settings()
    return {**facts, "path": session.project.video.path, "previous": previous}
