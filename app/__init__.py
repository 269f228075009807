"""The desktop editor (PySide6). The only package of the project that imports Qt."""

from app.qt_env import guard_none_refcount as _guard

_guard()
