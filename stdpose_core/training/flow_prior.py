"""Flow priors for training and validation: what the ``flow`` method estimates between two keyframes.

A flow-prior model (``ModelConfig.flow_prior``, ADR 0017) gets, for every target frame, the joints
the ``flow`` propagator computes for the gap between the two labelled keyframes around it — the same
code (``FlowPropagator.fill_group``) that feeds it at inference. Running flow per training sample
would cost as much as the training step, so each gap ``(track, left, right)`` of a clip is
propagated once and cached: one ``.npz`` per clip under ``<user cache>/flow-prior/``, keyed by the
clip's fingerprint and a hash of the flow method's source files, so a changed ``flow`` never serves
stale priors (it recomputes them).

Training samples come from *keyframe grids*: for each T in the ``grid`` training setting and a few
offsets, keyframes at ``offset, offset+T, ...`` and the last frame (as ``stdpose eval-propagation``
places them); every labelled frame strictly between two keyframes is a target with that gap.

Arrays: a gap's prior is ``xy[n,K,2]`` float32 image pixels (``n = right - left - 1`` frames
``left+1 .. right-1``), ``ok[n,K]`` bool (flow estimated the joint: labelled on both keyframes) and
``score[n,K]`` float32 (flow's confidence).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from stdpose_core.progress import run_to_completion
from stdpose_core.training.data import Clip, ClipFrames
from stdpose_core.training.triplets import TripletRef

#: Bumped when the stored layout changes.
CACHE_VERSION = 1
_PROP_IMPORT = re.compile(r"^[ \t]*from stdpose_core\.propagation\.(\w+) import", re.MULTILINE)

GapKey = tuple[int, int, int]  # (track_id, left, right)


@dataclass(frozen=True)
class GapPrior:
    """Flow's estimate over one gap (see the module docstring for the shapes)."""

    xy: np.ndarray
    ok: np.ndarray
    score: np.ndarray

    def at(self, left: int, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """``(xy[K,2], ok[K])`` on ``frame`` of the gap that starts after keyframe ``left``."""
        i = frame - left - 1
        return self.xy[i], self.ok[i]


def flow_modules() -> list[str]:
    """The propagation modules 'flow' is made of: ``flow`` and what it imports from the package, transitively."""
    import stdpose_core.propagation as prop

    root = Path(prop.__file__).parent
    seen, todo = set(), ["flow"]
    while todo:
        name = todo.pop()
        path = root / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        todo += _PROP_IMPORT.findall(path.read_text(encoding="utf-8"))
    return sorted(seen)


def flow_source_hash() -> str:
    """sha256 (16 hex) over the source of :func:`flow_modules`: what makes 'flow''s estimate."""
    import stdpose_core.propagation as prop

    h = hashlib.sha256()
    root = Path(prop.__file__).parent
    for name in flow_modules():
        h.update(name.encode() + (root / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    from stdpose_core.paths import user_cache_dir

    return user_cache_dir() / "flow-prior"


def grid_keyframes(num_frames: int, every: int, offset: int) -> np.ndarray:
    """Keyframes ``offset, offset+T, ...`` and the last frame (sorted, unique)."""
    keys = list(range(offset, num_frames, every))
    if keys and keys[-1] != num_frames - 1:
        keys.append(num_frames - 1)
    return np.asarray(keys, np.int64)


def grid_offsets(every: int, count: int) -> list[int]:
    """``count`` keyframe-grid offsets spread over ``0..T-1`` (0 first)."""
    return sorted({int(round(i * every / max(1, count))) % every for i in range(max(1, count))})


def grid_gaps(clip: Clip, track_id: int, every: int, offset: int) -> list[tuple[int, int]]:
    """Gaps ``(left, right)`` of one track on a keyframe grid: consecutive grid frames where the track
    is labelled, at most T apart, with at least one labelled frame between them."""
    labelled = np.zeros(clip.num_frames, bool)
    labelled[clip.tracks[track_id].labelled_frames()] = True
    keys = [int(k) for k in grid_keyframes(clip.num_frames, every, offset) if labelled[k]]
    out = []
    for a, b in zip(keys[:-1], keys[1:]):
        if 1 < b - a <= every and labelled[a + 1:b].any():
            out.append((a, b))
    return out


def _sparse_project(clip: Clip, skeleton: str, gaps: list[GapKey]):
    """A project with the gaps' tracks labelled (MANUAL) only on their two keyframes."""
    from stdpose_core.data import Project, VideoInfo
    from stdpose_core.data.source import Source
    from stdpose_core.data.track import Track
    from stdpose_core.skeleton import get_skeleton

    skel = get_skeleton(skeleton)
    w, h = (clip.project.video.width, clip.project.video.height) if clip.project is not None else (0, 0)
    tracks = {}
    for tid, left, right in gaps:
        src = clip.tracks[tid]
        t = tracks.setdefault(tid, Track.empty(tid, clip.num_frames, skel.num_joints))
        for f in (left, right):
            t.xy[f], t.vis[f], t.bbox[f], t.head_bbox[f] = src.xy[f], src.vis[f], src.bbox[f], src.head_bbox[f]
            t.source[f] = np.where(src.vis[f] > 0, Source.MANUAL, Source.NONE)
            t.score[f] = (src.vis[f] > 0).astype(np.float32)
    return Project(skel, VideoInfo(clip.name, clip.num_frames, w, h), tracks=tracks)


def compute_gap_priors(clip: Clip, skeleton: str, gaps: list[GapKey]) -> dict[GapKey, GapPrior]:
    """Run the ``flow`` propagator over ``gaps`` of ``clip`` (gaps sharing keyframes in one group)."""
    from stdpose_core.propagation.base import Gap
    from stdpose_core.propagation.flow import FlowPropagator

    flow = FlowPropagator()
    source = ClipFrames(clip)
    out: dict[GapKey, GapPrior] = {}
    by_anchor: dict[tuple[int, int], list[int]] = {}
    for tid, left, right in gaps:
        by_anchor.setdefault((left, right), []).append(tid)
    for (left, right), tids in sorted(by_anchor.items()):
        project = _sparse_project(clip, skeleton, [(t, left, right) for t in tids])
        group = [Gap(t, left + 1, right, left, right) for t in tids]
        results = run_to_completion(flow.fill_group(project, source, group))
        for tid, res in zip(tids, results):
            both = (clip.tracks[tid].vis[left] > 0) & (clip.tracks[tid].vis[right] > 0)
            out[(tid, left, right)] = GapPrior(res.xy.astype(np.float32), res.filled & both[None], res.score.astype(np.float32))
        flow.release()
    return out


def _clip_file(clip: Clip, flow_hash: str) -> Path:
    key = json.dumps({"clip": clip.fingerprint, "name": clip.name, "flow": flow_hash, "v": CACHE_VERSION},
                     sort_keys=True, default=str)
    return cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"


def _read(path: Path) -> dict[GapKey, GapPrior]:
    if not path.is_file():
        return {}
    try:
        with np.load(path) as z:
            keys = z["keys"]
            return {(int(t), int(a), int(b)): GapPrior(z[f"xy_{i}"], z[f"ok_{i}"], z[f"score_{i}"])
                    for i, (t, a, b) in enumerate(keys)}
    except (OSError, ValueError, KeyError):  # a damaged cache file is rebuilt
        return {}


def _write(path: Path, priors: dict[GapKey, GapPrior]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(priors)
    arrays = {"keys": np.asarray(keys, np.int64).reshape(-1, 3)}
    for i, k in enumerate(keys):
        p = priors[k]
        arrays[f"xy_{i}"], arrays[f"ok_{i}"], arrays[f"score_{i}"] = p.xy, p.ok, p.score
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_priors(clips: list[Clip], wanted: dict[int, Iterable[GapKey]], skeleton: str,
                progress: Callable[[int, int, str], None] | None = None) -> dict[tuple[int, int, int, int], GapPrior]:
    """Flow priors of the ``wanted`` gaps per clip index, from the cache or computed (and cached).

    Returns ``{(clip, track_id, left, right): GapPrior}``. ``progress(done, total, message)`` is
    called after each clip.
    """
    flow_hash = flow_source_hash()
    out: dict[tuple[int, int, int, int], GapPrior] = {}
    items = sorted(wanted.items())
    for n, (ci, gaps) in enumerate(items):
        clip = clips[ci]
        gaps = sorted(set(gaps))
        path = _clip_file(clip, flow_hash)
        have = _read(path)
        missing = [g for g in gaps if g not in have]
        if missing:
            have.update(compute_gap_priors(clip, skeleton, missing))
            _write(path, have)
        for g in gaps:
            out[(ci, *g)] = have[g]
        if progress is not None:
            progress(n + 1, len(items), f"flow priors {clip.name}")
    return out


def grid_index(clips: list[Clip], grid: list[int], offsets: int,
               selection: dict[int, set[int]] | None = None) -> list[TripletRef]:
    """Training triplets of the keyframe grids (see the module docstring): one per labelled target
    frame between two grid keyframes, with those keyframes as its only auxiliary frames. A target
    that several grids share appears once per grid (a gap of that length is a separate sample)."""
    refs: list[TripletRef] = []
    for ci, clip in enumerate(clips):
        if clip.single_frame:
            continue
        tids = sorted(clip.tracks) if selection is None else sorted(selection.get(ci, ()))
        for tid in tids:
            labelled = np.zeros(clip.num_frames, bool)
            labelled[clip.tracks[tid].labelled_frames()] = True
            seen: set[tuple[int, int]] = set()
            for every in grid:
                for off in grid_offsets(every, offsets):
                    for left, right in grid_gaps(clip, tid, every, off):
                        if (left, right) in seen:
                            continue
                        seen.add((left, right))
                        refs.extend(TripletRef(ci, tid, f, (left,), (right,))
                                    for f in range(left + 1, right) if labelled[f])
    return refs


def gaps_of(refs: Iterable[TripletRef]) -> dict[int, set[GapKey]]:
    """The gaps ``(track, left, right)`` per clip that ``refs`` need priors for (single-auxiliary refs)."""
    out: dict[int, set[GapKey]] = {}
    for r in refs:
        if len(r.left) == 1 and len(r.right) == 1 and r.left[0] < r.frame < r.right[0]:
            out.setdefault(r.clip, set()).add((r.track_id, r.left[0], r.right[0]))
    return out
