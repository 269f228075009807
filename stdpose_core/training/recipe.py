"""Training recipes: several ``stdpose-retrain`` stages in a row, described by one YAML file.

    stdpose-retrain --recipe models/recipes/stdpose_cpu.yaml --out runs/default [--resume]
                    [--data-root ../shared/data] [--stages synth jhmdb]

A recipe (``models/recipes/*.yaml``)::

    model: stdpose_cpu                  # registered name or a model YAML (relative to the recipe)
    training: {...}                     # settings shared by every stage (fields of TrainingSettings)
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


# ---------------------------------------------------------------------------------------------- recipes
def load_recipe(path: str | Path) -> dict[str, Any]:
    """Read and check a recipe file (see the module docstring); InputError naming the file on problems."""
    from stdpose_core.model.config import read_yaml

    path = Path(path)
    doc = read_yaml(path, "recipe file")
    if not isinstance(doc, dict) or "model" not in doc or not isinstance(doc.get("stages"), list) or not doc["stages"]:
        raise InputError(path, "a recipe needs 'model' and a non-empty list 'stages'")
    unknown = set(doc) - {"model", "training", "stages", "about"}
    if unknown:
        raise InputError(path, f"unknown recipe key(s) {sorted(unknown)}")
    names = set()
    for i, st in enumerate(doc["stages"]):
        if not isinstance(st, dict) or not st.get("name") or not st.get("data"):
            raise InputError(path, f"stage {i + 1} needs a 'name' and 'data'")
        bad = set(st) - {"name", "data", "val", "training", "pseudo", "about"}
        if bad:
            raise InputError(path, f"stage {st['name']!r}: unknown key(s) {sorted(bad)}")
        if st["name"] in names:
            raise InputError(path, f"stage name {st['name']!r} is used twice")
        names.add(st["name"])
    doc["_path"] = path
    return doc


def _models_dir() -> Path:
    from stdpose_core.paths import package_models_dir

    return package_models_dir()


def _resolve(ref: str, recipe_path: Path) -> Path:
    """A file named in a recipe: relative to the recipe's folder, else to ``models/``."""
    p = Path(ref)
    if p.is_absolute():
        return p
    for base in (recipe_path.parent, _models_dir()):
        if (base / p).exists():
            return base / p
    return recipe_path.parent / p


def synth_specs(cfg: dict[str, Any], out: Path) -> list[str]:
    """Render ``cfg["clips"]`` generated clips into ``out`` (once; existing ones are kept) and return
    their ``gt.json`` specs. ``persons`` is ``[min, max]`` or an int; clip ``i`` uses ``seed + i``."""
    from stdpose_core.progress import run_to_completion
    from stdpose_core.synth import make_scene, write_scene_job

    n = int(cfg.get("clips", 16))
    persons = cfg.get("persons", [1, 3])
    lo, hi = (persons, persons) if isinstance(persons, int) else (int(persons[0]), int(persons[-1]))
    frames = int(cfg.get("frames", 60))
    w, h = (int(v) for v in cfg.get("size", [320, 240]))
    seed = int(cfg.get("seed", 1000))
    specs = []
    for i in range(n):
        d = out / f"clip_{seed + i:06d}"
        if not (d / "gt.json").is_file():
            scene = make_scene(lo + (seed + i) % (hi - lo + 1), frames, (w, h), seed + i, bool(cfg.get("exits", False)))
            run_to_completion(write_scene_job(scene, d, "frames", True))
        specs.append(str(d / "gt.json"))
    return specs


