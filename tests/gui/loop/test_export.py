"""Export from the window: files re-import identically, the choice is remembered, bad paths are refused."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.io import read_annotations


def export(qtbot, window, fmt, path, only_reviewed=False):
    with qtbot.waitSignal(window.jobs.runner.finished, timeout=20000):
        assert window.exporter.export(fmt, path, only_reviewed)
    return window.exporter.last_summary


def test_posetrack18_export_reimports_identically(qtbot, window, tmp_path, errors):
    doc = window.doc
    out = tmp_path / "out" / "a.json"
    out.parent.mkdir()
    s = export(qtbot, window, "posetrack18", out)
    assert s["frames_written"] == 15 and s["people_written"] == 2
    assert s["joints_by_source"]["manual"] == 3 * 2 * 15 and s["joints_by_source"]["interpolated"] == 12 * 2 * 15
    assert errors[-1][0] == "Export finished" and "a.json" in errors[-1][1]
    back = read_annotations(out)
    assert set(back.tracks) == set(doc.project.tracks)
    for tid, t in doc.project.tracks.items():
        b = back.tracks[tid]
        assert np.array_equal(b.vis, t.vis)
        m = t.vis > 0
        assert np.allclose(b.xy[m], t.xy[m], atol=1e-3)
        assert np.allclose(b.bbox[:15], t.bbox[:15], atol=1e-3, equal_nan=True)
    assert doc.undo_stack.count() == 0  # exporting changes nothing


@pytest.mark.parametrize("fmt", ["posetrack21", "coco"])
def test_other_formats_and_only_reviewed(qtbot, window, tmp_path, fmt):
    from stdpose_core.data.edits import set_reviewed

    doc = window.doc
    doc.push(set_reviewed(doc.project, 3, 5))
    s = export(qtbot, window, fmt, tmp_path / f"r.{fmt}.json", only_reviewed=True)
    assert s["frames_written"] == 2
    back = read_annotations(tmp_path / f"r.{fmt}.json")
    assert sorted(np.flatnonzero(back.labeled).tolist()) == [3, 4] or fmt == "coco"
    assert sum(int(t.present().sum()) for t in back.tracks.values()) == 4


def test_choice_is_remembered_and_one_click_repeats_it(qtbot, window, tmp_path):
    from app.dialogs.export import ExportDialog, remembered

    out = tmp_path / "b.json"
    export(qtbot, window, "coco", out, only_reviewed=False)
    assert remembered(window.doc.path) == ("coco", out, False)
    dlg = ExportDialog(window.doc.path, window)
    assert dlg.choice() == ("coco", out, False)
    out.unlink()
    with qtbot.waitSignal(window.jobs.runner.finished, timeout=20000):
        window.actions_by_id["file.export_again"].trigger()
    assert out.is_file()


def test_unwritable_path_gives_a_clear_message_and_writes_nothing(window, tmp_path, errors):
    target = tmp_path / "missing-folder" / "x.json"
    assert not window.exporter.export("posetrack18", target, False)
    title, text = errors[-1]
    assert title == "Cannot export" and "does not exist" in text and "Nothing was written" in text
    assert not target.parent.exists()
    assert not window.jobs.runner.busy


def test_yolo_pose_dataset_from_the_dialog_and_a_used_folder_is_refused(qtbot, window, tmp_path, errors):
    from app.dialogs.export import ExportDialog, default_path

    doc = window.doc
    dlg = ExportDialog(doc.path, window)
    dlg.format.setCurrentIndex(dlg.format.findData("yolo-pose"))
    assert dlg.choice()[1] == default_path(doc.path, "yolo-pose") and dlg.choice()[1].suffix == ""  # a folder
    dlg.close()
    out = tmp_path / "yolo"
    s = export(qtbot, window, "yolo-pose", out)
    labels = sorted((out / "labels" / "train").glob("*.txt"))
    assert s["images"] == len(labels) == 15 and s["people"] == 2 * 15
    assert (out / "data.yaml").read_text().count("kpt_shape") == 1
    assert len(list((out / "images" / "train").glob("*.jpg"))) == 15
    assert errors[-1][0] == "Export finished" and "yolo pose train data=" in errors[-1][1]
    assert not window.exporter.export("yolo-pose", out, False)  # not empty now: refused, untouched
    assert errors[-1][0] == "Cannot export" and "not an empty folder" in errors[-1][1]
    assert sorted((out / "labels" / "train").glob("*.txt")) == labels
