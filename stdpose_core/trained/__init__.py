"""Trained STDPose models as the rest of the program sees them: which exist, which one is used, and
whether it may be used automatically. Plain JSON and arithmetic, no torch, so it sits below both
``propagation`` (which picks weights) and ``training`` (which writes entries):

* ``model_registry`` — ``registry.json``: list, add, activate, roll back, remove trained models
* ``gate``           — the quality gate: a model is chosen by 'auto' only if it beats ``flow`` on
                       the same validation clips and keyframe interval T
* ``project_model``  — the model adapted to one project (``stdpose adapt``), kept beside the project
* ``builtin``        — the model shipped with the app (``models/weights``): its card and recorded gate
"""
