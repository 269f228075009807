"""Clips whose frames carry their own index, for exactness tests, benchmarks and ``stdpose doctor``.

Each frame's top half is a 2x8 grid of black/white cells holding the frame index as 16 bits (cells
are large, so the code survives lossy compression); the bottom half is a panned noise texture with a
little fresh noise per frame, so encoders see realistic motion and bitrate. :func:`read_index` decodes
the number back from a decoded RGB frame.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Sequence

import numpy as np

BITS = 16
ROWS, COLS = 2, 8
DARK, BRIGHT = 16, 235


def _cells(w: int, h: int):
    """Yield (bit, y0, y1, x0, x1) of each code cell in the top half of a ``w x h`` frame."""
    ch, cw = (h // 2) // ROWS, w // COLS
    for b in range(BITS):
        r, c = divmod(b, COLS)
        yield b, r * ch, (r + 1) * ch, c * cw, (c + 1) * cw


def render_frame(index: int, size: tuple[int, int], texture: np.ndarray | None = None,
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """Frame ``index`` as (H,W,3) uint8 RGB for ``size = (width, height)``."""
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[: h // 2] = DARK
    for b, y0, y1, x0, x1 in _cells(w, h):
        if (index >> b) & 1:
            img[y0:y1, x0:x1] = BRIGHT
    bottom = img[h // 2:]
    if texture is None:
        bottom[:] = 128
    else:
        th, tw = texture.shape[:2]
        dy, dx = (2 * index) % (th - bottom.shape[0]), (3 * index) % (tw - w)
        bottom[:] = texture[dy: dy + bottom.shape[0], dx: dx + w]
        if rng is not None:
            bottom[:] = np.clip(bottom.astype(np.int16) + rng.integers(-6, 7, bottom.shape, np.int16), 0, 255)
    return img


def make_texture(size: tuple[int, int], seed: int = 0, grain: int = 2) -> np.ndarray:
    """A random RGB texture with ``grain``-pixel detail, larger than the frame so it can be panned.

    (Grain 2 with the per-frame noise gives ~5-8 Mbit/s at 720p with x264 CRF 20-23, like real footage.)
    """
    import cv2

    w, h = size
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, ((h + 63) // grain + 1, (w + 127) // grain + 1, 3), np.uint8)
    return cv2.resize(small, (small.shape[1] * grain, small.shape[0] * grain), interpolation=cv2.INTER_CUBIC)


def read_index(frame: np.ndarray) -> int:
    """Decode the index from an (H,W,3) RGB frame; -1 when a cell is neither clearly dark nor bright."""
    h, w = frame.shape[:2]
    value = 0
    for b, y0, y1, x0, x1 in _cells(w, h):
        my, mx = (y1 - y0) // 4, (x1 - x0) // 4
        m = float(frame[y0 + my: y1 - my, x0 + mx: x1 - mx].mean())
        if m > 170:
            value |= 1 << b
        elif m > 80:
            return -1
    return value


def write_indexed_clip(path: str | Path, frames: int, size: tuple[int, int] = (160, 128), *,
                       codec: str = "libx264", gop: int = 12, bframes: int = 2, fps: int = 25,
                       pts_ms: Sequence[int] | None = None, crf: int = 23, preset: str = "veryfast",
                       textured: bool = True, fmt: str | None = None) -> Path:
    """Encode ``frames`` indexed frames to ``path`` with PyAV and return the path.

    ``codec``: libx264, libx265, mpeg4 or mjpeg; ``gop``: keyframe interval; ``bframes``: max B-frames
    (ignored by mjpeg). ``pts_ms``: explicit presentation times in milliseconds for a variable frame
    rate clip (the stream then uses a 1/1000 time base). The container comes from the file suffix.
    """
    import av

    path = Path(path)
    w, h = size
    texture = make_texture(size) if textured else None
    rng = np.random.default_rng(1)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        cc = stream.codec_context
        opts: dict[str, str] = {}
        if codec == "libx264":
            opts = {"preset": preset, "crf": str(crf),
                    "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={bframes}"}
        elif codec == "libx265":
            opts = {"preset": preset, "crf": str(crf), "x265-params":
                    f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={bframes}:log-level=error"}
        else:
            cc.gop_size = gop
            if codec != "mjpeg":
                cc.max_b_frames = bframes
            cc.bit_rate = max(200_000, w * h * fps // 4)
        stream.options = opts
        tb = Fraction(1, 1000) if pts_ms is not None else Fraction(1, fps)
        if pts_ms is not None:
            stream.time_base = tb
            cc.time_base = tb
        for i in range(frames):
            vf = av.VideoFrame.from_ndarray(render_frame(i, size, texture, rng if textured else None), format="rgb24")
            vf.pts = int(pts_ms[i]) if pts_ms is not None else i
            vf.time_base = tb
            for packet in stream.encode(vf):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def damage_packet(src: str | Path, dst: str | Path, frame: int, seed: int = 0) -> Path:
    """Copy ``src`` to ``dst`` with the payload of display frame ``frame``'s packet scribbled over
    (the container stays intact): a clip with exactly one damaged packet, for bad-input tests."""
    import av

    src, dst = Path(src), Path(dst)
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        packets = sorted((p.pts, p.pos, p.size) for p in c.demux(stream) if p.size and p.pts is not None)
    _, pos, size = packets[frame]
    data = bytearray(src.read_bytes())
    rng = np.random.default_rng(seed)
    data[pos + 8: pos + size - 8] = rng.integers(0, 256, size - 16, dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return dst
