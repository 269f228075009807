"""What every entry point (``stdpose``, ``stdpose-retrain``, ``stdpose-annotate``) shares on the
console: argparse whose usage errors are one line, and streams that never fail on odd file names.

A leaf module, so the trainer's entry point need not import the ``cli`` package (which imports the
trainer for ``stdpose adapt``)."""

from __future__ import annotations

import argparse
import re
import sys


class Parser(argparse.ArgumentParser):
    """argparse with the house rules: a usage error is one line (exit 2), and ``--frames -5:10`` is a
    value (a frame range counted from the end), not an unknown option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # argparse treats "-5:10" as an unknown option unless it looks like a negative number.
        self._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-\d*:-?\d*$")

    def error(self, message: str):  # one line instead of the usage block
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def safe_streams() -> None:
    """Never fail on printing a file name that is not valid UTF-8 (Python's surrogate escapes)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):  # replaced streams (tests, pythonw)
            pass
