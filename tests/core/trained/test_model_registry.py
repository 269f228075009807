"""The model registry: add, list, activate, roll back, remove; env location; bad files."""

from __future__ import annotations

import json

import pytest

from stdpose_core.errors import InputError, StdposeError
from stdpose_core.trained import model_registry as reg


def test_add_list_activate_rollback(models_dir):
    assert reg.list_models() == [] and reg.get_active() is None
    a = reg.add_model({"name": "stdpose_tiny", "path": "/x/a.pt", "metrics": {"pckh05": 50.0}}, activate=True)
    b = reg.add_model({"name": "stdpose_tiny", "path": "/x/b.pt", "metrics": {"pckh05": 60.0}}, activate=True)
    assert (models_dir / "registry.json").is_file()
    assert [m["id"] for m in reg.list_models()] == [a["id"], b["id"]]
    assert reg.get_active()["id"] == b["id"]
    assert reg.rollback()["id"] == a["id"] and reg.get_active()["id"] == a["id"]
    reg.set_active(b["id"])
    reg.remove_model(b["id"])
    assert reg.get_active()["id"] == a["id"] and len(reg.list_models()) == 1
    with pytest.raises(StdposeError, match="no model with id"):
        reg.set_active("missing")


def test_explicit_path_and_bad_file(tmp_path):
    path = tmp_path / "r.json"
    e = reg.add_model({"name": "n", "path": "p.pt"}, path=path)
    assert json.loads(path.read_text())["models"][0]["id"] == e["id"]
    path.write_text("{not json")
    with pytest.raises(InputError, match="not readable JSON"):
        reg.list_models(path)
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(InputError, match="not a model registry"):
        reg.list_models(path)
