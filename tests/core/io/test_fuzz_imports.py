"""Fuzzed imports through ``stdpose import`` (hypothesis, bounded): every damaged PoseTrack/COCO file
is accepted or rejected with one line naming the file; a rejected import leaves the project
byte-for-byte unchanged; no OverflowError or other traceback (benchmarks/bench_fuzz_imports.py runs
10,000 of them)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from fuzz_imports import BIG, KINDS, base_documents, import_once, mutate, target_projects


@pytest.fixture(scope="module")
def fuzz_setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    work = tmp / "work"
    work.mkdir()
    return base_documents(tmp), target_projects(tmp), work


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), kind=st.sampled_from(KINDS))
def test_fuzzed_import_is_accepted_or_rejected_in_one_line(fuzz_setup, rng, kind):
    docs, templates, work = fuzz_setup
    result = import_once(templates[kind], mutate(rng, docs[kind]), work)
    assert result["outcome"] in ("accepted", "rejected"), result
    assert not result["changed"], result


@pytest.mark.parametrize("value", BIG)
@pytest.mark.parametrize("kind", ["posetrack18", "posetrack21"])
def test_huge_track_ids_are_rejected_naming_the_file(fuzz_setup, kind, value):
    import json

    docs, templates, work = fuzz_setup
    doc = json.loads(json.dumps(docs[kind]))
    doc["annotations"][0]["track_id"] = value
    result = import_once(templates[kind], json.dumps(doc).encode(), work)
    assert result["outcome"] in ("accepted", "rejected"), result
    assert "OverflowError" not in result["detail"] and "too large to convert" not in result["detail"]
    if result["outcome"] == "rejected":
        assert "fuzzed.json" in result["detail"] and not result["changed"]


def test_every_base_document_is_accepted(fuzz_setup):
    import json

    docs, templates, work = fuzz_setup
    for kind in KINDS:
        assert import_once(templates[kind], json.dumps(docs[kind]).encode(), work)["outcome"] == "accepted", kind


def test_mutations_are_mostly_noticed(fuzz_setup):
    docs, templates, work = fuzz_setup
    rng = random.Random(5)
    outcomes = [import_once(templates[KINDS[i % 3]], mutate(rng, docs[KINDS[i % 3]]), work)["outcome"] for i in range(60)]
    assert outcomes.count("rejected") > 30 and "traceback" not in outcomes
