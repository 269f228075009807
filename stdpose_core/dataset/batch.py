"""Batch jobs over a dataset: detect, propagate, export or eval on every (selected) video.

:func:`batch_job` is a core job (``yield Progress`` … ``return BatchResult``) that the CLI drives
with one progress bar over all videos and the GUI on a worker thread. It picks the videos (``only``
names, ``states``, a ``shard``), leaves out those a record says are done (unless ``force``; see
:mod:`~stdpose_core.dataset.job_records`), hands the rest to a runner (this process, a process pool,
Ray) and collects one :class:`~stdpose_core.dataset.work.VideoOutcome` per video. Killing a batch
loses at most the videos that were running: the next run does them and skips the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stdpose_core.dataset.job_records import is_done, read_record
from stdpose_core.dataset.manifest import STATES, load
from stdpose_core.dataset.runners import Runner, SerialRunner
from stdpose_core.dataset.shard import in_shard
from stdpose_core.dataset.work import JOBS, VideoOutcome, VideoTask
from stdpose_core.errors import StdposeError
from stdpose_core.progress import Job, Progress


@dataclass
class BatchResult:
    """``outcomes`` per selected video (dataset order), ``problems`` of the dataset file, and what
    the job made of all videos together (``total``: a merged file, the pooled score...)."""

    job: str
    outcomes: list[VideoOutcome]
    problems: list[str] = field(default_factory=list)
    total: dict = field(default_factory=dict)
    runner: str = ""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return out

    @property
    def failed(self) -> list[VideoOutcome]:
        return [o for o in self.outcomes if o.status in ("failed", "busy")]

    def to_dict(self) -> dict:
        return {"job": self.job, "runner": self.runner, "counts": self.counts(), "problems": self.problems,
                "videos": [vars(o) for o in self.outcomes], "total": self.total}


def select(dataset, only: list[str] | None = None, states: list[str] | None = None, shard: tuple[int, int] | None = None):
    """The entries a batch runs on: named in ``only`` (all when None), in ``states``, in ``shard``."""
    entries = dataset.entries
    if only:
        known = set(dataset.names())
        missing = [n for n in only if n not in known]
        if missing:
            raise StdposeError(f"{dataset.file}: no video named {', '.join(map(repr, missing))}")
        entries = [e for e in entries if e.name in set(only)]
    if states:
        bad = [s for s in states if s not in STATES]
        if bad:
            raise StdposeError(f"--state {bad[0]!r} is not one of {', '.join(STATES)}")
        entries = [e for e in entries if e.state in states]
    names = set(in_shard([e.name for e in entries], shard))
    return [e for e in entries if e.name in names]


def batch_job(root: str | Path, job: str, params: dict | None = None, *, force: bool = False,
              shard: tuple[int, int] | None = None, only: list[str] | None = None, states: list[str] | None = None,
              runner: Runner | None = None, gt_dir: str | Path | None = None,
              leave_out: set[Path] | frozenset = frozenset()) -> Job[BatchResult]:
    """Run ``job`` (:data:`~stdpose_core.dataset.work.JOBS`) on the dataset's videos.

    ``params``: the job's options (detect: weights/device/runtime/imgsz; propagate: method/weights/
    device; export: format/output/only_reviewed; eval: none). ``gt_dir``: for eval, ground truth
    ``GT_DIR/<name>.json`` (else each entry's ``gt``). ``leave_out``: project paths not to touch (the
    project open in the caller's editor). Progress counts videos; the message says which finished.
    """
    from stdpose_core.dataset.status import dataset_status

    if job not in JOBS:
        raise StdposeError(f"unknown batch job {job!r}; choose one of {', '.join(JOBS)}")
    params = dict(params or {})
    root = Path(root).resolve()
    if job == "export":
        from stdpose_core.dataset.export import check_params

        params["output"] = str(Path(params["output"]).resolve())
        check_params(params)
    if job == "eval":
        params["gt"] = str(Path(gt_dir).resolve()) if gt_dir else None
    runner = runner or SerialRunner()
    dataset = load(root)
    entries = select(dataset, only, states, shard)
    yield Progress(0, len(entries), f"checking {len(entries)} videos")
    rows = {r.name: r for r in dataset_status(root, dataset)[0]}
    outcomes: dict[str, VideoOutcome] = {}
    tasks = []
    left = {Path(p).resolve() for p in leave_out}
    for e in entries:
        if e.project_path(root).resolve() in left:
            outcomes[e.name] = VideoOutcome(e.name, "busy", "open in this editor; close it or run the batch from the command line")
            continue
        if not force and is_done(read_record(root, job, params, e.name), job, rows[e.name].edits):
            outcomes[e.name] = VideoOutcome(e.name, "skipped", "done before" + ("" if job == "detect" else ", not edited since"))
            continue
        gt = e.gt_path(root)
        if job == "eval" and gt_dir:
            gt = Path(gt_dir) / f"{e.name}.json"
        tasks.append(VideoTask(str(root), e.name, str(e.video_path(root).resolve()), str(e.project_path(root).resolve()),
                               job, params, force, None if gt is None else str(gt.resolve())))
    done = len(outcomes)
    total = len(entries)
    yield Progress(done, total, f"{done} done before, {len(tasks)} to run on {runner.name}")
    steps = runner.run(tasks)
    try:
        for step in steps:
            if isinstance(step, Progress):  # a step of the running video (serial runner)
                yield Progress(done, total, step.message)
                continue
            outcomes[step.name] = step
            done += 1
            yield Progress(done, total, step.line())
    finally:
        steps.close()
    ordered = [outcomes[e.name] for e in entries if e.name in outcomes]
    result = BatchResult(job, ordered, list(dataset.problems), runner=runner.name)
    if job == "export":
        from stdpose_core.dataset.export import finish_export

        usable = [(e.name, e.project_path(root)) for e in entries if outcomes[e.name].status in ("done", "skipped")]
        result.total = yield from finish_export(root, params, usable, shard is not None)
    elif job == "eval":
        result.total = pooled_eval(root, entries, gt_dir=gt_dir,
                                   ok={n for n, o in outcomes.items() if o.status in ("done", "skipped")})
    return result


def pooled_eval(root: Path, entries, gt_dir, ok: set[str]) -> dict:
    """The dataset's score: every scored video's frames pooled, as poseval pools a folder."""
    from stdpose_core.dataset import locks
    from stdpose_core.eval import nan_to_none
    from stdpose_core.eval.folders import evaluate_videos
    from stdpose_core.io import read_annotations

    pairs, names = [], []
    for e in entries:
        if e.name not in ok:
            continue
        gt = Path(gt_dir) / f"{e.name}.json" if gt_dir else e.gt_path(root)
        if gt is None or not gt.is_file():
            continue
        with locks.open_to_read(e.project_path(root)) as s:
            pairs.append((read_annotations(gt), s.project))
        names.append(e.name)
    if not pairs:
        return {}
    result = evaluate_videos(pairs)
    keep = {k: result[k] for k in ("map", "pckh05", "pckh02", "mean_px", "frames", "table")}
    return nan_to_none({"videos": len(names), **keep})
