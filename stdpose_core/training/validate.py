"""Validation: propagate held-out tracks at T = ``every`` and score them with the project's metrics.

For each held-out track, keyframes are its labelled frames on the grid ``first, first+T, ...``; every
other labelled frame between two keyframes is a target, predicted in propagation mode from the two
keyframes' crops and rendered labels (one crop window = union of the two keyframes' boxes, as the
annotation tool has no box for the frame in between). When that leaves a track no target (labels
only every T frames, or keyframes off the grid), each labelled frame is predicted from its labelled
neighbours instead (leave-one-out). Single-frame (COCO) clips are scored in estimation mode on the image itself.
A flow-prior model gets flow's estimate for each target from its two keyframes (``flow_prior``:
computed once per gap and cached), as propagation gives it.

Scores come from ``stdpose_core.propagation.scoring.score_frames`` (the project's metrics,
``stdpose_core.eval.evaluate``, on the target frames only): ``pckh05``, ``pckh02``, ``map``,
``mean_px``, ``norm``; several clips are averaged weighted by their number of targets.

The quality gate (``stdpose_core.trained.gate``): on the targets strictly between their two keyframes
(video clips), ``flow`` propagates the same gaps from the same labelled keyframes and is scored the
same way; :class:`Validation` carries both, and a calibration of the model's heatmap peaks (the
probability of a joint being within 0.2 head sizes, ``model.calibration``) fitted on the targets.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from stdpose_core.data import Project, VideoInfo
from stdpose_core.data.boxes import person_box
from stdpose_core.data.source import Source
from stdpose_core.data.track import Track
from stdpose_core.model.calibration import PeakCalibration, fit_peak_calibration
from stdpose_core.model.codec import decode, encode
from stdpose_core.model.geometry import CropWindow
from stdpose_core.model.normalize import normalize_crops
from stdpose_core.progress import run_to_completion
from stdpose_core.skeleton import get_skeleton
from stdpose_core.trained.gate import GateScores
from stdpose_core.training.data import Clip, ClipFrames

METRIC_KEYS = ("pckh05", "pckh02", "map", "mean_px")


@dataclass(frozen=True)
class ValTarget:
    clip: int
    track_id: int
    frame: int
    left: int
    right: int


def track_targets(ci: int, clip: Clip, tid: int, every: int) -> list[ValTarget]:
    frames = clip.tracks[tid].labelled_frames()
    if clip.single_frame:
        return [ValTarget(ci, tid, int(f), int(f), int(f)) for f in frames]
    if len(frames) < 2:
        return []
    on_grid = (frames - frames[0]) % every == 0
    keys, targets = frames[on_grid], frames[~on_grid]
    out = []
    for f in targets:
        lo, hi = keys[keys < f], keys[keys > f]
        if len(lo) and len(hi) and hi[0] - lo[-1] <= every:
            out.append(ValTarget(ci, tid, int(f), int(lo[-1]), int(hi[0])))
    if out:
        return out
    # Leave-one-out on sparse labels (labels only every T frames, or keyframes that are not on the
    # validation grid, e.g. every 5 frames validated at T = 7): each from its labelled neighbours.
    for i, f in enumerate(frames):
        lo = frames[i - 1] if i > 0 else None
        hi = frames[i + 1] if i + 1 < len(frames) else None
        lo, hi = (lo if lo is not None else hi), (hi if hi is not None else lo)
        if max(f - lo, hi - f) <= 2 * every:
            out.append(ValTarget(ci, tid, int(f), int(lo), int(hi)))
    return out


def val_targets(clips: list[Clip], selection: dict[int, set[int]], every: int, max_targets: int) -> list[ValTarget]:
    """Targets of the selected tracks, thinned evenly to at most ``max_targets`` (deterministic)."""
    out = [t for ci in sorted(selection) for tid in sorted(selection[ci]) for t in track_targets(ci, clips[ci], tid, every)]
    if max_targets > 0 and len(out) > max_targets:
        idx = np.linspace(0, len(out) - 1, max_targets).round().astype(int)
        out = [out[i] for i in np.unique(idx)]
    return out


def target_gaps(targets: list[ValTarget]) -> dict[int, set[tuple[int, int, int]]]:
    """The gaps ``(track, left, right)`` per clip whose flow priors the ``targets`` need."""
    out: dict[int, set[tuple[int, int, int]]] = {}
    for t in targets:
        if t.left < t.frame < t.right:
            out.setdefault(t.clip, set()).add((t.track_id, t.left, t.right))
    return out


def _window(clip: Clip, t: ValTarget, config) -> CropWindow:
    track = clip.tracks[t.track_id]
    return CropWindow.around([person_box(track, t.left), person_box(track, t.right)], config.img_size, config.heatmap_size)


def _prior_heat(priors: dict, t: ValTarget, window: CropWindow, config) -> np.ndarray:
    prior = priors.get((t.clip, t.track_id, t.left, t.right))
    if prior is None:
        return np.zeros(config.heatmap_shape, np.float32)
    xy, ok = prior.at(t.left, t.frame)
    return encode(window.image_to_heatmap(xy), ok.astype(np.int8) * 2, config.heatmap_size, config.heatmap_sigma)[0]


def _aux_heat(clip: Clip, tid: int, frame: int, window: CropWindow, config) -> np.ndarray:
    track = clip.tracks[tid]
    return encode(window.image_to_heatmap(track.xy[frame]), track.vis[frame], config.heatmap_size, config.heatmap_sigma)[0]


@torch.no_grad()
def predict_targets(model, clips: list[Clip], targets: list[ValTarget], mode: str, device: str,
                    batch_size: int = 16, amp: bool = False, priors: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Predicted ``xy[N,K,2]`` image pixels and ``score[N,K]`` for ``targets``; ``priors``
    (``{(clip, track, left, right): GapPrior}``) feed a flow-prior model."""
    cfg = model.config
    was_training = model.training
    model.eval()
    xys, scores = [], []
    try:
        for s in range(0, len(targets), batch_size):
            chunk = targets[s:s + batch_size]
            crops = {"left": [], "target": [], "right": []}
            heats_l, heats_r, windows, estimation, prior = [], [], [], [], []
            for t in chunk:
                clip = clips[t.clip]
                win = _window(clip, t, cfg)
                windows.append(win)
                for name, f in (("left", t.left), ("target", t.frame), ("right", t.right)):
                    crops[name].append(normalize_crops(win.crop(clip.frame(f))))
                heats_l.append(_aux_heat(clip, t.track_id, t.left, win, cfg))
                heats_r.append(_aux_heat(clip, t.track_id, t.right, win, cfg))
                if cfg.flow_prior:
                    prior.append(_prior_heat(priors or {}, t, win, cfg))
                estimation.append(clip.single_frame or mode == "estimation")
            tens = {k: torch.from_numpy(np.stack(v)).to(device) for k, v in crops.items()}
            hl = torch.from_numpy(np.stack(heats_l)).to(device)
            hr = torch.from_numpy(np.stack(heats_r)).to(device)
            ph = {"prior_heatmaps": torch.from_numpy(np.stack(prior)).to(device)} if prior else {}
            ctx = torch.autocast("cuda", dtype=torch.bfloat16) if amp and device.startswith("cuda") else contextlib.nullcontext()
            with ctx:
                if all(estimation):
                    out = model(tens["left"], tens["target"], tens["right"], **ph)
                elif not any(estimation):
                    out = model(tens["left"], tens["target"], tens["right"], hl, hr, **ph)
                else:  # mixed batch: run both and pick per row
                    a = model(tens["left"], tens["target"], tens["right"], **ph)["heatmaps"]
                    b = model(tens["left"], tens["target"], tens["right"], hl, hr, **ph)["heatmaps"]
                    sel = torch.tensor(estimation, device=a.device)[:, None, None, None]
                    out = {"heatmaps": torch.where(sel, a, b)}
            heat = out["heatmaps"].float().cpu().numpy()
            xy_hm, sc = decode(heat)
            for i, win in enumerate(windows):
                xys.append(win.heatmap_to_image(xy_hm[i]))
                scores.append(sc[i])
    finally:
        model.train(was_training)
    k = cfg.num_joints
    if not xys:
        return np.zeros((0, k, 2), np.float32), np.zeros((0, k), np.float32)
    return np.stack(xys).astype(np.float32), np.clip(np.stack(scores), 0, 1).astype(np.float32)


