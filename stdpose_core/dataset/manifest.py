"""The dataset file: ``DIR/stdpose-dataset.json`` lists a dataset's videos, their projects and who does what.

A dataset is a folder holding this one small JSON file (see docs/adr/0009-datasets.md)::

    {"stdpose_dataset": 1,
     "videos": [{"name": "match01", "video": "videos/match01.mp4", "project": "videos/match01.stdpose",
                 "state": "todo", "assignee": "", "gt": "gt/match01.json"}, ...]}

Paths are relative to ``DIR`` (posix separators), so the folder can sit on a shared drive that each
machine mounts elsewhere. ``state`` is one of :data:`STATES`; ``assignee`` is free text ("" = nobody);
``gt`` (optional) is a ground-truth annotation file for ``stdpose dataset eval``. Unknown keys are kept.

Several annotators (and batch jobs on several machines) change the file at once, so every change is
a read-modify-write under a file lock (:func:`update`) ending in an atomic replace: a reader sees the
old file or the new one, and no change is lost. A file edited by hand into nonsense is never
rewritten: :func:`load` names the problem in one line and :func:`update` refuses before writing. An
entry that is wrong on its own (no name, an unknown state, a duplicate name) is reported and left
out of everything (status, next, batch jobs), but it stays in the file exactly as it was written.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from stdpose_core.errors import InputError, StdposeError

DATASET_FILE = "stdpose-dataset.json"
#: Hidden folder beside the dataset file: the file lock, job records, the status cache, export parts.
WORK_DIR = ".stdpose-dataset"
FORMAT_VERSION = 1
STATES = ("todo", "in progress", "review", "done")
#: How long :func:`update` waits for another writer of the dataset file before giving up.
LOCK_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class VideoEntry:
    """One video of a dataset. Paths are as written in the file (relative to the dataset folder)."""

    name: str
    video: str
    project: str
    state: str = "todo"
    assignee: str = ""
    gt: str | None = None

    def video_path(self, root: Path) -> Path:
        return _resolve(root, self.video)

    def project_path(self, root: Path) -> Path:
        return _resolve(root, self.project)

    def gt_path(self, root: Path) -> Path | None:
        return None if not self.gt else _resolve(root, self.gt)


def _resolve(root: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else Path(root) / p


@dataclass
class Dataset:
    """A loaded dataset file: the valid ``entries`` in file order and one line per ``problem``."""

    root: Path
    entries: list[VideoEntry]
    problems: list[str] = field(default_factory=list)

    @property
    def file(self) -> Path:
        return dataset_file(self.root)

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def entry(self, name: str) -> VideoEntry:
        for e in self.entries:
            if e.name == name:
                return e
        raise StdposeError(f"{self.file}: no video named {name!r} (see `stdpose dataset status {self.root}`)")


def dataset_file(root: str | Path) -> Path:
    return Path(root) / DATASET_FILE


def work_dir(root: str | Path, *parts: str) -> Path:
    """``DIR/.stdpose-dataset/<parts>`` (created)."""
    path = Path(root, WORK_DIR, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_dataset(path: str | Path) -> bool:
    return dataset_file(path).is_file()


def check_name(name: object) -> str | None:
    """Why ``name`` cannot name a video (it names its export and record files), or None."""
    if not isinstance(name, str) or not name.strip():
        return "has no name"
    if any(c in name for c in '/\\:*?"<>|') or name.startswith(".") or name != name.strip():
        return f"name {name!r} must not contain / \\ : * ? \" < > |, start with a dot or have spaces at its ends"
    return None


# ---- reading -------------------------------------------------------------------------------------
def read_document(root: str | Path) -> dict:
    """The file's JSON document, checked at the top level (InputError naming the file otherwise)."""
    path = dataset_file(root)
    if not path.is_file():
        raise InputError(root, f"not a dataset folder (no {DATASET_FILE}); create one with `stdpose dataset init {root}`")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg}); "
                               "fix it by hand, nothing was changed") from None
    if not isinstance(doc, dict):
        raise InputError(path, "must hold a JSON object with a 'videos' list; nothing was changed")
    version = doc.get("stdpose_dataset")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError(path, "is not a STDPose dataset file (no 'stdpose_dataset' version number); nothing was changed")
    if version > FORMAT_VERSION:
        raise InputError(path, f"was written by a newer STDPose Annotator (dataset format {version}, this version reads "
                               f"up to {FORMAT_VERSION}); please upgrade")
    if not isinstance(doc.get("videos", []), list):
        raise InputError(path, "'videos' must be a list; nothing was changed")
    doc.setdefault("videos", [])
    return doc


