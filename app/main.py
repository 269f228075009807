"""``stdpose-annotate [VIDEO | FOLDER | PROJECT.stdpose]``: the desktop editor.

``--demo`` opens a generated demo project (provided by ``app.demo.open_demo(window)`` when built).
``--screenshot PATH`` (debugging, docs) saves a picture of the window once the frame is shown and exits;
errors then go to stderr instead of a dialog (nobody is there to close it) and the exit code is 2.
Bad arguments are one line and exit 2 before any window opens.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_window_size(text: str) -> tuple[int, int]:
    """``WxH`` for ``--size`` (200..16384 pixels per side)."""
    try:
        w, h = (int(v, 10) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WxH, e.g. 1500x950") from None
    if not (200 <= w <= 16384 and 200 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be between 200 and 16384 pixels")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    from stdpose_core.cli.common import MAX_FRAMES, int_in
    from stdpose_core.console import Parser

    p = Parser(prog="stdpose-annotate", description="Annotate people's poses in a video.")
    p.add_argument("path", nargs="?", help="a video file, an image folder or a .stdpose project")
    p.add_argument("--demo", action="store_true",
                   help="open the generated demo clip with keyframes labelled (your earlier demo work is kept)")
    p.add_argument("--fresh", action="store_true", help="with --demo: start a fresh demo project (the old one is kept)")
    p.add_argument("--project", help="where to create the project for a new video (default VIDEO.stdpose, no dialog)")
    p.add_argument("--skeleton", choices=["posetrack18", "coco17"], help="skeleton of a new project (no dialog)")
    p.add_argument("--frame", type=int_in(0, MAX_FRAMES, "frame"), help="start at this frame")
    p.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the window and exit")
    p.add_argument("--size", type=parse_window_size, default=(1500, 950), help="window size WxH (default 1500x950)")
    return p


def _non_interactive_new(args, settings):
    """When --project/--skeleton are given, create new projects without asking."""
    from app.dialogs.new_project import NewProjectChoice, default_project_path

    def ask(src: Path):
        return NewProjectChoice(Path(args.project) if args.project else default_project_path(src),
                                args.skeleton or settings.skeleton, settings.keyframe_interval)

    return ask


def take_screenshot(window, path: str, timeout_ms: int = 10000) -> None:
    """Wait until the current frame's pixels are on screen (or timeout), then save ``window.grab()``."""
    from PySide6.QtCore import QElapsedTimer
    from PySide6.QtWidgets import QApplication

    clock = QElapsedTimer()
    clock.start()
    doc = window.doc
    while clock.elapsed() < timeout_ms and doc.session is not None and window.loader.source is not None and window.scene.shown_frame != doc.frame:
        QApplication.processEvents()
    for _ in range(5):
        QApplication.processEvents()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(path)


def main(argv: list[str] | None = None) -> int:
    from stdpose_core.openmp import prefer_passive_waiting

    prefer_passive_waiting()  # before a detection or propagation job imports torch
    from stdpose_core.console import safe_streams

    safe_streams()
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as done:  # --help, or a usage error already printed as one line
        return int(done.code or 0) if not isinstance(done.code, str) else 2
    from app import errors
    from app.qt_env import ensure_app

    errors.install_excepthook()
    if args.screenshot:
        errors.set_interactive(False)
    qapp = ensure_app(sys.argv[:1])
    from app import settings as app_settings
    from app.main_window import MainWindow

    settings = app_settings.load()
    window = MainWindow(settings)
    if args.project or args.skeleton:
        window.ask_new = _non_interactive_new(args, settings)
    window.resize(*args.size)
    window.show()
    if args.demo:
        try:
            from app.demo import open_demo
        except ModuleNotFoundError:
            print("error: --demo is not available in this build", file=sys.stderr)
            return 2
        open_demo(window, fresh=args.fresh)
    elif args.path:
        window.open_path(args.path)
    if args.frame is not None:
        window.doc.set_frame(args.frame)
    if args.screenshot:
        take_screenshot(window, args.screenshot)
        window.close()
        return 2 if errors.reported else 0
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main())
