"""Review by confidence (issue 8): the review queue dock (:mod:`.panel`), Ctrl+→ / Ctrl+← through it,
and the shared :class:`~app.review.state.ReviewState` the confidence row under the timeline
(:mod:`app.confidence`) also shows. The window builds them (``window.review``, ``window.review_panel``).
"""
