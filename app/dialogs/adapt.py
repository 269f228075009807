"""Model → Adapt to this video: fine-tune the active model on this project's keyframes.

Thin glue over the core job :func:`stdpose_core.training.adapt.adapt_job` (the CLI's ``stdpose
adapt`` runs the same function) over the frame loader's source: the window's job runner runs it on its
worker thread with progress and Cancel (a cancelled run writes nothing), and a message says what came
of it — the adapted model becomes the project's model only if it beats its base on the project's own
keyframes by more than chance.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.shortcuts import ActionSpec

ADAPT = ActionSpec("model.adapt", "&Adapt to this video", (), "Model",
                   "Fine-tune the active STDPose model on this project's keyframes; kept only if it gets better here")


def adapt_work(source, project_path: Path, settings=None):
    """Job: ``adapt_job`` over the frame loader's source (shared with the annotator, never closed here)."""

    def work(project):
        from stdpose_core.ops.jobs import check_frames
        from stdpose_core.training.adapt import adapt_job

        check_frames(source, project)
        return (yield from adapt_job(project, source, project_path, settings=settings))

    return work


def start_adapt(window, settings=None) -> bool:
    """Start adaptation on the open project; False (with a message) when it cannot start."""
    doc = window.doc
    if doc.session is None or doc.path is None:
        QMessageBox.information(window, "Adapt to this video", "Open a project first: adaptation learns from its keyframes.")
        return False
    if importlib.util.find_spec("torch") is None:
        QMessageBox.information(window, "Adapt to this video", "Adaptation needs PyTorch, which this build does not include "
                                "(it runs models with onnxruntime). Run 'stdpose adapt PROJECT' from a Python install.")
        return False

    def done(result) -> None:
        QMessageBox.information(window, "Adapt to this video", result.summary())

    return window.jobs.run("Adapting the model", adapt_work(window.loader.source, doc.path, settings), done)
