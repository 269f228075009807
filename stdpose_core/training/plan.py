"""Everything checked and resolved BEFORE training starts: data, triplets, split, device, run folder.

``prepare(...) -> Plan`` raises :class:`~stdpose_core.errors.StdposeError` (the CLI prints one line and
exits 2) for: no data, data without a single labelled triplet, an unsupported skeleton, ``--device
cuda`` without CUDA, an unwritable run folder or too little free disk for the checkpoints.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.model.config import ModelConfig
from stdpose_core.training.config import TrainingSettings
from stdpose_core.training.data import Clip, load_clips, load_pseudo_spec, same_source
from stdpose_core.training.flow_prior import gaps_of, grid_index, load_priors
from stdpose_core.training.triplets import Split, TripletRef, build_index, split_tracks
from stdpose_core.training.validate import ValTarget, target_gaps, val_targets

#: Free space kept in reserve on top of the checkpoints' estimated size.
DISK_MARGIN_BYTES = 64 << 20


@dataclass
class Plan:
    """A run that passed every check: what to train on, what to validate on, where to write."""

    model: ModelConfig
    training: TrainingSettings
    data: list[str]
    val_data: list[str]
    run_dir: Path
    device: str
    clips: list[Clip]
    val_clips: list[Clip]
    split: Split
    train_refs: list[TripletRef]
    val_targets: list[ValTarget]
    steps_per_epoch: int
    registry: str | None = None
    activate: bool = False
    resume: bool = False
    notes: list[str] = field(default_factory=list)
    #: Flow priors of the training triplets and of the validation targets (flow-prior models only):
    #: ``{(clip index, track, left, right): GapPrior}``, clip indices into ``clips`` / the val clips.
    priors: dict = field(default_factory=dict)
    val_priors: dict = field(default_factory=dict)
    pseudo: list[str] = field(default_factory=list)

    @property
    def data_hashes(self) -> list[dict]:
        return [c.fingerprint for c in (*self.clips, *self.val_clips)]


def resolve_device(requested: str) -> str:
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise StdposeError("--device cuda was requested but CUDA is not available here (use --device cpu or auto)")
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def estimate_checkpoint_bytes(config: ModelConfig) -> int:
    """Rough size of last.pt (weights + AdamW moments) + best.pt (weights), from the parameter count."""
    d, L, c = config.embed_dim, config.depth, config.head_channels
    params = L * 12 * d * d + d * 3 * config.patch_size**2 + 2 * (d + config.fuse_dim) * c * 16 + 16 * c * c
    return int(params * 4 * (3 + 1) * 1.2)


def check_run_dir(run_dir: Path, need_bytes: int) -> None:
    """Create ``run_dir`` and prove it is writable with enough free space (raises StdposeError)."""
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / f".write-test-{os.getpid()}"  # one per process under torchrun
        with open(probe, "wb") as f:
            f.write(b"0" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
    except OSError as e:
        raise InputError(run_dir, f"run folder is not writable ({e.strerror or e})") from None
    free = shutil.disk_usage(run_dir).free
    if free < need_bytes + DISK_MARGIN_BYTES:
        raise InputError(run_dir, f"not enough free disk space: checkpoints need about "
                                  f"{(need_bytes + DISK_MARGIN_BYTES) >> 20} MiB, {free >> 20} MiB free")


def prepare(model: ModelConfig, training: TrainingSettings, data: list[str], run_dir: str | Path,
            val_data: list[str] | None = None, registry: str | None = None, activate: bool = False,
            resume: bool = False, loader=None, pseudo: list[str] | None = None, progress=None) -> Plan:
    """Load and check everything (cheap compared to training). See the module docstring.

    ``pseudo``: ``--pseudo`` specs (weighted pseudo-labels, ``data.load_pseudo_spec``). They train
    only; tracks held out for validation from the same file are left out of them (their propagated
    frames were made from the validation keyframes).

    With a keyframe ``grid`` (or a flow-prior model) the triplets come from keyframe grids
    (``flow_prior.grid_index``); a flow-prior model's priors are computed here, once (cached
    across runs). ``progress(done, total, message)`` reports that step.
    """
    run_dir = Path(run_dir)
    device = resolve_device(training.device)
    if model.num_joints != 17 or model.skeleton not in ("posetrack18", "coco17"):
        raise StdposeError(f"model config {model.name}: training supports 17-joint posetrack18/coco17 models, "
                           f"got {model.num_joints} joints ({model.skeleton})")
    check_run_dir(run_dir, estimate_checkpoint_bytes(model))
    kwargs = {} if loader is None else {"loader": loader}
    pseudo = list(pseudo or [])
    if pseudo and not data:
        raise StdposeError("--pseudo needs --data too: validation scores against human labels, never pseudo-labels")
    clips = load_clips(list(data), model.skeleton, **kwargs)
    vclips = load_clips(list(val_data), model.skeleton, **kwargs) if val_data else []
    pclips = load_clips(pseudo, model.skeleton, loader=load_pseudo_spec if loader is None else loader) if pseudo else []
    every = training.every
    split = split_tracks(clips, vclips)
    selection = dict(split.train)
    for j, pc in enumerate(pclips):
        held = {tid for ci, tids in split.val.items() if same_source(clips[ci], pc) for tid in tids}
        selection[len(clips) + j] = set(pc.tracks) - held
    clips = clips + pclips
    grid = list(training.grid or ([every] if model.flow_prior else []))
    if grid:
        refs = grid_index(clips, grid, training.grid_offsets, selection)
        refs += [r for r in build_index(clips, every, selection) if clips[r.clip].single_frame]
    else:
        refs = build_index(clips, every, selection)
    if not refs:
        labelled = sum(len(t.labelled_frames()) for c in clips for t in c.tracks.values())
        if labelled == 0:
            raise StdposeError(f"no labelled poses in the training data ({', '.join(data)}): projects count only "
                               "human-placed joints (manual or corrected)")
        raise StdposeError(f"no labelled triplet in the training data: {labelled} labelled person-frames, but none "
                           f"has another labelled frame of the same person within {every} frames (--every)")
    notes = [f"validation: {split.how}"]
    if vclips:
        targets = val_targets(vclips, {ci: set(c.tracks) for ci, c in enumerate(vclips)}, every, training.val_max)
    else:
        targets = val_targets(clips, split.val, every, training.val_max)
    if not targets and training.val_every > 0:
        notes.append("no validation targets (held-out data has no labelled frame between keyframes): "
                     "best.pt = last.pt")
    steps = training.steps_per_epoch or max(1, len(refs) // training.batch_size)
    if pclips:
        notes.append(f"pseudo-labels: {sum(len(selection[len(clips) - len(pclips) + j]) for j in range(len(pclips)))} "
                     f"tracks from {len(pseudo)} source(s), weighted by their confidence")
    priors, val_priors = {}, {}
    if model.flow_prior:
        priors = load_priors(clips, gaps_of(refs), model.skeleton, progress)
        val_priors = load_priors(vclips or clips, target_gaps(targets), model.skeleton, progress)
        notes.append(f"flow priors: {len(priors)} training gaps, {len(val_priors)} validation gaps")
    if grid:
        notes.append(f"triplets from keyframe grids T = {grid}: {len(refs)} samples")
    return Plan(model, training, list(data), list(val_data or []), run_dir, device, clips, vclips, split, refs,
                targets, steps, registry, activate, resume, notes, priors, val_priors, pseudo)
