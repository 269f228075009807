"""Persistence of projects in SQLite ``.stdpose`` files."""

from stdpose_core.store.sqlite_store import ProjectStore

__all__ = ["ProjectStore"]
