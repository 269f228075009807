"""Generated training data for the training tests: a synth clip (frames + PoseTrack18 gt.json), a
project file made from it, and a small-input stdpose_tiny config (128x96 crops keep CPU steps short)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from stdpose_core.data.source import Source

REPO = Path(__file__).resolve().parents[3]


def write_small_config(path: Path, **training) -> Path:
    """``models/stdpose_tiny.yaml`` at 128x96 input (same architecture) plus a ``training:`` section."""
    d = yaml.safe_load((REPO / "models" / "stdpose_tiny.yaml").read_text())
    d.update(img_size=[128, 96], heatmap_size=[32, 24])
    d["training"] = {"batch_size": 4, "lr": 1e-3, "warmup": 2, "val_max": 16, **training}
    path.write_text(yaml.safe_dump(d))
    return path


def make_project(path: Path, clip_dir: Path, gt, keep=None, machine_joints=()):
    """A .stdpose project over ``clip_dir/frames`` whose tracks are ``gt``'s, as MANUAL labels.

    ``keep[F]`` bool limits labels to some frames; ``machine_joints`` are joint indices stored as
    PROPAGATED instead (training must ignore them)."""
    from stdpose_core.data.edits import AddTrack
    from stdpose_core.project_ops import create_project

    session = create_project(path, clip_dir / "frames")
    for _tid, t in sorted(gt.tracks.items()):
        c = t.copy()
        if keep is not None:
            c.vis[~keep] = 0
            c.bbox[~keep] = np.nan
        on = c.vis > 0
        c.source[:] = np.where(on, Source.MANUAL, Source.NONE)
        for j in machine_joints:
            c.source[on[:, j], j] = Source.PROPAGATED
        c.score[:] = on
        session.apply(AddTrack(c))
    session.close()
    return path


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory):
    """``(clip_dir, SynthClip)``: 2 people, 24 frames of 256x192, written as frames/ + gt.json."""
    from stdpose_core.synth import generate_clip, write_clip

    out = tmp_path_factory.mktemp("synth") / "clip"
    clip = generate_clip(persons=2, frames=24, size=(256, 192), seed=3)
    write_clip(clip, out)
    return out, clip


@pytest.fixture
def small_config(tmp_path):
    return write_small_config(tmp_path / "tiny_small.yaml")


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch):
    """The model registry goes to a temporary folder, never the user's."""
    d = tmp_path / "models_dir"
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(d))
    return d


@pytest.fixture
def project_maker():
    """:func:`make_project` (fixtures are how test modules share helpers under importlib mode)."""
    return make_project


@pytest.fixture
def config_writer():
    return write_small_config
