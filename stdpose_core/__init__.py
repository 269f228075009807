"""STDPose Annotator core: everything that does not need Qt.

Coordinates everywhere are pixels, 0-based, x to the right, y down, unless a docstring says otherwise.
"""

__version__ = "0.1.0"


def package_version() -> str:
    """The installed distribution's version (recorded in checkpoints and training runs); "0+unknown"
    in a source tree without installed metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stdpose-annotator")
    except PackageNotFoundError:
        return "0+unknown"
