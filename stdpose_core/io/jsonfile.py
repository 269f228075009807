"""Loading an annotation JSON file with clear errors (size limit, syntax errors with line/column)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from stdpose_core.errors import InputError

#: Annotation files above this size are refused before reading: parsing them would need many GiB of
#: memory, and no single-video annotation file is anywhere near this big.
MAX_FILE_BYTES = 1 << 30


def _reject_constant(name: str) -> float:
    # json accepts NaN/Infinity by default; they are not JSON and would poison every metric.
    raise ValueError(f"non-finite number {name} is not allowed")


def load_json(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse ``path`` as JSON. Raises :class:`InputError` naming the file for: a missing file, a file
    larger than ``max_bytes`` (checked before reading), bytes that are not UTF-8 JSON, syntax errors
    and truncation (with line and column), and NaN/Infinity literals."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if path.is_dir():
        raise InputError(path, "is a folder, expected an annotation JSON file")
    if size > max_bytes:
        raise InputError(path, f"file is {size / (1 << 30):.1f} GiB; annotation files over {max_bytes / (1 << 30):.0f} GiB "
                               "are refused (split it per video)")
    if size == 0:
        raise InputError(path, "file is empty, expected JSON")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(path, f"not a JSON text file (invalid UTF-8 at byte {e.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        ends_early = e.pos >= len(text.rstrip()) or (e.msg.startswith("Unterminated string") and text.find('"', e.pos + 1) < 0)
        what = "truncated JSON (file ends early)" if ends_early else f"invalid JSON: {e.msg}"
        raise InputError(path, f"{what} at line {e.lineno}, column {e.colno}") from None
    except ValueError as e:
        raise InputError(path, f"invalid JSON: {e}") from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None


def is_finite_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
