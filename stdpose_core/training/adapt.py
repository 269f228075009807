"""Per-video adaptation: fine-tune the active model on one project's own keyframes.

``adapt_job(project, source, project_path)`` (``stdpose adapt PROJECT``, GUI Model → Adapt to this
video) starts from the registry's active checkpoint, else the shipped one (or ``base=``), and trains
a few hundred steps on the project's manual and corrected joints: triplets of a keyframe and its
neighbouring keyframes of the same person, with the usual augmentations (a flow-prior model also gets flow's estimate between
those two neighbours, as at inference). It is a generator job (``yield Progress``; closing it
cancels, and nothing is written before the end).

Scoring is leave-one-keyframe-out (LOKO) on the project itself: every keyframe with a keyframe of the
same person on both sides is predicted from those two neighbours, by

* the base model,
* ``flow`` (the same two keyframes), and
* the adapted model — cross-fitted: the keyframes are dealt into ``folds`` interleaved folds and each
  fold is predicted by a model fine-tuned with that fold's keyframes left out as targets, so no
  keyframe is scored by a model that learnt to output it.

Only if the adapted score (PCK@0.2, ``trained.gate.GATE_METRIC``) beats the base's, and by more than
chance (:func:`keep_test`: an exact sign test on the held-out joints one model gets right and the other
wrong, one-sided, at :data:`KEEP_ALPHA`), is a final model
fine-tuned on all keyframes and stored beside the project as its model (``trained.project_model``),
with ``gate`` = adapted vs flow on the LOKO targets: 'auto' then uses it on this project only where it
also beats flow. Otherwise nothing changes. Fewer than 3 keyframes of one person, or a fold left with
nothing to train on (a flow-prior model trains only on keyframes between two others, so it needs at
least ``folds`` of them): one clear error before any work.
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generator

import numpy as np
import torch

from stdpose_core.data.project import Project
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.progress import Job, Progress
from stdpose_core.trained.gate import GATE_METRIC, GateScores
from stdpose_core.training.augment import AugmentSettings
from stdpose_core.training.data import Clip, check_skeleton, labels_hash, project_labels
from stdpose_core.training.dataset import EpochSampler, TripletDataset, make_loader
from stdpose_core.training.triplets import TripletRef, build_index
from stdpose_core.training.validate import ValTarget, flow_predictions, predict_targets, score_targets, target_hits

#: Fewest keyframes of one person that leave one to score (left neighbour, target, right neighbour).
MIN_KEYFRAMES = 3
#: Significance the adapted model's lead over its base must reach to be kept (one-sided exact sign test
#: on the held-out joints where exactly one of the two is within PCK@0.2). Without it, a lead of one
#: joint in 28 was kept (JHMDB val 'push', 57.1 vs 53.6 on its 2 held-out keyframes) and made the
#: frames then propagated worse (75.8 -> 71.8 PCK@0.2, models/README.md).
KEEP_ALPHA = 0.05


@dataclass(frozen=True)
class AdaptSettings:
    """How long and how hard to fine-tune. ``steps`` per fine-tuning run (``folds`` cross-fitted runs,
    then one final run when the adapted model wins); ``batch_size`` crop triplets per step."""

    steps: int = 200
    batch_size: int = 8
    lr: float = 2e-4
    weight_decay: float = 0.01
    folds: int = 2
    seed: int = 0
    device: str = "auto"
    augment: AugmentSettings = field(default_factory=AugmentSettings)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size"):
            if getattr(self, name) < 1:
                raise StdposeError(f"adaptation setting {name!r} must be >= 1, got {getattr(self, name)}")
        if self.folds < 2:
            raise StdposeError(f"adaptation needs folds >= 2 to score itself honestly, got {self.folds}")
        if not self.lr > 0:
            raise StdposeError(f"adaptation setting 'lr' must be > 0, got {self.lr}")


@dataclass
class AdaptResult:
    """What adaptation did. ``accepted``: the adapted model beat its base and is now the project's
    model (``path``); ``scores``: LOKO metrics of ``base``, ``adapted`` and ``flow``."""

    accepted: bool
    base: str
    keyframes: int
    targets: int
    scores: dict[str, dict[str, Any]]
    path: str | None = None
    gate: GateScores | None = None
    every: int = 0
    wins: int = 0  # held-out joints the adapted model gets right and its base wrong
    losses: int = 0  # ... and the other way round
    p_value: float = 1.0  # :func:`keep_test`'s one-sided p of wins against losses

    @property
    def margin(self) -> float:
        return float(self.scores["adapted"][GATE_METRIC]) - float(self.scores["base"][GATE_METRIC])

    def summary(self) -> str:
        s = {k: float(v[GATE_METRIC]) for k, v in self.scores.items()}
        head = (f"leave-one-keyframe-out PCK@0.2 on {self.targets} keyframes: adapted {s['adapted']:.1f}, "
                f"base {s['base']:.1f}, flow {s['flow']:.1f}")
        head += f"; adapted right where base wrong on {self.wins} joints, the reverse on {self.losses} (p = {self.p_value:.2g})"
        if not self.accepted:
            if s["adapted"] > s["base"]:
                return f"{head}: the adapted model's lead is within chance (needs p <= {KEEP_ALPHA}); nothing changed"
            return f"{head}: the adapted model does not beat its base; nothing changed"
        auto = "'auto' uses it on this project" if self.gate and self.gate.beats_flow else \
            "'auto' keeps flow on this project (flow scores higher); method 'stdpose' uses it"
        return f"{head}: now this project's model ({self.path}); {auto}"

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "base": self.base, "path": self.path, "keyframes": self.keyframes,
                "targets": self.targets, "every": self.every, "scores": self.scores, "margin": self.margin,
                "wins": self.wins, "losses": self.losses, "p_value": self.p_value,
                "gate": self.gate.to_dict() if self.gate else None, "summary": self.summary()}


# ---------------------------------------------------------------------------------------------- data
class _SourceReader:
    """A frame source as a :class:`Clip` reader (RGB ``(H,W,3)`` uint8)."""

    def __init__(self, source):
        self.source = source

    def __call__(self, i: int) -> np.ndarray:
        return np.asarray(self.source.frame(int(i)))


def project_clip(project: Project, source, skeleton: str, name: str = "project") -> Clip:
    """The project's manual and corrected joints as one training clip over ``source``."""
    tracks = project_labels(project, skeleton, human_only=True)
    return Clip(name=name, spec=name, num_frames=project.num_frames, tracks=tracks, reader=_SourceReader(source),
                project=project, fingerprint={"kind": "project", "path": name, "labels_sha256": labels_hash(tracks)})


