"""Command lines of the project's own programs, for starting them as child processes.

``stdpose-retrain`` runs as a separate process (docs/architecture.md "Jobs"). From a Python install
(checkout, wheel, pipx) that is this interpreter with ``-m MODULE``. The desktop build (PyInstaller)
has no interpreter that takes ``-m``: it ships one program under several names next to each other
(``packaging/entry.py`` dispatches by the executable's name), so the child is the bundle's own
executable of that name.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Program name → module whose ``main()`` it runs.
PROGRAMS = {"stdpose": "stdpose_core.cli.main", "stdpose-retrain": "stdpose_core.training.cli"}


def program_command(name: str) -> list[str]:
    """The command line (program first) that starts ``name`` (a key of :data:`PROGRAMS`)."""
    module = PROGRAMS[name]
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        return [str(exe.with_name(name + exe.suffix))]  # stdpose-retrain(.exe) beside stdpose-annotate(.exe)
    return [sys.executable, "-m", module]