def parse_entries(doc: dict, where: str | Path) -> tuple[list[VideoEntry], list[str], list[int]]:
    """``(entries, problems, item_index)``: the valid entries, one line per bad item, and for each
    entry its index in ``doc["videos"]``."""
    entries, problems, index = [], [], []
    seen: set[str] = set()
    for i, item in enumerate(doc["videos"]):
        label = f"{where}: videos[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{label}: not an object; left out")
            continue
        name = item.get("name")
        bad = check_name(name)
        if bad:
            problems.append(f"{label}: {bad}; left out")
            continue
        label = f"{where}: video {name!r}"
        if name in seen:
            problems.append(f"{label}: listed twice; the second entry (videos[{i}]) is left out")
            continue
        why = _entry_problem(item)
        if why:
            problems.append(f"{label}: {why}; left out")
            continue
        seen.add(name)
        entries.append(VideoEntry(name=name, video=item["video"], project=item["project"],
                                  state=item.get("state", "todo"), assignee=item.get("assignee") or "",
                                  gt=item.get("gt") or None))
        index.append(i)
    return entries, problems, index


def _entry_problem(item: dict) -> str | None:
    for key in ("video", "project"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            return f"'{key}' must be a path (text)"
    if not item["project"].endswith(".stdpose"):
        return f"'project' must be a .stdpose file, not {item['project']!r}"
    state = item.get("state", "todo")
    if state not in STATES:
        return f"state {state!r} is not one of {', '.join(STATES)}"
    for key in ("assignee", "gt"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return f"'{key}' must be text"
    return None


def load(root: str | Path) -> Dataset:
    """Read ``DIR/stdpose-dataset.json`` (no lock: the file is only ever replaced whole)."""
    root = Path(root)
    doc = read_document(root)
    entries, problems, _ = parse_entries(doc, dataset_file(root))
    return Dataset(root, entries, problems)


# ---- writing -------------------------------------------------------------------------------------
def file_lock(root: str | Path, timeout: float = LOCK_TIMEOUT_S):
    """The lock every writer of the dataset file holds around its read-modify-write (a context manager)."""
    from filelock import FileLock

    return FileLock(str(work_dir(root) / "dataset.lock"), timeout=timeout)


def write_document(root: str | Path, doc: dict) -> None:
    """Replace the dataset file atomically with ``doc`` (call with :func:`file_lock` held)."""
    from stdpose_core.io.atomic import atomic_write_bytes

    data = (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    atomic_write_bytes(dataset_file(root), data)


class Change:
    """What an :func:`update` callback may do: look at the valid entries and change their fields."""

    def __init__(self, doc: dict, entries: list[VideoEntry], index: list[int]):
        self.doc, self.entries = doc, entries
        self._index = dict(zip((e.name for e in entries), index))
        self.changed = False

    def item(self, name: str) -> dict:
        """The raw item of a valid entry (KeyError for an unknown or invalid name)."""
        return self.doc["videos"][self._index[name]]

    def set(self, name: str, **fields) -> None:
        """Set fields of entry ``name`` (a state from :data:`STATES`, an assignee...)."""
        if "state" in fields and fields["state"] not in STATES:
            raise StdposeError(f"state {fields['state']!r} is not one of {', '.join(STATES)}")
        item = self.item(name)
        for k, v in fields.items():
            if item.get(k) != v:
                item[k] = v
                self.changed = True
        if self.changed:
            item["updated"] = round(time.time(), 3)

    def add(self, item: dict) -> None:
        self.doc["videos"].append(item)
        self.changed = True


def update(root: str | Path, change: Callable[[Change], object], timeout: float = LOCK_TIMEOUT_S):
    """Read-modify-write of the dataset file under its lock; returns what ``change(c)`` returns.

    ``change`` sees the file as it is now (never a copy read earlier, so nobody else's change is lost)
    and edits it through :class:`Change`; the file is rewritten only when something changed. A file
    that does not parse is never rewritten (InputError before anything is written).
    """
    from filelock import Timeout

    root = Path(root)
    try:
        with file_lock(root, timeout):
            doc = read_document(root)
            entries, _, index = parse_entries(doc, dataset_file(root))
            c = Change(copy.deepcopy(doc), entries, index)
            result = change(c)
            if c.changed:
                write_document(root, c.doc)
            return result
    except Timeout:
        raise StdposeError(f"{dataset_file(root)}: another program has held the dataset file's lock for over "
                           f"{timeout:.0f} s; try again") from None
