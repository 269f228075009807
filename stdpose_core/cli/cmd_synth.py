"""``stdpose synth``: render a generated clip with exact ground truth."""

from __future__ import annotations

from stdpose_core.cli.common import print_json
from stdpose_core.errors import StdposeError
from stdpose_core.progress import run_with_bar


def parse_size(text: str) -> tuple[int, int]:
    """``WxH`` (e.g. ``640x360``) -> ``(W, H)``; one clear error otherwise."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise StdposeError(f"--size {text!r}: expected WxH, e.g. 640x360") from None
    return w, h


def register(sub) -> None:
    p = sub.add_parser(
        "synth",
        help="render a clip of moving articulated figures with exact ground truth",
        description="Render a clip of moving articulated figures (walking, running, fast gestures, people "
        "crossing and occluding each other, camera pan) with exact PoseTrack18 ground truth: "
        "OUT_DIR/frames/000000.jpg... (or OUT_DIR/clip.mp4) and OUT_DIR/gt.json, whose image file names "
        "are relative to OUT_DIR (for mp4 they name the video's frames by index). The same seed gives "
        "the same clip.",
    )
    p.add_argument("out_dir", help="output folder (created if missing)")
    p.add_argument("--persons", type=int, default=3, help="number of people (default 3)")
    p.add_argument("--frames", type=int, default=60, help="number of frames (default 60)")
    p.add_argument("--size", default="640x360", help="frame size WxH in pixels (default 640x360)")
    p.add_argument("--seed", type=int, default=0, help="random seed, >= 0 (default 0)")
    p.add_argument("--format", choices=["frames", "mp4"], default="frames",
                   help="JPEG frames (default) or an H.264 clip.mp4")
    p.add_argument("--exits", action="store_true",
                   help="let people walk out of the frame and back in (tracks with absent frames)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier clip in OUT_DIR")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(handler=run)


def run(args) -> int:
    from stdpose_core.synth import make_scene, write_scene_job

    scene = make_scene(args.persons, args.frames, parse_size(args.size), args.seed, args.exits)
    summary = run_with_bar(write_scene_job(scene, args.out_dir, args.format, args.overwrite), desc="synth")
    if args.json:
        print_json(summary)
    else:
        print(f"wrote {summary['frames']} frames of {summary['persons']} people to {summary['media']} "
              f"and ground truth to {summary['gt']}")
    return 0