def loko_targets(clip: Clip) -> list[ValTarget]:
    """Every keyframe with a keyframe of the same person on both sides, predicted from those two."""
    out = []
    for tid in sorted(clip.tracks):
        frames = clip.tracks[tid].labelled_frames()
        out += [ValTarget(0, tid, int(frames[i]), int(frames[i - 1]), int(frames[i + 1])) for i in range(1, len(frames) - 1)]
    return out


def keep_test(adapted_hits: np.ndarray, base_hits: np.ndarray) -> tuple[int, int, float]:
    """``(wins, losses, p)`` for paired per-joint PCK hits ``[M]`` bool of the adapted model and its
    base: wins where only the adapted one is right, losses the reverse, ``p`` the one-sided exact sign
    test (binomial, 1/2) of wins among the discordant joints (1.0 when there are none)."""
    from scipy.stats import binomtest

    wins = int((adapted_hits & ~base_hits).sum())
    losses = int((base_hits & ~adapted_hits).sum())
    p = float(binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue) if wins + losses else 1.0
    return wins, losses, p


def keyframe_spacing(clip: Clip) -> int:
    """The largest distance between consecutive keyframes of a person (the T the model must bridge)."""
    gaps = [int(d) for t in clip.tracks.values() for d in np.diff(t.labelled_frames())]
    return max(gaps) if gaps else 1


def fold_of(frames: list[int], folds: int) -> dict[int, int]:
    """Keyframe → fold, dealt in frame order (interleaved: every fold spans the whole video)."""
    return {f: i % folds for i, f in enumerate(sorted(set(frames)))}


# ---------------------------------------------------------------------------------------------- training
def fold_training_refs(refs: list[TripletRef], targets: list[ValTarget], folds: dict[int, int],
                       fold: int) -> list[TripletRef]:
    """The triplets fold ``fold``'s model trains on: every ref whose target is not one the fold scores."""
    held = {t.frame for t in targets if folds[t.frame] == fold}
    return [r for r in refs if r.frame not in held]


def _lr(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))


def flow_prior_refs(targets: list[ValTarget]) -> list[TripletRef]:
    """A flow-prior model's training triplets: each LOKO target between its two neighbouring
    keyframes (the gaps whose flow priors exist), as it is scored and used."""
    return [TripletRef(0, t.track_id, t.frame, (t.left,), (t.right,)) for t in targets]


