"""``stdpose propagate`` and ``stdpose eval-propagation`` end to end on generated clips."""

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "propagation"))
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.cli.main import main
from stdpose_core.data.source import Source
from stdpose_core.session import ProjectSession

USED = [k for k in range(17) if k not in (3, 4)]


def write_frames(folder: Path, frames) -> list[str]:
    folder.mkdir(parents=True)
    names = []
    for i, f in enumerate(frames):
        name = f"frames/{i:06d}.png"
        cv2.imwrite(str(folder.parent / name), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        names.append(name)
    return names


@pytest.fixture
def clip_project(tmp_path):
    """A project made the way ``stdpose new`` makes it, over an image folder, with keyframes 0, 7, 14."""
    from stdpose_core.data.edits import AddTrack
    from stdpose_core.project_ops import create_project

    frames, J = rigid_clip(15, motion=(2.0, 1.0), people=2, wobble=5.0)
    write_frames(tmp_path / "frames", frames)
    path = tmp_path / "clip.stdpose"
    s = create_project(path, tmp_path / "frames")
    for t in project_from_joints(J, (160, 120), [0, 7, 14]).tracks.values():
        s.apply(AddTrack(t))
    s.close()
    return path, J


def test_propagate_fills_the_project_file(clip_project, capsys):
    path, J = clip_project
    assert main(["propagate", str(path), "--method", "flow", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "flow" and out["tracks"] == [0, 1] and out["joints_written"] == 2 * 12 * 15
    s = ProjectSession.open(path)
    try:
        t = s.project.tracks[1]
        inner = [f for f in range(15) if f not in (0, 7, 14)]
        assert (t.source[inner][:, USED] == Source.PROPAGATED).all()
        assert np.abs(t.xy[inner][:, USED] - J[inner, 1][:, USED]).max() < 1.0
    finally:
        s.close()


def test_propagate_interp_needs_no_frames(clip_project, capsys):
    path, _ = clip_project
    for f in (path.parent / "frames").iterdir():
        f.unlink()
    assert main(["propagate", str(path), "--method", "interp"]) == 0
    assert "interp" in capsys.readouterr().out


def test_propagate_with_missing_frames_is_one_clear_error(clip_project, capsys):
    path, _ = clip_project
    (path.parent / "frames" / "000005.png").unlink()
    assert main(["propagate", str(path), "--method", "flow"]) == 2
    err = capsys.readouterr().err
    assert "000005.png" in err and "missing" in err and "Traceback" not in err


def test_propagate_without_keyframes_is_one_clear_error(tmp_path, capsys):
    frames, J = rigid_clip(5, people=1)
    proj = project_from_joints(J, (160, 120), [])
    path = tmp_path / "empty.stdpose"
    ProjectSession.create(path, proj).close()
    assert main(["propagate", str(path), "--method", "interp"]) == 2
    assert "no keyframe" in capsys.readouterr().err


def test_an_option_the_method_does_not_take_is_one_clear_error(clip_project, capsys):
    path, _ = clip_project
    assert main(["propagate", str(path), "--method", "flow", "--weights", "model.pt"]) == 2
    err = capsys.readouterr().err
    assert "'flow' has no option 'weights'" in err and len(err.strip().splitlines()) == 1
    assert main(["propagate", str(path), "--method", "interp", "--device", "cuda"]) == 2
    assert "'interp' has no option 'device'" in capsys.readouterr().err


def test_eval_propagation_rejects_t_below_2(tmp_path, capsys):
    assert main(["eval-propagation", str(tmp_path / "gt.json"), "--images", str(tmp_path), "--every", "1"]) == 2
    assert "at least 2" in capsys.readouterr().err


def _posetrack_gt(path: Path, names, J, labelled):
    images, anns = [], []
    for i, name in enumerate(names):
        images.append({"id": i + 1, "frame_id": i + 1, "file_name": name, "vid_id": "000001", "nframes": len(names),
                       "is_labeled": bool(labelled[i]), "width": 160, "height": 120})
        if not labelled[i]:
            continue
        for p in range(J.shape[1]):
            kp = np.zeros((17, 3))
            kp[USED, :2] = J[i, p, USED]
            kp[USED, 2] = 1
            top, bottom = J[i, p, 2], J[i, p, 1]
            half = 0.5 * float(np.linalg.norm(top - bottom))
            cx, cy = 0.5 * (top + bottom)
            pts = J[i, p, USED]
            x1, y1 = pts.min(0)
            x2, y2 = pts.max(0)
            anns.append({"id": len(anns) + 1, "image_id": i + 1, "track_id": p, "category_id": 1,
                         "keypoints": kp.ravel().tolist(), "bbox": [float(x1), float(y1), float(x2 - x1), float(y2 - y1)],
                         "bbox_head": [float(cx - half), float(cy - half), 2 * half, 2 * half]})
    path.write_text(json.dumps({"images": images, "annotations": anns, "categories": [
        {"id": 1, "name": "person", "keypoints": ["nose", "head_bottom", "head_top", "left_ear", "right_ear",
         "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
         "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"],
         "skeleton": []}]}))


@pytest.fixture
def gt_clip(tmp_path):
    pytest.importorskip("stdpose_core.io", reason="annotation IO not built")
    from stdpose_core import io as sio

    if not hasattr(sio, "read_annotations"):
        pytest.skip("stdpose_core.io.read_annotations not available yet")
    frames, J = rigid_clip(15, motion=(2.0, 1.0), people=2, wobble=5.0)
    names = write_frames(tmp_path / "frames", frames)
    return tmp_path, names, J


def test_eval_propagation_json_on_a_generated_clip(gt_clip, capsys):
    root, names, J = gt_clip
    _posetrack_gt(root / "gt.json", names, J, np.ones(15, bool))
    rc = main(["eval-propagation", str(root / "gt.json"), "--images", str(root), "--every", "2",
               "--method", "interp", "--method", "flow", "--json"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    assert res["every"] == 2 and res["frames_scored"] == 7
    for name in ("interp", "flow"):
        r = res["methods"][name]
        assert set(r) >= {"map", "pckh05", "pckh02", "mean_px", "norm", "table", "auroc", "seconds", "person_frames_per_s"}
    assert res["methods"]["flow"]["map"] == pytest.approx(100.0)


def test_eval_propagation_rejects_sparse_ground_truth(gt_clip, capsys):
    root, names, J = gt_clip
    _posetrack_gt(root / "gt.json", names, J, np.arange(15) % 3 == 0)
    assert main(["eval-propagation", str(root / "gt.json"), "--images", str(root), "--every", "3"]) == 2
    assert "not labelled" in capsys.readouterr().err


def test_eval_propagation_rejects_missing_images(gt_clip, capsys):
    root, names, J = gt_clip
    _posetrack_gt(root / "gt.json", names, J, np.ones(15, bool))
    (root / names[4]).unlink()
    assert main(["eval-propagation", str(root / "gt.json"), "--images", str(root), "--every", "3"]) == 2
    assert "missing" in capsys.readouterr().err


def test_eval_propagation_on_a_generated_video_clip_is_perfect_at_t_2(tmp_path, capsys):
    """The whole chain on real parts: ``stdpose synth`` writes an mp4, eval-propagation decodes it."""
    out = tmp_path / "clip"
    assert main(["synth", str(out), "--persons", "3", "--frames", "15", "--size", "320x180", "--seed", "3", "--format", "mp4"]) == 0
    capsys.readouterr()
    # The annotation names frames/...jpg that an mp4 clip does not have: the error says what to pass.
    assert main(["eval-propagation", str(out / "gt.json"), "--images", str(out), "--every", "2"]) == 2
    assert "--images" in capsys.readouterr().err
    rc = main(["eval-propagation", str(out / "gt.json"), "--images", str(out / "clip.mp4"), "--every", "2",
               "--method", "interp", "--method", "flow", "--json"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    assert res["frames_scored"] == 7
    for name in ("interp", "flow"):
        assert res["methods"][name]["map"] == pytest.approx(100.0)
        assert res["methods"][name]["norm"] == "head"
