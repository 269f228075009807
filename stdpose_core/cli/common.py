"""Small helpers shared by the CLI command modules: output, argument types with ranges, the parser."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Callable

from stdpose_core.errors import StdposeError


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def int_in(lo: int, hi: int, what: str = "value") -> Callable[[str], int]:
    """argparse ``type=``: an integer in ``[lo, hi]``; anything else is a usage error before any work."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} is out of range: the {what} must be at least {lo}")
        if value > hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range: the {what} must be at most {hi}")
        return value

    parse.__name__ = "int"
    return parse


#: Shared limits (a professional tool refuses nonsense before it starts working).
MAX_FRAMES = 10_000_000
MAX_IMGSZ = 4096


def parse_frame_range(text: str | None, num_frames: int) -> tuple[int, int]:
    """Parse ``A:B`` (either side optional; negative counts from the end, as in Python) into
    ``[start, stop)``; one clear StdposeError otherwise."""
    if not text:
        return 0, num_frames
    m = re.fullmatch(r"\s*(-?\d*)\s*:\s*(-?\d*)\s*", text)
    if m is None:
        raise StdposeError(f"--frames {text!r}: expected A:B, e.g. 0:100 (or -100: for the last 100 frames)")
    a, b = (int(v) if v not in ("", "-") else None for v in m.groups())
    if "-" in (m.group(1), m.group(2)):
        raise StdposeError(f"--frames {text!r}: expected A:B, e.g. 0:100")
    start = 0 if a is None else (a + num_frames if a < 0 else a)
    stop = num_frames if b is None else (b + num_frames if b < 0 else b)
    if not 0 <= start < stop <= num_frames:
        raise StdposeError(f"--frames {text!r}: must select at least one of the video's {num_frames} frames "
                           f"(0 <= A < B <= {num_frames}; negative values count from the end)")
    return start, stop
