"""Persistence of projects in SQLite ``.stdpose`` files, with one writer per project (:mod:`.lock`)."""

from stdpose_core.store.lock import LockHolder, ProjectBusyError, ProjectLock, lock_path, read_holder
from stdpose_core.store.sqlite_store import ProjectStore, sqlite_uri

__all__ = ["LockHolder", "ProjectBusyError", "ProjectLock", "ProjectStore", "lock_path", "read_holder", "sqlite_uri"]
