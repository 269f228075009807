"""``stdpose-retrain --data DATASET_DIR``: a dataset folder stands for every project it lists."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.dataset.manifest import is_dataset, load
from stdpose_core.errors import InputError


def dataset_projects(root: str | Path) -> list[Path]:
    """The project files of a dataset's videos, in dataset order (entries whose project file is
    missing are left out; InputError when none is there)."""
    dataset = load(root)
    projects = [e.project_path(Path(root)) for e in dataset.entries]
    present = [p for p in projects if p.is_file()]
    if not present:
        raise InputError(root, "the dataset lists no existing project file")
    return present


def expand_specs(specs: list[str]) -> list[str]:
    """``--data`` specs with every dataset folder replaced by its projects' paths (others as given)."""
    out: list[str] = []
    for spec in specs:
        if Path(spec).is_dir() and is_dataset(spec):
            out.extend(str(p) for p in dataset_projects(spec))
        else:
            out.append(spec)
    return out
