"""YOLO-pose export from a video project (frames extracted, joints outside the image dropped),
DeepLabCut H5 beside its CSV, and a file's own skeleton stored in the project file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from stdpose_core.data import Project, Source, Track, VideoInfo
from stdpose_core.errors import InputError, StdposeError
from stdpose_core.io import import_edit, read_annotations, write_annotations, write_yolo_pose
from stdpose_core.skeleton import COCO17

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


def test_yolo_pose_from_a_video_extracts_frames_and_normalises(tmp_path):
    import cv2

    from stdpose_core.video.indexed_clip import write_indexed_clip

    video = write_indexed_clip(tmp_path / "clip.mp4", 6, size=(160, 128))
    p = Project(COCO17, VideoInfo(str(video), 6, 160, 128))
    t = Track.empty(0, 6, 17)
    for f in (1, 4):
        t.xy[f] = np.stack([np.linspace(20, 140, 17), np.linspace(10, 120, 17)], 1)
        t.vis[f] = 2
        t.vis[f, 3] = 1
        t.source[f] = Source.MANUAL
    t.xy[4, 16] = (170, 120)  # outside the 160 px wide image
    p.tracks[0] = t
    summary = write_yolo_pose(p, tmp_path / "ds", video)
    assert summary["images"] == 2 and summary["people"] == 2 and summary["joints_outside_image"] == 1
    imgs = sorted((tmp_path / "ds/images/train").glob("*.jpg"))
    assert [i.name for i in imgs] == ["clip_000001.jpg", "clip_000004.jpg"]
    assert cv2.imread(str(imgs[0])).shape == (128, 160, 3)
    rows = (tmp_path / "ds/labels/train/clip_000004.txt").read_text().split()
    assert len(rows) == 5 + 17 * 3 and rows[0] == "0"
    kp = np.array(rows[5:], float).reshape(17, 3)
    assert kp[3, 2] == 1 and kp[0, 2] == 2 and kp[16].tolist() == [0, 0, 0]
    np.testing.assert_allclose(kp[0, :2], [20 / 160, 10 / 128], atol=1e-6)
    with pytest.raises(StdposeError, match="not an empty folder"):
        write_yolo_pose(p, tmp_path / "ds", video)
    assert not any(x.name.startswith(".ds.") for x in tmp_path.iterdir())  # no temporary folder left


def test_deeplabcut_h5_reads_the_csv_beside_it(tmp_path):
    pytest.importorskip("sleap_io")
    import h5py

    folder = tmp_path / "labeled-data" / "mouse1"
    shutil.copytree(FIXTURES / "dlc/labeled-data/mouse1", folder)
    with h5py.File(folder / "CollectedData_Alex.h5", "w") as f:
        f["df_with_missing"] = np.zeros(3)
    p = read_annotations(folder / "CollectedData_Alex.h5")
    assert p.meta["format"] == "dlc" and p.tracks[0].present().all()
    (folder / "CollectedData_Alex.csv").unlink()
    with pytest.raises(InputError, match="a DeepLabCut H5 table; read is the CSV DeepLabCut writes beside it"):
        read_annotations(folder / "CollectedData_Alex.h5")


def test_a_files_own_skeleton_is_stored_in_the_project(tmp_path):
    pytest.importorskip("sleap_io")
    from stdpose_core.project_ops import create_project
    from stdpose_core.session import ProjectSession

    folder = FIXTURES / "dlc/labeled-data/mouse1"
    loaded = read_annotations(folder / "CollectedData_Alex.csv")
    with create_project(tmp_path / "mice.stdpose", folder, loaded.skeleton) as s:
        s.apply(import_edit(s.project, loaded))
    with ProjectSession.open(tmp_path / "mice.stdpose") as s:
        sk = s.project.skeleton
        assert sk.joint_names == loaded.skeleton.joint_names and sk.flip_pairs == loaded.skeleton.flip_pairs
        assert s.project.tracks[0].vis.shape == (3, 4)
        write_annotations(s.project, tmp_path / "mice.json", "coco")  # COCO in the file's own layout
        with pytest.raises(StdposeError, match="no joint in common"):
            write_annotations(s.project, tmp_path / "mice_pt.json", "posetrack18")
    back = read_annotations(tmp_path / "mice.json")
    assert back.skeleton.joint_names == sk.joint_names
    np.testing.assert_array_equal(back.tracks[0].xy, loaded.tracks[0].xy)
