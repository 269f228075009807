"""Training on several processes (``torchrun --nproc_per_node N -m stdpose_core.training.cli ...``).

torchrun starts N copies of the trainer with ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` set;
:func:`setup` joins them into one process group: NCCL when the run is on GPUs (each process on GPU
``LOCAL_RANK``), gloo on CPUs. The model is wrapped in ``DistributedDataParallel`` (gradients are
averaged over the processes before each step), so N processes train like one with N times the batch:

* ``--batch-size`` stays the GLOBAL batch; each process takes ``batch_size / N`` rows of it. The
  trainer's deterministic global order is sharded the way ``DistributedSampler`` shards a dataset
  (process r takes positions r, r+N, r+2N, ...), which puts exactly the rows of the single-process
  global batch into each step — the losses then match the single-process run (a test checks it).
  torch's own DistributedSampler reshuffles with its own seed and pads, which would not.
* BatchNorm layers become SyncBatchNorm on GPUs (statistics over the global batch). SyncBatchNorm
  has no CPU kernel, so on gloo each process normalises its own rows: losses then differ from the
  single-process run by a small, BN-sized amount.
* Single-frame (COCO) and video data are not mixed in one run (:func:`check_data`).
* Only rank 0 writes: checkpoints, ``args.yaml``, the registry entry and progress events; it alone
  validates while the others wait at a barrier.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from stdpose_core.errors import StdposeError


@dataclass(frozen=True)
class DistContext:
    """This process's place in the run (``world == 1``: a plain single-process run)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def active(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def from_env() -> DistContext:
    """The context torchrun describes in the environment (single process when it is absent)."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", str(rank)))
    except ValueError:
        raise StdposeError("RANK, WORLD_SIZE and LOCAL_RANK must be integers (set by torchrun)") from None
    return DistContext(rank, world, local)


def setup(ctx: DistContext, device: str) -> str:
    """Join the process group (no-op for one process); returns this process's device."""
    if not ctx.active:
        return device
    import torch.distributed as dist

    cuda = device.startswith("cuda")
    if cuda:
        if torch.cuda.device_count() <= ctx.local_rank:
            raise StdposeError(f"process {ctx.rank} needs GPU {ctx.local_rank}, but only {torch.cuda.device_count()} are visible")
        torch.cuda.set_device(ctx.local_rank)
        device = f"cuda:{ctx.local_rank}"
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    return device


def shutdown() -> None:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def local_batch(ctx: DistContext, global_batch: int) -> int:
    """Rows per process; the global batch must split evenly."""
    if global_batch % ctx.world:
        raise StdposeError(f"--batch-size {global_batch} (the global batch) does not split over {ctx.world} processes")
    return global_batch // ctx.world


def wrap(model: torch.nn.Module, ctx: DistContext, device: str) -> torch.nn.Module:
    """``model`` in DistributedDataParallel (and SyncBatchNorm on GPUs); ``model`` itself when single."""
    if not ctx.active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    if device.startswith("cuda"):
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        return DistributedDataParallel(model, device_ids=[ctx.local_rank])
    return DistributedDataParallel(model)


def check_data(ctx: DistContext, clips) -> None:
    """A batch mixing single-frame (COCO) and video rows takes two forward passes, which DDP does
    not allow in one step: refused with one line under torchrun."""
    kinds = {bool(c.single_frame) for c in clips}
    if ctx.active and len(kinds) == 2:
        raise StdposeError("single-frame (COCO) data and video data cannot be mixed in one run under torchrun; "
                           "train them in one process, or in separate runs (--init)")


def mean_over_processes(values: dict[str, float], ctx: DistContext) -> dict[str, float]:
    """Average of each value over the processes (the global batch's loss for logging)."""
    if not ctx.active:
        return values
    import torch.distributed as dist

    keys = sorted(values)
    t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
    if dist.get_backend() == "nccl":
        t = t.cuda()
    dist.all_reduce(t)
    return {k: float(v) / ctx.world for k, v in zip(keys, t.cpu().tolist())}


def barrier(ctx: DistContext) -> None:
    if ctx.active:
        import torch.distributed as dist

        dist.barrier()
