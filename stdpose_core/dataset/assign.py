"""Who works on which video: ``stdpose dataset next`` and changes of state and assignee.

Both are read-modify-writes of the dataset file under its lock (:func:`~.manifest.update`), so two
annotators asking for the next video at the same moment — on two machines sharing the folder — get
two different videos, and nobody's change of another video is lost.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from stdpose_core.dataset import locks
from stdpose_core.dataset.manifest import STATES, Change, VideoEntry, update
from stdpose_core.errors import StdposeError


def check_person(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise StdposeError("--me needs a name (who takes the video)")
    return name


def take_next(root: str | Path, me: str) -> tuple[VideoEntry | None, list[str]]:
    """Hand ``me`` the first video (dataset order) that is ``todo``, assigned to nobody and not being
    written by anyone: it becomes ``in progress``, assigned to ``me``. Returns that entry (None when
    none is left) and the videos ``me`` already has in progress."""
    me = check_person(me)
    root = Path(root)

    def take(c: Change):
        mine = [e.name for e in c.entries if e.assignee == me and e.state == "in progress"]
        for e in c.entries:
            if e.state == "todo" and not e.assignee and e.project_path(root).is_file() and locks.holder(e.project_path(root)) is None:
                c.set(e.name, state="in progress", assignee=me)
                return replace(e, state="in progress", assignee=me), mine
        return None, mine

    return update(root, take)


def set_fields(root: str | Path, name: str, state: str | None = None, assignee: str | None = None) -> VideoEntry:
    """Set video ``name``'s state and/or assignee ("" = nobody); returns the changed entry."""
    if state is not None and state not in STATES:
        raise StdposeError(f"state {state!r} is not one of {', '.join(STATES)}")
    fields = {k: v for k, v in (("state", state), ("assignee", None if assignee is None else assignee.strip())) if v is not None}

    def change(c: Change) -> VideoEntry:
        entry = next((e for e in c.entries if e.name == name), None)
        if entry is None:
            raise StdposeError(f"{Path(root) / 'stdpose-dataset.json'}: no video named {name!r}")
        c.set(name, **fields)
        return replace(entry, **fields)

    return update(root, change)
