"""What ``stdpose doctor`` reports: versions, devices, runtimes, weights, folders, and what is missing,
in plain words. Every check is a small function returning :class:`Check` rows, so the GUI's
About/diagnostics view can show the same list."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import platform
import sys
from dataclasses import dataclass

PACKAGES = ("numpy", "torch", "torchvision", "timm", "ultralytics", "onnxruntime-gpu", "onnxruntime",
            "onnx", "PySide6", "opencv-python", "av", "pycocotools", "scipy")


@dataclass(frozen=True)
class Check:
    """One line of the report; ``ok`` False means something is missing and ``hint`` says what to do."""

    topic: str
    value: str
    ok: bool = True
    hint: str = ""


#: Distribution name → import name, for builds without package metadata (the desktop bundle).
MODULES = {"opencv-python": "cv2", "onnxruntime-gpu": "onnxruntime"}
#: Left out of the desktop build on purpose (inference runs on onnxruntime; training needs them).
TRAINING_ONLY = ("torch", "torchvision", "timm", "ultralytics")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        pass
    module = MODULES.get(dist, dist)
    if dist in TRAINING_ONLY or importlib.util.find_spec(module) is None:
        return None  # never import these just to report them (slow, and ultralytics has side effects)
    return str(getattr(importlib.import_module(module), "__version__", "present"))


def check_versions() -> list[Check]:
    from stdpose_core import __version__
    from stdpose_core.paths import bundle_dir

    frozen = bundle_dir() is not None
    rows = [Check("stdpose-annotator", __version__ + (" (desktop build)" if frozen else "")),
            Check("python", f"{platform.python_version()} ({sys.executable})"),
            Check("platform", platform.platform())]
    for dist in PACKAGES:
        v = _version(dist)
        if v is None and dist in ("onnxruntime", "onnxruntime-gpu"):
            continue  # one of the two is enough; reported under 'onnxruntime providers'
        if v is None and frozen and dist in TRAINING_ONLY:
            rows.append(Check(dist, "not in the desktop build (only training and .pt checkpoints need it)"))
            continue
        rows.append(Check(dist, v or "not installed", ok=v is not None,
                          hint="" if v else f"pip install {dist}"))
    return rows


def check_devices() -> list[Check]:
    rows = []
    try:
        import torch

        if torch.cuda.is_available():
            names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
            rows.append(Check("torch device", f"CUDA {torch.version.cuda}: {names}"))
        else:
            built = torch.version.cuda
            why = ("this torch build supports CUDA but no NVIDIA GPU/driver is visible" if built
                   else "this torch build is CPU-only")
            rows.append(Check("torch device", f"CPU only ({why}); {torch.get_num_threads()} threads", ok=True,
                              hint="models run on the CPU: slower, but everything works"))
    except ImportError:
        # The desktop build leaves torch out on purpose: inference runs on onnxruntime.
        rows.append(Check("torch device", "torch not installed: models run with onnxruntime; training "
                          "(stdpose-retrain) and .pt checkpoints need a Python install with torch"))
    except Exception as exc:  # noqa: BLE001 - a broken torch install must not stop the report
        rows.append(Check("torch device", f"torch failed to load: {exc}", ok=False, hint="reinstall torch"))
    try:
        import onnxruntime as ort

        providers = ort.get_available_providers()
        cuda = "CUDAExecutionProvider" in providers
        usable = cuda and _cuda_usable()
        text = ", ".join(providers)
        if cuda and not usable:
            text += " (CUDA provider installed, but no GPU visible: onnxruntime will use the CPU)"
        rows.append(Check("onnxruntime providers", text))
    except Exception as exc:  # noqa: BLE001
        rows.append(Check("onnxruntime providers", f"onnxruntime failed to load: {exc}", ok=False,
                          hint="pip install onnxruntime-gpu (or onnxruntime on macOS)"))
    return rows


def _cuda_usable() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:  # noqa: BLE001
        return False


def check_weights() -> list[Check]:
    from stdpose_core.errors import StdposeError

    rows = []
    try:
        from stdpose_core.detection.weights import resolve_detector_weights

        rows.append(Check("detector weights", str(resolve_detector_weights())))
    except StdposeError as exc:
        rows.append(Check("detector weights", "not found", ok=False, hint=str(exc)))
    try:
        from stdpose_core.trained.gate import choose_weights, gate_of
        from stdpose_core.trained.model_registry import get_active, list_models, registry_path

        models = list_models()
        active = get_active()
        chosen = choose_weights(gated=True).origin
        fallback = "the built-in model (below)" if chosen == "builtin" else "the 'flow' method (no weights needed)"
        if active:
            gate = gate_of(active)
            auto = chosen == "registry"
            rows.append(Check("STDPose model", f"{active['id']} ({active['path']}); "
                                               f"{gate.summary() if gate else 'never compared with flow'}",
                              ok=auto, hint="" if auto else f"'auto' propagation uses {fallback}: the model does not "
                                                            "beat flow on its validation (stdpose models list)"))
        else:
            rows.append(Check("STDPose model", f"none active ({len(models)} registered in {registry_path()})",
                              ok=chosen == "builtin",
                              hint=f"'auto' propagation uses {fallback}; train a model of your own with "
                                   "stdpose-retrain or import a checkpoint in the app's model manager"))
    except StdposeError as exc:
        rows.append(Check("STDPose model", "registry unreadable", ok=False, hint=str(exc)))
    rows.append(check_builtin_model())
    return rows


def check_builtin_model() -> Check:
    """The STDPose model shipped with the app (``models/weights``), with its card's figures and the
    quality gate's decision (``stdpose_core.trained.builtin``)."""
    from stdpose_core.trained.builtin import builtin_card, builtin_weights, summary

    card = builtin_card()
    if card is None:
        return Check("built-in STDPose", "none shipped with this build", ok=True)
    weights = builtin_weights(card)
    if weights is None:
        return Check("built-in STDPose", f"card found in {card['_dir']} but its weight files are missing", ok=False,
                     hint="reinstall stdpose-annotator")
    return Check("built-in STDPose", f"{summary(card)} ({weights})")


def check_folders() -> list[Check]:
    from stdpose_core.paths import user_cache_dir, user_models_dir

    return [Check("models folder", str(user_models_dir())), Check("cache folder", str(user_cache_dir()))]


def run_checks() -> list[Check]:
    return check_versions() + check_devices() + check_weights() + check_folders()