def _projects(clip: Clip, skeleton_name: str, targets: list[ValTarget], xy: np.ndarray, score: np.ndarray):
    skel = get_skeleton(skeleton_name)
    info = clip.project.video if clip.project is not None else VideoInfo("", clip.num_frames, 0, 0)
    gt_tracks, pred_tracks = {}, {}
    for t, p_xy, p_sc in zip(targets, xy, score):
        src = clip.tracks[t.track_id]
        if t.track_id not in gt_tracks:
            gt_tracks[t.track_id] = Track.empty(t.track_id, clip.num_frames, skel.num_joints)
            pred_tracks[t.track_id] = Track.empty(t.track_id, clip.num_frames, skel.num_joints)
        g, p = gt_tracks[t.track_id], pred_tracks[t.track_id]
        f = t.frame
        g.xy[f], g.vis[f], g.bbox[f], g.head_bbox[f] = src.xy[f], src.vis[f], src.bbox[f], src.head_bbox[f]
        p.xy[f], p.vis[f], p.score[f] = p_xy, 2, p_sc
    mk = lambda tracks: Project(skel, info, tracks=tracks)  # noqa: E731
    return mk(gt_tracks), mk(pred_tracks)


def _per_clip_projects(clips: list[Clip], skeleton_name: str, targets: list[ValTarget], xy: np.ndarray,
                       score: np.ndarray):
    """Per clip of ``targets`` (in clip order): ``(its targets, GT project, predicted project)``."""
    for ci in sorted({t.clip for t in targets}):
        idx = [i for i, t in enumerate(targets) if t.clip == ci]
        sub = [targets[i] for i in idx]
        yield (sub, *_projects(clips[ci], skeleton_name, sub, xy[idx], score[idx]))


