"""Process setup that must happen before the first QApplication exists."""

from __future__ import annotations

import os


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
    return app
