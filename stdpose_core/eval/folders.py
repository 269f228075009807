"""Scoring folders of per-video files, as poseval scores ``GT_DIR PRED_DIR``.

Every ``*.json`` in ``GT_DIR`` (sorted by name) is one video; its prediction is the file of the same
name in ``PRED_DIR`` (or ``<name>.stdpose``, a project). All videos' frames are pooled into one
per-joint AP (:func:`~stdpose_core.eval.evaluate.evaluate_videos`), exactly as poseval concatenates
the sequences of a folder. Where poseval stops at a missing prediction file, we score that video as
predicting nobody (its people count as misses) and say so in one line; a prediction file with no
ground truth beside it is named and left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from stdpose_core.data import Project
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.eval.evaluate import evaluate, evaluate_videos


def _empty_like(gt: Project) -> Project:
    """A prediction of nobody for ``gt``'s frames."""
    import dataclasses

    import numpy as np

    return dataclasses.replace(gt, tracks={}, labeled=np.zeros_like(gt.labeled), ignore_regions={})


def pair_files(gt_dir: Path, pred_dir: Path) -> tuple[list[tuple[str, Path, Path | None]], list[str]]:
    """``[(name, gt file, pred file or None)]`` in name order, and one line per unpaired file."""
    if not gt_dir.is_dir():
        raise InputError(gt_dir, "ground-truth folder not found")
    if not pred_dir.is_dir():
        raise InputError(pred_dir, "prediction folder not found")
    gts = sorted(gt_dir.glob("*.json"))
    if not gts:
        raise InputError(gt_dir, "holds no .json ground-truth file")
    pairs, notes = [], []
    for g in gts:
        pred = next((p for p in (pred_dir / g.name, pred_dir / f"{g.stem}.stdpose") if p.is_file()), None)
        if pred is None:
            notes.append(f"{pred_dir / g.name}: no prediction for {g.name}; scored as predicting nobody")
        pairs.append((g.stem, g, pred))
    names = {g.stem for g in gts}
    for p in sorted(pred_dir.iterdir()):
        if p.suffix in (".json", ".stdpose") and p.stem not in names:
            notes.append(f"{p}: no ground truth {gt_dir / (p.stem + '.json')}; left out")
    return pairs, notes


def evaluate_folders(gt_dir: str | Path, pred_dir: str | Path, load: Callable[..., Project],
                     metric: str = "posetrack-map", per_video: bool = False,
                     labelled_only: bool = False) -> tuple[dict, list[str]]:
    """The pooled score of every video (keys of :func:`~stdpose_core.eval.evaluate`, plus ``videos``
    and, with ``per_video``, ``by_video`` {name: {map, pckh05, mean_px, frames}}) and the notes.
    ``load(path, video=None, reference=None)`` reads one file (annotations or a project) into a
    Project (``reference``: the video's ground truth, which places a COCO results file's image ids).
    ``labelled_only``: see :func:`~stdpose_core.eval.evaluate`."""
    from stdpose_core.eval.evaluate import nan_to_none

    files, notes = pair_files(Path(gt_dir), Path(pred_dir))
    pairs, names = [], []
    for name, g, p in files:
        try:
            gt = load(str(g))
            pred = load(str(p), None, gt) if p is not None else _empty_like(gt)
        except StdposeError as exc:
            notes.append(f"{exc}; {name} left out")
            continue
        pairs.append((gt, pred))
        names.append(name)
    if not pairs:
        raise StdposeError(f"{gt_dir}: no video could be scored")
    result = evaluate_videos(pairs, metric, labelled_only)
    result["videos"] = len(pairs)
    if per_video:
        result["by_video"] = {}
        for name, (gt, pred) in zip(names, pairs):
            r = evaluate(gt, pred, "posetrack-map", labelled_only)
            result["by_video"][name] = nan_to_none({k: r[k] for k in ("map", "pckh05", "mean_px", "frames")})
    return result, notes
