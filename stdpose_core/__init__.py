"""STDPose Annotator core: everything that does not need Qt.

Coordinates everywhere are pixels, 0-based, x to the right, y down, unless a docstring says otherwise.
"""

#: The one place the version is written: pyproject.toml reads it from here (setuptools dynamic version).
__version__ = "0.1.0"


def package_version() -> str:
    """The version recorded in checkpoints and training runs (the same in a source tree, a wheel and
    the desktop build, which has no installed metadata)."""
    return __version__
