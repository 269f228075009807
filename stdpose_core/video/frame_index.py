"""The frame index of a video file: presentation timestamps and keyframes, built from packets.

Built once per file from a packet demux (no pixel decoding), then checked by decoding the head and,
when the last GOP is short or the file looks damaged, the last keyframe's run (do decoded frames
carry exactly the demuxed timestamps? can the last frames be decoded at all?). Files whose timestamps
are missing, duplicated or disagree with the decoder are
marked ``seek_exact = False``: they are read by counting frames from the start instead, and the user
is offered ``stdpose reencode``. The index is cached as JSON under the user cache directory keyed by
path, size and modification time, so reopening a file is instant.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from stdpose_core.errors import InputError
from stdpose_core.progress import Job, Progress, run_to_completion

INDEX_VERSION = 4  # 4: variable-frame-rate warning
HEAD_CHECK_FRAMES = 12  # enough to see B-frame reordering go wrong
TAIL_CHECK_MAX = 64  # always decode the last GOP at open when it is at most this long
REENCODE_HINT = "run 'stdpose reencode IN OUT' for fast exact seeking"


def cache_dir() -> Path:
    """``$STDPOSE_CACHE_DIR/frame-index`` or the platform user cache dir (``~/.cache/stdpose/...``)."""
    from stdpose_core.paths import user_cache_dir

    return user_cache_dir() / "frame-index"


@dataclass
class FrameIndex:
    """What a video file holds, in display order.

    ``pts``: presentation timestamps in ``time_base`` units, [F] increasing (empty when not exact);
    ``key_frames``: display indices of keyframes, increasing (seek points); ``num_frames``: F;
    ``seek_exact``: timestamps are trustworthy, so frame i can be reached by seeking.
    """

    num_frames: int
    width: int
    height: int
    fps: float
    time_base: tuple[int, int]
    codec: str
    pts: list[int] = field(default_factory=list)
    key_frames: list[int] = field(default_factory=list)
    seek_exact: bool = True
    warnings: list[str] = field(default_factory=list)
    skipped_pts: list[int] = field(default_factory=list)  # damaged packets: decoded frames to drop

    def timestamps(self) -> np.ndarray:
        """Seconds from the first frame, [F] float64 (frame count / fps when timestamps are unusable)."""
        if self.seek_exact and self.pts:
            tb = Fraction(*self.time_base)
            return (np.asarray(self.pts, np.int64) - self.pts[0]) * float(tb)
        return np.arange(self.num_frames, dtype=np.float64) / (self.fps or 25.0)

    def key_at_or_before(self, i: int) -> int:
        """Display index of the last keyframe at or before frame ``i`` (0 if none)."""
        keys = self.key_frames
        j = int(np.searchsorted(keys, i, side="right")) - 1
        return keys[j] if j >= 0 else 0

    def key_before(self, k: int) -> int | None:
        """The keyframe before keyframe ``k``, or None."""
        j = int(np.searchsorted(self.key_frames, k, side="left")) - 1
        return self.key_frames[j] if j >= 0 else None


def _cache_file(path: Path) -> Path:
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{INDEX_VERSION}"
    # surrogateescape: a file name that is not valid UTF-8 still has a key (its own bytes)
    return cache_dir() / (hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest() + ".json")


def load_cached(path: Path) -> FrameIndex | None:
    """The cached index of ``path`` if one is current (same path, size and mtime), else None."""
    try:
        data = json.loads(_cache_file(path).read_text())
        data["time_base"] = tuple(data["time_base"])
        return FrameIndex(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _store(path: Path, index: FrameIndex) -> None:
    cf = _cache_file(path)
    try:
        cf.parent.mkdir(parents=True, exist_ok=True)
        tmp = cf.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(index)))
        os.replace(tmp, cf)
    except OSError:
        pass  # a read-only cache only costs speed


def load_or_build(path: Path) -> FrameIndex:
    """The cached index of ``path`` if it is current, else a freshly built (and cached) one."""
    index = load_cached(path)
    if index is None:
        index = build(path)
        _store(path, index)
    return index


def index_job(path: str | Path) -> Job[FrameIndex]:
    """Job form of :func:`load_or_build` with progress (bytes read), for a GUI or CLI progress bar.

    Indexing reads the whole file once (a few seconds for a multi-GB file); run this first and
    ``open_source`` then finds the cached index. Stopping the iteration cancels it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    index = load_cached(path)
    if index is None:
        index = yield from _build_job(path)
        _store(path, index)
    return index