def score_targets(clips: list[Clip], skeleton_name: str, targets: list[ValTarget], xy: np.ndarray,
                  score: np.ndarray) -> dict:
    """Metrics (``pckh05``, ``pckh02``, ``map``, ``mean_px``, ``norm``, ``targets``) over all clips."""
    from stdpose_core.propagation.scoring import score_frames

    results, weights = [], []
    for sub, gt, pred in _per_clip_projects(clips, skeleton_name, targets, xy, score):
        results.append(score_frames(gt, pred, np.unique([t.frame for t in sub])))
        weights.append(len(sub))
    out: dict = {"targets": int(sum(weights))}
    if not results:
        return {**out, **{k: float("nan") for k in METRIC_KEYS}, "norm": None}
    w = np.asarray(weights, np.float64)
    for k in METRIC_KEYS:
        vals = np.array([float(r.get(k, np.nan)) for r in results])
        ok = np.isfinite(vals)
        out[k] = float(np.sum(vals[ok] * w[ok]) / w[ok].sum()) if ok.any() else float("nan")
    out["norm"] = results[0].get("norm")
    return out


def target_hits(clips: list[Clip], skeleton_name: str, targets: list[ValTarget], xy: np.ndarray,
                threshold: float = 0.2) -> np.ndarray:
    """Per scored GT joint of ``targets`` (predicted at ``xy[N,K,2]`` px), whether it lies within
    ``threshold`` x the normaliser (PCK's rule): ``[M]`` bool, M the GT joints, in an order that depends
    only on the targets and the ground truth, so two methods' hits on the same targets pair up."""
    from stdpose_core.eval.evaluate import joint_errors

    score = np.ones(xy.shape[:2], np.float32)
    out = [joint_errors(gt, pred).hits(threshold) for _, gt, pred in _per_clip_projects(clips, skeleton_name, targets, xy, score)]
    return np.concatenate(out) if out else np.zeros(0, bool)


def gate_targets(clips: list[Clip], targets: list[ValTarget]) -> list[int]:
    """Indices of the targets the gate compares: video frames strictly between their keyframes."""
    return [i for i, t in enumerate(targets) if not clips[t.clip].single_frame and t.left < t.frame < t.right]


def _keyframe_project(clip: Clip, skeleton_name: str, tid: int, keys: tuple[int, int]) -> Project:
    """A one-track project holding the track's labels on ``keys`` only, as MANUAL keyframes."""
    skel = get_skeleton(skeleton_name)
    src = clip.tracks[tid]
    t = Track.empty(tid, clip.num_frames, skel.num_joints)
    for f in keys:
        on = src.vis[f] > 0
        t.xy[f], t.vis[f] = np.where(on[:, None], src.xy[f], 0), src.vis[f]
        t.source[f] = np.where(on, Source.MANUAL, Source.NONE)
        t.score[f] = on
        t.bbox[f], t.head_bbox[f] = src.bbox[f], src.head_bbox[f]
    info = clip.project.video if clip.project is not None else VideoInfo("", clip.num_frames, 0, 0)
    return Project(skel, info, tracks={tid: t})


def flow_predictions(clips: list[Clip], skeleton_name: str, targets: list[ValTarget]) -> tuple[np.ndarray, np.ndarray]:
    """``flow``'s ``xy[N,K,2]`` and ``score[N,K]`` for two-sided video ``targets``, each gap propagated
    from its two labelled keyframes exactly as the model sees them."""
    from stdpose_core.propagation.flow import FlowPropagator

    k = get_skeleton(skeleton_name).num_joints
    xy = np.zeros((len(targets), k, 2), np.float32)
    score = np.zeros((len(targets), k), np.float32)
    groups: dict[tuple, list[int]] = {}
    for i, t in enumerate(targets):
        groups.setdefault((t.clip, t.track_id, t.left, t.right), []).append(i)
    flow = FlowPropagator()
    try:
        for (ci, tid, left, right), idx in sorted(groups.items()):
            proj = _keyframe_project(clips[ci], skeleton_name, tid, (left, right))
            edit = run_to_completion(flow.run(proj, ClipFrames(clips[ci]), [tid], (left + 1, right)))
            edit.apply(proj)
            track = proj.tracks[tid]
            for i in idx:
                xy[i], score[i] = track.xy[targets[i].frame], track.score[targets[i].frame]
            flow.release()
    finally:
        flow.release()
    return xy, score


