"""Method 'auto' (the default): the best method available here, decided by the quality gate.

``stdpose`` when explicit weights are given, or when the project's adapted model or the registry's
active model beats ``flow`` on its validation (``stdpose_core.trained.gate.choose_weights``); else
``flow``, and ``note`` says why the model was passed over. An installed model that cannot be loaded
does not stop the work: 'auto' then runs ``flow`` and says so in ``note``.

``choice`` says how a model that passed the gate is used:

* ``"model"`` — the model fills every two-sided gap (one-sided gaps are flow's anyway);
* ``"gap"``   — both methods fill every gap and, per gap, the one with the higher mean joint score
  wins (both scores estimate the probability of being within 0.2 head sizes; see
  ``model.calibration`` and ``propagation.confidence``);
* ``"joint"`` — the same choice made per joint over the gap.

:data:`DEFAULT_CHOICE` is the one ``benchmarks/bench_gate.py`` measured best on the JHMDB validation
clips (a method that does not win is not made the default).
"""

from __future__ import annotations

from pathlib import Path
from typing import Generator

import numpy as np

from stdpose_core.data.project import Project
from stdpose_core.errors import StdposeError
from stdpose_core.progress import relay
from stdpose_core.propagation.base import REGISTRY, Gap, GapResult, Propagator, accepted_options
from stdpose_core.trained.gate import choose_weights

CHOICES = ("model", "gap", "joint")
DEFAULT_CHOICE = "model"


def choose_method(weights: str | None = None, project_path: str | Path | None = None) -> str:
    """Name of the method 'auto' runs: ``stdpose`` or ``flow``."""
    return "stdpose" if choose_weights(weights, project_path, gated=True).path else "flow"


def _mean_score(res: GapResult, axis=None) -> np.ndarray:
    """Mean score over filled joints (``axis=None``: one number; ``0``: per joint ``[K]``); -1 where none."""
    filled = res.filled
    total = np.where(filled, res.score, 0).sum(axis=axis)
    count = filled.sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), -1.0)


def pick_results(model: GapResult, flow: GapResult, model_code: int, level: str) -> GapResult:
    """Per gap (``level="gap"``) or per joint (``"joint"``) the result with the higher mean score.

    Flow's joints get model-version code 0, the model's ``model_code``. Boxes follow the method
    that supplied most joints.
    """
    if level == "gap":
        use = np.full(model.score.shape[1], bool(_mean_score(model) > _mean_score(flow)))
    elif level == "joint":
        use = _mean_score(model, axis=0) > _mean_score(flow, axis=0)
    else:
        raise StdposeError(f"unknown choice level {level!r}; choose one of gap, joint")
    box_from = model if use.mean() >= 0.5 else flow
    return GapResult(
        np.where(use[None, :, None], model.xy, flow.xy).astype(np.float32),
        np.where(use[None], model.vis, flow.vis).astype(np.int8),
        np.where(use[None], model.score, flow.score).astype(np.float32),
        np.where(use[None], model.filled, flow.filled),
        box_from.bbox.copy(), box_from.head_bbox.copy(),
        np.where(use[None], np.int16(model_code), np.int16(0)).repeat(len(model.score), 0).astype(np.int16),
    )


class ChoicePropagator(Propagator):
    """'auto' with a gated model: both ``model`` and ``flow`` fill each gap; the better-scored wins
    per gap or per joint (see the module docstring)."""

    def __init__(self, model: Propagator, flow: Propagator, level: str = "gap") -> None:
        if level not in ("gap", "joint"):
            raise StdposeError(f"unknown choice {level!r}; choose one of {', '.join(CHOICES)}")
        self.model, self.flow, self.level = model, flow, level
        self.frame_pixels = model.frame_pixels
        self.name = f"{model.name}+{flow.name}"
        self.note = ""
        self._code = 0
        #: Joints filled so far: ``[from the model, in all]`` (two-sided gaps; for reports).
        self.picked = [0, 0]

    @property
    def runtime(self):
        return self.model.runtime

    def model_version(self, project: Project) -> int:
        self._code = self.model.model_version(project)
        return self._code

    def extra_edits(self, project: Project):
        return self.model.extra_edits(project)

    def release(self) -> None:
        self.model.release()
        self.flow.release()

    def run(self, project: Project, source=None, track_ids=None, frames=None):
        self.model.check_project(project)
        return (yield from super().run(project, source, track_ids, frames))

    def fill_group(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        n = gaps[0].length
        flow = yield from self.flow.fill_group(project, source, gaps)
        if not gaps[0].two_sided:
            return flow  # the model extrapolates with flow too: nothing to choose
        # the two halves reported as one pass over the gap
        model = yield from relay(self.model.fill_group(project, source, gaps), lambda done: min(n, (n + done) // 2))
        out = [pick_results(m, f, self._code, self.level) for m, f in zip(model, flow)]
        for r in out:
            self.picked[0] += int((r.filled & (r.model_version > 0)).sum())
            self.picked[1] += int(r.filled.sum())
        return out


def make_auto(weights: str | None = None, project_path: str | Path | None = None, choice: str = DEFAULT_CHOICE,
              **stdpose_opts) -> Propagator:
    """Build the chosen method; its ``name`` stays the chosen one (shown in progress and undo labels).

    Takes the options of ``stdpose`` (weights, project_path, device, …) and ``choice``; ``flow`` runs
    with its defaults. Explicit ``weights`` that fail to load raise; an installed model that fails
    falls back to flow.
    """
    if choice not in CHOICES:
        raise StdposeError(f"unknown choice {choice!r} for 'auto'; choose one of {', '.join(CHOICES)}")
    pick = choose_weights(weights, project_path, gated=True)

    def flow(note: str) -> Propagator:
        prop = REGISTRY["flow"]()
        prop.note = note
        return prop

    if pick.path is None:
        return flow(f"used flow: {pick.note}" if pick.note else "")
    prop = REGISTRY["stdpose"](weights=pick.path, **stdpose_opts)
    try:
        prop.runtime  # noqa: B018 - load now, before any long work
    except StdposeError as e:
        if pick.origin == "explicit":
            raise
        return flow(f"installed STDPose model not usable ({e}); used flow")
    which = {"project": "project", "builtin": "built-in"}.get(pick.origin, "active")
    prop.note = f"used the {which} model ({pick.gate.summary()})" if pick.gate is not None else ""
    if choice == "model":
        return prop
    both = ChoicePropagator(prop, REGISTRY["flow"](), choice)
    both.note = prop.note
    return both


make_auto.options = accepted_options(REGISTRY["stdpose"]) | {"choice"}
REGISTRY["auto"] = make_auto
