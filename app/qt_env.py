"""Process setup that must happen before the first QApplication exists."""

from __future__ import annotations

import ctypes
import os
import sys

_NONE_PAD = 1 << 40


def guard_none_refcount() -> None:
    """Work around PySide6 6.12 on Python < 3.12: every call of a void Qt method returns ``None``
    without taking a reference (the bindings assume PEP 683's immortal None), so None's refcount
    drops by one per call and the interpreter aborts ("deallocating None") after a few thousand
    paint calls. Giving None a huge extra count makes it effectively immortal, as on 3.12+.
    Idempotent; a no-op where None is immortal already.
    """
    if sys.version_info >= (3, 12):
        return
    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < _NONE_PAD:
        count.value += _NONE_PAD


def prepare_qt_environment() -> None:
    """Keep opencv-python's bundled Qt plugins away from PySide6.

    opencv-python points ``QT_QPA_PLATFORM_PLUGIN_PATH`` at its own (incompatible) Qt plugins when
    ``cv2`` is imported; PySide6 then fails to load its platform plugin ("xcb" not found). Drop the
    variable when it points into a cv2 folder (a user's own setting elsewhere is kept).
    """
    path = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")
    if path and "cv2" in path.replace("\\", "/").split("/"):
        del os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"]
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")


def ensure_app(argv: list[str] | None = None):
    """The QApplication of this process (created on first call)."""
    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or ["stdpose-annotate"]))
        app.setOrganizationName("STDPose")
        app.setApplicationName("STDPose Annotator")
        icon = resource_path("stdpose-annotator.png")
        if icon is not None:
            from PySide6.QtGui import QIcon

            app.setWindowIcon(QIcon(str(icon)))
    return app


def resource_path(name: str):
    """A file of ``resources/``: from the desktop build's folder, else from the source tree; or None."""
    from pathlib import Path

    from stdpose_core.paths import bundle_dir

    for root in (bundle_dir(), Path(__file__).resolve().parents[1]):
        if root is not None and (root / "resources" / name).is_file():
            return root / "resources" / name
    return None
