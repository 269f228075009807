"""Training recipes: several ``stdpose-retrain`` stages in a row, described by one YAML file.

    stdpose-retrain --recipe models/recipes/stdpose_cpu.yaml --out runs/default [--resume]
                    [--data-root ../shared/data] [--stages synth jhmdb]

A recipe (``models/recipes/*.yaml``)::

    model: stdpose_cpu                  # registered name or a model YAML (relative to the recipe)
    training: {...}                     # settings shared by every stage (keys of TRAIN_DEFAULTS)
    stages:
      - name: synth                     # run folder OUT/synth
        data:                           # data sources, expanded to --data SPECs (below)
          - synth: {clips: 48, persons: [1, 3], frames: 60, size: [320, 240], seed: 1000}
        val: [...]                      # optional, same forms (--val-data)
        training: {...}                 # this stage's settings (override the shared ones)
      - name: jhmdb                     # starts from the previous stage's best.pt (--init)
        data:
          - split: splits/jhmdb.json    # a split file of clip names (relative to models/)
            subset: train               # its list to use ("train"); "fit"/"tune" = train without/only the tune slice
            spec: "{root}/jhmdb/{name}.json:{root}/jhmdb/{name}.avi"   # {root} = --data-root
        ...

Data forms: ``spec: SPEC`` (one ``--data`` SPEC; ``{root}`` expanded), ``split:`` as above, ``synth:``
(clips rendered by ``stdpose synth`` into ``OUT/synth-data/`` once; their ground truth is the data).
Each stage is one ``stdpose-retrain`` run; a finished stage leaves ``OUT/<stage>/done.json`` and is
skipped; ``--resume`` continues the unfinished stage from its ``last.pt``. Stages after the first start
from the previous stage's ``best.pt`` (weights only). The final model is ``OUT/<last stage>/best.pt``.

The *tune slice* (:func:`tune_clips`): the JHMDB training clips whose source-video group hashes to 0
mod 10 (53 of 436 clips, 28 of 202 groups) — design choices are judged there, never on ``val``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from stdpose_core.errors import InputError, StdposeError

#: Source-video groups whose sha256 is 0 modulo this form the tune slice.
TUNE_MODULO = 10


def split_names(path: str | Path, subset: str) -> list[str]:
    """Clip names ``action/clip`` of list ``subset`` of a split file (``models/splits/jhmdb.json``)."""
    from stdpose_core.model.config import read_yaml

    doc = read_yaml(path, "split file")  # JSON is YAML
    base = {"fit": "train", "tune": "train"}.get(subset, subset)
    if not isinstance(doc, dict) or not isinstance(doc.get(base), list):
        raise InputError(path, f"split file has no list {base!r}")
    names = [str(n) for n in doc[base]]
    if subset in ("fit", "tune"):
        fit, tune = tune_clips(names)
        return fit if subset == "fit" else tune
    return names


def source_group(name: str) -> str:
    """``action/<source video>``: a JHMDB clip name without its ``_<action>_...`` suffix."""
    action, clip = name.split("/", 1)
    return f"{action}/{clip.split(f'_{action}_')[0]}"


def tune_clips(train: list[str]) -> tuple[list[str], list[str]]:
    """``(fit, tune)``: the training clips split by source-video group (see the module docstring)."""
    def is_tune(n: str) -> bool:
        return int(hashlib.sha256(source_group(n).encode()).hexdigest(), 16) % TUNE_MODULO == 0

    return [n for n in train if not is_tune(n)], [n for n in train if is_tune(n)]
