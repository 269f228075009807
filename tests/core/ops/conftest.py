"""Make the propagation tests' clip generator importable as ``prop_clips`` (pytest runs in importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "propagation"))
