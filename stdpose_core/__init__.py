"""STDPose Annotator core: everything that does not need Qt.

Coordinates everywhere are pixels, 0-based, x to the right, y down, unless a docstring says otherwise.
"""

__version__ = "0.1.0"