def gap_priors(clip: Clip, skeleton: str, targets: list[ValTarget]) -> dict:
    """Flow's estimate for every LOKO gap, ``{(0, track, left, right): GapPrior}`` (not cached: a
    project's keyframes change between runs)."""
    from stdpose_core.training.flow_prior import compute_gap_priors

    gaps = sorted({(t.track_id, t.left, t.right) for t in targets})
    return {(0, *k): v for k, v in compute_gap_priors(clip, skeleton, gaps).items()}


def fine_tune(model: torch.nn.Module, clip: Clip, refs: list[TripletRef], s: AdaptSettings, device: str,
              seed: int, priors: dict | None = None) -> Generator[int, None, None]:
    """Train ``model`` in place for ``s.steps`` steps on ``refs``; yields the steps done. ``priors``:
    flow priors of the refs' gaps (flow-prior models)."""
    from stdpose_core.model.loss import StdposeLoss
    from stdpose_core.training.loop import param_groups

    torch.manual_seed(seed)
    dataset = TripletDataset([clip], refs, model.config, s.augment, seed=seed, priors=priors)
    sampler = EpochSampler(len(dataset), s.batch_size, s.steps, seed=seed)
    loss_fn = StdposeLoss(model.config)
    opt = torch.optim.AdamW(param_groups(model, s.weight_decay), lr=s.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: _lr(k, s.steps, max(1, s.steps // 20)))
    model.train()
    for step, batch in enumerate(make_loader(dataset, sampler)):
        batch = {k: v.to(device) for k, v in batch.items() if k != "single"}
        prior = {"prior_heatmaps": batch["prior_heatmaps"]} if "prior_heatmaps" in batch else {}
        out = model(batch["left"], batch["target"], batch["right"], batch["left_heatmaps"], batch["right_heatmaps"], **prior)
        loss, _ = loss_fn(out, batch["heatmaps"], batch["target_weight"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        yield step + 1
    model.eval()


def _scores(clip: Clip, skeleton: str, targets: list[ValTarget], xy: np.ndarray, score: np.ndarray) -> dict:
    m = score_targets([clip], skeleton, targets, xy, score)
    return {k: m.get(k) for k in ("pckh02", "pckh05", "map", "mean_px", "norm", "targets")}


# ---------------------------------------------------------------------------------------------- the job
def resolve_base(base: str | None) -> str:
    """The checkpoint to start from: ``base``, else the registry's active model (a ``.pt``), else the
    model that ships with the app (its ``.pt``; ``trained.builtin``)."""
    if base is None:
        from stdpose_core.trained.builtin import builtin_checkpoint
        from stdpose_core.trained.model_registry import get_active

        active = get_active()
        shipped = builtin_checkpoint() if active is None else None
        if active is None and shipped is None:
            raise StdposeError("no STDPose model to adapt: activate one (stdpose models activate ID), train one "
                               "(stdpose-retrain), or pass --base CKPT")
        base = str(active["path"]) if active is not None else str(shipped)
    if Path(base).suffix.lower() not in (".pt", ".pth"):
        raise InputError(base, "adaptation fine-tunes a torch checkpoint (.pt); this is not one")
    return base


def adapt_job(project: Project, source, project_path: str | Path, base: str | None = None,
              settings: AdaptSettings | None = None) -> Job[AdaptResult]:
    """Adapt the base model to ``project`` (see the module docstring). ``source``: the project's frames
    (``len``, ``frame(i)``). Returns an :class:`AdaptResult`; writes only when the adapted model wins."""
    from stdpose_core.model.checkpoint import load_model, save_checkpoint
    from stdpose_core.model.runtime.torch_runtime import resolve_torch_device
    from stdpose_core.trained import project_model

    s = settings or AdaptSettings()
    n_keys = len(project.keyframes())
    if n_keys < MIN_KEYFRAMES:
        raise InputError(project_path, f"adaptation needs at least {MIN_KEYFRAMES} keyframes (frames with manual or "
                                       f"corrected joints); this project has {n_keys}: nothing changed")
    base = resolve_base(base)
    device = resolve_torch_device(s.device)
    yield Progress(0, 0, "loading the base model")
    base_model, ckpt = load_model(base, device)
    cfg = base_model.config
    if cfg.skeleton != project.skeleton.name or cfg.num_joints != project.num_joints:
        raise InputError(base, f"weights are for the {cfg.skeleton} skeleton ({cfg.num_joints} joints); "
                               f"the project uses {project.skeleton.name} ({project.num_joints} joints)")
    check_skeleton(project, Path(project_path))
    clip = project_clip(project, source, cfg.skeleton, Path(project_path).name)
    targets = loko_targets(clip)
    if not targets:
        raise InputError(project_path, f"adaptation needs a person with at least {MIN_KEYFRAMES} keyframes (one to "
                                       "score between two others); none has: nothing changed")
    every = keyframe_spacing(clip)
    refs = flow_prior_refs(targets) if cfg.flow_prior else build_index([clip], every)
    folds = fold_of([t.frame for t in targets], s.folds)
    if any(not fold_training_refs(refs, targets, folds, f) for f in set(folds.values())):
        # E.g. 3 keyframes: the one scored keyframe is also the only thing a flow-prior model could train on.
        raise InputError(project_path, f"adaptation scores each keyframe with a model that did not train on it, in "
                                       f"{s.folds} folds, so it needs at least {s.folds} keyframes between two others of "
                                       f"the same person; this project has {len(targets)}: label more keyframes; "
                                       "nothing changed")
    priors = gap_priors(clip, cfg.skeleton, targets) if cfg.flow_prior else None
    total = s.steps * (s.folds + 1)
    done = 0

    yield Progress(done, total, "scoring the base model and flow")
    skel = cfg.skeleton
    bxy, bscore = predict_targets(base_model, [clip], targets, "propagation", device, s.batch_size, priors=priors)
    fxy, fscore = flow_predictions([clip], skel, targets)
    axy, ascore = np.zeros_like(bxy), np.zeros_like(bscore)
    base_state = copy.deepcopy(base_model.state_dict())
    for f in range(s.folds):
        train = fold_training_refs(refs, targets, folds, f)
        idx = [i for i, t in enumerate(targets) if folds[t.frame] == f]
        if not idx:
            continue
        base_model.load_state_dict(base_state)
        for step in fine_tune(base_model, clip, train, s, device, s.seed + f, priors):
            yield Progress(done + step, total, f"fine-tuning for scoring {f + 1}/{s.folds}: step {step}/{s.steps}")
        done += s.steps
        xy, sc = predict_targets(base_model, [clip], [targets[i] for i in idx], "propagation", device, s.batch_size,
                                 priors=priors)
        axy[idx], ascore[idx] = xy, sc
    scores = {"base": _scores(clip, skel, targets, bxy, bscore), "adapted": _scores(clip, skel, targets, axy, ascore),
              "flow": _scores(clip, skel, targets, fxy, fscore)}
    figures = lambda m: {k: m[k] for k in ("pckh02", "pckh05", "map", "mean_px")}  # noqa: E731
    gate = GateScores(every=every, targets=len(targets), model=figures(scores["adapted"]), flow=figures(scores["flow"]),
                      norm=scores["base"].get("norm"), data=(clip.name,))
    wins, losses, p = keep_test(target_hits([clip], skel, targets, axy), target_hits([clip], skel, targets, bxy))
    result = AdaptResult(False, base, n_keys, len(targets), scores, gate=gate, every=every, wins=wins, losses=losses,
                         p_value=p)
    a, b = scores["adapted"][GATE_METRIC], scores["base"][GATE_METRIC]
    if not (a is not None and b is not None and np.isfinite(a) and np.isfinite(b) and a > b and p <= KEEP_ALPHA):
        yield Progress(total, total, "the adapted model does not beat its base by more than chance")
        return result

    base_model.load_state_dict(base_state)
    for step in fine_tune(base_model, clip, refs, s, device, s.seed + s.folds, priors):
        yield Progress(done + step, total, f"fine-tuning on all {n_keys} keyframes: step {step}/{s.steps}")
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = project_model.models_dir(project_path)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".adapted-", suffix=".pt", dir=folder)
    os.close(fd)
    final = folder / f"adapted-{stamp}.pt"
    try:
        meta = {"mode": "propagation", "every": every, "adapted_from": base, "project": str(project_path),
                "keyframes": n_keys, "steps": s.steps, "gate": gate.to_dict(), "calibration": ckpt.meta.get("calibration"),
                "metrics": scores["adapted"], "base_scores": scores["base"]}
        save_checkpoint(tmp, base_model, cfg, meta)
        os.replace(tmp, final)
        rec = project_model.add_adapted(project_path, final, {
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(), "base": {"path": base},
            "keyframes": n_keys, "steps": s.steps, "gate": gate.to_dict(), "base_scores": scores["base"]})
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    result.accepted, result.path = True, rec["path"]
    yield Progress(total, total, "adapted")
    return result
