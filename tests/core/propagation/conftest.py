"""Make the clip generator of this folder importable as ``prop_clips`` (pytest runs in importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