def peak_calibration(clips: list[Clip], skeleton_name: str, targets: list[ValTarget], xy: np.ndarray,
                     peak: np.ndarray) -> PeakCalibration:
    """Fit the peak → P(within 0.2 head sizes) map on the labelled joints of ``targets``."""
    from stdpose_core.propagation.confidence import ERROR_THRESHOLD, head_size

    skel = get_skeleton(skeleton_name)
    peaks, correct = [], []
    for t, p_xy, p_pk in zip(targets, xy, peak):
        track = clips[t.clip].tracks[t.track_id]
        on = track.vis[t.frame] > 0
        err = np.linalg.norm(p_xy - track.xy[t.frame], axis=1)
        peaks.append(p_pk[on])
        correct.append(err[on] <= ERROR_THRESHOLD * head_size(track, t.frame, skel))
    if not peaks:
        return PeakCalibration()
    return fit_peak_calibration(np.concatenate(peaks), np.concatenate(correct))


@dataclass
class Validation:
    """What one validation measured: ``metrics`` over all targets (as before), ``gate`` (model vs
    flow on the two-sided video targets; None in estimation mode or without such targets) and the
    model's peak ``calibration``."""

    metrics: dict
    gate: GateScores | None
    calibration: PeakCalibration
    flow_metrics: dict | None = None


def _gate_figures(metrics: dict) -> dict:
    return {k: metrics.get(k) for k in ("pckh02", "pckh05", "map", "mean_px")}


def validate(model, clips: list[Clip], targets: list[ValTarget], mode: str, device: str,
             batch_size: int = 16, amp: bool = False, every: int = 7, flow_metrics: dict | None = None,
             priors: dict | None = None) -> Validation:
    """Predict and score ``targets`` (see the module docstring). ``flow_metrics``: flow's scores on
    the gate targets from an earlier call (they never change during a run), else computed here.
    ``priors``: the targets' flow priors (``plan.load_priors``) for a flow-prior model."""
    skeleton = model.config.skeleton
    xy, score = predict_targets(model, clips, targets, mode, device, batch_size, amp, priors)
    metrics = score_targets(clips, skeleton, targets, xy, score)
    idx = gate_targets(clips, targets) if mode == "propagation" else []
    gate = None
    if idx:
        sub = [targets[i] for i in idx]
        if flow_metrics is None:
            fxy, fscore = flow_predictions(clips, skeleton, sub)
            flow_metrics = score_targets(clips, skeleton, sub, fxy, fscore)
        model_metrics = metrics if len(idx) == len(targets) else score_targets(clips, skeleton, sub, xy[idx], score[idx])
        names = sorted({clips[t.clip].name for t in sub})
        gate = GateScores(every=every, targets=len(sub), model=_gate_figures(model_metrics), flow=_gate_figures(flow_metrics),
                          norm=model_metrics.get("norm"), data=tuple(names[:20]) + ((f"... {len(names)} clips",) if len(names) > 20 else ()))
    return Validation(metrics, gate, peak_calibration(clips, skeleton, targets, xy, score), flow_metrics)


def score_checkpoint(path: str, specs: list[str], every: int = 7, max_targets: int = 256,
                     device: str = "cpu") -> Validation:
    """Validate the checkpoint ``path`` on ``specs`` (all their tracks) at T = ``every``: the gate and
    calibration an imported model lacks (``stdpose models score``)."""
    from stdpose_core.errors import StdposeError
    from stdpose_core.model.checkpoint import load_model
    from stdpose_core.training.data import load_clips

    model, _ = load_model(path, device)
    clips = load_clips(list(specs), model.config.skeleton)
    targets = val_targets(clips, {ci: set(c.tracks) for ci, c in enumerate(clips)}, every, max_targets)
    if not gate_targets(clips, targets):
        raise StdposeError(f"no labelled frame between two labelled frames at most {every} apart in {', '.join(specs)}: "
                           "nothing to compare with flow on")
    priors = None
    if model.config.flow_prior:
        from stdpose_core.training.flow_prior import load_priors

        priors = load_priors(clips, target_gaps(targets), model.config.skeleton)
    return validate(model, clips, targets, "propagation", device, every=every, priors=priors)
