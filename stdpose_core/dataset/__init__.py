"""Datasets: many videos (each its own ``.stdpose`` project, ADR 0001), many annotators, many machines.

* :mod:`.manifest` — the dataset file ``DIR/stdpose-dataset.json`` (videos, projects, state,
  assignee), changed only by locked read-modify-writes;
* :mod:`.create` — ``init``: find the videos, make their projects;
* :mod:`.status` — per-video counts, lock holders, finished jobs;
* :mod:`.assign` — ``next`` (hand out the next unassigned video atomically), state and assignee;
* :mod:`.batch` — detect / propagate / export / eval over the videos, resumable, sharded
  (:mod:`.shard`), run in this process, a process pool or on Ray (:mod:`.runners`);
* :mod:`.export` — PoseTrack folders and a merged COCO file.

See docs/adr/0009-datasets.md.
"""

from stdpose_core.dataset.assign import set_fields, take_next
from stdpose_core.dataset.batch import BatchResult, batch_job
from stdpose_core.dataset.create import init_dataset
from stdpose_core.dataset.manifest import DATASET_FILE, STATES, Dataset, VideoEntry, is_dataset, load, update
from stdpose_core.dataset.shard import in_shard, parse_shard, shard_of
from stdpose_core.dataset.status import VideoStatus, dataset_status

__all__ = ["DATASET_FILE", "STATES", "BatchResult", "Dataset", "VideoEntry", "VideoStatus", "batch_job", "dataset_status",
           "in_shard", "init_dataset", "is_dataset", "load", "parse_shard", "set_fields", "shard_of", "take_next", "update"]
