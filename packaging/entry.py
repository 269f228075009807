"""Entry point of the desktop build: one program, three names, chosen by the executable's name —
``stdpose-annotate`` opens the editor, ``stdpose`` is the command line, ``stdpose-retrain`` the
trainer (the editor's Retrain starts it as a child process: ``stdpose_core.programs``).

The build leaves PyTorch out (every model runs with onnxruntime), so its ``stdpose-retrain`` hands
the run to a ``stdpose-retrain`` of a Python install found on PATH (e.g. ``pipx install
stdpose-annotator``), with the same arguments; without one it says so in one line (exit 2)."""

import multiprocessing
import os
import shutil
import sys
from pathlib import Path


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def external_trainer() -> str | None:
    """A ``stdpose-retrain`` on PATH that is not this bundle's own."""
    here = Path(sys.executable).resolve().parent
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p).resolve() != here)
    found = shutil.which("stdpose-retrain", path=path)
    return found if found and Path(found).resolve().parent != here else None


def retrain() -> int:
    if not _has_torch():
        other = external_trainer()
        if other:
            os.execv(other, [other, *sys.argv[1:]])  # replaces this process: its exit code is the run's
    from stdpose_core.training.cli import main as train_main

    return train_main()


def main() -> int:
    multiprocessing.freeze_support()
    name = Path(sys.executable).stem
    if name == "stdpose":
        from stdpose_core.cli.main import main as cli_main

        return cli_main()
    if name == "stdpose-retrain":
        return retrain()
    from app.main import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
