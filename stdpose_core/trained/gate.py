"""The quality gate: a trained model is used automatically only where it measurably beats ``flow``.

Every model entry (the trainer's registry entry, an adapted project model) carries :class:`GateScores`:
the model's and ``flow``'s scores on the SAME validation targets at the SAME keyframe interval T
(``stdpose_core.training.validate.gate_scores`` computes both). The deciding figure is
:data:`GATE_METRIC`, PCK@0.2 (normalised by the head size, or by the person box when the data has no
head boxes); the model passes when it is strictly higher than flow's.

Who asks the gate:

* ``auto`` propagation (:func:`choose_weights` with ``gated=True``): explicit weights → the project's
  adapted model → the registry's active model → the model shipped with the app (its card's recorded
  decision, ``stdpose_core.trained.builtin``), each only if it passes; otherwise ``flow``, with a note
  saying why;
* method ``stdpose`` (``gated=False``): the same order without the gate — the user asked for the model;
* activating a model (GUI Model → Models…, ``stdpose models activate``): :func:`activation_warning`
  is the question put to the user when the model loses (or was never compared with flow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The figure the gate compares (a key of the validation metrics: PCK@0.2, higher is better).
GATE_METRIC = "pckh02"
#: The metrics kept for both sides (``mean_px`` lower is better; the others higher).
SCORE_KEYS = ("pckh02", "pckh05", "map", "mean_px")


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass(frozen=True)
class GateScores:
    """Model vs flow on the same ``targets`` person-frames at keyframe interval ``every``.

    ``model``/``flow``: metric name → value (:data:`SCORE_KEYS`); ``norm``: "head" or "box" (what
    PCK was normalised by); ``data``: names of the validation sources.
    """

    every: int
    targets: int
    model: dict[str, float]
    flow: dict[str, float]
    norm: str | None = None
    data: tuple[str, ...] = field(default_factory=tuple)
    metric: str = GATE_METRIC

    @property
    def margin(self) -> float | None:
        """Model minus flow in :attr:`metric` points (None when either side is missing)."""
        a, b = _finite(self.model.get(self.metric)), _finite(self.flow.get(self.metric))
        return None if a is None or b is None else a - b

    @property
    def beats_flow(self) -> bool:
        m = self.margin
        return m is not None and m > 0

    def label(self) -> str:
        return "PCK@0.2" + ("" if self.norm in (None, "head") else f" ({self.norm})")

    def summary(self) -> str:
        """One line, e.g. ``PCK@0.2 41.2 vs flow 52.3 (-11.1) at T=7 on 256 person-frames``."""
        a, b, m = _finite(self.model.get(self.metric)), _finite(self.flow.get(self.metric)), self.margin
        if a is None or b is None or m is None:
            return f"no {self.label()} comparison with flow"
        return f"{self.label()} {a:.1f} vs flow {b:.1f} ({m:+.1f}) at T={self.every} on {self.targets} person-frames"

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "every": int(self.every), "targets": int(self.targets), "norm": self.norm,
                "model": {k: _finite(v) for k, v in self.model.items()},
                "flow": {k: _finite(v) for k, v in self.flow.items()}, "data": list(self.data)}

    @classmethod
    def from_dict(cls, d: Any) -> "GateScores | None":
        """None for a missing or malformed record (such a model is treated as never compared)."""
        if not isinstance(d, dict) or not isinstance(d.get("model"), dict) or not isinstance(d.get("flow"), dict):
            return None
        try:
            return cls(every=int(d["every"]), targets=int(d.get("targets", 0)), model=dict(d["model"]), flow=dict(d["flow"]),
                       norm=d.get("norm"), data=tuple(str(x) for x in d.get("data") or ()),
                       metric=str(d.get("metric", GATE_METRIC)))
        except (KeyError, TypeError, ValueError):
            return None


def gate_of(entry: dict[str, Any] | None) -> GateScores | None:
    """The gate record of a registry entry / project-model record (None when it has none)."""
    return GateScores.from_dict((entry or {}).get("gate"))


def activation_warning(entry: dict[str, Any]) -> str | None:
    """What to ask before making ``entry`` the active model, or None when it passes the gate."""
    gate = gate_of(entry)
    name = entry.get("id") or entry.get("name") or "this model"
    if gate is None:
        return (f"{name} was never compared with optical flow, so 'auto' propagation keeps using flow; "
                "the 'stdpose' method will use it.")
    if gate.beats_flow:
        return None
    return (f"{name} loses to optical flow by {-gate.margin:.1f} {gate.label()} points "
            f"({gate.summary()}). 'auto' propagation keeps using flow; the 'stdpose' method will use it.")


@dataclass(frozen=True)
class ModelChoice:
    """Which weights a model method uses: ``path`` (None = none usable), where they came from
    (``explicit``, ``project``, ``registry``, ``builtin`` or ``none``) and ``note``: why others were passed over."""

    path: str | None
    origin: str
    note: str = ""
    gate: GateScores | None = None


def _usable(entry: dict[str, Any] | None, what: str, gated: bool) -> tuple[bool, str]:
    if not entry:
        return False, ""
    if entry.get("mode", "propagation") != "propagation":
        return False, f"{what} was trained in {entry.get('mode')} mode, not for propagation"
    if not Path(str(entry.get("path", ""))).is_file():
        return False, f"{what}'s file {entry.get('path')} is missing"
    if not gated:
        return True, ""
    gate = gate_of(entry)
    if gate is None:
        return False, f"{what} was never compared with flow"
    if not gate.beats_flow:
        return False, f"{what} loses to flow ({gate.summary()})"
    return True, ""


def choose_weights(weights: str | None = None, project_path: str | Path | None = None,
                   registry: str | Path | None = None, gated: bool = True) -> ModelChoice:
    """The weights a model method uses (see the module docstring). Never raises for an unreadable
    registry or project-model file: that model is passed over and the note says why."""
    if weights:
        return ModelChoice(str(weights), "explicit")
    from stdpose_core.errors import StdposeError

    notes = []
    if project_path is not None:
        from stdpose_core.trained.project_model import active_record

        try:
            rec = active_record(project_path)
        except StdposeError as e:
            rec, notes = None, [str(e)]
        ok, why = _usable(rec, "the project's adapted model", gated)
        if ok:
            return ModelChoice(rec["path"], "project", gate=gate_of(rec))
        if why:
            notes.append(why)
    from stdpose_core.trained.model_registry import get_active

    try:
        active = get_active(registry)
    except StdposeError as e:
        active, notes = None, [*notes, str(e)]
    ok, why = _usable(active, f"the active model {active['id']}" if active else "", gated)
    if ok:
        # Its ONNX pair when exported (stdpose models export-onnx): the same joints, no torch needed.
        onnx = active.get("onnx")
        path = onnx if onnx and Path(onnx).is_file() else str(active["path"])
        return ModelChoice(path, "registry", "; ".join(notes), gate_of(active))
    if why:
        notes.append(why)
    elif active is None and not notes:
        notes.append("no trained STDPose model is active")
    builtin = _builtin_choice(gated, notes)
    if builtin is not None:
        return builtin
    return ModelChoice(None, "none", "; ".join(notes))


def _builtin_choice(gated: bool, notes: list[str]) -> ModelChoice | None:
    """The model shipped with the app (``stdpose_core.trained.builtin``), last in the order: gated by
    the decision recorded in its card (``scripts/ship_default.py``). Appends to ``notes`` why not."""
    from stdpose_core.trained.builtin import builtin_card, builtin_weights, card_gate_scores, gate_allows

    card = builtin_card()
    path = builtin_weights(card) if card is not None else None
    if path is None:
        return None
    if gated and not gate_allows(card):
        notes.append(f"the built-in model {card.get('name')} {(card.get('gate') or {}).get('reason', 'was never compared with flow')}")
        return None
    return ModelChoice(str(path), "builtin", "; ".join(notes), card_gate_scores(card))
