"""``stdpose dataset ...``: many videos — init, status, next, set, and batch jobs (detect, propagate,
export, eval) that resume, shard by video and run on a process pool or Ray."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from stdpose_core.cli.common import print_json

STATE_CHOICES = ("todo", "in progress", "review", "done")

BATCH_EPILOG = """Every batch job is resumable: a video whose job finished is skipped (a record under
DIR/.stdpose-dataset/jobs/ says so; propagate, export and eval run again on a project edited since),
unless --force. A failure of one video is one line and the others go on (exit 1 when any failed).
Several machines: give each its --shard i/N (0 <= i < N; e.g. --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
or $JOB_COMPLETION_INDEX/N in a Kubernetes indexed Job): every video lands in exactly one shard.
One machine, several cores: --workers N (a process pool). A Ray cluster: --ray [ADDRESS]
(needs pip install 'stdpose-annotator[cluster]'; without ADDRESS a local Ray instance)."""


def register(sub) -> None:
    d = sub.add_parser("dataset", help="many videos: init, status, next, and batch jobs over all of them",
                       description="A dataset is a folder with a stdpose-dataset.json file listing its videos "
                       "(video files or image folders), their .stdpose projects, and each video's state and assignee.")
    dsub = d.add_subparsers(dest="dataset_command", metavar="ACTION")
    dsub.required = True

    p = dsub.add_parser("init", help="list a folder's videos in a dataset file and create their projects",
                        description="Create DIR/stdpose-dataset.json (or add new videos to it): every video file and "
                        "image folder under DIR (or matching --videos), each with a project VIDEO.stdpose beside it "
                        "(an existing one is used). A video that cannot be read is named and left out.")
    p.add_argument("dir", help="the dataset folder")
    p.add_argument("--videos", action="append", metavar="GLOB", help="videos to list, relative to DIR (repeatable; e.g. 'clips/*.mp4')")
    p.add_argument("--skeleton", choices=["posetrack18", "coco17"], default="posetrack18", help="for new projects")
    p.add_argument("--every", type=int, default=7, help="keyframe interval T of new projects (default 7)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_init)

    p = dsub.add_parser("status", help="per video: frames, people, keyframes, propagated, reviewed, state, assignee, lock holder",
                        description="Where every video stands. Counts are frames: 'propagated' has joints a propagator "
                        "filled, 'reviewed' was marked reviewed. 'holder' is who writes the project right now.")
    p.add_argument("dir", help="the dataset folder")
    p.add_argument("--state", action="append", choices=STATE_CHOICES, help="only videos in this state (repeatable)")
    p.add_argument("--assignee", help="only videos assigned to this person")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = dsub.add_parser("next", help="take the next unassigned video (atomic: two annotators never get the same one)",
                        description="Hand the first video that is 'todo', assigned to nobody and not open in anyone's "
                        "editor to --me: it becomes 'in progress', assigned to NAME. Prints its project (exit 1 when none is left).")
    p.add_argument("dir", help="the dataset folder")
    p.add_argument("--me", required=True, metavar="NAME", help="who takes it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_next)

    p = dsub.add_parser("set", help="set a video's state and/or assignee")
    p.add_argument("dir", help="the dataset folder")
    p.add_argument("name", help="the video's name (see status)")
    p.add_argument("--state", choices=STATE_CHOICES)
    p.add_argument("--assignee", help="who works on it ('' = nobody)")
    p.set_defaults(handler=cmd_set)

    p = _batch_parser(dsub, "detect", "find people in every video (YOLO boxes, track ids, pose pre-labels)")
    p.add_argument("--weights", help="YOLO checkpoint (.pt or .onnx); default yolo11n-pose.pt")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--runtime", choices=["auto", "onnx", "torch"], default="auto")
    p.add_argument("--imgsz", type=int, default=640)

    from stdpose_core.propagation import available_methods

    p = _batch_parser(dsub, "propagate", "fill the frames between keyframes in every video")
    p.add_argument("--method", choices=available_methods(), default="auto")
    p.add_argument("--weights", help="STDPose checkpoint for --method stdpose/auto")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"])

    p = _batch_parser(dsub, "export", "export every video: PoseTrack folders (one file per video), one merged COCO "
                                      "file, or one YOLO-pose folder with data.yaml")
    p.add_argument("--format", choices=["posetrack18", "posetrack21", "coco", "yolo-pose"], required=True)
    p.add_argument("-o", "--output", required=True,
                   help="posetrack18/21: a folder (OUT/NAME.json per video, like the official val/ folder); coco: the "
                        "merged file; yolo-pose: a new folder (yolo pose train data=OUT/data.yaml)")
    p.add_argument("--only-reviewed", action="store_true", help="only frames a person marked reviewed")
    p.add_argument("--val-every", type=int, default=0, metavar="N",
                   help="yolo-pose: every N-th video is the val split (default 0: val = train)")

    p = _batch_parser(dsub, "eval", "score every video's project against its ground truth, and all videos pooled")
    p.add_argument("--gt", metavar="GT_DIR", help="ground truth GT_DIR/NAME.json per video (default: each video's 'gt' in the dataset file)")


def _batch_parser(dsub, job: str, text: str):
    import argparse

    p = dsub.add_parser(job, help=text, description=text[0].upper() + text[1:] + ".", epilog=BATCH_EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="the dataset folder")
    p.add_argument("--force", action="store_true", help="run again on videos done before")
    p.add_argument("--shard", metavar="i/N", help="run only shard i of N (0-based; by video name)")
    p.add_argument("--only", action="append", metavar="NAME", help="only this video (repeatable)")
    p.add_argument("--state", action="append", choices=STATE_CHOICES, help="only videos in this state (repeatable)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="local worker processes (default 1: this process)")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run on Ray: a local instance, or the cluster at ADDRESS ('auto', ray://host:10001)")
    p.add_argument("--json", action="store_true", help="print the per-video summary as JSON")
    p.set_defaults(handler=cmd_batch, job=job)
    return p


# ---- handlers ----------------------------------------------------------------------------------------
def cmd_init(args) -> int:
    from stdpose_core.dataset import init_dataset
    from stdpose_core.progress import run_with_bar

    result = run_with_bar(init_dataset(args.dir, args.videos, args.skeleton, args.every), desc="dataset init")
    for line in result["problems"]:
        print(f"warning: {line}", file=sys.stderr)
    if args.json:
        print_json(result)
    else:
        print(f"{result['dataset']}: {len(result['added'])} videos added, {result['already']} listed before"
              + (f", {len(result['problems'])} problems" if result["problems"] else ""))
    return 0


def cmd_status(args) -> int:
    from stdpose_core.dataset import dataset_status
    from stdpose_core.dataset.status import ago

    rows, problems = dataset_status(args.dir)
    if args.state:
        rows = [r for r in rows if r.state in args.state]
    if args.assignee is not None:
        rows = [r for r in rows if r.assignee == args.assignee]
    for line in problems:
        print(f"warning: {line}", file=sys.stderr)
    if args.json:
        print_json({"videos": [r.to_dict() for r in rows], "problems": problems})
        return 0
    head = f"{'video':<20} {'state':<11} {'assignee':<10} {'frames':>6} {'people':>6} {'keyfr':>5} {'propag':>6} {'review':>6}  {'edited':<12} holder"
    print(head)
    for r in rows:
        n = lambda v: "-" if v is None else str(v)  # noqa: E731
        print(f"{r.name:<20} {r.state:<11} {(r.assignee or '-'):<10} {n(r.frames):>6} {n(r.people):>6} {n(r.keyframes):>5} "
              f"{n(r.propagated):>6} {n(r.reviewed):>6}  {ago(r.last_edited):<12} {r.holder or '-'}")
        if r.problem:
            print(f"  problem: {r.problem}")
    by_state = {s: sum(1 for r in rows if r.state == s) for s in STATE_CHOICES}
    print(f"{len(rows)} videos: " + ", ".join(f"{v} {k}" for k, v in by_state.items()))
    return 0


def cmd_next(args) -> int:
    from stdpose_core.dataset import take_next
    from stdpose_core.dataset.manifest import dataset_file

    entry, mine = take_next(args.dir, args.me)
    root = Path(args.dir)
    if args.json:
        print_json({"video": None if entry is None else entry.name,
                    "project": None if entry is None else str(entry.project_path(root)), "in_progress": mine})
    elif entry is None:
        print(f"no unassigned video left in {dataset_file(root)}" + (f" (you have {', '.join(mine)} in progress)" if mine else ""))
    else:
        print(f"{entry.name}: yours now -> {entry.project_path(root)}"
              + (f" (you also have {', '.join(mine)} in progress)" if mine else ""))
    return 0 if entry is not None else 1


def cmd_set(args) -> int:
    from stdpose_core.dataset import set_fields
    from stdpose_core.errors import StdposeError

    if args.state is None and args.assignee is None:
        raise StdposeError("give --state and/or --assignee")
    e = set_fields(args.dir, args.name, args.state, args.assignee)
    print(f"{e.name}: {e.state}, assigned to {e.assignee or 'nobody'}")
    return 0


def _params(args) -> dict:
    if args.job == "detect":
        return {"weights": args.weights, "device": args.device, "runtime": args.runtime, "imgsz": args.imgsz}
    if args.job == "propagate":
        return {"method": args.method, "weights": args.weights, "device": args.device}
    if args.job == "export":
        params = {"format": args.format, "output": args.output, "only_reviewed": args.only_reviewed}
        return {**params, "val_every": args.val_every} if args.format == "yolo-pose" else params
    return {}


def cmd_batch(args) -> int:
    from stdpose_core.dataset import batch_job, parse_shard
    from stdpose_core.dataset.runners import make_runner
    from stdpose_core.progress import run_with_bar

    shard = parse_shard(args.shard)
    params = {k: v for k, v in _params(args).items() if v is not None}
    runner = make_runner(args.workers, args.ray)
    t0 = time.perf_counter()
    job = batch_job(args.dir, args.job, params, force=args.force, shard=shard, only=args.only, states=args.state,
                    runner=runner, gt_dir=getattr(args, "gt", None))
    result = run_with_bar(job, desc=f"{args.job} ({runner.name})")
    seconds = time.perf_counter() - t0
    for line in result.problems:
        print(f"warning: {line}", file=sys.stderr)
    if args.json:
        print_json({**result.to_dict(), "seconds": round(seconds, 2), "shard": args.shard})
    else:
        for o in result.outcomes:
            print(o.line() + (f" ({o.seconds:.1f} s)" if o.status == "done" else ""))
        ran = result.counts().get("done", 0)
        rate = f", {ran / seconds * 60:.1f} videos/min" if ran and seconds > 0 else ""
        counts = ", ".join(f"{v} {k}" for k, v in result.counts().items()) or "no videos"
        print(f"{args.job}{' shard ' + args.shard if args.shard else ''}: {counts} in {seconds:.1f} s{rate} on {result.runner}")
        _print_total(args.job, result.total)
    return 1 if result.failed else 0


def _print_total(job: str, total: dict) -> None:
    if not total:
        return
    if job == "export":
        if total.get("note"):
            print(total["note"])
        elif "annotations" in total:
            print(f"wrote {total['output']}: {total['videos']} videos, {total['images']} images, {total['annotations']} people")
            for line in total.get("problems", []):
                print(f"warning: {line}", file=sys.stderr)
        elif "train" in total:
            print(f"wrote {total['output']}: {total['videos']} videos, {total['images']} images ({total['train']} train, "
                  f"{total['val']} val), {total['people']} people; train with: yolo pose train data={Path(total['output']) / 'data.yaml'}")
            for line in total.get("problems", []):
                print(f"warning: {line}", file=sys.stderr)
        else:
            print(f"wrote {total['files']} files to {total['output']}")
    elif job == "eval":
        show = lambda v, d=1: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
        print(f"all {total['videos']} videos pooled: mAP {show(total['map'])}, PCKh@0.5 {show(total['pckh05'])}, "
              f"PCKh@0.2 {show(total['pckh02'])}, mean error {show(total['mean_px'], 2)} px on {total['frames']} frames")
