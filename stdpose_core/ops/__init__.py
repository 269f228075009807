"""Annotation operations: what a user can do to a project, as core code the CLI, the GUI and tests share.

- :mod:`.annotate`: edit builders (place, move, hide, delete, swap, merge, copy a pose, mark reviewed).
- :mod:`.drag`: drags as gestures whose positions are applied through the session.
- :mod:`.navigation`: where navigation keys go (keyframes, frames needing review).
- :mod:`.human_wins`: a person's joints win over machine values written by a job meanwhile.
- :mod:`.jobs`: one job per long operation (propagate, detect, export) over the caller's frame source.

The GUI (``app/``) keeps presentation and orchestration: it turns gestures and menu choices into
calls of these functions and observes the session.
"""
