"""Splitting a dataset's videos between machines: ``--shard i/N`` (0 <= i < N).

A video's shard depends on its name only (a hash), so every machine of a SLURM array or a
Kubernetes indexed Job computes the same split without talking to the others, each video lands in
exactly one shard, and adding videos to the dataset never moves a video to another shard.
"""

from __future__ import annotations

import zlib

from stdpose_core.errors import StdposeError


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"i/N"`` → ``(i, N)``; None for None. E.g. ``--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT``."""
    if text is None:
        return None
    try:
        i, n = (int(v) for v in str(text).split("/"))
    except ValueError:
        raise StdposeError(f"--shard {text!r}: expected i/N, e.g. 0/4 (shards are numbered from 0)") from None
    if n < 1 or not 0 <= i < n:
        raise StdposeError(f"--shard {text!r}: needs N >= 1 and 0 <= i < N (shards are numbered from 0)")
    return i, n


def shard_of(name: str, count: int) -> int:
    """The shard (``0..count-1``) video ``name`` belongs to."""
    return zlib.crc32(name.encode("utf-8")) % count


def in_shard(names: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The names of ``names`` that shard ``(i, N)`` runs (all of them for None), order kept."""
    if shard is None:
        return list(names)
    i, n = shard
    return [name for name in names if shard_of(name, n) == i]
