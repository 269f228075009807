"""Re-encode a video as short-GOP H.264 so that every frame can be reached quickly and exactly.

Used for files whose timestamps make exact seeking impossible (``source.seek_exact`` is False) and
for long-GOP files where seeking is slow. Frames are read through the exact reader, so frame ``i`` of
the output is frame ``i`` of the input; the output has a constant frame rate (the input's nominal
rate), no B-frames and a keyframe every ``gop`` frames. Odd widths/heights are cropped by one pixel
on the right/bottom (H.264 4:2:0 needs even sizes); this keeps pixel coordinates unchanged.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.progress import Job, Progress

DEFAULT_GOP = 10


def reencode(src: str | Path, dst: str | Path, gop: int = DEFAULT_GOP, crf: int = 18,
             preset: str = "veryfast") -> Job[dict]:
    """Job: write ``dst`` (mp4/mkv/mov) from ``src``; returns a summary dict.

    Keys: input, output, frames, fps, gop, width, height, cropped (bool), warnings (of the input).
    The output appears atomically (written to a temporary name, then renamed).
    """
    import av

    from stdpose_core.video import open_source

    src, dst = Path(src), Path(dst)
    if dst.suffix.lower() not in (".mp4", ".mkv", ".mov"):
        raise StdposeError(f"{dst}: output must end in .mp4, .mkv or .mov")
    if dst.resolve() == src.resolve():
        raise StdposeError(f"{dst}: output must differ from the input")
    if gop < 1:
        raise StdposeError("--gop must be at least 1")
    source = open_source(src, cache_bytes=64 << 20, prefetch=False)
    tmp = dst.with_name(f".{dst.stem}.partial{dst.suffix}")
    try:
        n = len(source)
        w, h = source.size
        we, he = w - w % 2, h - h % 2
        fps = Fraction(source.fps).limit_denominator(1001)
        yield Progress(0, n, "re-encoding")
        try:
            mov = dst.suffix.lower() in (".mp4", ".mov")
            out = av.open(str(tmp), "w", options={"movflags": "+faststart"} if mov else {})
        except (av.FFmpegError, OSError) as e:
            raise InputError(dst, f"cannot write ({e})") from None
        try:
            stream = out.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = we, he, "yuv420p"
            stream.options = {"preset": preset, "crf": str(crf),
                              "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0"}
            for i, rgb in source.frames():
                vf = av.VideoFrame.from_ndarray(rgb[:he, :we], format="rgb24")
                vf.pts, vf.time_base = i, 1 / fps
                for packet in stream.encode(vf):
                    out.mux(packet)
                if i % 10 == 0:
                    yield Progress(i + 1, n, "re-encoding")
            for packet in stream.encode():
                out.mux(packet)
        finally:
            out.close()
        os.replace(tmp, dst)
        yield Progress(n, n, "done")
        return {"input": str(src), "output": str(dst), "frames": n, "fps": float(fps), "gop": gop,
                "width": we, "height": he, "cropped": (we, he) != (w, h), "warnings": list(source.warnings)}
    finally:
        source.close()
        if tmp.exists():
            tmp.unlink()
