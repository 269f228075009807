"""``stdpose eval``: PoseTrack mAP, PCK, pixel error, OKS AP of predictions against ground truth."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import print_json
from stdpose_core.data import Project

DESCRIPTION = """Score predicted poses (PRED) against ground truth (GT). Both are PoseTrack18/21 or COCO
keypoints JSON files (format detected) or .stdpose project files. Frames are matched by image file
name, else by index. Reports the PoseTrack per-joint AP (poseval rules: PCKh@0.5, head size = 0.6 x
head-box diagonal; person box when GT has no head boxes), PCK@0.5/0.2, mean pixel error and, with
--metric oks, COCO OKS AP.

GT and PRED may also be folders of per-video files (GT_DIR PRED_DIR, as poseval takes them: each
GT_DIR/NAME.json against PRED_DIR/NAME.json or NAME.stdpose): every video's frames are pooled into
one score, as poseval pools a folder; a video without a prediction file counts as predicting nobody
(one line on stderr)."""


def register(sub) -> None:
    p = sub.add_parser("eval", help="score predictions against ground truth", description=DESCRIPTION)
    p.add_argument("gt", help="ground-truth annotations (JSON or .stdpose), or a folder of per-video JSON files")
    p.add_argument("pred", help="predicted annotations (JSON or .stdpose), or a folder with the same file names")
    p.add_argument("--metric", choices=["posetrack-map", "pck", "oks"], default="posetrack-map",
                   help="table rows: per-joint AP (default), per-joint PCK@0.5, or AP plus COCO OKS AP")
    p.add_argument("--video", help="vid_id to use from multi-video PoseTrack files")
    p.add_argument("--per-video", action="store_true", help="folders: also score each video on its own")
    p.add_argument("--json", action="store_true", help="print the results as JSON (keys as in CLI.md)")
    p.set_defaults(handler=cmd_eval)


def load_any(path: str, video: str | None = None) -> Project:
    """A project from an annotation file or a ``.stdpose`` project file."""
    if Path(path).suffix == ".stdpose":
        from stdpose_core.session import ProjectSession

        s = ProjectSession.open(path)
        try:
            return s.project
        finally:
            s.close()
    from stdpose_core.io import read_annotations

    return read_annotations(path, video=video)


def cmd_eval_folders(args) -> int:
    import sys

    from stdpose_core.errors import StdposeError
    from stdpose_core.eval import format_table, nan_to_none
    from stdpose_core.eval.folders import evaluate_folders

    if not (Path(args.gt).is_dir() and Path(args.pred).is_dir()):
        raise StdposeError(f"{args.gt} and {args.pred}: give two files or two folders")
    result, notes = evaluate_folders(args.gt, args.pred, load_any, args.metric, per_video=args.per_video)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print_json(nan_to_none(result))
        return 0
    print(format_table(result, f"{Path(args.pred).name}/ ({result['videos']} videos)"))
    for name, r in (result.get("by_video") or {}).items():
        show = lambda v, d=1: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
        print(f"  {name:<24} mAP {show(r['map']):>6}   PCKh@0.5 {show(r['pckh05']):>6}   {show(r['mean_px'], 2):>6} px   {r['frames']} frames")
    return 0


def cmd_eval(args) -> int:
    from stdpose_core.eval import evaluate, format_table, nan_to_none

    if Path(args.gt).is_dir() or Path(args.pred).is_dir():
        return cmd_eval_folders(args)
    gt = load_any(args.gt, args.video)
    pred = load_any(args.pred, args.video)
    result = evaluate(gt, pred, args.metric)
    if result["frames"] and not result["pred_frames_matched"]:
        import sys

        print(f"warning: no frame of {args.pred} matches a scored frame of {args.gt} (by image name or index)", file=sys.stderr)
    if args.json:
        print_json(nan_to_none(result))
    else:
        print(format_table(result, Path(args.pred).name))
    return 0
