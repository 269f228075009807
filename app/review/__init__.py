"""Review by confidence (issue 8): the review queue dock, Ctrl+→ / Ctrl+← through it, and the
confidence curve + threshold under the timeline (:mod:`app.confidence`).

``install(window)`` sets ``window.review`` (the shared :class:`~app.review.state.ReviewState`) and
``window.review_panel``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt


def install(window) -> None:
    from app.confidence import install as install_confidence
    from app.review.panel import ReviewPanel
    from app.review.state import ReviewState

    window.review = ReviewState(window.doc, window.settings.low_confidence, window)
    window.review_panel = ReviewPanel(window, window.review)
    window.add_dock(window.review_panel, Qt.DockWidgetArea.RightDockWidgetArea)
    window.set_handler("nav.next_review", lambda: window.review_panel.step(1))
    window.set_handler("nav.prev_review", lambda: window.review_panel.step(-1))

    def on_threshold(value: float) -> None:
        window.settings.low_confidence = value
        window.timeline_dock.timeline.set_low_confidence(value)

    window.review.threshold_changed.connect(on_threshold)
    install_confidence(window)
