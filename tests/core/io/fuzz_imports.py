"""Fuzzed annotation imports through the public entry point, ``stdpose import PROJECT FILE``
(used by test_fuzz_imports.py and benchmarks/bench_fuzz_imports.py).

Valid PoseTrack18, PoseTrack21 and COCO files are written by the exporter, then damaged by
:func:`mutate`: values replaced by junk or extreme numbers (track ids of 2**70, 1e308, negative
sizes), keys dropped, list items duplicated or dropped, types swapped, ids made to collide, or the
text itself truncated or scribbled over. :func:`import_once` runs the real command in this process
and classifies what happened: ``accepted`` (exit 0), ``rejected`` (exit 2 and one line on stderr
naming the file), or ``traceback`` (anything else: an exception escaping the command, exit 1, a
multi-line message); ``changed`` is set when a rejected import left the project file different.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import random
import shutil
from pathlib import Path

import numpy as np
from test_malformed import paths as _paths  # every (key, index) path into a JSON document; same folder

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.skeleton import get_skeleton

KINDS = ("posetrack18", "posetrack21", "coco")
BIG = [2**70, -(2**70), 2**63, 2**63 - 1, -(2**63) - 1, 2**31, 10**400 // 10**100, 1e308, -1e308, 1e-320]
JUNK = [None, "x", "", "17", -1, 0, 1.5, 3, [], {}, [1, 2], {"a": 1}, True, False, [None] * 51, "\u0000\udcff",
        "../../etc/passwd", "a" * 5000, [[[]]], {"id": {"id": None}}] + BIG


def _project(skeleton: str, frames: int = 6, people: int = 2, seed: int = 0) -> Project:
    rng = np.random.default_rng(seed)
    sk = get_skeleton(skeleton)
    video = VideoInfo("frames", frames, 320, 240, frame_names=[f"{i:06d}.jpg" for i in range(frames)])
    p = Project(sk, video, labeled=np.ones(frames, bool))
    for tid in range(people):
        t = Track.empty(tid * 3 + 1, frames, sk.num_joints, person_id=tid + 10)
        for f in range(frames):
            t.vis[f] = rng.choice([0, 1, 2], size=sk.num_joints).astype(np.int8)
            t.xy[f] = np.where((t.vis[f] > 0)[:, None], rng.uniform(1, 300, (sk.num_joints, 2)), 0).astype(np.float32)
            t.score[f] = np.where(t.vis[f] > 0, 1.0, 0.0)
            t.source[f] = np.where(t.vis[f] > 0, int(Source.MANUAL), 0)
            t.bbox[f] = [10, 10, 100, 200]
            t.head_bbox[f] = [20, 10, 40, 30]
        p.tracks[t.track_id] = t
    p.ignore_regions[2] = [np.array([[0, 0], [30, 0], [30, 20]], np.float32)]
    return p


def base_documents(tmp: Path) -> dict[str, dict]:
    """kind -> a valid JSON document of that kind, written by this project's exporter."""
    from stdpose_core.io import write_annotations

    docs = {}
    for kind in KINDS:
        path = tmp / f"base-{kind}.json"
        write_annotations(_project("coco17" if kind == "coco" else "posetrack18"), path, kind)
        docs[kind] = json.loads(path.read_text())
    return docs


def target_projects(folder: Path) -> dict[str, Path]:
    """kind -> an empty project the fuzzed files of that kind are imported into (same frame names as
    the documents, and the documents' skeleton, so a valid file imports without ``--convert``)."""
    from stdpose_core.session import ProjectSession

    out = {}
    for kind in KINDS:
        path = folder / f"target-{kind}.stdpose"
        if not path.exists():
            p = _project("coco17" if kind == "coco" else "posetrack18", people=0)
            ProjectSession.create(path, Project(p.skeleton, p.video)).close()
        out[kind] = path
    return out


def _id_like(path: tuple) -> bool:
    return bool(path) and isinstance(path[-1], str) and (path[-1].endswith("id") or path[-1] in ("id", "frame_id"))


def mutate(rng: random.Random, base: dict) -> bytes:
    """A damaged copy of ``base`` as file bytes (see module docstring)."""
    doc = copy.deepcopy(base)
    for _ in range(rng.randint(1, 4)):
        where = list(_paths(doc))[1:]
        if not where:
            break
        ids = [p for p in where if _id_like(p)]
        path = rng.choice(ids) if ids and rng.random() < 0.35 else rng.choice(where)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = rng.random()
        if op < 0.15 and isinstance(parent, dict):
            parent.pop(key, None)
        elif op < 0.25 and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))  # duplicate (colliding ids, repeated images)
        elif op < 0.32 and isinstance(parent, list):
            del parent[key]
        elif op < 0.5 and _id_like(path):
            parent[key] = rng.choice(BIG + [-1, 0, parent[key] if not isinstance(parent[key], (list, dict)) else 0])
        elif op < 0.6 and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            parent[key] = rng.choice([str(parent[key]), -parent[key], parent[key] * 10**rng.randint(3, 30), float("nan")])
        else:
            parent[key] = copy.deepcopy(rng.choice(JUNK))
    text = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
    r = rng.random()
    if r < 0.05:
        text = text[: rng.randint(0, len(text))]
    elif r < 0.1:
        data = bytearray(text)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        text = bytes(data)
    return text


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_once(template: Path, data: bytes, work: Path) -> dict:
    """Import ``data`` (file bytes) into a fresh copy of ``template`` with ``stdpose import``."""
    from stdpose_core.cli.main import main

    project = work / "p.stdpose"
    shutil.copyfile(template, project)
    before = digest(project)
    ann = work / "fuzzed.json"
    ann.write_bytes(data)
    err, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = main(["import", str(project), str(ann)])
    except BaseException as exc:  # noqa: BLE001 - exactly what the fuzzing looks for
        return {"outcome": "traceback", "detail": f"{type(exc).__name__}: {exc}"[:300], "changed": False}
    lines = err.getvalue().strip().splitlines()
    if rc == 0:
        outcome = "accepted"
    elif rc == 2 and len(lines) == 1 and lines[0].startswith("error: ") and str(ann) in lines[0] or (
            rc == 2 and len(lines) == 1 and lines[0].startswith("error: ") and str(project) in lines[0]):
        outcome = "rejected"
    else:
        outcome = "traceback"
    changed = outcome != "accepted" and digest(project) != before
    return {"outcome": outcome, "detail": " | ".join(lines)[:300], "changed": changed, "rc": rc}
