from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def models_dir(tmp_path, monkeypatch) -> Path:
    """The model registry goes to a temporary folder, never the user's."""
    d = tmp_path / "models_dir"
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(d))
    return d
