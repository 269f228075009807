"""Score propagation on a densely labelled clip (``stdpose eval-propagation``).

Ground truth is kept on frames 0, T, 2T, ... and the last frame (as MANUAL keyframes), every method
propagates the rest, and only the frames in between are scored.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Sequence

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.data.track import FRAME_FIELDS, empty_field
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.eval import nan_to_none
from stdpose_core.progress import Job, Progress, relay
from stdpose_core.propagation.base import get_propagator, options_for
from stdpose_core.propagation.scoring import score_frames

DEFAULT_METHODS = ("interp", "flow", "auto")


def check_dense(gt: Project, where: str = "ground truth") -> None:
    """Raise StdposeError unless every frame of ``gt`` is labelled (``labeled`` flag or a person on it)."""
    people = np.zeros(gt.num_frames, bool)
    for t in gt.tracks.values():
        people |= (t.vis > 0).any(axis=1)
    missing = np.flatnonzero(~(gt.labeled | people))
    if gt.num_frames < 3:
        raise StdposeError(f"{where}: needs at least 3 frames, has {gt.num_frames}")
    if len(missing):
        raise StdposeError(
            f"{where}: {len(missing)} of {gt.num_frames} frames are not labelled (first: frame {missing[0]}); "
            "eval-propagation needs a densely labelled clip"
        )


def keep_frames(num_frames: int, every: int) -> np.ndarray:
    """``[F]`` bool: frames 0, T, 2T, ... and the last frame."""
    if every < 2:
        raise StdposeError(f"--every must be at least 2 (got {every}): with T = 1 no frame is left to propagate")
    keep = np.zeros(num_frames, bool)
    keep[::every] = True
    keep[-1] = True
    return keep


def sparse_project(gt: Project, keep: np.ndarray) -> Project:
    """Copy of ``gt`` with poses only on ``keep`` frames, as MANUAL keyframes (score 1)."""
    tracks = {}
    for tid, t in gt.tracks.items():
        c = t.copy()
        for name in FRAME_FIELDS:
            getattr(c, name)[~keep] = empty_field(name, int((~keep).sum()), gt.num_joints)
        on = c.vis > 0
        c.source[:] = np.where(on, Source.MANUAL, Source.NONE)
        c.score[:] = on.astype(np.float32)
        c.reviewed[:] = False
        tracks[tid] = c
    return dataclasses.replace(gt, tracks=tracks, labeled=keep.copy(), model_versions=list(gt.model_versions))


def eval_propagation(
    gt: Project,
    source,
    every: int = 7,
    methods: Sequence[str] = DEFAULT_METHODS,
    **method_opts,
) -> Job[dict]:
    """Propagate a sparse copy of ``gt`` with each method and score the in-between frames.

    ``source``: frame source of the clip (``len`` >= frames of ``gt``). Yields Progress, returns
    ``{"every", "frames_scored", "methods": {name: {map, pckh05, pckh02, mean_px, norm, table,
    auroc, seconds, person_frames_per_s, method}}}`` (``method`` = what 'auto' ran).
    """
    keep = keep_frames(gt.num_frames, every)
    check_dense(gt)
    if source is not None and len(source) < gt.num_frames:
        where = getattr(source, "path", None) or getattr(source, "root", None)
        raise InputError(where, f"holds {len(source)} frames, the ground truth {gt.num_frames}")
    scored = np.flatnonzero(~keep)
    per_method = options_for(methods, method_opts)  # shared options (weights, device) go where they apply
    props = {m: get_propagator(m, **per_method[m]) for m in methods}  # fails early on missing weights
    out: dict = {"every": every, "frames_scored": int(len(scored)), "methods": {}}
    sparse = sparse_project(gt, keep)
    for i, (name, prop) in enumerate(props.items()):
        pred = sparse_project(gt, keep)
        t0 = time.perf_counter()
        edit = yield from relay(prop.run(sparse, source),
                                lambda p, i=i, name=name: Progress(int(1000 * (i + p.fraction)), 1000 * len(props), name))
        seconds = time.perf_counter() - t0
        edit.apply(pred)
        filled = sum(int(((t.vis[scored] > 0).any(axis=1)).sum()) for t in pred.tracks.values())
        res = score_frames(gt, pred, scored)
        res["seconds"] = round(seconds, 4)
        res["person_frames_per_s"] = round(filled / seconds, 2) if seconds > 0 else None
        res["method"] = prop.name
        out["methods"][name] = res
    yield Progress(1000 * len(props), 1000 * len(props), "done")
    return nan_to_none(out)


def _num(v):
    """NaN for a missing figure, so the table prints 'nan' instead of failing."""
    return float("nan") if v is None else v


def format_table(result: dict) -> str:
    """The result as text: one row per method (Head ... Ankle, Mean AP, PCKh@0.2, px, AUROC)."""
    cols = ["Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Mean"]
    norm = next(iter(result["methods"].values()), {}).get("norm", "head")
    pck = "PCKh@0.2" if norm == "head" else "PCK@0.2(box)"
    lines = [f"propagation every {result['every']} frames, {result['frames_scored']} frames scored (AP per joint, PCKh@0.5)"]
    head = f"{'method':<14}" + "".join(f"{c:>9}" for c in cols) + f"{pck:>13}{'px':>8}{'AUROC':>7}{'pf/s':>9}"
    lines.append(head)
    for name, r in result["methods"].items():
        label = name if r.get("method", name) == name else f"{name}({r['method']})"
        row = f"{label:<14}" + "".join(f"{_num(r['table'].get(c)):>9.1f}" for c in cols)
        row += f"{_num(r['pckh02']):>13.1f}{_num(r['mean_px']):>8.2f}{_num(r['auroc']):>7.3f}{_num(r.get('person_frames_per_s')):>9.0f}"
        lines.append(row)
    if norm != "head":
        lines.append("(no head boxes in the ground truth: PCK normalised by the person box size)")
    return "\n".join(lines)
