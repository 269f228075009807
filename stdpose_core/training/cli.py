"""``stdpose-retrain``: train STDPose on corrected data (issue 5)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("error: stdpose-retrain is not available in this build yet (issue 5)", file=sys.stderr)
    return 2
