"""Training STDPose (``stdpose-retrain``, issue 5).

Modules, in the order a run uses them:

* ``config``   — defaults ← model YAML ``training:`` section ← flags; ``args.yaml``
* ``data``     — ``--data`` SPECs → :class:`~stdpose_core.training.data.Clip` (labels + frames)
* ``triplets`` — which (left, key, right) frames exist; the train/validation split
* ``augment`` / ``dataset`` — crops, targets and augmentations as a torch Dataset
* ``plan``     — every check that must pass before long work (data, device, disk)
* ``init``     — random / timm pretrained / ViTPose / ``--init`` weights
* ``loop``     — the Trainer (AdamW, cosine, clipping, bf16 on CUDA, resume, checkpoints)
* ``validate`` — propagation-mode validation at T = ``every`` with the project's metrics
* ``events``   — named events and the jsonl / tqdm loggers
* ``registry`` — the JSON registry of trained models (list, pick, roll back)
* ``cli``      — the ``stdpose-retrain`` console script
"""
