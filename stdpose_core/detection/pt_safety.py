"""Loading ``.pt`` detector checkpoints without letting the file run code.

A ``.pt`` file is a pickle: loading it the ordinary way (``torch.load(weights_only=False)``, what
ultralytics does by default) runs whatever functions the file names. So every ``.pt`` passes two
gates before ultralytics sees it:

1. :func:`scan_checkpoint` reads the pickle's list of globals *without unpickling anything*
   (``torch.serialization.get_unsafe_globals_in_checkpoint``) and refuses any name a YOLO checkpoint
   never needs (``os.system``, ``builtins.exec``, ``torch.hub.load`` ...), and any file that is not a
   torch zip archive (old pickle formats cannot be scanned, so they are refused).
2. ultralytics then loads it in its restricted mode (``ULTRALYTICS_SAFE_LOAD``:
   ``torch.load(weights_only=True)`` against an allow-list of model classes, and no ``eval`` of model
   yaml strings). Where the installed torch/ultralytics cannot do that, ``.pt`` files are refused with
   a message saying what to use instead (:func:`require_safe_loading`).

ONNX files are protobuf data, never code, and need neither gate.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from stdpose_core.errors import InputError

#: Modules whose classes a YOLO checkpoint legitimately names (layers, the model, its loss).
ALLOWED_MODULE_PREFIXES = (
    "torch.nn.modules.",
    "ultralytics.nn.",
    "ultralytics.utils.loss.",
    "ultralytics.utils.tal.",
    "torchvision.transforms.",
)
#: Other single names official checkpoints contain (data types, paths, ``Detect.forward`` by getattr).
ALLOWED_NAMES = frozenset({
    "builtins.getattr",
    "collections.OrderedDict",
    "numpy.dtype",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar",
    "ultralytics.utils.IterableSimpleNamespace",
    "ultralytics.yolo.utils.IterableSimpleNamespace",
    "pathlib.PosixPath",
    "pathlib.WindowsPath",
    "pathlib._local.PosixPath",
    "pathlib._local.WindowsPath",
})

LOAD_PROBLEM = "cannot be loaded as an ultralytics YOLO checkpoint"


def _allowed(name: str) -> bool:
    return name in ALLOWED_NAMES or name.startswith(ALLOWED_MODULE_PREFIXES) or name.startswith("numpy.dtypes.")


def scan_checkpoint(path: str | Path) -> list[str]:
    """Check a ``.pt`` file's pickle globals without unpickling it; returns the globals it names.

    Raises :class:`InputError` (one line naming the file) for a file that is not a torch zip
    checkpoint, or that names a function or class outside the allow-list above.
    """
    import torch

    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise InputError(path, f"{LOAD_PROBLEM} (not a torch zip archive; older pickle formats are refused "
                               "because loading them can run code)")
    scan = getattr(torch.serialization, "get_unsafe_globals_in_checkpoint", None)
    if scan is None:
        raise InputError(path, f"{LOAD_PROBLEM} safely with torch {torch.__version__} (needs torch >= 2.6); "
                               "use an ONNX export of it (--weights FILE.onnx)")
    try:
        names = list(scan(str(path)))
    except Exception as exc:  # noqa: BLE001 - a damaged archive fails in zip, pickle or torch code
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise InputError(path, f"{LOAD_PROBLEM} ({detail})") from None
    bad = sorted(n for n in names if not _allowed(n))
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        raise InputError(path, f"refused: it names {bad[0]}{more}, which a YOLO checkpoint never needs "
                               "(a .pt file can run code when loaded; this one was not loaded)")
    return names


def require_safe_loading(ultralytics_module, path: str | Path) -> None:
    """Switch ultralytics to restricted (``weights_only``) loading, or refuse the file.

    ``ultralytics.nn.tasks`` reads the module global ``SAFE_LOAD`` at every load, so setting it here
    works even when ultralytics was imported before the environment variable was set.
    """
    try:
        from ultralytics.nn import tasks
    except ImportError:
        tasks = None
    safe = getattr(tasks, "_SafeLoad", None) if tasks is not None else None
    if safe is None or not getattr(safe, "SUPPORTED", False) or not hasattr(tasks, "SAFE_LOAD"):
        version = getattr(ultralytics_module, "__version__", "?")
        raise InputError(path, f"{LOAD_PROBLEM} safely with ultralytics {version} (it has no restricted "
                               "loading; needs ultralytics >= 8.4 with torch >= 2.6); use an ONNX export "
                               "of it (--weights FILE.onnx)")
    tasks.SAFE_LOAD = True
