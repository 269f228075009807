"""Method 'stdpose': the STDPose model in propagation mode.

For a gap between keyframes L and R and one person, ONE crop window (the union of the person's
keyframe boxes, 25% enlarged, crop aspect; ``stdpose_core.model.geometry.CropWindow``) cuts the
keyframes and every frame between them. The keyframes are encoded once with heatmaps rendered from
their labels (``codec.encode``) and cached; target frames are predicted in batches and decoded
(DARK) back to image pixels. A joint's score is its heatmap peak mapped through the checkpoint's
calibration (``meta["calibration"]``, fitted at validation: the probability that the joint is within
0.2 head sizes, the same meaning as ``flow``'s scores) or the raw peak when there is none. Joints whose
peak is too weak fall back to interpolation. One-sided gaps (a person seen on one side only) are
extrapolated by the flow method.

Weights: ``weights=`` when given, else the project's adapted model (``project_path=``), else the
registry's active model, else the model shipped with the app (``stdpose_core.trained.builtin``) —
without the quality gate (``stdpose_core.trained.gate.choose_weights``): the user asked for the model.
Without any, MissingWeightsError says where to get them. Weights for another skeleton are refused
with one line before any work.

A flow-prior model (``ModelConfig.flow_prior``, ADR 0017) first gets the ``flow`` method's result for
the gap; its joints are rendered as prior heatmaps in the same window and fed with every target
frame, and joints the model is unsure of fall back to flow's value instead of interpolation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generator

import numpy as np

from stdpose_core.data.boxes import person_box
from stdpose_core.data.edits import Change, Edit
from stdpose_core.data.project import Project
from stdpose_core.data.source import Source
from stdpose_core.errors import InputError, MissingWeightsError, StdposeError
from stdpose_core.progress import relay
from stdpose_core.propagation.base import Gap, GapResult, Propagator, register
from stdpose_core.propagation.interp import interpolate_gap, shift_boxes
from stdpose_core.trained.gate import choose_weights

#: Below this heatmap peak a joint is taken from interpolation (the model saw nothing there).
MIN_PEAK = 0.1


@dataclass
class RegisterModelVersion(Edit):
    """Adds ``name`` to ``Project.model_versions`` (so ``Track.model_version`` codes resolve); undoable."""

    name: str
    label: str = "register model version"
    _added: bool = field(default=False, repr=False)

    def apply(self, project: Project) -> Change:
        self._added = self.name not in project.model_versions
        if self._added:
            project.model_versions.append(self.name)
        return Change(frozenset(), 0, 0)

    def revert(self, project: Project) -> Change:
        if self._added and project.model_versions and project.model_versions[-1] == self.name:
            project.model_versions.pop()
        return Change(frozenset(), 0, 0)


@register("stdpose")
class StdposePropagator(Propagator):
    """STDPose propagation. Options: ``weights`` (``.pt`` checkpoint or ``.onnx``), ``project_path``
    (the project file, whose adapted model is preferred to the registry's), ``device``
    (auto|cpu|cuda), ``batch`` (target frames per forward pass), ``runtime`` (an already loaded
    :class:`~stdpose_core.model.runtime.PoseRuntime`, e.g. in tests)."""

    source_code = Source.PROPAGATED

    def __init__(self, weights: str | None = None, device: str = "auto", batch: int = 8, runtime=None,
                 project_path: str | Path | None = None) -> None:
        self.choice = choose_weights(weights, project_path, gated=False) if runtime is None else None
        self.weights = self.choice.path if self.choice is not None else weights
        self.device = device
        self.batch = batch
        self._runtime = runtime
        self._calibration = None
        if self.weights is None and runtime is None:
            raise MissingWeightsError(
                "method 'stdpose' needs trained STDPose weights: pass --weights PATH (a .pt checkpoint or .onnx "
                "from stdpose-retrain), or make a trained model active (stdpose models activate ID); "
                "'flow' and 'interp' need no weights"
            )
        from stdpose_core.propagation.flow import FlowPropagator

        self._flow = FlowPropagator()

    @property
    def runtime(self):
        if self._runtime is None:
            from stdpose_core.model import load_runtime

            self._runtime = load_runtime(self.weights, self.device)
        return self._runtime

    def calibrate(self, peak: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] for heatmap peaks (see the module docstring)."""
        if self._calibration is None:
            from stdpose_core.model.calibration import PeakCalibration

            self._calibration = PeakCalibration.from_meta(getattr(self.runtime, "meta", None) or {})
        return self._calibration(peak)

    def check_project(self, project: Project) -> None:
        """StdposeError (one line naming the weights) unless the model's skeleton is the project's."""
        cfg = self.runtime.config
        sk = project.skeleton
        if cfg.num_joints != sk.num_joints or cfg.skeleton != sk.name:
            where = self.weights or "the model"
            raise InputError(where, f"weights are for the {cfg.skeleton} skeleton ({cfg.num_joints} joints); "
                                    f"the project uses {sk.name} ({sk.num_joints} joints)")

    def version_name(self) -> str:
        rt = self.runtime
        stem = Path(self.weights).stem if self.weights else "in-memory"
        return f"stdpose:{rt.config.name}:{stem}"

    def model_version(self, project: Project) -> int:
        name = self.version_name()
        return project.model_versions.index(name) + 1 if name in project.model_versions else len(project.model_versions) + 1

    def release(self) -> None:
        self._flow.release()

    def extra_edits(self, project: Project) -> list[Edit]:
        return [RegisterModelVersion(self.version_name())]

    def run(self, project: Project, source=None, track_ids=None, frames=None):
        self.check_project(project)  # before any work: a wrong checkpoint is one clear line
        return (yield from super().run(project, source, track_ids, frames))

    def fill_group(self, project: Project, source, gaps: list[Gap]) -> Generator[int, None, list[GapResult]]:
        g0 = gaps[0]
        tracks = [project.tracks[g.track_id] for g in gaps]
        from stdpose_core.model import CropWindow, decode, encode, normalize_crops

        rt = self.runtime
        cfg = rt.config
        windows = [CropWindow.around([person_box(t, g0.left), person_box(t, g0.right)], tuple(cfg.img_size),
                                     tuple(cfg.heatmap_size)) for t in tracks] if g0.two_sided else [None]
        if any(w is None for w in windows):  # one-sided, or nothing to place a crop on: flow does it
            return (yield from self._flow.fill_group(project, source, gaps))
        if source is None:
            raise StdposeError("method 'stdpose' needs the video frames (no frame source given)")
        base = [interpolate_gap(t, g, project.skeleton) for t, g in zip(tracks, gaps)]
        n = g0.length
        flow = None
        if cfg.flow_prior:  # flow's joints for the gap first: the model corrects them
            flow_share = 0.2  # of the progress: flow is much faster than the model
            flow = yield from relay(self._flow.fill_group(project, source, gaps), lambda done: int(flow_share * done))
        else:
            flow_share = 0.0

        def keyframe(frame: int):
            img = source.frame(frame)
            crops = normalize_crops(np.stack([w.crop(img) for w in windows]))
            heat = np.stack([encode(w.image_to_heatmap(t.xy[frame]), t.vis[frame], tuple(cfg.heatmap_size), cfg.heatmap_sigma)[0]
                             for w, t in zip(windows, tracks)])
            enc = rt.encode_keyframes(crops, heat)
            return [enc.take(slice(i, i + 1)) for i in range(len(tracks))]

        left, right = keyframe(g0.left), keyframe(g0.right)
        G, K = len(gaps), project.num_joints
        sides = [side for _, side in base]

        def prior(gi: int, a: int, b: int) -> np.ndarray | None:
            """Flow's joints of person ``gi`` on gap frames ``a..b-1`` as heatmaps ``[b-a,K,H,W]``."""
            if flow is None:
                return None
            w, ok = windows[gi], (sides[gi][a:b] == 2) & flow[gi].filled[a:b]
            return np.stack([encode(w.image_to_heatmap(flow[gi].xy[i]), ok[i - a].astype(np.int8) * 2,
                                    tuple(cfg.heatmap_size), cfg.heatmap_sigma)[0] for i in range(a, b)])

        xy = np.zeros((n, G, K, 2), np.float32)
        peak = np.zeros((n, G, K), np.float32)
        for a in range(0, n, self.batch):
            frames = range(g0.start + a, min(g0.stop, g0.start + a + self.batch))
            imgs = [source.frame(f) for f in frames]
            for gi, w in enumerate(windows):
                crops = normalize_crops(np.stack([w.crop(im) for im in imgs]))
                hm_xy, score = decode(rt.predict(crops, left[gi], right[gi], prior(gi, a, a + len(imgs))))
                xy[a : a + len(imgs), gi] = w.heatmap_to_image(hm_xy)
                peak[a : a + len(imgs), gi] = score
            yield int(flow_share * n + (1 - flow_share) * (a + len(imgs)))
        out = []
        for gi, (res, side) in enumerate(base):
            use = (side == 2) & (peak[:, gi] >= MIN_PEAK)
            # Where the model is unsure: flow's value when it fed the model, else interpolation.
            fb = flow[gi] if flow is not None else res
            fb_score = fb.score if flow is not None else np.minimum(res.score, 0.2)
            r = GapResult(np.where(use[..., None], xy[:, gi], fb.xy).astype(np.float32), res.vis.copy(),
                          np.where(use, self.calibrate(peak[:, gi]), fb_score).astype(np.float32),
                          res.filled.copy(), res.bbox.copy(), res.head_bbox.copy())
            r.score[side != 2] = res.score[side != 2]
            shift_boxes(r, res, project.skeleton)
            out.append(r)
        return out
