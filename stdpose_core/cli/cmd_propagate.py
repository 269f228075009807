"""``stdpose propagate`` and ``stdpose eval-propagation``."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import MAX_FRAMES, int_in, parse_frame_range, print_json
from stdpose_core.errors import InputError
from stdpose_core.progress import run_with_bar
from stdpose_core.propagation import available_methods
from stdpose_core.propagation.auto import CHOICES, DEFAULT_CHOICE


def register(sub) -> None:
    p = sub.add_parser(
        "propagate",
        help="fill the frames between keyframes",
        description="Fill every frame between keyframes (manual or corrected poses) of every person; "
        "manual and corrected joints are never changed. One undo step.",
    )
    p.add_argument("project")
    p.add_argument("--method", choices=available_methods(), default="auto",
                   help="auto (default): stdpose when the project's adapted model or the active model beats flow "
                        "on its validation (the quality gate), else flow")
    p.add_argument("--weights", help="STDPose checkpoint (.pt) or ONNX file for --method stdpose/auto")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="for --method stdpose/auto (default auto)")
    p.add_argument("--choice", choices=CHOICES,
                   help=f"--method auto with a model: 'model' fills every gap with it, 'gap'/'joint' picks model or "
                        f"flow per gap/joint by their scores (default {DEFAULT_CHOICE})")
    p.add_argument("--frames", help="only gaps overlapping frames A:B (negative values count from the end)")
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(handler=cmd_propagate)
    e = sub.add_parser(
        "eval-propagation",
        help="score propagation on a densely labelled clip",
        description="Keep the ground truth on frames 0, T, 2T, ... and the last frame, propagate the rest "
        "with each method and score only the frames in between (AP per joint, PCKh@0.2, px, AUROC).",
    )
    e.add_argument("gt", help="densely labelled annotations (PoseTrack18/21 or COCO JSON)")
    e.add_argument("--images", required=True, help="folder the annotation file names are relative to (or a video)")
    e.add_argument("--every", type=int_in(2, MAX_FRAMES, "keyframe interval"), default=7, help="keyframe interval T (>= 2)")
    e.add_argument("--method", action="append", choices=available_methods(), help="repeatable; default interp, flow, auto")
    e.add_argument("--weights", help="for the methods stdpose/auto")
    e.add_argument("--device", choices=["auto", "cpu", "cuda"], help="for the methods stdpose/auto (default auto)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(handler=cmd_eval_propagation)


def open_frames(path: Path, frame_names: list[str] | None = None, prefer_names: bool = False, pixels: str = "rgb",
                read_ahead: bool = False):
    """Frame source of a project/clip.

    ``prefer_names`` (eval-propagation): image files ``path / name`` for the annotation's file names.
    Otherwise ``stdpose_core.video.open_source(path)`` (video file or image folder) with a job's
    cache budget and no prefetching; ``pixels`` ``"gray"`` for a method that reads only gray
    (``Propagator.frame_pixels``: a video then skips making RGB frames); ``read_ahead`` for a job that
    reads every frame in order (propagation: the next frames are decoded on a thread meanwhile).
    """
    from stdpose_core.propagation.list_sources import ImageListSource

    if frame_names and path.is_dir() and prefer_names:
        try:
            return ImageListSource(path, frame_names)
        except InputError as e:
            videos = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".mp4", ".avi", ".mov", ".mkv"))
            if videos:
                raise InputError(e.path, f"{e.problem}; for a video clip pass it: --images {path / videos[0]}") from None
            raise
    if not path.exists():
        raise InputError(path, "video or image folder not found")
    from stdpose_core.video import JOB_CACHE_BYTES, open_source

    return open_source(path, cache_bytes=JOB_CACHE_BYTES, prefetch=False, pixels=pixels, read_ahead=read_ahead)


def cmd_propagate(args) -> int:
    from stdpose_core.data.edits import SetPoseRange
    from stdpose_core.ops.jobs import propagate_job
    from stdpose_core.project_ops import video_path
    from stdpose_core.propagation import get_propagator
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(args.project) as s:
        project = s.project
        frames = parse_frame_range(args.frames, project.num_frames) if args.frames else None
        model_opts = {"project_path": args.project} if args.method in ("auto", "stdpose") else {}  # its adapted model
        prop = get_propagator(args.method, weights=args.weights, device=args.device, choice=args.choice, **model_opts)
        src = open_frames(video_path(s), project.video.frame_names, pixels=prop.frame_pixels,
                          read_ahead=True) if prop.needs_frames else None
        try:
            edit = run_with_bar(propagate_job(project, src, prop, [(None, frames)]), desc=f"propagate ({prop.name})")
        finally:
            if src is not None:
                src.close()
        change = s.apply(edit)
    poses = [e for e in edit.edits if isinstance(e, SetPoseRange)]  # not e.g. the model-version registration
    n_joints = sum(int(e.joint_mask.sum()) if e.joint_mask is not None else e.values["vis"].size for e in poses)
    summary = {"method": prop.name, "edits": len(poses), "joints_written": n_joints,
               "tracks": sorted(change.tracks), "frames": [change.start, change.stop], "note": getattr(prop, "note", "") or ""}
    if args.json:
        print_json(summary)
    else:
        print(f"propagated with {summary['method']}: {n_joints} joints written for {len(summary['tracks'])} people"
              + (f" ({summary['note']})" if summary["note"] else ""))
    return 0


def cmd_eval_propagation(args) -> int:
    from stdpose_core.propagation.evaluation import DEFAULT_METHODS, check_dense, eval_propagation, format_table, keep_frames

    keep_frames(3, args.every)  # T < 2: fail before reading anything
    from stdpose_core.io import read_annotations

    gt = read_annotations(args.gt)
    check_dense(gt, where=str(args.gt))
    src = open_frames(Path(args.images), gt.video.frame_names, prefer_names=True)
    methods = args.method or list(DEFAULT_METHODS)
    opts = {"weights": args.weights, "device": args.device}
    try:
        result = run_with_bar(eval_propagation(gt, src, args.every, methods, **opts), desc="eval-propagation")
    finally:
        src.close()
    if args.json:
        print_json(result)
    else:
        print(format_table(result))
    return 0
