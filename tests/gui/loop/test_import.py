"""File → Import annotations…: format detected, a summary of what is read and left out, skeleton
mismatch as a choice, one undo step, bad files change nothing (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


def posetrack_file(tmp_path: Path, project, people: int = 2, frames=(3, 9)) -> Path:
    """A PoseTrack18 file (official layout) for the window's 320x240 clip with extra fields."""
    images = [{"id": 10000010000 + f, "frame_id": 10000010000 + f, "vid_id": "000001", "file_name": f"images/val/000001/{f:06d}.jpg",
               "nframes": project.num_frames, "is_labeled": f in frames, "has_no_densepose": True} for f in range(project.num_frames)]
    anns = []
    for f in frames:
        for tid in range(people):
            kp = []
            for j in range(17):
                kp += [0, 0, 0] if j in (3, 4) else [40.0 + 100 * tid + 3 * j, 30.0 + 10 * j, 1]
            anns.append({"id": (10000010000 + f) * 100 + tid, "image_id": 10000010000 + f, "track_id": 7 + tid, "category_id": 1,
                         "keypoints": kp, "bbox_head": [40 + 100 * tid, 20, 20, 20], "scores": [], "custom_quality": "good"})
    from stdpose_core.skeleton import POSETRACK18

    doc = {"images": images, "annotations": anns,
           "categories": [{"id": 1, "name": "person", "keypoints": list(POSETRACK18.joint_names), "skeleton": [[1, 2]]}]}
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def accept(monkeypatch):
    """Accept the summary dialog, recording its text."""
    from app.dialogs import import_annotations

    seen: list[str] = []

    def fake_exec(dlg):
        seen.append(dlg.text.toPlainText())
        return import_annotations.QDialog.DialogCode.Accepted

    monkeypatch.setattr(import_annotations.ImportSummaryDialog, "exec", fake_exec)
    return seen


def test_import_shows_the_summary_and_is_one_undo_step(qtbot, window, tmp_path, accept, reopen):
    doc = window.doc
    assert "file.import" in window.actions_by_id and window.actions_by_id["file.import"].shortcut().toString() == "Ctrl+I"
    before = {tid: t.copy() for tid, t in doc.project.tracks.items()}
    path = posetrack_file(tmp_path, doc.project)
    assert window.importer.import_file(path)
    text = accept[0]
    assert "read 2 people, 4 person-frames, 60 labelled joints on 2 frames" in text
    assert "kept verbatim for export: has_no_densepose, custom_quality" in text and "left out: nothing" in text
    assert {7, 8} <= set(doc.project.tracks) and doc.undo_stack.count() == 1
    assert (doc.project.tracks[7].vis[3] == 2).sum() == 15  # official v=1 → visible
    stored = reopen(doc.path)
    assert 7 in stored.tracks and stored.meta["interop"]["images"]["3"]["has_no_densepose"] is True
    doc.undo_stack.undo()
    assert set(doc.project.tracks) == set(before) and "interop" not in reopen(doc.path).meta


def test_cancel_in_the_summary_imports_nothing(qtbot, window, tmp_path, monkeypatch):
    from app.dialogs import import_annotations

    monkeypatch.setattr(import_annotations.ImportSummaryDialog, "exec", lambda dlg: import_annotations.QDialog.DialogCode.Rejected)
    n = len(window.doc.project.tracks)
    assert not window.importer.import_file(posetrack_file(tmp_path, window.doc.project))
    assert len(window.doc.project.tracks) == n and window.doc.undo_stack.count() == 0


def test_bad_files_give_one_message_and_change_nothing(qtbot, window, tmp_path, errors, accept):
    (tmp_path / "x.csv").write_text("frame,x,y\n1,2,3\n")
    assert not window.importer.import_file(tmp_path / "x.csv")
    title, text = errors[-1]
    assert title == "Cannot import" and "a CSV table whose first cell is 'frame'" in text and "Nothing was imported" in text
    assert not window.importer.import_file(tmp_path / "missing.json")
    assert "file not found" in errors[-1][1]
    assert window.doc.undo_stack.count() == 0 and not accept


def test_skeleton_mismatch_asks_and_converts(qtbot, window, tmp_path, accept, monkeypatch):
    from stdpose_core.io import read_annotations, write_annotations

    doc = window.doc
    coco = tmp_path / "coco.json"
    p = read_annotations(posetrack_file(tmp_path, doc.project))
    write_annotations(p, coco, "coco")  # the same people in COCO-17 (no head_bottom/head_top)
    asked = []
    monkeypatch.setattr(window.importer, "choose_skeleton", lambda msg, sk, can: asked.append((msg, sk, can)) or "convert")
    assert window.importer.import_file(coco)
    msg, sk, can = asked[0]
    assert sk == "coco17" and can and "this project uses posetrack18" in msg and "approximates head_bottom, head_top" in msg
    assert "stored" in accept[0]
    monkeypatch.setattr(window.importer, "choose_skeleton", lambda msg, sk, can: None)
    n = doc.undo_stack.count()
    assert not window.importer.import_file(coco) and doc.undo_stack.count() == n


def test_new_project_with_the_files_skeleton(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from stdpose_core.io import read_annotations, write_annotations

    coco = tmp_path / "coco.json"
    write_annotations(read_annotations(posetrack_file(tmp_path, window.doc.project)), coco, "coco")
    target = tmp_path / "coco_project.stdpose"
    monkeypatch.setattr(window.importer, "choose_skeleton", lambda msg, sk, can: "new")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert window.importer.import_file(coco)
    assert window.doc.path == target and window.doc.project.skeleton.name == "coco17"
    assert {7, 8} <= set(window.doc.project.tracks)


def test_multi_video_file_asks_which_video(qtbot, window, tmp_path, accept, monkeypatch, shared_data):
    merged = shared_data / "posetrack18_samples/annotations/test_posetrack18_val.json"
    monkeypatch.setattr(window.importer, "choose_video", lambda videos: None)
    assert not window.importer.import_file(merged)
    offered = []
    monkeypatch.setattr(window.importer, "choose_video", lambda videos: offered.append(videos) or "009473")
    window.importer.import_file(merged)  # 1920x1080 frames named 000000.jpg: frame 0 of this clip
    assert offered == [["012834", "009473", "003418"]]


def test_one_labelme_file_among_many_offers_the_whole_folder(qtbot, window, tmp_path, accept, monkeypatch):
    import shutil

    from stdpose_core.project_ops import create_project

    folder = tmp_path / "photos"
    shutil.copytree(FIXTURES / "xanylabeling", folder)
    import cv2

    for name, (w, h) in (("beach_01.jpg", (640, 480)), ("beach_02.jpg", (480, 640))):
        cv2.imwrite(str(folder / name), np.zeros((h, w, 3), np.uint8))
    with create_project(tmp_path / "beach.stdpose", folder, "coco17"):
        pass
    assert window.open_path(tmp_path / "beach.stdpose")
    asked = []
    monkeypatch.setattr(window.importer, "whole_folder", lambda n: asked.append(n) or True)
    assert window.importer.import_file(folder / "beach_01.json")
    assert asked == [2] and len(window.doc.project.tracks) == 3
    assert "polygon shape 'ball'" in accept[0]
