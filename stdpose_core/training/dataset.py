"""The torch Dataset of crop triplets and its DataLoader.

One item (numpy float32, collated to tensors):

* ``left``, ``target``, ``right``: normalised crops ``[3,256,192]`` cut with ONE window (the key
  frame's box enlarged 25%, then scale/rotation/flip augmentation);
* ``heatmaps`` ``[K,64,48]`` Gaussian targets of the key frame (sigma from the ModelConfig) and
  ``target_weight`` ``[K]``: 0 = not supervised (no label, or outside the heatmap), else the
  label's weight (1; a pseudo-label's confidence, see ``data``) — it multiplies the joint's loss;
* ``left_heatmaps``, ``right_heatmaps`` ``[K,64,48]``: rendered from the auxiliary frames' labels with
  a little jitter — the propagation-mode inputs (ignored in estimation mode);
* ``prior_heatmaps`` ``[K,64,48]`` (flow-prior models only): the ``flow`` method's joints for the key
  frame between the two auxiliary frames (``training.flow_prior``), rendered in the same window;
  zeros where flow has no estimate (single images, joints unlabelled on a keyframe).

Randomness is a pure function of ``(seed, epoch, index)``, so runs are reproducible and a resumed run
sees exactly the samples it would have seen.

Single-frame clips (COCO images): the neighbours are the key image again, each with its own small
window jitter (shift/scale/rotation) and occlusion, and their rendered heatmaps follow their own
windows — the model learns to fuse nearly-aligned views, a stand-in for real temporal neighbours.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from stdpose_core.data.boxes import person_box
from stdpose_core.model.codec import encode
from stdpose_core.model.config import ModelConfig
from stdpose_core.model.geometry import window_box
from stdpose_core.model.normalize import normalize_crops
from stdpose_core.skeleton import get_skeleton
from stdpose_core.training.augment import (
    AugmentSettings,
    WindowParams,
    apply_color,
    flip_joints,
    make_window,
    neighbour_window,
    occlude,
    sample_color,
    sample_window,
)
from stdpose_core.training.data import Clip, TrackLabels
from stdpose_core.training.triplets import TripletRef


def sample_box(t: TrackLabels, frames: tuple[int, ...]) -> np.ndarray:
    """The box one sample's crop window is cut around: :func:`~stdpose_core.model.geometry.window_box`
    of the person's boxes on ``frames`` — the two auxiliary frames in propagation mode, exactly as
    propagation and validation crop a gap from its two keyframes (the target is NOT centred: at
    inference its box is unknown); the key frame in estimation mode and for single images.
    ``(x1, y1, x2, y2)`` image pixels."""
    box = window_box([person_box(t, f) for f in frames])
    if box is None:  # triplets only use labelled frames; an unlabelled one is a bug upstream
        raise ValueError(f"track {t.track_id}: no box on frames {frames}")
    return box


class TripletDataset(Dataset):
    """Crop triplets for STDPose training (see the module docstring)."""

    def __init__(self, clips: list[Clip], refs: list[TripletRef], config: ModelConfig,
                 augment: AugmentSettings | None = None, seed: int = 0, mode: str = "propagation",
                 priors: dict | None = None):
        self.clips, self.refs, self.config = clips, refs, config
        self.key_centred = mode == "estimation"
        self.priors = priors or {}
        self.augment = augment if augment is not None else AugmentSettings()
        self.seed, self.epoch = int(seed), 0
        self.flip_perm = get_skeleton(config.skeleton).flip_permutation()

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.refs)

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([self.seed, self.epoch, int(index)])
        ref = self.refs[index]
        clip = self.clips[ref.clip]
        track = clip.tracks[ref.track_id]
        left, right = ref.left or ref.right, ref.right or ref.left
        fl, fr = int(rng.choice(left)), int(rng.choice(right))
        aug = self.augment
        around = (ref.frame,) if clip.single_frame or self.key_centred else (fl, fr)
        win = sample_window(sample_box(track, around), aug, rng)
        if clip.single_frame:
            windows = [neighbour_window(win, aug, rng), win, neighbour_window(win, aug, rng)]
        else:
            windows = [win, win, win]
        color = sample_color(aug, rng)
        crops, heats, weights = [], [], []
        for f, w, jitter in zip((fl, ref.frame, fr), windows, (True, False, True)):
            crop, heat, weight = self._view(clip, track, f, w, color, rng, jitter)
            crops.append(crop)
            heats.append(heat)
            weights.append(weight)
        item = {
            "left": crops[0], "target": crops[1], "right": crops[2],
            "left_heatmaps": heats[0], "heatmaps": heats[1], "right_heatmaps": heats[2],
            "target_weight": weights[1], "single": np.bool_(clip.single_frame),
        }
        if self.config.flow_prior:
            item["prior_heatmaps"] = self._prior(ref, fl, fr, windows[1])
        return item

    def _prior(self, ref: TripletRef, fl: int, fr: int, w: WindowParams) -> np.ndarray:
        """The flow prior of the key frame rendered in its window ``[K,h,w]`` (zeros without one)."""
        cfg = self.config
        prior = self.priors.get((ref.clip, ref.track_id, fl, fr)) if fl < ref.frame < fr else None
        if prior is None:
            return np.zeros(cfg.heatmap_shape, np.float32)
        xy, ok = prior.at(fl, ref.frame)
        window = make_window(w, cfg.img_size, cfg.heatmap_size)
        xy, vis = window.image_to_heatmap(xy), ok.astype(np.int8) * 2
        if w.flip:
            xy, vis = flip_joints(xy, vis, self.flip_perm)
        return encode(xy, vis, cfg.heatmap_size, cfg.heatmap_sigma)[0]

    def _view(self, clip: Clip, track: TrackLabels, frame: int, w: WindowParams, color: np.ndarray,
              rng: np.random.Generator, jitter: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Crop ``[3,H,W]`` normalised, heatmaps ``[K,h,w]`` and weights ``[K]`` of one frame;
        ``jitter`` adds label noise (auxiliary frames only: the key frame's target stays exact)."""
        cfg, aug = self.config, self.augment
        window = make_window(w, cfg.img_size, cfg.heatmap_size)
        crop = window.crop(clip.frame(frame))
        crop = occlude(apply_color(crop, color), aug, rng)
        xy = window.image_to_heatmap(track.xy[frame])
        vis = track.vis[frame]
        label_weight = np.ones(len(vis), np.float32) if track.weight is None else track.weight[frame]
        if w.flip:
            xy, vis = flip_joints(xy, vis, self.flip_perm)
            label_weight = label_weight[self.flip_perm]
        if jitter and aug.aux_jitter > 0:
            xy = xy + rng.normal(0, aug.aux_jitter, xy.shape).astype(np.float32)
        heat, weight = encode(xy, vis, cfg.heatmap_size, cfg.heatmap_sigma)
        return normalize_crops(crop), heat, (weight * label_weight).astype(np.float32)


