"""The docs' screenshots are as new as the UI code they show (docs/images/screenshots.json, written by
``python -m app.devtools.screenshots``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"


def manifest() -> dict:
    path = IMAGES / "screenshots.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent (not a source checkout)")
    return json.loads(path.read_text())


def test_every_readme_screenshot_is_in_the_manifest():
    from app.devtools.screenshots import SHOTS

    readme = (REPO / "README.md").read_text()
    shown = {part.split(")")[0] for part in readme.split("](docs/images/")[1:]}
    assert shown <= set(SHOTS), f"README shows screenshots the script does not make: {shown - set(SHOTS)}"
    assert set(manifest()["images"]) == set(SHOTS)


def test_screenshots_are_newer_than_the_ui_code_they_show():
    from app.devtools.screenshots import SHOTS, source_hashes

    stale = []
    for name, entry in manifest()["images"].items():
        png = IMAGES / name
        assert png.is_file(), f"{png} is missing"
        assert hashlib.sha256(png.read_bytes()).hexdigest() == entry["png_sha256"], \
            f"{name} was replaced by hand; regenerate all screenshots with the script"
        now = source_hashes(SHOTS[name])
        changed = sorted(p for p in set(now) | set(entry["sources"]) if now.get(p) != entry["sources"].get(p))
        if changed:
            stale.append(f"{name}: {', '.join(changed[:4])}{' …' if len(changed) > 4 else ''}")
    assert not stale, ("screenshots older than the UI code they show — run "
                       "`xvfb-run -a -s '-screen 0 1600x1000x24' python -m app.devtools.screenshots`, look at "
                       "every image, commit them:\n  " + "\n  ".join(stale))
