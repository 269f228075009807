"""Relinking a moved video (stdpose_core.ops.relink, ``stdpose relink``): the same video only."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from stdpose_core.cli.main import main
from stdpose_core.errors import InputError
from stdpose_core.ops.relink import FINGERPRINT_KEY, check_same_video, fingerprint, relink
from stdpose_core.project_ops import create_project
from stdpose_core.session import ProjectSession


def write_frames(folder, n=10, size=(64, 48), seed=0):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        cv2.imwrite(str(folder / f"{i:06d}.png"), rng.integers(0, 255, (size[1], size[0], 3), np.uint8))
    return folder


def write_video(path, n=10, size=(64, 48), seed=0):
    rng = np.random.default_rng(seed)
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    for _ in range(n):
        out.write(rng.integers(0, 255, (size[1], size[0], 3), np.uint8))
    out.release()
    return path


@pytest.fixture
def project(tmp_path):
    video = write_video(tmp_path / "v.avi")
    path = tmp_path / "p.stdpose"
    create_project(path, video).close()
    return path, video


def test_a_moved_video_is_relinked_relative_to_the_project(project, tmp_path):
    path, video = project
    moved = tmp_path / "elsewhere" / "renamed.avi"
    moved.parent.mkdir()
    shutil.move(video, moved)
    with ProjectSession.open(path) as s:
        assert s.project.meta[FINGERPRINT_KEY] == fingerprint(moved)
        result = relink(s, moved)
    assert result["previous"] == "v.avi" and result["path"] == "elsewhere/renamed.avi" and result["frames"] == 10
    with ProjectSession.open(path) as s:
        assert s.project.video.path == "elsewhere/renamed.avi"


@pytest.mark.parametrize("make, reason", [
    (lambda d: write_video(d / "short.avi", n=8), "has 8 frames, the project's video 10"),
    (lambda d: write_video(d / "big.avi", size=(80, 48)), "is 80x48, the project's video 64x48"),
    (lambda d: write_video(d / "other.avi", seed=3), "other content"),
    (lambda d: d / "gone.avi", "not found"),
])
def test_a_different_video_is_refused_and_the_project_kept(project, tmp_path, make, reason):
    path, video = project
    candidate = make(tmp_path)
    before = path.read_bytes()
    with ProjectSession.open(path) as s:
        with pytest.raises(InputError, match=reason):
            relink(s, candidate)
        assert s.project.video.path == "v.avi"
    assert path.read_bytes() == before


def test_force_accepts_other_content_with_the_same_frames_only(project, tmp_path):
    path, _ = project
    copy = write_video(tmp_path / "reencoded.avi", seed=5)
    with ProjectSession.open(path) as s:
        assert relink(s, copy, force=True)["path"] == "reencoded.avi"
        with pytest.raises(InputError, match="frames"):
            relink(s, write_video(tmp_path / "short.avi", n=3), force=True)


def test_image_folders_check_names_and_old_projects_get_a_fingerprint(tmp_path):
    frames = write_frames(tmp_path / "frames")
    path = tmp_path / "p.stdpose"
    with create_project(path, frames) as s:
        del s.project.meta[FINGERPRINT_KEY]  # a project from before fingerprints
        s.save_settings()
    renamed = write_frames(tmp_path / "renamed")
    for f in renamed.iterdir():
        f.rename(f.with_name("img_" + f.name))
    with ProjectSession.open(path) as s:
        with pytest.raises(InputError, match="other image names"):
            check_same_video(s.project, renamed)
        moved = tmp_path / "moved"
        shutil.copytree(frames, moved)
        relink(s, moved)
        assert s.project.meta[FINGERPRINT_KEY] == fingerprint(moved)


def test_cli_relink(project, tmp_path, capsys):
    path, video = project
    moved = tmp_path / "m.avi"
    shutil.move(video, moved)
    assert main(["relink", str(path), str(moved)]) == 0
    assert "video is now m.avi (was v.avi" in capsys.readouterr().out
    before = path.read_bytes()
    assert main(["relink", str(path), str(write_video(tmp_path / "x.avi", n=4))]) == 2
    err = capsys.readouterr().err.strip()
    assert "has 4 frames" in err and len(err.splitlines()) == 1 and path.read_bytes() == before