class EpochSampler(Sampler[int]):
    """Deterministic order: a permutation of the dataset per epoch (seeded by ``seed`` and epoch),
    repeated as needed to fill ``steps * batch_size`` indices; ``start_step`` skips batches already
    trained (``--resume`` from a mid-epoch checkpoint).

    Several processes (``rank`` of ``world``, see ``distributed``): ``batch_size`` is the global
    batch and process r yields positions r, r+world, ... of the global order (the sharding of
    torch's DistributedSampler), so its ``local_batch`` rows of each step belong to that step's
    global batch."""

    def __init__(self, size: int, batch_size: int, steps: int, seed: int = 0, rank: int = 0, world: int = 1):
        if batch_size % world:
            from stdpose_core.errors import StdposeError

            raise StdposeError(f"--batch-size {batch_size} (the global batch) does not split over {world} processes")
        self.size, self.batch_size, self.steps, self.seed = size, batch_size, steps, seed
        self.rank, self.world = rank, world
        self.local_batch = batch_size // world
        self.epoch, self.start_step = 0, 0

    def set_epoch(self, epoch: int, start_step: int = 0) -> None:
        self.epoch, self.start_step = epoch, start_step

    def indices(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 7919, self.epoch])
        need = self.steps * self.batch_size
        reps = -(-need // self.size)
        order = np.concatenate([rng.permutation(self.size) for _ in range(reps)])[:need]
        return order[self.start_step * self.batch_size:][self.rank::self.world]

    def __iter__(self):
        return iter(int(i) for i in self.indices())

    def __len__(self) -> int:
        return (self.steps - self.start_step) * self.local_batch


def _collate(items: list[dict]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.stack([it[k] for it in items])) for k in items[0]}


def resolve_workers(num_workers: int, device: str) -> int:
    """``-1`` (auto) → 0 on CPU, where the model step dominates and workers only compete for cores;
    on CUDA ``min(8, cores - 1)`` so decoding and cropping keep up with the GPU."""
    if num_workers >= 0:
        return num_workers
    if not device.startswith("cuda"):
        return 0
    return max(0, min(8, (os.cpu_count() or 1) - 1))


def make_loader(dataset: TripletDataset, sampler: EpochSampler, num_workers: int = 0, pin_memory: bool = False) -> DataLoader:
    """DataLoader over ``dataset`` in ``sampler`` order (drop-last batches of this process's share)."""
    return DataLoader(dataset, batch_size=sampler.local_batch, sampler=sampler, num_workers=num_workers,
                      collate_fn=_collate, drop_last=True, persistent_workers=False, pin_memory=pin_memory)
