"""Write docs/cli.md from the commands' own --help texts (run after changing a command).

    .venv/bin/python scripts/gen_cli_docs.py [--check]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def help_text(parser: argparse.ArgumentParser) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        parser.print_help()
    return buf.getvalue().rstrip()


def render() -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width; fix it for stable docs
    from stdpose_core.cli.main import build_parser
    from stdpose_core.training.cli import build_parser as retrain_parser

    top = build_parser()
    parts = ["# Command-line reference", "", "Generated from `--help` by `scripts/gen_cli_docs.py`; do not edit by hand.", ""]
    parts += ["## stdpose", "", "```", help_text(top), "```", ""]
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        parts += [f"### stdpose {name}", "", "```", help_text(parser), "```", ""]
        nested = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        for action, child in (nested.choices.items() if nested else ()):  # e.g. stdpose models list, stdpose dataset init
            parts += [f"#### stdpose {name} {action}", "", "```", help_text(child), "```", ""]
    parts += ["## stdpose-retrain", "", "```", help_text(retrain_parser()), "```", ""]
    app_help = _app_help()
    if app_help:
        parts += ["## stdpose-annotate", "", "```", app_help, "```", ""]
    return "\n".join(parts)


def _app_help() -> str | None:
    try:
        from app.main import build_parser as app_parser
    except ImportError:
        return None
    return help_text(app_parser())


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
