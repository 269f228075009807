"""``stdpose``: the command-line surface (see docs/cli.md). Each command group lives in its own module
with ``register(subparsers)``; a command's handler returns an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys

from stdpose_core import __version__
from stdpose_core.errors import StdposeError

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
    parser = argparse.ArgumentParser(
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


def run_handler(args: argparse.Namespace) -> int:
    """Run ``args.handler`` turning user errors into one line on stderr (exit 2)."""
    try:
        return int(args.handler(args) or 0)
    except StdposeError as exc:
        if getattr(args, "debug", False):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stderr.close()
        return 0
    except (OSError, MemoryError, RuntimeError, ValueError) as exc:
        # Anything we did not anticipate still ends in one line; --debug shows the traceback.
        if getattr(args, "debug", False):
            raise
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    from stdpose_core.openmp import prefer_passive_waiting

    prefer_passive_waiting()  # before any command imports torch
    args = build_parser().parse_args(argv)
    return run_handler(args)


if __name__ == "__main__":
    sys.exit(main())
