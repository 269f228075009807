"""The training loop: AdamW + warm-up/cosine, gradient clipping, bf16 autocast on CUDA, resumable.

``Trainer(plan, events).run() -> dict`` trains ``plan`` (see ``plan.prepare``) and emits the events of
``events.py``. Files in the run folder:

* ``last.pt`` — weights + ModelConfig + meta, plus ``optimizer``, ``scheduler``, ``epoch`` (completed
  epochs), ``epoch_step`` (steps done in the running epoch, for a mid-epoch save), ``step`` (global),
  ``best_metric`` and ``rng`` (torch RNG states) for ``--resume``; written at every epoch end, every
  ``save_every`` steps, and when the run is interrupted (Ctrl-C / SIGTERM).
* ``best.pt`` — weights + ModelConfig + meta of the best validation so far (or of the last epoch
  when there is nothing to validate on).

Both embed ``meta`` = {version, created, epoch, step, metrics, metric_name, mode, every, data, data_hashes,
training, gate, calibration} (``save_checkpoint`` of the model package): ``gate`` is the model's and
flow's score on the same validation targets (``stdpose_core.trained.gate``), ``calibration`` the peak →
probability map its propagated joints are scored with. At the end the best checkpoint is added to the
model registry (``stdpose_core.trained.model_registry``) with its gate.

Under torchrun the same loop runs in every process (``distributed``): DistributedDataParallel, each
process a shard of every global batch, only rank 0 validating and writing.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from typing import Any

import numpy as np
import torch

from stdpose_core import package_version
from stdpose_core.model.checkpoint import load_checkpoint, load_weights, save_checkpoint
from stdpose_core.model.loss import StdposeLoss
from stdpose_core.model.stdpose import build_model
from stdpose_core.trained import model_registry
from stdpose_core.training import distributed as dist
from stdpose_core.training.dataset import EpochSampler, TripletDataset, make_loader, resolve_workers
from stdpose_core.training.events import Events
from stdpose_core.training.init import load_init, load_timm, load_vitpose
from stdpose_core.training.plan import Plan
from stdpose_core.training.validate import Validation, validate


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def lr_factor(step: int, total: int, warmup: int, min_ratio: float) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine from 1 down to ``min_ratio`` at ``total``."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    """No weight decay on biases, norms and position embeddings (1-D or embedding tensors)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name.endswith("pos_embed") else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


