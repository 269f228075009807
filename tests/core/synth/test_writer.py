"""write_clip / write_scene_job: the files on disk read back as the clip (real JPEG, H.264, JSON)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stdpose_core.errors import StdposeError
from stdpose_core.io import read_annotations
from stdpose_core.progress import Progress, run_to_completion
from stdpose_core.synth import make_scene, write_clip, write_scene_job
from stdpose_core.video import open_source


def _assert_same_annotation(gt, back):
    assert back.num_frames == gt.num_frames and back.labeled.all()
    assert back.video.frame_names == gt.video.frame_names
    assert sorted(back.tracks) == sorted(gt.tracks)
    for tid, t in gt.tracks.items():
        b = back.tracks[tid]
        assert np.array_equal(b.vis, t.vis)
        np.testing.assert_array_equal(b.xy, t.xy)
        np.testing.assert_array_equal(b.head_bbox, t.head_bbox)
        np.testing.assert_array_equal(b.bbox, t.bbox)


def test_frames_folder_and_gt_json_read_back(small_clip, tmp_path):
    summary = write_clip(small_clip, tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "c" / "frames").iterdir())
    assert names == [f"{i:06d}.jpg" for i in range(12)]
    assert summary["frames"] == 12 and summary["persons"] == 3
    img = cv2.cvtColor(cv2.imread(str(tmp_path / "c" / "frames" / "000005.jpg")), cv2.COLOR_BGR2RGB)
    assert img.shape == (96, 160, 3)
    assert np.abs(img.astype(int) - small_clip.frames[5]).mean() < 4  # JPEG quality 95
    _assert_same_annotation(small_clip.gt, read_annotations(tmp_path / "c" / "gt.json"))
    with open_source(tmp_path / "c" / "frames") as src:
        assert len(src) == 12 and src.size == (160, 96)


def test_mp4_decodes_to_the_rendered_frames(small_clip, tmp_path):
    write_clip(small_clip, tmp_path / "m", fmt="mp4")
    assert not (tmp_path / "m" / "frames").exists()
    with open_source(tmp_path / "m" / "clip.mp4") as src:
        assert len(src) == 12 and src.size == (160, 96) and src.fps == pytest.approx(25)
        for i in (0, 7, 11):
            assert np.abs(src.frame(i).astype(int) - small_clip.frames[i]).mean() < 6
    back = read_annotations(tmp_path / "m" / "gt.json")
    _assert_same_annotation(small_clip.gt, back)


def test_streaming_job_reports_progress_and_matches_in_memory(small_clip, tmp_path):
    steps = []
    summary = run_to_completion(write_scene_job(make_scene(3, 12, (160, 96), 1), tmp_path / "s"), steps.append)
    assert all(isinstance(s, Progress) for s in steps) and steps[-1].done == steps[-1].total == 12
    assert summary["media"].endswith("frames")
    first = cv2.cvtColor(cv2.imread(str(tmp_path / "s" / "frames" / "000000.jpg")), cv2.COLOR_BGR2RGB)
    assert np.abs(first.astype(int) - small_clip.frames[0]).mean() < 4


def test_refuses_to_overwrite_and_overwrite_drops_stale_frames(small_clip, tmp_path):
    write_clip(small_clip, tmp_path / "c")
    with pytest.raises(StdposeError, match="already exists"):
        write_clip(small_clip, tmp_path / "c")
    from stdpose_core.synth import generate_clip

    shorter = generate_clip(1, 4, (160, 96), 0)
    write_clip(shorter, tmp_path / "c", overwrite=True)
    assert len(list((tmp_path / "c" / "frames").glob("*.jpg"))) == 4


def test_bad_format_and_odd_mp4_size(tmp_path):
    from stdpose_core.synth import generate_clip

    clip = generate_clip(1, 2, (33, 32), 0)
    with pytest.raises(StdposeError, match="even"):
        write_clip(clip, tmp_path / "odd", fmt="mp4")
    with pytest.raises(StdposeError, match="format"):
        write_clip(clip, tmp_path / "x", fmt="gif")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StdposeError, match="not a folder"):
        write_clip(clip, tmp_path / "file")


def test_ground_truth_is_storable_in_a_project_file(small_clip, tmp_path):
    from stdpose_core.session import ProjectSession

    ProjectSession.create(tmp_path / "p.stdpose", small_clip.gt)
    back = ProjectSession.open(tmp_path / "p.stdpose").project
    assert all(back.tracks[i].equals(t) for i, t in small_clip.gt.tracks.items())
