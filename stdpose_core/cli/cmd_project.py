"""Project commands: ``new``, ``import``, ``keyframes``, ``export``, ``info``, ``relink``."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import MAX_FRAMES, int_in, print_json
from stdpose_core.data import Source
from stdpose_core.session import ProjectSession

#: ``stdpose export --format`` choices: annotation JSON, COCO results, and the YOLO-pose dataset folder.
FORMATS = ("posetrack18", "posetrack21", "coco", "coco-results", "yolo-pose")
READ_HELP = ("PoseTrack18/21, COCO keypoints or results, labelme/X-AnyLabeling (file or folder), and with the "
             "[formats] extra SLEAP .slp, DeepLabCut CollectedData CSV/H5, Label Studio JSON")


def register(sub) -> None:
    p = sub.add_parser("new", help="create a project file for a video or image folder",
                       description="Create PROJECT.stdpose for a video file or an image-sequence folder.")
    p.add_argument("project", help="the new .stdpose file")
    p.add_argument("source", help="video file or folder of images")
    p.add_argument("--skeleton", choices=["posetrack18", "coco17"], default=None,
                   help="keypoint layout (default: the --import file's, else posetrack18)")
    p.add_argument("--every", type=int_in(1, MAX_FRAMES, "keyframe interval"), default=7, help="keyframe interval T shown in the editor (default 7)")
    p.add_argument("--import", dest="import_file", metavar="ANNOTATIONS",
                   help="also import this annotation file; the project gets the file's skeleton (" + READ_HELP + ")")
    p.add_argument("--video", help="with --import: the video to take from a multi-video file (a PoseTrack vid_id, a SLEAP/DeepLabCut video)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("import", help="import annotations (PoseTrack, COCO, SLEAP, DeepLabCut, Label Studio, labelme...) into a project",
                       description="Import annotations (format detected from the file: " + READ_HELP + ") as one undoable edit. "
                                   "Prints what was read, what is stored and what was left out.")
    p.add_argument("project")
    p.add_argument("annotations")
    p.add_argument("--as", dest="as_source", choices=["manual", "detected"], default="manual",
                   help="mark imported joints as manual (ground truth) or detected (pre-labels)")
    p.add_argument("--video", help="the video to take from a multi-video file (a PoseTrack vid_id, a SLEAP/DeepLabCut video name)")
    p.add_argument("--convert", action="store_true",
                   help="the file's skeleton differs from the project's: convert, accepting the loss the error message states")
    p.add_argument("--json", action="store_true", help="print the import summary as JSON")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("keyframes", help="keep manual poses on every T-th frame only (for experiments)")
    p.add_argument("project")
    p.add_argument("--every", type=int_in(1, MAX_FRAMES, "keyframe interval"), required=True, metavar="T")
    p.add_argument("--keep-last", action="store_true", help="also keep the last labelled frame")
    p.set_defaults(handler=cmd_keyframes)

    p = sub.add_parser("export", help="write the annotations as PoseTrack18/21, COCO, COCO results or a YOLO-pose dataset",
                       description="Write the annotations. JSON formats are written atomically and read back to check them; "
                                   "yolo-pose writes a dataset folder for `yolo pose train data=OUT/data.yaml` (images linked "
                                   "or extracted, labels, data.yaml with kpt_shape and flip_idx).")
    p.add_argument("project")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("-o", "--output", required=True, help="the file (a new folder for yolo-pose)")
    p.add_argument("--only-reviewed", action="store_true", help="only frames a person marked reviewed")
    p.add_argument("--val-every", type=int, default=0, metavar="N",
                   help="yolo-pose: every N-th exported frame goes to the val split (default: val = train)")
    p.add_argument("--json", action="store_true", help="print the export summary as JSON")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("info", help="summarise a project")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_info)

    register_relink(sub)


def cmd_new(args) -> int:
    from stdpose_core.project_ops import create_project

    loaded = None
    if args.import_file:
        from stdpose_core.io import read_annotations

        loaded = read_annotations(args.import_file, video=args.video)  # fully validated before anything is created
    skeleton = args.skeleton or (loaded.skeleton if loaded is not None else "posetrack18")
    notes: list[str] = []
    with create_project(args.project, args.source, skeleton, args.every, notes=notes) as s:
        v = s.project.video
        sizes = " (images of different sizes)" if v.frame_sizes else ""
        print(f"created {args.project}: {v.num_frames} frames, {v.width}x{v.height}{sizes}, {s.project.skeleton.name}")
        for note in notes:  # the video reader's warnings, where the user sees them
            print(f"warning: {args.source}: {note}")
        if loaded is not None:
            try:
                _import_into(s, loaded, args.import_file, Source.MANUAL, convert=args.skeleton is not None, as_json=False)
            except BaseException:
                s.close()
                Path(args.project).unlink(missing_ok=True)  # all or nothing: no half-made project is left
                raise
    return 0


def _import_into(session, loaded, path: str, as_source: Source, convert: bool, as_json: bool) -> None:
    from stdpose_core.io import import_edit, import_summary
    from stdpose_core.io.summary import summary_lines

    summary = import_summary(loaded, session.project)
    session.apply(import_edit(session.project, loaded, as_source, convert=convert))
    if as_json:
        print_json(summary)
    else:
        print(f"imported {summary['people']} people, {summary['stored_joints']} joints from {path}")
        for line in summary_lines(summary)[1:]:
            print("  " + line)


def cmd_import(args) -> int:
    from stdpose_core.io import read_annotations

    with ProjectSession.open(args.project) as s:
        # the file is fully read and validated, and its skeleton checked, before the project changes
        loaded = read_annotations(args.annotations, video=args.video, reference=s.project)  # reference: a results file's image ids
        _import_into(s, loaded, args.annotations, Source.MANUAL if args.as_source == "manual" else Source.DETECTED,
                     convert=args.convert, as_json=args.json)
    return 0


def cmd_keyframes(args) -> int:
    from stdpose_core.project_ops import keep_keyframes_every

    with ProjectSession.open(args.project) as s:
        s.apply(keep_keyframes_every(s.project, args.every, args.keep_last))
        s.project.keyframe_interval = args.every
        s.save_settings()
        print(f"{len(s.project.keyframes())} keyframes left (every {args.every})")
    return 0


def cmd_export(args) -> int:
    from stdpose_core.ops.jobs import export_job, yolo_pose_export_job
    from stdpose_core.progress import run_with_bar

    with ProjectSession.open(args.project, mode="read") as s:
        if args.format == "yolo-pose":
            from stdpose_core.project_ops import video_path

            counts = run_with_bar(yolo_pose_export_job(s.project, Path(args.output), video_path(s), args.only_reviewed,
                                                       args.val_every), desc="export")
        else:
            counts = None
            summary = run_with_bar(export_job(s.project, Path(args.output), args.format, args.only_reviewed), desc="export")
    if counts is not None:
        if args.json:
            print_json({**counts, "output": args.output})
        else:
            print(f"wrote {args.output} (yolo-pose): {counts['images']} images ({counts['train']} train, {counts['val']} val), "
                  f"{counts['people']} people; train with: yolo pose train data={Path(args.output) / 'data.yaml'}")
        return 0
    if args.json:
        print_json({"output": args.output, **summary})
    else:
        by = ", ".join(f"{k} {v}" for k, v in summary["joints_by_source"].items() if v)
        print(f"wrote {args.output} ({args.format}): {summary['people_written']} people, "
              f"{summary['frames_written']} frames, joints: {by or 'none'}")
    return 0


def cmd_info(args) -> int:
    from stdpose_core.project_ops import summarize

    with ProjectSession.open(args.project, mode="read") as s:
        summary = summarize(s.project)
    if args.json:
        print_json(summary)
        return 0
    print(f"{args.project}")
    for key in ("video", "frames", "width", "height", "fps", "skeleton", "keyframe_interval", "people", "frames_with_people", "keyframes",
                "reviewed_frames"):
        print(f"  {key:<20}{summary[key]}")
    print("  joints by source    " + ", ".join(f"{k}={v}" for k, v in summary["joints_by_source"].items()))
    return 0


def register_relink(sub) -> None:
    p = sub.add_parser("relink", help="point a project at its video after the file moved",
                       description="Point PROJECT at VIDEO (a moved or renamed copy of its video or image folder). "
                                   "VIDEO must have the project's frame count, frame size and image names, and the "
                                   "same content fingerprint; anything else is refused with the reason.")
    p.add_argument("project")
    p.add_argument("video", help="the video file or image folder in its new place")
    p.add_argument("--force", action="store_true",
                   help="accept a file with other content but the same frames and size (a re-encoded copy)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_relink)


def cmd_relink(args) -> int:
    from stdpose_core.ops.relink import relink

    with ProjectSession.open(args.project) as s:
        result = relink(s, args.video, args.force)
    if args.json:
        print_json({"project": args.project, **result})
    else:
        print(f"{args.project}: video is now {result['path']} (was {result['previous']}; "
              f"{result['frames']} frames, {result['width']}x{result['height']})")
    return 0
