"""Project commands: ``new``, ``import``, ``keyframes``, ``export``, ``info``, ``relink``."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import print_json
from stdpose_core.data import Source
from stdpose_core.session import ProjectSession

FORMATS = ("posetrack18", "posetrack21", "coco")


def register(sub) -> None:
    p = sub.add_parser("new", help="create a project file for a video or image folder",
                       description="Create PROJECT.stdpose for a video file or an image-sequence folder.")
    p.add_argument("project", help="the new .stdpose file")
    p.add_argument("source", help="video file or folder of images")
    p.add_argument("--skeleton", choices=["posetrack18", "coco17"], default="posetrack18")
    p.add_argument("--every", type=int, default=7, help="keyframe interval T shown in the editor (default 7)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("import", help="import PoseTrack18/21 or COCO annotations into a project",
                       description="Import annotations (format detected from the file) as one undoable edit.")
    p.add_argument("project")
    p.add_argument("annotations")
    p.add_argument("--as", dest="as_source", choices=["manual", "detected"], default="manual",
                   help="mark imported joints as manual (ground truth) or detected (pre-labels)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("keyframes", help="keep manual poses on every T-th frame only (for experiments)")
    p.add_argument("project")
    p.add_argument("--every", type=int, required=True, metavar="T")
    p.add_argument("--keep-last", action="store_true", help="also keep the last labelled frame")
    p.set_defaults(handler=cmd_keyframes)

    p = sub.add_parser("export", help="write the annotations as PoseTrack18/21 or COCO JSON")
    p.add_argument("project")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--only-reviewed", action="store_true", help="only frames a person marked reviewed")
    p.add_argument("--json", action="store_true", help="print the export summary as JSON")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("info", help="summarise a project")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_info)

    register_relink(sub)


def cmd_new(args) -> int:
    from stdpose_core.project_ops import create_project

    with create_project(args.project, args.source, args.skeleton, args.every) as s:
        v = s.project.video
        print(f"created {args.project}: {v.num_frames} frames, {v.width}x{v.height}, {s.project.skeleton.name}")
    return 0


def cmd_import(args) -> int:
    from stdpose_core.io import import_edit, read_annotations

    loaded = read_annotations(args.annotations)  # fully validated before the project is touched
    with ProjectSession.open(args.project) as s:
        s.apply(import_edit(s.project, loaded, Source.MANUAL if args.as_source == "manual" else Source.DETECTED))
    n = sum(int((t.vis > 0).sum()) for t in loaded.tracks.values())
    print(f"imported {len(loaded.tracks)} people, {n} joints from {args.annotations}")
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
    from stdpose_core.ops.jobs import export_job
    from stdpose_core.progress import run_with_bar

    with ProjectSession.open(args.project) as s:
        summary = run_with_bar(export_job(s.project, Path(args.output), args.format, args.only_reviewed), desc="export")
    if args.json:
        print_json({"output": args.output, **summary})
    else:
        by = ", ".join(f"{k} {v}" for k, v in summary["joints_by_source"].items() if v)
        print(f"wrote {args.output} ({args.format}): {summary['people_written']} people, "
              f"{summary['frames_written']} frames, joints: {by or 'none'}")
    return 0


def cmd_info(args) -> int:
    from stdpose_core.project_ops import summarize

    with ProjectSession.open(args.project) as s:
        summary = summarize(s.project)
    if args.json:
        print_json(summary)
        return 0
    print(f"{args.project}")
    for key in ("video", "frames", "width", "height", "fps", "skeleton", "keyframe_interval", "people", "frames_with_people", "keyframes", "reviewed_frames"):
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
