"""Content hashes of files (weight files, annotation files, a video's fingerprint), read in chunks so size does not matter."""

from __future__ import annotations

import hashlib
from pathlib import Path

_EDGE = 1 << 20  # a video's fingerprint reads this much at each end


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def video_fingerprint(path: str | Path) -> dict:
    """``{"bytes": int, "sha256": str}`` of a video file (size + its first and last MiB) or an image
    folder (its image files' names and sizes). Cheap for any file size."""
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        from stdpose_core.video.image_folder import IMAGE_SUFFIXES, natural_key

        total = 0
        files = sorted((f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file()),
                       key=lambda f: natural_key(f.name))
        for f in files:
            size = f.stat().st_size
            total += size
            h.update(f"{f.name}\0{size}\n".encode())
        if files:
            with open(files[0], "rb") as fh:
                h.update(fh.read(_EDGE))
        return {"bytes": total, "sha256": h.hexdigest()}
    size = p.stat().st_size
    with open(p, "rb") as fh:
        h.update(fh.read(_EDGE))
        if size > 2 * _EDGE:
            fh.seek(size - _EDGE)
            h.update(fh.read(_EDGE))
    h.update(str(size).encode())
    return {"bytes": size, "sha256": h.hexdigest()}
