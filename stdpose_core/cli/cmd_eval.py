"""``stdpose eval``: PoseTrack mAP, PCK, pixel error, OKS AP of predictions against ground truth."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import print_json
from stdpose_core.data import Project

DESCRIPTION = """Score predicted poses (PRED) against ground truth (GT). Both are annotation files (format
detected: PoseTrack18/21, COCO keypoints, COCO results for PRED, ...) or .stdpose project files. Frames
are matched by image id (COCO results), else by image file name, else by index. Reports the PoseTrack
per-joint AP equal to poseval's (PCKh@0.5, head size = 0.6 x head-box diagonal, person box when GT has
no head boxes; a joint the GT never labels scores 0 and counts in the mean, as poseval does), a
per-joint table with such joints marked 'not labelled', PCK@0.5/0.2, mean pixel error and, with
--metric oks, COCO OKS AP equal to pycocotools' (GT area from the file).

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
    p.add_argument("--labelled-joints-only", action="store_true",
                   help="leave joints the GT never labels out of the means (not poseval's rule; earlier versions' figure)")
    p.add_argument("--per-video", action="store_true", help="folders: also score each video on its own")
    p.add_argument("--json", action="store_true", help="print the results as JSON (keys as in CLI.md)")
    p.set_defaults(handler=cmd_eval)


def load_any(path: str, video: str | None = None, reference: Project | None = None) -> Project:
    """A project from an annotation file or a ``.stdpose`` project file (``reference``: the
    ground truth, which places a COCO results file's image ids on frames)."""
    if Path(path).suffix == ".stdpose":
        from stdpose_core.session import ProjectSession

        s = ProjectSession.open(path, mode="read")
        try:
            return s.project
        finally:
            s.close()
    from stdpose_core.io import read_annotations

    return read_annotations(path, video=video, reference=reference)


def cmd_eval_folders(args) -> int:
    import sys

    from stdpose_core.errors import StdposeError
    from stdpose_core.eval import format_table, nan_to_none
    from stdpose_core.eval.folders import evaluate_folders

    if not (Path(args.gt).is_dir() and Path(args.pred).is_dir()):
        raise StdposeError(f"{args.gt} and {args.pred}: give two files or two folders")
    result, notes = evaluate_folders(args.gt, args.pred, load_any, args.metric, per_video=args.per_video,
                                     labelled_only=args.labelled_joints_only)
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
    pred = load_any(args.pred, args.video, reference=gt)
    result = evaluate(gt, pred, args.metric, labelled_only=args.labelled_joints_only)
    if result["frames"] and not result["pred_frames_matched"]:
        import sys

        print(f"warning: no frame of {args.pred} matches a scored frame of {args.gt} (by image name or index)", file=sys.stderr)
    if args.json:
        print_json(nan_to_none(result))
    else:
        print(format_table(result, Path(args.pred).name))
    return 0
