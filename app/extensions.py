"""Optional features that plug into the main window without editing it.

Each module listed in :data:`EXTENSION_MODULES` that can be imported and has
``install(window: MainWindow) -> None`` is installed after the window is built. An extension
adds docks (``window.add_dock``), menu entries (``window.menu(name)``), toolbar buttons
(``window.toolbar``), status-bar widgets (``window.statusBar()``) and actions
(``window.add_action(spec, handler)``), and listens to ``window.doc`` signals.
A missing module is skipped; an extension that fails to install is reported and skipped.
"""

from __future__ import annotations

import importlib
import logging
import os

log = logging.getLogger(__name__)

#: Background jobs, review queue, export, models, retrain, demo (issue 8) register here.
EXTENSION_MODULES = ("app.jobs", "app.review", "app.dialogs.export", "app.dialogs.models", "app.dialogs.retrain",
                     "app.dialogs.adapt")


def install_all(window) -> list[str]:
    """Install every available extension; returns the names installed."""
    if os.environ.get("STDPOSE_NO_EXTENSIONS"):
        return []
    done = []
    for name in EXTENSION_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                continue  # not built (yet)
            log.exception("extension %s failed to import", name)
            continue
        install = getattr(mod, "install", None)
        if install is None:
            continue
        try:
            install(window)
            done.append(name)
        except Exception:  # noqa: BLE001 - a broken extension must not take the editor down
            log.exception("extension %s failed to install", name)
    return done
