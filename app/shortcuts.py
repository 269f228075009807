"""The one table of user actions: id, menu text, default key, menu.

The main window builds its QActions from this table, Help → Keyboard Shortcuts lists it and the
settings dialog rebinds it (overrides are stored in QSettings by action id). Handlers are bound by
id in the window, so adding an action = one row here + one handler.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]  # default key sequences (portable text form), first is primary
    menu: str  # "File", "Edit", "View", "Navigate", "Label", "Help", "" (window-only)
    tip: str = ""
    edits: bool = False  # changes the project: disabled while the project is open read-only


def _s(id: str, text: str, keys: str | tuple[str, ...] = (), menu: str = "", tip: str = "", edits: bool = False) -> ActionSpec:
    return ActionSpec(id, text, (keys,) if isinstance(keys, str) else tuple(keys), menu, tip, edits)


ACTIONS: tuple[ActionSpec, ...] = (
    _s("file.open", "&Open…", "Ctrl+O", "File", "Open a video, an image folder or a .stdpose project"),
    _s("file.locate_video", "&Locate video…", (), "File", "Point this project at its video after the file moved", edits=True),
    _s("file.settings", "&Settings…", "Ctrl+,", "File"),
    _s("file.quit", "&Quit", "Ctrl+Q", "File"),
    _s("edit.undo", "&Undo", "Ctrl+Z", "Edit"),
    _s("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Edit"),
    _s("edit.history", "Undo &History", "Ctrl+H", "Edit"),
    _s("edit.add_person", "&Add person (draw a box)", "B", "Edit", edits=True),
    _s("edit.delete_frame", "Delete person from this frame", "Delete", "Edit", edits=True),
    _s("edit.delete_forward", "Delete person from here on", "Shift+Delete", "Edit", edits=True),
    _s("edit.delete_all", "Delete person everywhere", "Ctrl+Delete", "Edit", edits=True),
    _s("edit.copy_previous", "&Copy previous keyframe's pose", "C", "Edit", edits=True),
    _s("edit.swap_ids", "&Swap ids from this frame on…", "W", "Edit", edits=True),
    _s("edit.merge", "&Merge tracks…", "M", "Edit", edits=True),
    _s("edit.accept_prelabels", "&Accept pre-labels", "A", "Edit",
       "Take the detector's pose of the selected person (or everyone) on this frame as it is: a keyframe", edits=True),
    _s("edit.mark_reviewed", "Mark frame &reviewed", "R", "Edit", "Mark all people on this frame (or the selected range) as checked", edits=True),
    _s("edit.vis_visible", "Joint visible", "V", "Edit", edits=True),
    _s("edit.vis_occluded", "Joint occluded", "O", "Edit", edits=True),
    _s("edit.vis_none", "Joint not labelled", "X", "Edit", edits=True),
    _s("edit.regions", "Draw/edit &ignore regions", "I", "Edit",
       "Polygons where nobody is annotated or scored: click points, click the first one to close; drag points", edits=True),
    _s("edit.copy_regions", "Copy ignore regions to the next frames…", "Shift+I", "Edit",
       "Give the next frames (or the selected range) this frame's ignore regions", edits=True),
    _s("label.guided", "&Label this keyframe (guided)", "L", "Label", edits=True),
    _s("label.skip", "Guided: skip joint", ("S", "Tab"), ""),
    _s("label.back", "Guided: previous joint", "Backspace", ""),
    _s("label.cancel", "Cancel mode / clear selection", "Esc", ""),
    _s("view.fit", "&Fit to window", "F", "View"),
    _s("view.actual", "Actual size (1:1)", "Ctrl+0", "View"),
    _s("view.zoom_in", "Zoom in", ("=", "+"), "View"),
    _s("view.zoom_out", "Zoom out", "-", "View"),
    _s("view.trails", "Motion &trails", "T", "View"),
    _s("nav.prev", "Previous frame", "Left", "Navigate"),
    _s("nav.next", "Next frame", "Right", "Navigate"),
    _s("nav.prev_key", "Previous keyframe", "Shift+Left", "Navigate"),
    _s("nav.next_key", "Next keyframe", "Shift+Right", "Navigate"),
    _s("nav.prev_review", "Previous frame needing review", "Ctrl+Left", "Navigate"),
    _s("nav.next_review", "Next frame needing review", "Ctrl+Right", "Navigate"),
    _s("nav.first", "First frame", "Home", "Navigate"),
    _s("nav.last", "Last frame", "End", "Navigate"),
    _s("nav.play", "Play / pause", "Space", "Navigate"),
    _s("nav.goto", "&Go to frame…", "G", "Navigate"),
    *(_s(f"select.person{i}", f"Select person {i}", str(i % 10), "") for i in range(1, 11)),
    _s("help.shortcuts", "&Keyboard Shortcuts", ("F1", "Ctrl+/"), "Help"),
    _s("help.fresh_demo", "Fresh &demo project", (), "Help", "Start the demo over (your current demo project is kept)"),
    _s("help.about", "&About", (), "Help"),
)

BY_ID: dict[str, ActionSpec] = {a.id: a for a in ACTIONS}


def effective_keys(spec: ActionSpec, overrides: dict[str, str]) -> tuple[str, ...]:
    """Keys for ``spec`` after user overrides (an override is one ';'-separated string; '' = none)."""
    if spec.id in overrides:
        text = overrides[spec.id]
        return tuple(k.strip() for k in text.split(";") if k.strip())
    return spec.keys


def conflicts(overrides: dict[str, str]) -> dict[str, list[str]]:
    """Key → action ids bound to it, for keys bound more than once."""
    seen: dict[str, list[str]] = {}
    for spec in ACTIONS:
        for k in effective_keys(spec, overrides):
            seen.setdefault(k.lower(), []).append(spec.id)
    return {k: ids for k, ids in seen.items() if len(ids) > 1}
