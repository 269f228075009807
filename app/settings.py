"""User settings (QSettings, INI format) with typed accessors and their defaults.

Per-project view state (frame, zoom, selection) lives in the project file (``Project.meta``),
not here; this is what belongs to the user: colours, trail length, cache size, device, model
paths, shortcut overrides, recent files. ``STDPOSE_SETTINGS_DIR`` redirects the file (tests, kiosk).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

ORG, APP = "STDPose", "annotator"

#: Distinct colours for tracks (track id modulo length), chosen to stay readable on video.
DEFAULT_TRACK_COLORS = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4",
    "#46f0f0", "#f032e6", "#bcf60c", "#fabebe", "#008080", "#e6beff",
)


@dataclass
class Settings:
    """A snapshot of the user settings (plain data; load/save with :func:`load` / :func:`save`)."""

    keyframe_interval: int = 7  # default T for new projects
    track_colors: list[str] = field(default_factory=lambda: list(DEFAULT_TRACK_COLORS))
    trail_length: int = 5  # motion trails cover ±N frames
    trails_on: bool = False
    cache_mb: int = 512  # decoded-frame cache of the video layer
    device: str = "auto"  # auto | cpu | cuda
    stdpose_weights: str = ""  # explicit model file, '' = registry default
    detector_weights: str = ""
    detector_imgsz: int = 640  # detector input size (px, a multiple of 32): larger finds smaller people, slower
    low_confidence: float = 0.5  # joints below this score count as low-confidence
    skeleton: str = "posetrack18"  # default skeleton for new projects
    shortcuts: dict[str, str] = field(default_factory=dict)  # action id -> 'Key;Key'
    recent: list[str] = field(default_factory=list)


def qsettings() -> QSettings:
    """The QSettings object of this app (INI file; location overridable by STDPOSE_SETTINGS_DIR)."""
    folder = os.environ.get("STDPOSE_SETTINGS_DIR")
    if folder:
        return QSettings(os.path.join(folder, "stdpose-annotator.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)


def load() -> Settings:
    """Read the settings; unreadable or missing values fall back to defaults."""
    qs, s = qsettings(), Settings()
    for name, default in vars(Settings()).items():
        raw = qs.value(name)
        if raw is None:
            continue
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
            if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
                continue
            setattr(s, name, value)
        except (ValueError, TypeError):
            continue
    if len(s.track_colors) == 0:
        s.track_colors = list(DEFAULT_TRACK_COLORS)
    return s


def save(s: Settings) -> None:
    qs = qsettings()
    for name, value in vars(s).items():
        qs.setValue(name, json.dumps(value))
    qs.sync()


def add_recent(path: str, limit: int = 10) -> list[str]:
    """Put ``path`` first in the recent-files list (stored at once) and return the list."""
    s = load()
    path = os.path.abspath(path)
    s.recent = [path] + [p for p in s.recent if p != path][: limit - 1]
    save(s)
    return s.recent


def save_window_state(geometry: bytes, state: bytes) -> None:
    """Main window geometry and dock layout (Qt's own binary blobs, stored as they are)."""
    qs = qsettings()
    qs.setValue("window/geometry", geometry)
    qs.setValue("window/state", state)
    qs.sync()


def load_window_state() -> tuple[bytes | None, bytes | None]:
    qs = qsettings()
    return qs.value("window/geometry"), qs.value("window/state")


#: The detector input sizes the Settings dialog offers (px); the network takes multiples of 32.
DETECTOR_IMGSZ_RANGE = (320, 1920)


def detector_imgsz(value: "Settings | int") -> int:
    """The detector input size to use: ``value`` (or a Settings' ``detector_imgsz``) rounded to a
    multiple of 32 inside :data:`DETECTOR_IMGSZ_RANGE` (a hand-edited settings file cannot break detection)."""
    size = value.detector_imgsz if isinstance(value, Settings) else int(value)
    lo, hi = DETECTOR_IMGSZ_RANGE
    return int(min(hi, max(lo, round(size / 32) * 32)))
