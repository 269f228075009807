"""The STDPose model that ships with the app: ``models/weights/`` and its card ``builtin.json``.

Found offline through :func:`stdpose_core.paths.package_models_dir` (a checkout, a wheel, the
desktop build). The card (written by ``scripts/ship_default.py``) describes the files and carries the
figures of the model card in ``models/README.md``::

    {"format": "stdpose-builtin-model", "format_version": 1,
     "name": "stdpose_cpu", "checkpoint": "stdpose_cpu.pt", "onnx": "stdpose_cpu.onnx",
     "sha256": {file: hex}, "trained": {...recipe, hardware, hours...},
     "validation": {"clips": "...", "metric": "pck02", "every": {"7": {"model": {"pck02", "mean_px"},
                    "flow": {...}, "interp": {...}}, ...}},
     "gate": {"beats_flow": bool, "rule": "...", "decided": ISO time, "reason": "..."}}

``gate.beats_flow`` is the quality gate's decision for this model (issue 12): ``auto`` may use it
only when it is true. No torch is needed to read the card.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CARD_NAME = "builtin.json"
FORMAT = "stdpose-builtin-model"
#: Environment variable that turns the shipped model off ("0", "off", "no", "false"): then nothing
#: ships as far as the program is concerned (tests of the other models' paths; users who want flow).
ENV_SWITCH = "STDPOSE_BUILTIN_MODEL"


def enabled() -> bool:
    """False when :data:`ENV_SWITCH` turns the shipped model off."""
    import os

    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "off", "no", "false")


def weights_dir() -> Path:
    from stdpose_core.paths import package_models_dir

    return package_models_dir() / "weights"


def builtin_card(directory: Path | None = None) -> dict[str, Any] | None:
    """The shipped model's card, or None when no model ships, it is switched off (:data:`ENV_SWITCH`)
    or the card is unreadable."""
    if not enabled():
        return None
    path = (directory or weights_dir()) / CARD_NAME
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        return None
    card["_dir"] = str(path.parent)
    return card


def builtin_weights(card: dict[str, Any] | None = None, prefer: str = "onnx") -> Path | None:
    """The shipped weight file to load: its ONNX pair (``prefer="onnx"``, needs no torch) or its
    ``.pt`` checkpoint; the other one when the preferred file is missing. None without a model."""
    card = card if card is not None else builtin_card()
    if card is None:
        return None
    d = Path(card["_dir"])
    order = ("onnx", "checkpoint") if prefer == "onnx" else ("checkpoint", "onnx")
    for key in order:
        name = card.get(key)
        if name and (d / name).is_file():
            return d / name
    return None


def builtin_checkpoint() -> Path | None:
    """The shipped ``.pt`` checkpoint (benchmarks, adaptation), or None."""
    return builtin_weights(prefer="checkpoint")


def gate_allows(card: dict[str, Any] | None = None) -> bool:
    """True when the gate decided the shipped model beats flow (so ``auto`` may use it)."""
    card = card if card is not None else builtin_card()
    return bool(card and (card.get("gate") or {}).get("beats_flow") is True)


def card_gate_scores(card: dict[str, Any], every: str = "15"):
    """The card's model-vs-flow figures at T = ``every`` as ``trained.gate.GateScores`` (for notes
    such as 'used the built-in model (PCK@0.2 ... vs flow ...)'); None when the card lacks them."""
    from stdpose_core.trained.gate import GateScores

    row = ((card.get("validation") or {}).get("every") or {}).get(every) or {}
    m, f = row.get("model") or {}, row.get("flow") or {}
    if "pck02" not in m or "pck02" not in f:
        return None
    def figures(d: dict) -> dict:
        return {"pckh02": d.get("pck02"), "mean_px": d.get("mean_px")}

    return GateScores(every=int(every), targets=int(m.get("frames") or 0), model=figures(m), flow=figures(f), norm="box",
                      data=(str((card.get("validation") or {}).get("clips", "")),))


def summary(card: dict[str, Any]) -> str:
    """One line of the card's figures: model vs flow per T on the validation clips, and the gate."""
    val = card.get("validation") or {}
    parts = []
    for t, row in sorted((val.get("every") or {}).items(), key=lambda kv: int(kv[0])):
        m, f = row.get("model") or {}, row.get("flow") or {}
        if "pck02" in m and "pck02" in f:
            parts.append(f"T={t} {m['pck02']:.1f} vs flow {f['pck02']:.1f}")
    gate = "auto uses it" if gate_allows(card) else "auto does not use it (does not beat flow)"
    figures = "; ".join(parts) if parts else "no figures"
    return f"{card.get('name', '?')}: PCK@0.2 on {val.get('clips', 'validation clips')}: {figures}; gate: {gate}"