def expand_data(items: list[Any], recipe_path: Path, data_root: Path, out: Path) -> list[str]:
    """``--data`` SPECs of a stage's ``data``/``val`` list (forms in the module docstring)."""
    specs: list[str] = []
    for item in items:
        if isinstance(item, str):
            item = {"spec": item}
        if not isinstance(item, dict) or ("split" in item and "synth" in item) or not {"spec", "split", "synth"} & set(item):
            raise InputError(recipe_path, f"data item {item!r}: give one of 'spec', 'split' (+ 'spec' pattern), 'synth'")
        if "split" in item:
            pattern = item.get("spec")
            if not pattern:
                raise InputError(recipe_path, f"split item {item['split']!r} needs a 'spec' pattern with {{name}}")
            names = split_names(_resolve(item["split"], recipe_path), str(item.get("subset", "train")))
            step = int(item.get("every_nth", 1))
            specs += [str(pattern).format(root=data_root, name=n) for n in names[::step]]
        elif "synth" in item:
            specs += synth_specs(item["synth"] or {}, out / "synth-data")
        else:
            specs.append(str(item["spec"]).format(root=data_root))
    return specs


def stage_config(recipe: dict[str, Any], stage: dict[str, Any]) -> dict[str, Any]:
    """The model YAML (ModelConfig fields + ``training:``) a stage trains with."""
    from stdpose_core.training.config import TrainingSettings, load_model_yaml

    path = recipe["_path"]
    ref = str(recipe["model"])
    source = str(_resolve(ref, path)) if ref.endswith((".yaml", ".yml")) else ref
    model, training = load_model_yaml(source)
    merged = TrainingSettings.from_dict(training, source).merged(recipe.get("training") or {}, str(path))
    merged = merged.merged(stage.get("training") or {}, f"{path} stage {stage['name']}")
    return {**model.to_dict(), "training": merged.to_dict()}


def stage_argv(recipe: dict[str, Any], index: int, out: Path, data_root: Path, resume: bool,
               progress: str, registry: str | None) -> list[str]:
    """The ``stdpose-retrain`` arguments of stage ``index`` (writes its model YAML into its folder)."""
    import yaml

    stage = recipe["stages"][index]
    run = out / stage["name"]
    run.mkdir(parents=True, exist_ok=True)
    cfg = run / "recipe-stage.yaml"
    cfg.write_text(yaml.safe_dump(stage_config(recipe, stage), sort_keys=False), encoding="utf-8")
    argv = ["--config", str(cfg), "--out", str(run), "--progress", progress,
            "--registry", registry or str(out / "registry.json")]
    path = recipe["_path"]
    for spec in expand_data(stage["data"], path, data_root, out):
        argv += ["--data", spec]
    for spec in expand_data(stage.get("val") or [], path, data_root, out):
        argv += ["--val-data", spec]
    for spec in stage.get("pseudo") or []:
        argv += ["--pseudo", str(spec).format(root=data_root)]
    if resume and (run / "last.pt").is_file():
        argv.append("--resume")
    elif index > 0:
        prev = out / recipe["stages"][index - 1]["name"] / "best.pt"
        if not prev.is_file():
            raise StdposeError(f"stage {stage['name']!r} starts from {prev}, which does not exist")
        argv += ["--init", str(prev)]
    return argv


def run_recipe(path: str | Path, out: str | Path, data_root: str | Path, resume: bool = False,
               stages: list[str] | None = None, progress: str = "tty", registry: str | None = None) -> int:
    """Run the recipe's stages in order (see the module docstring). Returns the CLI exit code."""
    import sys

    from stdpose_core.training.cli import main as retrain

    recipe = load_recipe(path)
    out, data_root = Path(out), Path(data_root)
    names = [s["name"] for s in recipe["stages"]]
    unknown = sorted(set(stages or []) - set(names))
    if unknown:
        raise StdposeError(f"{path}: no stage(s) {unknown}; stages: {', '.join(names)}")
    out.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        done = out / name / "done.json"
        if done.is_file() or (stages and name not in stages):
            continue
        print(f"recipe {Path(path).name}: stage {i + 1}/{len(names)} {name!r}", file=sys.stderr, flush=True)
        rc = retrain(stage_argv(recipe, i, out, data_root, resume, progress, registry))
        if rc != 0:
            return rc
        best = out / name / "best.pt"
        done.write_text(json.dumps({"stage": name, "best": str(best)}) + "\n", encoding="utf-8")
    return 0
