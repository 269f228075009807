"""The user's models and cache folders: environment overrides win, defaults are per-user folders."""

from pathlib import Path

from stdpose_core.paths import user_cache_dir, user_models_dir


def test_env_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("STDPOSE_MODELS_DIR", str(tmp_path / "m"))
    assert user_cache_dir() == tmp_path / "c"
    assert user_models_dir() == tmp_path / "m"


def test_defaults_are_per_user_folders(monkeypatch):
    monkeypatch.delenv("STDPOSE_CACHE_DIR", raising=False)
    monkeypatch.delenv("STDPOSE_MODELS_DIR", raising=False)
    home = Path.home()
    assert home in user_cache_dir().parents and "stdpose" in user_cache_dir().parts
    assert home in user_models_dir().parents and user_models_dir().name == "models"


def test_bundle_dir_only_when_frozen(tmp_path, monkeypatch):
    import sys

    from stdpose_core.paths import bundle_dir

    assert bundle_dir() is None
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert bundle_dir() == tmp_path


def test_package_models_dir_holds_the_registered_configs():
    from stdpose_core.model.registry import list_models
    from stdpose_core.paths import package_models_dir

    names = {p.stem for p in package_models_dir().glob("*.yaml")}
    assert set(list_models()) <= names
