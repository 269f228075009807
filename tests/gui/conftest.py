"""GUI test fixtures: isolated settings, a generated clip (image folder) and a project with two people."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

N_FRAMES, W, H = 30, 320, 240


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file (never the developer's real one)."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("STDPOSE_SETTINGS_DIR", str(folder))
    return folder


def write_clip(folder: Path, n: int = N_FRAMES, size: tuple[int, int] = (W, H)) -> Path:
    """A small image-folder clip: a textured background with two moving blobs, frames 000000.jpg…"""
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    w, h = size
    rng = np.random.default_rng(0)
    bg = (rng.integers(0, 60, (h, w, 3)) + np.linspace(40, 160, w)[None, :, None]).astype(np.uint8)
    for i in range(n):
        img = bg.copy()
        cv2.circle(img, (60 + 3 * i, 120), 25, (0, 0, 255), -1)
        cv2.circle(img, (250 - 2 * i, 100), 25, (0, 255, 0), -1)
        cv2.putText(img, str(i), (5, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
        cv2.imwrite(str(folder / f"{i:06d}.jpg"), img)
    return folder


def person_pose(cx: float, cy: float, k: int = 17) -> np.ndarray:
    """A plausible standing PoseTrack18 pose (pixels) centred at (cx, cy), ``[K,2]``."""
    rel = np.array([[0, -50], [0, -40], [0, -62], [-5, -52], [5, -52], [-12, -32], [12, -32], [-18, -14], [18, -14],
                    [-20, 2], [20, 2], [-8, 4], [8, 4], [-9, 26], [9, 26], [-10, 48], [10, 48]], np.float32)
    return rel[:k] + np.array([cx, cy], np.float32)


def fill_demo_tracks(session, keyframes=(0, 7, 14)) -> None:
    """Two people: manual joints on ``keyframes``, interpolated (scores 0.3–0.9) in between."""
    from stdpose_core.data import Source
    from stdpose_core.data.edits import AddTrack

    project = session.project
    for tid, (x0, dx) in enumerate(((60, 3), (250, -2))):
        t = project.new_track(tid)
        for f in range(0, keyframes[-1] + 1):
            pose = person_pose(x0 + dx * f, 130)
            t.xy[f] = pose
            t.vis[f] = 2
            t.vis[f, list(project.skeleton.unused)] = 0
            human = f in keyframes
            t.source[f] = np.where(t.vis[f] > 0, Source.MANUAL if human else Source.INTERPOLATED, Source.NONE)
            t.score[f] = np.where(t.vis[f] > 0, 1.0 if human else 0.3 + 0.6 * ((f * 7 + tid) % 5) / 4, 0)
            lo, hi = pose.min(0) - 8, pose.max(0) + 8
            t.bbox[f] = np.r_[lo, hi]
        session.apply(AddTrack(t))


@pytest.fixture
def clip(tmp_path) -> Path:
    return write_clip(tmp_path / "clip")


@pytest.fixture
def project_file(tmp_path, clip) -> Path:
    from stdpose_core.project_ops import create_project

    path = tmp_path / "clip.stdpose"
    session = create_project(path, clip)
    fill_demo_tracks(session)
    session.close()
    return path


@pytest.fixture
def errors(monkeypatch) -> list[tuple[str, str]]:
    """Records error dialogs instead of showing them."""
    from PySide6.QtWidgets import QMessageBox

    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a, **k: seen.append((title, text))))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a, **k: seen.append((title, text))))
    return seen


@pytest.fixture
def loop(request) -> bool:
    """Whether ``window`` has the annotation loop around the editor (jobs, review, export…); tests of
    the editor alone are marked ``editor_only``."""
    return request.node.get_closest_marker("editor_only") is None


@pytest.fixture
def window(qtbot, project_file, errors, loop):
    from app.main_window import MainWindow

    w = MainWindow(loop=loop)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.activateWindow()  # window shortcuts need the active window on real platforms (xcb)
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    assert w.open_path(project_file), errors
    qtbot.waitUntil(lambda: w.scene.shown_frame == w.doc.frame, timeout=5000)
    yield w
    w.close()


def _reopen(path: Path):
    from stdpose_core.session import ProjectSession

    s = ProjectSession.open(path, mode="read")  # beside the window, which holds the write lock
    project = s.project
    s.close()
    return project


@pytest.fixture
def reopen():
    """``reopen(path)``: the project as stored on disk right now (a second, independent connection)."""
    return _reopen


@pytest.fixture
def at():
    """``at(window, x, y)``: the viewport point showing image pixel (x, y)."""
    from PySide6.QtCore import QPointF

    return lambda w, x, y: w.view.mapFromScene(QPointF(x, y))
