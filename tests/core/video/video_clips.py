"""Generated index-coded clips used by the video tests (importable: conftest puts this folder on sys.path)."""

from __future__ import annotations

SIZE = (160, 128)
N = 90
VFR_MS = [i * 40 + (i % 3) * 9 for i in range(N)]  # uneven frame spacing

#: name -> (file name, write_indexed_clip keyword arguments)
CLIPS = {
    "h264_mp4_gop12_b2": ("a.mp4", dict(codec="libx264", gop=12, bframes=2)),
    "h264_mkv_gop30_b3": ("b.mkv", dict(codec="libx264", gop=30, bframes=3)),
    "h264_mov_gop250": ("c.mov", dict(codec="libx264", gop=250, bframes=2)),
    "hevc_mp4_gop10_b2": ("d.mp4", dict(codec="libx265", gop=10, bframes=2)),
    "mpeg4_avi_b2": ("e.avi", dict(codec="mpeg4", gop=15, bframes=2)),
    "mpeg4_avi_nob": ("f.avi", dict(codec="mpeg4", gop=15, bframes=0)),
    "mjpeg_avi": ("g.avi", dict(codec="mjpeg")),
    "vfr_h264_mkv": ("h.mkv", dict(codec="libx264", gop=12, bframes=2, pts_ms=VFR_MS)),
    "vfr_h264_mp4": ("i.mp4", dict(codec="libx264", gop=12, bframes=2, pts_ms=VFR_MS)),
}
