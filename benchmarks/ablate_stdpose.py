"""One row of the model card's ablation table: ``stdpose_cpu`` with config overrides, trained briefly
from random weights on the JHMDB ``fit`` clips and validated on the tune slice.

    .venv/bin/python benchmarks/ablate_stdpose.py NAME '{"dam_enabled": false}' --out runs/ablation
        [--steps 250] [--threads 1]

``JSON``: keyword overrides of ``get_config('stdpose_cpu', ...)`` (``'{}'`` = the model as shipped;
``'{"flow_prior": false}'`` = paper-faithful; ``img_size``/``heatmap_size``; ``embed_dim``/``depth``/…
for model sizes). Training: the recipe's shared settings (``models/recipes/stdpose_cpu.yaml``:
keyframe grids 7/15/30, batch 16, augmentation), one epoch of ``--steps`` steps at lr 5e-4 with 5%
warm-up; ``--data`` the ``fit`` clips of ``models/splits/jhmdb.json``, ``--val-data`` every second
``tune`` clip (400 targets at T = 15, with flow scored on the same targets). Prints training's JSON
lines; the last ``val`` line's ``metric`` (PCK@0.2, box-normalised) and ``gate.flow`` are the row.
Never touches ``val``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from jhmdb_clips import JHMDB, SPLIT  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name", help="the run's folder name under --out")
    ap.add_argument("overrides", help="JSON object of stdpose_cpu config overrides ('{}' = as shipped)")
    ap.add_argument("--out", default=str(REPO / "runs" / "ablation"))
    ap.add_argument("--steps", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: several runs side by side)")
    args = ap.parse_args(argv)

    import torch
    import yaml

    from stdpose_core.model.registry import get_config
    from stdpose_core.training.cli import main as retrain
    from stdpose_core.training.recipe import load_recipe, split_names

    if not SPLIT.is_file() or not JHMDB.is_dir():
        print(f"JHMDB data missing under {JHMDB}", file=sys.stderr)
        return 2
    cfg = get_config("stdpose_cpu", **json.loads(args.overrides)).to_dict()
    cfg["name"] = f"ablation_{args.name}"
    training = dict(load_recipe(REPO / "models" / "recipes" / "stdpose_cpu.yaml")["training"])
    training.update(epochs=1, steps_per_epoch=args.steps, lr=5e-4, warmup=0.05)
    cfg["training"] = training
    out = Path(args.out) / args.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    argv = ["--config", str(out / "model.yaml"), "--out", str(out), "--progress", "jsonl",
            "--registry", str(out / "registry.json")]
    for n in split_names(SPLIT, "fit"):
        argv += ["--data", f"{JHMDB}/{n}.json:{JHMDB}/{n}.avi"]
    for n in split_names(SPLIT, "tune")[::2]:
        argv += ["--val-data", f"{JHMDB}/{n}.json:{JHMDB}/{n}.avi"]
    torch.set_num_threads(args.threads)
    return retrain(argv)


if __name__ == "__main__":
    sys.exit(main())
