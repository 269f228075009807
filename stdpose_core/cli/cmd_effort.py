"""``stdpose simulate-annotator`` and ``stdpose suggest-interval``: what labelling a clip costs, and the T that costs least."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import print_json
from stdpose_core.errors import StdposeError
from stdpose_core.progress import run_with_bar
from stdpose_core.propagation import available_methods

SIMULATE = """Simulate an annotator on a densely labelled clip: label every T-th frame and the last one
(from GT), propagate the rest with METHOD, then walk the frames in between and fix every joint off
by more than 0.2 head sizes (or missing, or not in GT), marking each frame reviewed. Prints
effort = (keyframe joints + fixed joints) / all joints per strategy: naive (no re-propagation),
smart (each fixed joint re-propagated alone to its next keyframe) and app (exactly what the editor
does after a correction)."""

SUGGEST = """Suggest the keyframe interval T for a project's video from a quick probe: a few windows of
frames where people were detected (or labelled) serve as stand-in ground truth, the simulated
annotator (the editor's own re-propagation) runs on them for each candidate T, and the T with the
least effort wins. Run `stdpose detect` first. Detector poses jitter more than real labels, so the
figures are a guide for choosing T, not a measurement of effort."""


def register(sub) -> None:
    p = sub.add_parser("simulate-annotator", help="measure annotation effort with a simulated annotator",
                       description=SIMULATE)
    p.add_argument("gt", help="densely labelled annotations (PoseTrack18/21 or COCO JSON)")
    p.add_argument("--images", required=True, help="folder the annotation file names are relative to (or a video)")
    p.add_argument("--every", type=int, default=7, metavar="T", help="keyframe interval T (>= 2, default 7)")
    p.add_argument("--method", choices=available_methods(), default="flow", help="propagation method (default flow)")
    p.add_argument("--strategy", action="append", choices=["naive", "smart", "app"],
                   help="repeatable; default all three")
    p.add_argument("--weights", help="for the methods stdpose/auto")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="for the methods stdpose/auto")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_simulate)

    s = sub.add_parser("suggest-interval", help="suggest the keyframe interval T for a project's video",
                       description=SUGGEST)
    s.add_argument("project")
    s.add_argument("--method", choices=available_methods(), default="auto", help="propagation method (default auto)")
    s.add_argument("--candidates", default="5,7,10,15,20,30", help="intervals to try, comma-separated")
    s.add_argument("--window", type=int, default=60, help="frames per probe window (default 60)")
    s.add_argument("--windows", type=int, default=2, help="probe windows spread over the video (default 2)")
    s.add_argument("--apply", action="store_true", help="store the suggested T as the project's keyframe interval")
    s.add_argument("--weights", help="for the methods stdpose/auto")
    s.add_argument("--device", choices=["auto", "cpu", "cuda"], help="for the methods stdpose/auto")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_suggest)


def cmd_simulate(args) -> int:
    from stdpose_core.cli.cmd_propagate import open_frames
    from stdpose_core.io import read_annotations
    from stdpose_core.ops.simulate import STRATEGIES, format_table, simulate_job
    from stdpose_core.propagation import get_propagator
    from stdpose_core.propagation.evaluation import check_dense, keep_frames

    keep_frames(3, args.every)  # T < 2: fail before reading anything
    gt = read_annotations(args.gt)
    check_dense(gt, where=str(args.gt))
    prop = get_propagator(args.method, weights=args.weights, device=args.device)
    src = open_frames(Path(args.images), gt.video.frame_names, prefer_names=True) if prop.needs_frames else None
    strategies = args.strategy or list(STRATEGIES)
    results = []
    try:
        for s in strategies:
            results.append(run_with_bar(simulate_job(gt, src, args.every, prop, s), desc=f"simulate ({s})"))
    finally:
        if src is not None:
            src.close()
    if args.json:
        print_json({"gt": args.gt, "method": prop.name, "every": args.every,
                    "strategies": {r.strategy: r.as_dict() for r in results}})
    else:
        print(f"{args.gt}: method {prop.name}, keyframes every {args.every} frames")
        print(format_table(results))
    return 0


def cmd_suggest(args) -> int:
    from stdpose_core.cli.cmd_propagate import open_frames
    from stdpose_core.ops.suggest_interval import format_suggestion, suggest_interval_job
    from stdpose_core.project_ops import video_path
    from stdpose_core.propagation import get_propagator
    from stdpose_core.session import ProjectSession

    try:
        candidates = sorted({int(x) for x in args.candidates.split(",") if x.strip()})
    except ValueError:
        raise StdposeError(f"--candidates {args.candidates!r}: expected numbers like 5,7,10") from None
    if not candidates or min(candidates) < 2:
        raise StdposeError(f"--candidates {args.candidates!r}: every interval must be at least 2")
    if args.window < 3 or args.windows < 1:
        raise StdposeError("--window must be at least 3 and --windows at least 1")
    with ProjectSession.open(args.project) as s:
        prop = get_propagator(args.method, weights=args.weights, device=args.device)
        src = open_frames(video_path(s), s.project.video.frame_names, pixels=prop.frame_pixels) if prop.needs_frames else None
        try:
            result = run_with_bar(suggest_interval_job(s.project, src, prop, candidates, args.window, args.windows),
                                  desc="suggest-interval")
        finally:
            if src is not None:
                src.close()
        if args.apply:
            s.project.keyframe_interval = result["suggested"]
            s.save_settings()
    if args.json:
        print_json({"project": args.project, "applied": bool(args.apply), **result})
    else:
        print(format_suggestion(result))
        if args.apply:
            print(f"keyframe interval of {args.project} set to {result['suggested']}")
    return 0
