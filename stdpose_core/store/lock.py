"""One writer per project: an operating-system lock on a sidecar file, held for a whole editing session.

The writer of ``p.stdpose`` holds an exclusive ``flock`` (POSIX) or ``msvcrt.locking`` (Windows) lock
on ``p.stdpose-lock`` from the moment it opens the project until it closes it, and keeps a line of
JSON in that file saying who it is (:class:`LockHolder`: pid, host, command, since when). Because the
operating system drops the lock when the process ends, however it ends (crash, SIGKILL, power cut),
a stale lock cannot exist: a sidecar file left behind by a killed writer is simply free to take.

- :meth:`ProjectLock.acquire` takes the lock or raises :class:`ProjectBusyError` at once, naming the
  holder. It never waits for the holder to finish (a writer that waited would edit from a copy that
  was read before the other writer's last edits).
- :func:`read_holder` tells who holds a project's lock (None when nobody does) without ever becoming
  the writer: for a "who holds what" view, or for the message of a read-only window.
- Readers (export, eval, info, a read-only window) take no lock at all: SQLite's WAL mode gives them
  a consistent view while the writer commits.

flock locks belong to an open file, not to a process: two sessions in one process exclude each other
too (two windows of one app, a test opening a project twice). See docs/adr/0012-one-writer-lock.md.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from stdpose_core.errors import ProjectFileError

LOCK_SUFFIX = "-lock"
#: Windows: the byte locked, far past the JSON, so readers can read the holder line meanwhile.
_WIN_LOCK_OFFSET = 1 << 30
#: How long :meth:`ProjectLock.acquire` retries while only a :func:`read_holder` probe (a shared lock,
#: held for microseconds) is in the way; a real writer (an exclusive lock) is reported at once.
_PROBE_GRACE_S = 0.1


@dataclass(frozen=True)
class LockHolder:
    """Who writes a project: process id, host name, command line, and since when (Unix time)."""

    pid: int
    host: str
    command: str
    since: float

    def describe(self) -> str:
        """E.g. ``process 4242 on host 'lab-3' (stdpose propagate p.stdpose) since 2026-05-09 11:20:03``."""
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"process {self.pid} on host {self.host!r} ({self.command}) since {when}"

    @classmethod
    def current(cls, command: str | None = None) -> "LockHolder":
        return cls(os.getpid(), socket.gethostname(), command or _command_line(), time.time())


class ProjectBusyError(ProjectFileError):
    """Another session holds the project's write lock; ``holder`` says who (None when unknown)."""

    def __init__(self, path: str | Path, holder: LockHolder | None):
        self.holder = holder
        who = holder.describe() if holder else "another program"
        super().__init__(path, f"is being edited by {who}; close it there first, or open it read-only")


def lock_path(project_path: str | Path) -> Path:
    """The sidecar file whose lock marks the writer of ``project_path`` (``p.stdpose-lock``)."""
    p = Path(project_path)
    return p.with_name(p.name + LOCK_SUFFIX)


def _command_line() -> str:
    argv = list(getattr(sys, "orig_argv", None) or sys.argv)  # orig_argv keeps "python -m module"
    if argv and (argv[0] == sys.executable or Path(argv[0]).name.startswith("python")):
        argv[0] = Path(argv[0]).name
    elif argv:
        argv[0] = Path(argv[0]).name or "python"
    text = " ".join(argv)
    return text if len(text) <= 200 else text[:197] + "..."


# ---- the platform part: try to lock an open file without waiting -----------------------------------
if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, exclusive: bool = True) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # Windows has no shared byte locks: probes use it too
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool = True) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_line(path: Path) -> LockHolder | None:
    try:
        with open(path, "rb") as f:
            data = json.loads(f.readline().decode("utf-8", "replace"))
        return LockHolder(int(data["pid"]), str(data["host"]), str(data["command"]), float(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_holder(project_path: str | Path) -> LockHolder | None:
    """Who holds the write lock of ``project_path`` now; None when nobody does.

    Never blocks and never becomes the writer. (On POSIX the test takes a *shared* lock for a few
    microseconds and drops it; :meth:`ProjectLock.acquire` tells that apart from a writer and retries.)
    """
    path = lock_path(project_path)
    try:
        fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    except OSError:
        return None  # no sidecar: nobody ever wrote it, or the last writer closed cleanly
    try:
        if _try_lock(fd, exclusive=False):
            _unlock(fd)
            return None  # free: a sidecar left behind by a writer that was killed
    finally:
        os.close(fd)
    holder = _read_line(path)
    if holder is not None:
        return holder
    try:  # locked, but its line is not written yet (or was just removed with the lock)
        return LockHolder(0, "?", "unknown program", os.path.getmtime(path))
    except OSError:
        return None  # released meanwhile


class ProjectLock:
    """The write lock of one project, held until :meth:`release` (or the process ends)."""

    def __init__(self, project_path: Path, fd: int, holder: LockHolder):
        self.project_path = project_path
        self.path = lock_path(project_path)
        self.holder = holder
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, project_path: str | Path, command: str | None = None) -> "ProjectLock":
        """Take the write lock of ``project_path`` or raise :class:`ProjectBusyError` (no waiting).

        OSError when the sidecar cannot be created (read-only folder): the caller opens read-only.
        """
        project_path = Path(project_path)
        path = lock_path(project_path)
        deadline = time.monotonic() + _PROBE_GRACE_S
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            if _try_lock(fd):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(path))
                except FileNotFoundError:
                    same = False
                if same:
                    break
                _unlock(fd)  # the previous holder removed the file between our open and our lock
                os.close(fd)
                continue
            probe_only = os.name != "nt" and _try_lock(fd, exclusive=False)  # shared = no writer holds it
            if probe_only:
                _unlock(fd)
            os.close(fd)
            if not probe_only or time.monotonic() >= deadline:
                raise ProjectBusyError(project_path, read_holder(project_path) or _read_line(path))
            time.sleep(0.002)  # a read_holder() probe, gone in microseconds
        holder = LockHolder.current(command)
        try:
            line = (json.dumps(asdict(holder)) + "\n").encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, line, 0) if hasattr(os, "pwrite") else (os.lseek(fd, 0, 0), os.write(fd, line))
        except OSError:
            pass  # the lock is what counts; a holder line is only for messages
        return cls(project_path, fd, holder)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up and remove the sidecar (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.unlink(self.path)  # while still locked: a newcomer then locks a fresh file, never ours
        except OSError:
            pass
        _unlock(fd)
        os.close(fd)

    def __enter__(self) -> "ProjectLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