class Trainer:
    def __init__(self, plan: Plan, events: Events | None = None, ctx: dist.DistContext | None = None):
        self.plan = plan
        self.ctx = ctx or dist.DistContext()
        # Only rank 0 reports progress (its events carry the global batch's loss).
        self.events = (events or Events()) if self.ctx.is_main else Events()
        t = plan.training
        self.device = dist.setup(self.ctx, plan.device)
        self.amp = bool(t.amp) and self.device.startswith("cuda")
        self.total_steps = t.epochs * plan.steps_per_epoch
        warm = t.warmup
        self.warmup = int(warm if warm >= 1 else round(warm * self.total_steps))
        self.step = 0
        self.epoch = 0  # completed epochs
        self.epoch_step = 0
        self.best_metric = -math.inf
        self.last_metrics: dict[str, Any] | None = None
        self.best_metrics: dict[str, Any] | None = None
        self.best_validation: Validation | None = None
        self._flow_metrics: dict | None = None  # flow's gate score: computed once per run
        self.t0 = time.monotonic()
        self._step_time: float | None = None
        self._net: torch.nn.Module | None = None
        self._net_of: torch.nn.Module | None = None

    # ------------------------------------------------------------------ setup
    def build(self) -> None:
        plan, t = self.plan, self.plan.training
        dist.check_data(self.ctx, plan.clips)
        seed_everything(t.seed)
        self.model = build_model(plan.model, pretrained=False)
        if t.init:
            load_init(self.model, t.init)
        elif t.vitpose:
            load_vitpose(self.model, t.vitpose)
        elif t.pretrained:
            load_timm(self.model, None if t.pretrained is True else str(t.pretrained))
        self.model.to(self.device).train()
        self.loss_fn = StdposeLoss(plan.model)
        self.optimizer = torch.optim.AdamW(param_groups(self.model, t.weight_decay), lr=t.lr, betas=(0.9, 0.999))
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: lr_factor(s, self.total_steps, self.warmup, t.min_lr_ratio))
        self.dataset = TripletDataset(plan.clips, plan.train_refs, plan.model, t.augment, seed=t.seed, mode=t.mode,
                                      priors=plan.priors)
        self.sampler = EpochSampler(len(self.dataset), t.batch_size, plan.steps_per_epoch, seed=t.seed,
                                    rank=self.ctx.rank, world=self.ctx.world)

    @property
    def net(self) -> torch.nn.Module:
        """The module that trains: ``model`` itself, or wrapped in DistributedDataParallel."""
        if self._net is None or self._net_of is not self.model:
            self._net, self._net_of = dist.wrap(self.model, self.ctx, self.device), self.model
        return self._net

    def load_resume(self) -> bool:
        """Restore ``last.pt`` of the run folder; False when there is none."""
        path = self.plan.run_dir / "last.pt"
        if not path.exists():
            return False
        ckpt = load_checkpoint(path)
        load_weights(self.model, ckpt.state_dict, path)
        x = ckpt.extra
        self.optimizer.load_state_dict(x["optimizer"])
        self.scheduler.load_state_dict(x["scheduler"])
        self.epoch, self.epoch_step, self.step = int(x["epoch"]), int(x.get("epoch_step", 0)), int(x["step"])
        self.best_metric = float(x.get("best_metric", -math.inf))
        rng = x.get("rng") or {}
        if "torch" in rng:
            torch.set_rng_state(rng["torch"])
        if rng.get("cuda") and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(rng["cuda"])
        return True

    # ------------------------------------------------------------------ checkpoints
    def _meta(self, metrics: dict | None, validation: Validation | None = None) -> dict[str, Any]:
        t = self.plan.training
        meta = {"epoch": self.epoch, "step": self.step, "metrics": metrics, "metric_name": t.val_metric,
                "mode": t.mode, "every": t.every, "data": self.plan.data + self.plan.val_data,
                "pseudo": list(self.plan.pseudo), "data_hashes": self.plan.data_hashes, "training": t.to_dict()}
        if validation is not None:
            meta["gate"] = validation.gate.to_dict() if validation.gate is not None else None
            meta["calibration"] = validation.calibration.to_meta()
        return meta

    def save_last(self) -> None:
        if not self.ctx.is_main:
            return
        rng = {"torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            rng["cuda"] = torch.cuda.get_rng_state_all()
        extra = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
                 "epoch": self.epoch, "epoch_step": self.epoch_step, "step": self.step,
                 "best_metric": float(self.best_metric), "rng": rng}
        save_checkpoint(self.plan.run_dir / "last.pt", self.model, self.plan.model, self._meta(self.last_metrics), extra)

    def save_best(self, metrics: dict | None, validation: Validation | None = None) -> None:
        self.best_metrics, self.best_validation = metrics, validation
        if self.ctx.is_main:
            save_checkpoint(self.plan.run_dir / "best.pt", self.model, self.plan.model, self._meta(metrics, validation))

    # ------------------------------------------------------------------ one step
    def _forward_loss(self, batch: dict[str, torch.Tensor], rows: torch.Tensor | None, estimation: bool):
        pick = (lambda x: x) if rows is None else (lambda x: x[rows])
        b = {k: pick(v) for k, v in batch.items()}
        aux = {} if estimation else {"left_heatmaps": b["left_heatmaps"], "right_heatmaps": b["right_heatmaps"]}
        if "prior_heatmaps" in b:
            aux["prior_heatmaps"] = b["prior_heatmaps"]
        out = self.net(b["left"], b["target"], b["right"], **aux)
        return self.loss_fn(out, b["heatmaps"], b["target_weight"])

    def train_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        t = self.plan.training
        batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
        single = batch.pop("single")
        ctx = torch.autocast("cuda", dtype=torch.bfloat16) if self.amp else contextlib.nullcontext()
        prop_mode = t.mode == "propagation"
        with ctx:
            # Single-frame (COCO) rows train estimation-style (see dataset); a mixed batch is split in two.
            if prop_mode and single.any() and not single.all():
                n = float(len(single))
                la, pa = self._forward_loss(batch, ~single, estimation=False)
                lb, pb = self._forward_loss(batch, single, estimation=True)
                fa, fb = float((~single).sum()) / n, float(single.sum()) / n
                loss = fa * la + fb * lb
                parts = {k: fa * pa[k] + fb * pb[k] for k in pa}
            else:
                loss, parts = self._forward_loss(batch, None, estimation=not prop_mode or bool(single.all()))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if t.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), t.grad_clip)
        self.optimizer.step()
        self.scheduler.step()
        return dist.mean_over_processes({k: float(v) for k, v in parts.items()}, self.ctx)

    # ------------------------------------------------------------------ run
    def _common(self) -> dict[str, Any]:
        return {"epoch": self.epoch + 1 if self.epoch < self.plan.training.epochs else self.epoch,
                "step": self.step, "total_steps": self.total_steps, "time": round(time.monotonic() - self.t0, 3)}

    def _eta(self) -> float | None:
        if self._step_time is None:
            return None
        return (self.total_steps - self.step) * self._step_time

    def _validate(self) -> Validation | None:
        """Rank 0 validates (the others wait); None when there is nothing to validate on."""
        plan = self.plan
        if not plan.val_targets:
            return None
        result = None
        if self.ctx.is_main:
            clips = plan.val_clips or plan.clips
            t = plan.training
            result = validate(self.model, clips, plan.val_targets, t.mode, self.device, batch_size=t.batch_size,
                              amp=self.amp, every=t.every, flow_metrics=self._flow_metrics,
                              priors=plan.val_priors)
            self._flow_metrics = result.flow_metrics
        dist.barrier(self.ctx)
        return result

    def run(self) -> dict[str, Any]:
        plan, t, ev = self.plan, self.plan.training, self.events
        self.build()
        resumed = self.load_resume() if plan.resume else False
        ev.emit("start", **self._common(), epochs=t.epochs, steps_per_epoch=plan.steps_per_epoch,
                train_samples=len(plan.train_refs), val_samples=len(plan.val_targets), device=self.device,
                model=plan.model.name, split=plan.split.how, notes=plan.notes,
                resumed_from=self.step if resumed else None)
        try:
            while self.epoch < t.epochs:
                self._run_epoch()
        except KeyboardInterrupt:
            self.save_last()
            ev.emit("cancelled", **self._common(), last=str(plan.run_dir / "last.pt"))
            raise
        best = plan.run_dir / "best.pt"
        if not self.ctx.is_main:
            return {"best": str(best), "last": str(plan.run_dir / "last.pt"), "metric": None, "metrics": None,
                    "registry_id": None, "step": self.step}
        if not best.exists():  # nothing validated well: the last weights are the best we know
            self.save_best(self.last_metrics)
        gate = (load_checkpoint(best).meta.get("gate") if best.exists() else None)
        entry = model_registry.add_model({
            "name": plan.model.name, "path": str(best.resolve()), "run_dir": str(plan.run_dir.resolve()),
            "metrics": self._best_metrics(), "metric_name": t.val_metric, "epoch": self.epoch, "step": self.step,
            "data": plan.data + plan.val_data, "pseudo": list(plan.pseudo), "data_hashes": plan.data_hashes,
            "mode": t.mode, "version": package_version(), "gate": gate,
        }, plan.registry, activate=plan.activate)
        result = {"best": str(best), "last": str(plan.run_dir / "last.pt"), "metric": self._metric_value(self._best_metrics()),
                  "metrics": self._best_metrics(), "registry_id": entry["id"]}
        ev.emit("done", **self._common(), **result)
        return {**result, "step": self.step}

    def _best_metrics(self) -> dict | None:
        if self.best_metrics is None and (self.plan.run_dir / "best.pt").exists():
            self.best_metrics = load_checkpoint(self.plan.run_dir / "best.pt").meta.get("metrics")
        return self.best_metrics

    def _metric_value(self, metrics: dict | None) -> float | None:
        if not metrics:
            return None
        v = metrics.get(self.plan.training.val_metric)
        return None if v is None or not math.isfinite(v) else float(v)

    def _run_epoch(self) -> None:
        plan, t, ev = self.plan, self.plan.training, self.events
        self.dataset.set_epoch(self.epoch)
        self.sampler.set_epoch(self.epoch, self.epoch_step)
        ev.emit("epoch_start", **self._common(), lr=self.scheduler.get_last_lr()[0])
        losses = []
        tick = time.monotonic()
        cuda = self.device.startswith("cuda")
        loader = make_loader(self.dataset, self.sampler, resolve_workers(t.num_workers, self.device), pin_memory=cuda)
        for batch in loader:
            parts = self.train_step(batch)
            self.step += 1
            self.epoch_step += 1
            now = time.monotonic()
            dt, tick = now - tick, now
            self._step_time = dt if self._step_time is None else 0.9 * self._step_time + 0.1 * dt
            losses.append(parts["total"])
            if self.step % t.log_every == 0 or self.epoch_step == plan.steps_per_epoch:
                ev.emit("step", **self._common(), loss=parts["total"], heatmap=parts["heatmap"],
                        lr=self.scheduler.get_last_lr()[0], eta=self._eta(),
                        steps_per_s=1.0 / self._step_time if self._step_time else None)
            if t.save_every and self.step % t.save_every == 0 and self.epoch_step < plan.steps_per_epoch:
                self.save_last()
        metric = None
        if t.val_every > 0 and ((self.epoch + 1) % t.val_every == 0 or self.epoch + 1 == t.epochs):
            v = self._validate()
            if v is not None:
                metrics = v.metrics
                self.last_metrics = metrics
                metric = self._metric_value(metrics)
                is_best = metric is not None and metric > self.best_metric
                if is_best:
                    self.best_metric = metric
                    self.save_best(metrics, v)
                ev.emit("val", **self._common(), metric=metric, metric_name=t.val_metric, metrics=metrics, best=is_best,
                        gate=v.gate.to_dict() if v.gate is not None else None)
        self.epoch += 1
        self.epoch_step = 0
        self.save_last()
        if not plan.val_targets:  # nothing to validate on: best.pt follows last.pt
            self.save_best(None)
        ev.emit("epoch_end", epoch=self.epoch, step=self.step, total_steps=self.total_steps,
                time=round(time.monotonic() - self.t0, 3), loss=float(np.mean(losses)) if losses else None,
                lr=self.scheduler.get_last_lr()[0], metric=metric, eta=self._eta())
