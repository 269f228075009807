"""Flow reads a video's luma plane (``open_source(pixels="gray")``) as well as RGB frames: the same
joints to a fraction of a pixel (ADR 0022), and ``stdpose propagate`` opens videos that way for it."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from prop_clips import project_from_joints, rigid_clip

from stdpose_core.progress import run_to_completion
from stdpose_core.propagation import ListSource, get_propagator
from stdpose_core.video import open_source

USED = [k for k in range(17) if k not in (3, 4)]


def encode(frames, path, crf=12):
    import av

    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"crf": str(crf), "preset": "veryfast", "x264-params": "keyint=8:bframes=2"}
        for i, rgb in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, 25)
            for p in s.encode(vf):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


@pytest.fixture
def clip(tmp_path, monkeypatch):
    monkeypatch.setenv("STDPOSE_CACHE_DIR", str(tmp_path / "cache"))
    frames, J = rigid_clip(25, motion=(2.0, 1.0), people=2, wobble=6.0)
    return encode(frames, tmp_path / "clip.mp4"), frames, J


def joint_errors(source, J, keyframes=(0, 12, 24)):
    proj = project_from_joints(J, (160, 120), list(keyframes))
    run_to_completion(get_propagator("flow").run(proj, source)).apply(proj)
    inner = [f for f in range(len(J)) if f not in keyframes]
    return np.stack([np.linalg.norm(proj.tracks[p].xy[inner][:, USED] - J[inner, p][:, USED], axis=-1) for p in proj.tracks])


def test_flow_on_the_luma_plane_matches_flow_on_rgb_frames(clip):
    path, frames, J = clip
    with open_source(path, prefetch=False) as rgb, open_source(path, prefetch=False, pixels="gray") as gray:
        e_rgb, e_gray = joint_errors(rgb, J), joint_errors(gray, J)
    e_mem = joint_errors(ListSource(frames), J)  # the frames before compression
    assert e_gray.mean() < 0.5 and e_rgb.mean() < 0.5, (e_gray.mean(), e_rgb.mean())
    assert abs(e_gray.mean() - e_rgb.mean()) < 0.1
    assert e_gray.max() < max(1.5, 1.5 * e_rgb.max())
    assert e_mem.mean() < 0.5


def test_stdpose_propagate_reads_the_video_in_gray_for_flow(clip, tmp_path, monkeypatch, capsys):
    import stdpose_core.video as video
    from stdpose_core.cli.main import main
    from stdpose_core.data.edits import AddTrack
    from stdpose_core.project_ops import create_project
    from stdpose_core.session import ProjectSession

    path, _, J = clip
    project = tmp_path / "clip.stdpose"
    s = create_project(project, path)
    for t in project_from_joints(J, (160, 120), [0, 12, 24]).tracks.values():
        s.apply(AddTrack(t))
    s.close()
    opened = []
    real = video.open_source

    def spy(*args, **kwargs):
        src = real(*args, **kwargs)
        opened.append(src.pixels)
        return src

    monkeypatch.setattr(video, "open_source", spy)
    assert main(["propagate", str(project), "--method", "flow"]) == 0
    assert opened == ["gray"]  # flow reads gray only: no RGB frame was made
    with ProjectSession.open(project) as s:
        inner = [f for f in range(25) if f not in (0, 12, 24)]
        err = np.linalg.norm(s.project.tracks[0].xy[inner][:, USED] - J[inner, 0][:, USED], axis=-1)
    assert err.mean() < 0.5
    from stdpose_core.propagation.base import REGISTRY

    assert REGISTRY["stdpose"].frame_pixels == "rgb"  # the model's crops stay RGB


def test_a_propagation_job_on_the_annotators_rgb_source_reads_a_gray_twin(clip):
    from stdpose_core.ops.jobs import propagate_job
    from stdpose_core.progress import run_to_completion

    path, frames, J = clip
    proj = project_from_joints(J, (160, 120), [0, 12, 24])
    with open_source(path) as shown:  # the GUI's display source: RGB, cached, prefetching
        shown.frame(5)
        before = len(shown.cache)
        edit = run_to_completion(propagate_job(proj, shown, get_propagator("flow")))
        assert len(shown.cache) == before < 25  # the job's frames came from a twin of its own, not this cache
        edit_interp = run_to_completion(propagate_job(proj, shown, get_propagator("interp")))
    edit.apply(proj)
    inner = [f for f in range(25) if f not in (0, 12, 24)]
    err = np.linalg.norm(proj.tracks[1].xy[inner][:, USED] - J[inner, 1][:, USED], axis=-1)
    assert err.mean() < 0.5 and len(edit_interp.edits) > 0
    # frames in memory have no twin: the job reads them as they are
    proj2 = project_from_joints(J, (160, 120), [0, 12, 24])
    run_to_completion(propagate_job(proj2, ListSource(frames), get_propagator("flow"))).apply(proj2)
    assert np.abs(proj2.tracks[1].xy[inner] - proj.tracks[1].xy[inner]).mean() < 0.2