def open_container(path: Path):
    """``(container, video_stream)``, or InputError for files that are not a decodable video."""
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as e:
        raise InputError(path, f"not a readable video file ({_why(e)})") from None
    if not container.streams.video:
        container.close()
        raise InputError(path, "has no video stream")
    stream = container.streams.video[0]
    try:
        name = stream.codec_context.name
        if not name or name == "none":
            raise ValueError
    except (av.FFmpegError, ValueError, AttributeError):
        container.close()
        raise InputError(path, "video codec is not supported (no decoder available)") from None
    return container, stream


def _why(e: Exception) -> str:
    return getattr(e, "strerror", None) or str(e).split(":")[0]


def build(path: Path) -> FrameIndex:
    """Demux every packet of the first video stream and check the result by partial decoding."""
    return run_to_completion(_build_job(path))


def _build_job(path: Path) -> Job[FrameIndex]:
    import av

    size = max(1, path.stat().st_size)
    yield Progress(0, size, "indexing video")
    container, stream = open_container(path)
    warnings: list[str] = []
    try:
        tb = stream.time_base or Fraction(1, 25)
        pts: list[int | None] = []
        keys: list[bool] = []
        skipped: list[int] = []
        try:
            for p in container.demux(stream):
                if len(pts) % 1000 == 999:
                    yield Progress(min(size, max(0, p.pos or 0)), size, "indexing video")
                if p.size == 0 or p.is_discard:
                    continue  # flush packets; frames an edit list hides
                if p.is_corrupt and p.pts is not None:
                    skipped.append(p.pts)  # e.g. the cut-off last packet of a truncated file
                    continue
                pts.append(p.pts)
                keys.append(bool(p.is_keyframe))
        except av.FFmpegError as e:
            warnings.append(f"file is damaged or truncated after {len(pts)} packets ({_why(e)}); later frames are missing")
        if not pts:
            raise InputError(path, "contains no video frames")
        fps = _fps(stream, len(pts))
        index = FrameIndex(len(pts), stream.width, stream.height, fps, (tb.numerator, tb.denominator),
                           stream.codec_context.name, warnings=warnings, skipped_pts=skipped)
        if not warnings:
            warnings.extend(_truncation_hints(container, stream, pts, skipped, fps))
        problem = _pts_problem(pts)
        if problem is None:
            order = sorted(pts)
            index.pts = order
            pos = {t: i for i, t in enumerate(order)}
            index.key_frames = sorted({pos[t] for t, k in zip(pts, keys) if k} | {0})
            problem = _check_by_decoding(container, stream, index)
            note = variable_rate_note(index.pts, tb)
            if note is not None:
                index.warnings.append(note)
    finally:
        container.close()
    if problem is not None:
        yield from _make_inexact(path, index, problem)
    if index.num_frames == 0:
        raise InputError(path, "no frame can be decoded")
    yield Progress(size, size, "indexed")
    return index


#: Frame durations may differ this much from the typical one before the rate counts as variable
#: (container timestamps are rounded to the time base; 1 ms jitter is common in 30000/1001 files).
VFR_TOLERANCE = 0.25


def variable_rate_note(pts: list[int], time_base: Fraction) -> str | None:
    """A warning when the frames' display durations vary (a variable-frame-rate file), else None.

    ``pts``: presentation timestamps in display order, in ``time_base`` units. Annotations follow frame
    numbers, so such a file works, but times shown or exported from the nominal rate drift from the
    video's own clock.
    """
    if len(pts) < 3:
        return None
    durations = np.diff(np.asarray(pts, dtype=np.float64)) * float(time_base) * 1000.0  # ms
    typical = float(np.median(durations))
    if typical <= 0:
        return None
    uneven = np.abs(durations - typical) > VFR_TOLERANCE * typical
    if not uneven.any():
        return None
    lo, hi = float(durations.min()), float(durations.max())
    return (f"variable frame rate: frames last {lo:.0f}-{hi:.0f} ms ({int(uneven.sum())} of {len(durations)} "
            f"differ from the typical {typical:.0f} ms); annotations follow frame numbers, but "
            f"times from the nominal rate drift from the video's clock (re-encoding makes it constant); {REENCODE_HINT}")


