"""Small helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import Any

from stdpose_core.errors import StdposeError


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def parse_frame_range(text: str | None, num_frames: int) -> tuple[int, int]:
    """Parse ``A:B`` (either side optional) into ``[start, stop)`` clipped to the video."""
    if not text:
        return 0, num_frames
    try:
        a, b = text.split(":")
        start = int(a) if a else 0
        stop = int(b) if b else num_frames
    except ValueError:
        raise StdposeError(f"--frames {text!r}: expected A:B, e.g. 0:100") from None
    if not 0 <= start < stop <= num_frames:
        raise StdposeError(f"--frames {text!r}: must satisfy 0 <= A < B <= {num_frames}")
    return start, stop


def not_built(feature: str, issue: str):
    """Handler for a command whose engine is not built yet: says so clearly, exit 2."""

    def handler(args) -> int:
        raise StdposeError(f"'{feature}' is not available in this build yet ({issue})")

    return handler
