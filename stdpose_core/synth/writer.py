"""Save generated clips: ``OUT/frames/000000.jpg...`` or ``OUT/clip.mp4``, plus ``OUT/gt.json``.

``gt.json`` is PoseTrack18 written by :func:`stdpose_core.io.write_annotations`; its image
``file_name`` entries are ``frames/%06d.jpg`` relative to ``OUT`` in both formats. For ``mp4`` they
name the frames of ``clip.mp4`` by index (frame i of the video is ``frames/%06d.jpg`` % i), which is
how a project made from the video matches them on import.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

from stdpose_core.data import Project
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress, run_to_completion
from stdpose_core.synth.clip import SynthClip, iter_frames
from stdpose_core.synth.groundtruth import FPS, frame_name, ground_truth
from stdpose_core.synth.scene import Scene

FORMATS = ("frames", "mp4")
JPEG_QUALITY = 95
GOP = 12  # keyframe interval of clip.mp4: short, so random access in the editor stays fast
GT_NAME = "gt.json"
VIDEO_NAME = "clip.mp4"


class _JpegSink:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        (out_dir / "frames").mkdir(parents=True, exist_ok=True)

    def write(self, i: int, rgb: np.ndarray) -> None:
        path = self.out_dir / frame_name(i)
        ok = cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise StdposeError(f"{path}: cannot write the image")

    def close(self) -> None:
        pass


class _Mp4Sink:
    """H.264 yuv420p, constant frame rate, no B-frames, a keyframe every :data:`GOP` frames."""

    def __init__(self, path: Path, size: tuple[int, int]):
        import av

        self.av = av
        self.rate = Fraction(FPS).limit_denominator(1001)
        try:
            self.container = av.open(str(path), "w")
        except (av.FFmpegError, OSError) as e:
            raise StdposeError(f"{path}: cannot write ({e})") from None
        self.stream = self.container.add_stream("libx264", rate=self.rate)
        self.stream.width, self.stream.height = size
        self.stream.pix_fmt = "yuv420p"
        self.stream.options = {"crf": "18", "preset": "veryfast",
                               "x264-params": f"keyint={GOP}:min-keyint={GOP}:scenecut=0:bframes=0"}

    def write(self, i: int, rgb: np.ndarray) -> None:
        frame = self.av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts, frame.time_base = i, 1 / self.rate
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()


def _prepare(out_dir: Path, fmt: str, size: tuple[int, int], overwrite: bool) -> None:
    """Check the format and that nothing would be overwritten (or mixed with stale frames)."""
    if fmt not in FORMATS:
        raise StdposeError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "mp4" and (size[0] % 2 or size[1] % 2):
        raise StdposeError(f"size {size[0]}x{size[1]}: mp4 (H.264 4:2:0) needs an even width and height")
    if out_dir.exists() and not out_dir.is_dir():
        raise StdposeError(f"{out_dir}: exists and is not a folder")
    targets = [out_dir / GT_NAME, out_dir / ("frames" if fmt == "frames" else VIDEO_NAME)]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        raise StdposeError(f"{existing[0]} already exists; remove it or choose another folder")
    if overwrite:
        # An earlier clip's frames (maybe more of them) or video would otherwise sit beside the new
        # gt.json and be taken for its frames.
        for old in [*(out_dir / "frames").glob("*.jpg"), out_dir / VIDEO_NAME]:
            old.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def _write(frames: Iterable[np.ndarray], gt: Project, out_dir: Path, fmt: str) -> Job[dict]:
    size = (gt.video.width, gt.video.height)
    total = gt.num_frames
    sink = _JpegSink(out_dir) if fmt == "frames" else _Mp4Sink(out_dir / VIDEO_NAME, size)
    yield Progress(0, total, "rendering")
    try:
        for i, rgb in enumerate(frames):
            sink.write(i, rgb)
            yield Progress(i + 1, total, "rendering")
    finally:
        sink.close()
    # Imported here: rendering clips in memory (tests, training data) never needs the exporters.
    from stdpose_core.io import write_annotations

    write_annotations(gt, out_dir / GT_NAME, "posetrack18")
    media = out_dir / ("frames" if fmt == "frames" else VIDEO_NAME)
    return {"out_dir": str(out_dir), "format": fmt, "media": str(media), "gt": str(out_dir / GT_NAME),
            "frames": total, "persons": len(gt.tracks), "width": size[0], "height": size[1]}


def write_scene_job(scene: Scene, out_dir: str | Path, fmt: str = "frames", overwrite: bool = False) -> Job[dict]:
    """Job: render ``scene`` frame by frame straight to ``out_dir`` (memory-bounded), then write gt.json.

    Returns a summary dict: out_dir, format, media (the frames folder or clip.mp4), gt, frames,
    persons, width, height. Raises :class:`StdposeError` for an unknown format, an odd size for mp4,
    or existing outputs (unless ``overwrite``).
    """
    out_dir = Path(out_dir)
    _prepare(out_dir, fmt, scene.size, overwrite)
    yield Progress(0, scene.num_frames, "ground truth")
    gt = ground_truth(scene)
    return (yield from _write(iter_frames(scene), gt, out_dir, fmt))


def write_clip(clip: SynthClip, out_dir: str | Path, fmt: str = "frames", overwrite: bool = False) -> dict:
    """Write an in-memory clip (see :func:`write_scene_job` for the layout and the returned dict)."""
    out_dir = Path(out_dir)
    _prepare(out_dir, fmt, (clip.gt.video.width, clip.gt.video.height), overwrite)
    return run_to_completion(_write(clip.frames, clip.gt, out_dir, fmt))