def _fps(stream, n: int) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < float(rate) < 1000:
            return float(rate)
    if stream.duration and stream.time_base and n > 1:
        return n / float(stream.duration * stream.time_base)
    return 25.0


def _truncation_hints(container, stream, pts: list, skipped: list, fps: float) -> list[str]:
    """Warnings when packets are damaged or end well before the duration the header declares.

    (A frame count below the header's is not enough: AVI files skip empty "dropped" frames.)
    """
    if skipped:
        return [f"file looks truncated or damaged: {len(skipped)} damaged frames skipped, "
                f"{len(pts)} readable frames"]
    known = [t for t in pts if t is not None]
    tb = stream.time_base
    if not known or not tb:
        return []
    span = (max(known) - min(known)) * float(tb) + 1.0 / fps
    if stream.duration:
        declared = stream.duration * float(tb)
    elif stream.frames:
        declared = stream.frames / fps
    elif container.duration and len(container.streams) == 1:
        declared = container.duration / 1e6
    else:
        return []
    if declared - span > 2.5 / fps:
        return [f"file looks truncated: {len(pts)} readable frames span {span:.2f} s "
                f"but the header declares {declared:.2f} s"]
    return []


def _pts_problem(pts: list[int | None]) -> str | None:
    if any(t is None for t in pts):
        return "some frames have no timestamp"
    if len(set(pts)) != len(pts):
        return "frame timestamps repeat"
    return None


def _decoded_pts(container, stream, seek_pts: int | None, limit: int, skip=frozenset()) -> tuple[list, str | None]:
    """Timestamps of up to ``limit`` frames decoded from ``seek_pts`` (None = file start)."""
    import av

    out: list = []
    try:
        if seek_pts is None:
            container.seek(0)
        else:
            container.seek(seek_pts, stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            if frame.pts in skip:
                continue
            out.append(frame.pts)
            if len(out) >= limit:
                break
    except av.FFmpegError as e:
        return out, _why(e)
    return out, None


def _check_by_decoding(container, stream, index: FrameIndex) -> str | None:
    """Decode the head and the last keyframe's run; trims undecodable trailing frames."""
    n_head = min(index.num_frames, HEAD_CHECK_FRAMES)
    skip = frozenset(index.skipped_pts)
    head, err = _decoded_pts(container, stream, None, n_head, skip)
    if not head:
        return f"the first frame cannot be decoded ({err or 'no output'})"
    if head != index.pts[: len(head)]:
        return "decoded frame timestamps differ from the container's"
    last_key = index.key_frames[-1]
    expected = index.pts[last_key:]
    if not index.warnings and len(expected) > TAIL_CHECK_MAX:
        # nothing hints at damage and the last GOP is long: skip the costly tail decode (a frame that
        # then turns out undecodable raises InputError when it is read)
        return None
    tail, err = _decoded_pts(container, stream, index.pts[last_key], len(expected) + 16, skip)
    tail = [t for t in tail if t is not None and t >= expected[0]]
    if tail == expected:
        return None
    if tail == expected[: len(tail)] and tail:
        missing = len(expected) - len(tail)
        index.pts = index.pts[: last_key + len(tail)]
        index.num_frames = len(index.pts)
        index.warnings.append(f"the last {missing} frames cannot be decoded (truncated file?); "
                              f"{index.num_frames} frames are readable")
        return None
    if not tail:
        return "the last keyframe cannot be decoded"
    return "decoded frame timestamps differ from the container's"


def _make_inexact(path: Path, index: FrameIndex, problem: str) -> Job[None]:
    """Count decodable frames from the start: the only exact access left for this file."""
    import av

    container, stream = open_container(path)
    n = 0
    try:
        for _ in container.decode(stream):
            n += 1
            if n % 200 == 0:
                yield Progress(n, index.num_frames, "counting frames (no usable timestamps)")
    except av.FFmpegError as e:
        index.warnings.append(f"decoding stops after {n} frames ({_why(e)})")
    finally:
        container.close()
    index.num_frames = n
    index.pts = []
    index.key_frames = [0]
    index.seek_exact = False
    index.warnings.append(f"exact seeking is not possible: {problem}; frames are read by counting from "
                          f"the start (slow for long videos); {REENCODE_HINT}")
