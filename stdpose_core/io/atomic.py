"""Atomic file writes: the target is either the old file or the complete new one, never half.

The new content goes to a hidden temporary file beside the target, ``.NAME.HOST-PID.XXXXXX.tmp``
(the writer's host and process id in its name), which is renamed over the target once complete. If
the write fails the temporary file is removed; if the writer is killed it stays behind, so every
write first removes the stale temporary files of the same target (:func:`clean_stale_temps`): those
of a process of this host that no longer runs, and any older than a day. Errors name the user's
path, never the temporary file.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import socket
import tempfile
import time
from pathlib import Path
from typing import Callable

from stdpose_core.errors import InputError, StdposeError

#: A temporary file whose writer cannot be checked (another host, an older version) is stale after this.
STALE_AFTER_S = 24 * 3600
_OWNER = re.compile(r"\.(?P<host>[^.]+)-(?P<pid>\d+)\.[^.]+\.tmp$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40] or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else (or cannot tell): keep its file
    return True


def clean_stale_temps(path: str | Path, now: float | None = None) -> list[Path]:
    """Remove temporary files an interrupted write of ``path`` left beside it; returns them."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    now = time.time() if now is None else now
    removed = []
    for name in glob.glob(glob.escape(str(folder / f".{path.name}.")) + "*.tmp"):
        tmp = Path(name)
        m = _OWNER.search(tmp.name)
        try:
            old = now - tmp.stat().st_mtime > STALE_AFTER_S
            mine = m is not None and m["host"] == _host()
            if old or (mine and not _alive(int(m["pid"]))) or (m is None and now - tmp.stat().st_mtime > 3600):
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def _about_target(exc: BaseException, tmp: Path, path: Path) -> BaseException:
    """``exc`` reworded to name ``path`` where it named the temporary file."""
    if isinstance(exc, InputError) and exc.path == str(tmp):
        return InputError(path, f"the written file failed its check ({exc.problem}); {path} was not changed")
    if isinstance(exc, StdposeError) and str(tmp) in str(exc):
        return StdposeError(str(exc).replace(str(tmp), str(path)))
    if isinstance(exc, OSError) and (exc.filename is None or str(exc.filename) == str(tmp)):
        if exc.errno == errno.ENOSPC:
            return OSError(exc.errno, f"disk full while writing; {path.name} was not changed", str(path))
        return OSError(exc.errno, exc.strerror, str(path))
    return exc


def atomic_write_bytes(path: str | Path, data: bytes, check: Callable[[Path], None] | None = None) -> None:
    """Write ``data`` to ``path`` atomically.

    Writes a temporary file in the target's folder, fsyncs it, calls ``check(tmp_path)`` (which may
    raise to refuse the result), then ``os.replace``s it over the target and fsyncs the folder. On any
    failure the temporary file is removed, the target is untouched, and the error names ``path``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    clean_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_host()}-{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise InputError(path, f"cannot write: folder {folder} does not exist") from None
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600 files; exports are ordinary files
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(tmp_path)
        os.replace(tmp_path, path)
    except BaseException as exc:
        tmp_path.unlink(missing_ok=True)
        reworded = _about_target(exc, tmp_path, path)
        if reworded is exc:
            raise
        raise reworded from None
    _fsync_dir(folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (e.g. Windows), so best effort.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
