"""``stdpose reencode``: rewrite a video so that every frame can be reached exactly."""

from __future__ import annotations

import sys

from stdpose_core.cli.common import int_in, print_json
from stdpose_core.progress import run_with_bar


def register(sub) -> None:
    p = sub.add_parser("reencode", help="re-encode a video as short-GOP H.264 for exact seeking",
                       description="Re-encode a video (any codec PyAV reads) as H.264 with a keyframe every "
                                   "GOP frames and no B-frames, so every frame can be reached quickly and "
                                   "exactly. Frame i of the output is frame i of the input.")
    p.add_argument("input", help="video file to read")
    p.add_argument("output", help="video file to write (.mp4, .mkv or .mov)")
    p.add_argument("--gop", type=int_in(1, 10_000, "keyframe interval"), default=10, help="keyframe interval in frames (1 = all-intra; default 10)")
    p.add_argument("--crf", type=int_in(0, 51, "x264 CRF"), default=18, help="x264 quality 0-51, lower is better (default 18)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run)


def run(args) -> int:
    from stdpose_core.video.reencode import reencode

    result = run_with_bar(reencode(args.input, args.output, gop=args.gop, crf=args.crf), desc="reencode")
    if args.json:
        print_json(result)
    else:
        for w in result["warnings"]:
            print(f"note: input: {w}", file=sys.stderr)
        crop = " (cropped to even size)" if result["cropped"] else ""
        print(f"wrote {result['output']}: {result['frames']} frames, {result['width']}x{result['height']}{crop}, "
              f"{result['fps']:.3f} fps, keyframe every {result['gop']} frames")
    return 0
