"""``stdpose``: the command-line surface (see docs/cli.md). Each command group lives in its own module
with ``register(subparsers)``; a command's handler returns an exit code.

One error policy for every command (:func:`run_handler`): whatever goes wrong ends in one line on
stderr naming the file and the problem and a non-zero exit (2: bad input or environment, 1: a bug);
``--debug`` shows the traceback instead. Arguments are range-checked by argparse before any work.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from stdpose_core import __version__
from stdpose_core.console import Parser, safe_streams
from stdpose_core.errors import describe

#: Modules that register subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "stdpose_core.cli.cmd_synth",
    "stdpose_core.cli.cmd_project",
    "stdpose_core.cli.cmd_annotate",
    "stdpose_core.cli.cmd_detect",
    "stdpose_core.cli.cmd_propagate",
    "stdpose_core.cli.cmd_effort",
    "stdpose_core.cli.cmd_models",
    "stdpose_core.cli.cmd_adapt",
    "stdpose_core.cli.cmd_eval",
    "stdpose_core.cli.cmd_dataset",
    "stdpose_core.cli.cmd_video",
    "stdpose_core.cli.cmd_doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="stdpose",
        description="STDPose Annotator: video pose annotation from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"stdpose {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


#: Arguments that name the file a command works on, most specific first (for messages that need one).
SUBJECT_ARGS = ("project", "annotations", "gt", "pred", "input", "source", "out_dir", "output")


def subject_of(args: argparse.Namespace) -> str | None:
    """The file a command works on, for errors that do not name one themselves."""
    for name in SUBJECT_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def report_error(exc: BaseException, subject: str | None, debug: bool, stream=None) -> int:
    """Print the one-line message for ``exc`` (see :func:`stdpose_core.errors.describe`); exit code."""
    if debug:
        raise exc
    message, expected = describe(exc, subject)
    hint = "" if expected else " (this looks like a bug; run with --debug for the traceback)"
    print(f"error: {message}{hint}", file=stream or sys.stderr)
    return 2 if expected else 1


def run_handler(args: argparse.Namespace) -> int:
    """Run ``args.handler``: any error becomes one line on stderr (exit 2, or 1 for a bug)."""
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        try:
            sys.stderr.close()
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - the one top-level policy: every failure is one line
        return report_error(exc, subject_of(args), getattr(args, "debug", False))


def main(argv: list[str] | None = None) -> int:
    from stdpose_core.openmp import prefer_passive_waiting

    prefer_passive_waiting()  # before any command imports torch
    safe_streams()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed as one line
        return int(done.code or 0) if not isinstance(done.code, str) else 2
    return run_handler(args)


if __name__ == "__main__":
    sys.exit(main())
