"""Training STDPose (``stdpose-retrain``, issue 5).

Modules, in the order a run uses them:

* ``config``   — TrainingSettings: defaults ← model YAML ``training:`` section ← flags; ``args.yaml``
* ``data``     — ``--data`` / ``--pseudo`` SPECs → :class:`~stdpose_core.training.data.Clip` (labels, weights, frames)
* ``triplets`` — which (left, key, right) frames exist; the train/validation split
* ``augment`` / ``dataset`` — crops, targets and augmentations as a torch Dataset
* ``plan``     — every check that must pass before long work (data, device, disk)
* ``init``     — random / timm pretrained / ViTPose / ``--init`` weights
* ``loop``     — the Trainer (AdamW, cosine, clipping, bf16 on CUDA, resume, checkpoints)
* ``distributed`` — several processes under torchrun (DDP; only rank 0 writes)
* ``validate`` — propagation-mode validation at T = ``every``: the model and flow on the same targets
                 (the quality gate), the peak calibration
* ``adapt``    — per-video adaptation (``stdpose adapt``, Model → Adapt to this video)
* ``events``   — named events and the jsonl / tqdm loggers
* ``cli``      — the ``stdpose-retrain`` console script

The registry of trained models and the gate are in :mod:`stdpose_core.trained` (below both
``propagation`` and ``training``).
"""
