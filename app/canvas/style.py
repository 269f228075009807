"""How joint states look: pure functions from (source, vis, score) to colours and shapes."""

from __future__ import annotations

from PySide6.QtGui import QColor

from stdpose_core.data import Source

HUMAN = (int(Source.MANUAL), int(Source.CORRECTED))
MACHINE = (int(Source.PROPAGATED), int(Source.INTERPOLATED))
DETECTED = (int(Source.DETECTED), int(Source.APPROXIMATED))  # pre-labels: squares


def track_color(track_id: int, palette: list[str]) -> QColor:
    return QColor(palette[track_id % len(palette)])


def score_color(score: float) -> QColor:
    """Confidence 1 -> green, 0.5 -> yellow, 0 -> red."""
    s = min(max(float(score), 0.0), 1.0)
    return QColor.fromHsvF(s / 3.0, 0.9, 0.95)


def joint_kind(source: int, vis: int) -> str:
    """'hidden' | 'human' | 'machine' | 'detected' (occlusion is drawn on top of the kind)."""
    if vis <= 0 or source == int(Source.NONE):
        return "hidden"
    if source in HUMAN:
        return "human"
    if source in DETECTED:
        return "detected"
    return "machine"
