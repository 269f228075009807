"""Ignore regions (stdpose_core.ops.regions): edits, export round trip, and stdpose eval honouring them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.cli.main import main
from stdpose_core.ops.regions import VertexDrag, add_region, copy_regions, delete_region, region_at, regions_at, vertex_at
from stdpose_core.session import ProjectSession

SQUARE = [(10, 10), (60, 10), (60, 60), (10, 60)]


@pytest.fixture
def project():
    frames, J = rigid_clip(8, people=1)
    p = project_from_joints(J, (160, 120), range(8))
    p.video.frame_names = [f"{i:06d}.jpg" for i in range(8)]
    return p


def test_add_move_copy_delete_and_undo(project):
    e = add_region(project, 2, SQUARE)
    e.apply(project)
    assert [r.tolist() for r in regions_at(project, 2)] == [[list(map(float, p)) for p in SQUARE]]
    assert region_at(project, 2, (30, 30)) == 0 and region_at(project, 2, (90, 30)) is None
    assert vertex_at(project, 2, (61, 59), 3) == (0, 2)
    VertexDrag(-1, 2, 0, 2).edit_to(project, 500, 80).apply(project)  # clipped to the 160x120 image
    assert regions_at(project, 2)[0][2].tolist() == [159, 80]
    c = copy_regions(project, 2, 5)
    c.apply(project)
    assert all(np.array_equal(project.ignore_regions[f][0], project.ignore_regions[2][0]) for f in (3, 4))
    assert 5 not in project.ignore_regions
    c.revert(project)
    assert set(project.ignore_regions) == {2}
    delete_region(project, 2, 0).apply(project)
    assert project.ignore_regions == {}
    e.revert(project)  # (undo of the add after the others were undone in a real history)
    assert project.ignore_regions == {}


@pytest.mark.parametrize("points, message", [
    ([(1, 1), (5, 5)], "at least 3 points"),
    ([(1, 1), (5, 5), (9, 9)], "needs an area"),
])
def test_bad_polygons_are_refused(project, points, message):
    with pytest.raises(ValueError, match=message):
        add_region(project, 0, points)
    with pytest.raises(ValueError, match="outside the video"):
        add_region(project, 99, SQUARE)
    with pytest.raises(ValueError, match="no region 0"):
        delete_region(project, 1, 0)


def test_regions_survive_the_file_and_an_export_and_eval_drops_joints_inside(project, tmp_path, capsys):
    from stdpose_core.io import read_annotations, write_annotations

    path = tmp_path / "gt.stdpose"
    t = project.tracks[0]
    x, y = t.xy[3, 9].tolist()  # the left wrist on frame 3
    box = [(x - 4, y - 4), (x + 4, y - 4), (x + 4, y + 4), (x - 4, y + 4)]
    with ProjectSession.create(path, project) as s:
        s.apply(add_region(s.project, 3, box))
    with ProjectSession.open(path) as s:
        assert np.allclose(s.project.ignore_regions[3][0], box)
        write_annotations(s.project, tmp_path / "gt.json", "posetrack18")
    assert np.allclose(read_annotations(tmp_path / "gt.json").ignore_regions[3][0], box)
    # A prediction that is perfect except for that wrist, 30 px off: the region hides the miss.
    pred = read_annotations(tmp_path / "gt.json")
    pred.ignore_regions = {}
    pred.tracks[0].xy[3, 9] += 30
    write_annotations(pred, tmp_path / "pred.json", "posetrack18")
    assert main(["eval", str(path), str(tmp_path / "pred.json"), "--metric", "pck", "--json"]) == 0
    with_region = json.loads(capsys.readouterr().out)
    assert with_region["pckh05"] == 100.0
    no_region = read_annotations(tmp_path / "gt.json")
    no_region.ignore_regions = {}
    write_annotations(no_region, tmp_path / "gt_plain.json", "posetrack18")
    assert main(["eval", str(tmp_path / "gt_plain.json"), str(tmp_path / "pred.json"), "--metric", "pck", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pckh05"] < 100.0


def test_cli_ignore_region(project, tmp_path, capsys):
    path = tmp_path / "p.stdpose"
    ProjectSession.create(path, project).close()
    assert main(["ignore-region", str(path), "--frame", "1", "--add", "10,10,60,10,60,60"]) == 0
    assert main(["ignore-region", str(path), "--frame", "1", "--copy-to", "4"]) == 0
    capsys.readouterr()
    assert main(["ignore-region", str(path), "--frame", "3", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == [[[10, 10], [60, 10], [60, 60]]]
    before = path.read_bytes()
    assert main(["ignore-region", str(path), "--frame", "3", "--delete", "4"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no region 4" in err and len(err.splitlines()) == 1 and path.read_bytes() == before
