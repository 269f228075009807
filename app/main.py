"""``stdpose-annotate``: the desktop app (issue 7)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("error: the desktop app is not available in this build yet (issue 7)", file=sys.stderr)
    return 2
