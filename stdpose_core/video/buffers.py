"""Decoded frames in memory that the allocator can reuse, and giving freed memory back.

Measured cause of the ~2.7 MB/frame growth of long propagations (docs/adr/0013): PyAV's
``to_ndarray(format="rgb24")`` returns a *view* of the converted AVFrame, whose buffer FFmpeg
allocates with ``posix_memalign``. glibc serves an aligned request by carving a slightly larger
block and splitting off the slack; small allocations then settle in that slack, so when the frame is
freed its hole is a few bytes too small for the next aligned frame and is never reused. A cache that
keeps frames for a while and frees them in turn therefore leaves one unusable 2.76 MB hole per 720p
frame (1 GiB cache: +2.65 MB per frame, 5.4 GB after 2,000 frames; a 64 MB cache still +1.5 MB/frame).
OpenCV's ``imread``/``cvtColor`` outputs are aligned allocations too.

The fix is where the frames are made: :func:`owned_rgb` copies each decoded frame into an array that
numpy allocates with plain ``malloc`` (same size every time, so a freed frame's hole is exactly reused)
and the FFmpeg buffer is freed at once. The copy costs ~0.3 ms per 720p frame against 3+ ms of decoding.
:func:`owned_luma` makes a gray frame the same way, from the decoder's own luma plane (docs/adr/0022).
:func:`release_freed_memory` hands pages that are free but still mapped back to the operating system
(glibc ``malloc_trim``) after a big cache was dropped, so a long-running editor returns to its idle
footprint after a job; it is a no-op where glibc is absent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import numpy as np

_libc = None

#: Pixel formats whose first plane is 8-bit luma (Y), one byte per pixel.
LUMA_FIRST = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "yuvj440p",
                        "yuv411p", "yuv410p", "nv12", "nv21", "nv16", "gray"})
#: Limited-range ("MPEG", 16-235) luma stretched to 0-255: what an RGB decode followed by
#: ``cv2.cvtColor(rgb, COLOR_RGB2GRAY)`` gives (BT.601 weights undo the decoder's matrix), to about
#: one grey level, without making the RGB frame.
STRETCH_LIMITED = np.clip(np.round((np.arange(256) - 16) * (255.0 / 219.0)), 0, 255).astype(np.uint8)


def owned_rgb(view: np.ndarray) -> np.ndarray:
    """A C-contiguous ``(H,W,3) uint8`` copy of ``view`` in memory numpy allocated (see module docstring)."""
    out = np.empty(view.shape, np.uint8)
    np.copyto(out, view)
    return out


def frame_rgb(frame) -> np.ndarray:
    """``(H,W,3) uint8`` RGB of a decoded ``av.VideoFrame`` in numpy-owned memory: FFmpeg's conversion
    with the frame's colour matrix and range (every RGB frame a video hands out is made here)."""
    return owned_rgb(frame.to_ndarray(format="rgb24"))


def owned_luma(frame) -> np.ndarray:
    """``(H,W) uint8`` gray of a decoded ``av.VideoFrame`` in numpy-owned memory (0 black, 255 white).

    8-bit YUV frames give their luma plane, stretched to full range unless it is full range already
    (``yuvj*``, ``color_range`` JPEG, ``gray``): no RGB frame is made, which is most of an RGB
    decode's cost (1080p: 1.7 against 4.6 ms per frame). Other formats (RGB, 10-bit, palettes)
    are converted to RGB and then to gray, as :class:`~stdpose_core.propagation.gray_frames.GrayFrames`
    does with an RGB source.
    """
    import cv2

    w, h = frame.width, frame.height
    out = np.empty((h, w), np.uint8)
    name = frame.format.name
    if name in LUMA_FIRST:
        plane = frame.planes[0]
        y = np.frombuffer(plane, np.uint8).reshape(h, plane.line_size)[:, :w]
        if name == "gray" or name.startswith("yuvj") or int(frame.color_range) == 2:  # 2 = AVCOL_RANGE_JPEG
            np.copyto(out, y)
        else:
            cv2.LUT(y, STRETCH_LIMITED, dst=out)
        return out
    cv2.cvtColor(frame.to_ndarray(format="rgb24"), cv2.COLOR_RGB2GRAY, dst=out)
    return out


#: Formats :class:`PackedFrame` keeps as they are (8-bit 4:2:0, three planes: what H.264/H.265/MPEG-4 give).
PACKABLE = frozenset({"yuv420p", "yuvj420p"})


class PackedFrame:
    """A decoded 8-bit 4:2:0 frame kept as its YUV planes until it is wanted as RGB.

    Half an RGB frame's bytes and 0.7 ms to keep at 1080p, against ~9 ms to make and keep its RGB
    frame: a jump keeps the frames it decodes on the way like this (:mod:`.base`). ``yuv`` is the
    ``(H*3/2, W)`` uint8 I420 layout (Y rows, then U, then V) in numpy-owned memory (module
    docstring); :meth:`rgb` makes the RGB frame with the same conversion as decoding would have
    (FFmpeg's, with the frame's colour matrix and range), so it is identical to a fresh decode.
    """

    __slots__ = ("yuv", "format", "colorspace", "color_range", "nbytes")

    def __init__(self, frame):
        # PyAV's I420 layout for 4:2:0 frames, joined by np.hstack: a copy in numpy's own memory
        self.yuv = frame.to_ndarray()
        self.yuv.flags.writeable = False  # shared by every thread that asks for the frame, like a cached frame
        self.format, self.colorspace, self.color_range = frame.format.name, frame.colorspace, frame.color_range
        self.nbytes = self.yuv.nbytes

    def rgb(self) -> np.ndarray:
        """The ``(H,W,3) uint8`` RGB frame, made as :func:`frame_rgb` makes a decoded one."""
        import av

        frame = av.VideoFrame.from_ndarray(self.yuv, format=self.format)
        frame.colorspace, frame.color_range = self.colorspace, self.color_range
        return frame_rgb(frame)


def packed(frame) -> PackedFrame | None:
    """``frame`` (an ``av.VideoFrame``) as a :class:`PackedFrame`, or None for other formats and odd sizes."""
    if frame.format.name not in PACKABLE or frame.width % 2 or frame.height % 2:
        return None
    return PackedFrame(frame)


def bgr_to_owned_rgb(bgr: np.ndarray) -> np.ndarray:
    """OpenCV BGR image -> ``(H,W,3) uint8`` RGB written straight into a numpy-allocated array."""
    import cv2

    out = np.empty(bgr.shape, np.uint8)
    cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB, dst=out)
    return out


def bgr_to_owned_gray(bgr: np.ndarray) -> np.ndarray:
    """OpenCV BGR image -> ``(H,W) uint8`` gray (the weights of ``COLOR_RGB2GRAY`` on the same pixels)."""
    import cv2

    out = np.empty(bgr.shape[:2], np.uint8)
    cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY, dst=out)
    return out


def _glibc():
    global _libc
    if _libc is None:
        _libc = False
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                lib.malloc_trim.argtypes = [ctypes.c_size_t]
                _libc = lib
            except (OSError, AttributeError):  # musl and others: no malloc_trim
                _libc = False
    return _libc


def release_freed_memory() -> bool:
    """Return free heap pages to the operating system (glibc only); True when it ran."""
    lib = _glibc()
    if not lib:
        return False
    lib.malloc_trim(0)
    return True
