"""The GUI and the CLI run the same job functions (stdpose_core.ops.jobs): on copies of one generated
project, Propagate in the window and ``stdpose propagate`` write identical edits, and Export in the
window and ``stdpose export`` write identical files."""

from __future__ import annotations

import numpy as np
import pytest

from stdpose_core.data.edits import SetPoseRange, leaves


@pytest.fixture
def cli_copy(project_file):
    """A copy of the project file (same clip, same people) for the command line, made before the window opens it."""
    import shutil

    return shutil.copy(project_file, project_file.with_name("cli.stdpose"))


def run_job(qtbot, window, start) -> None:
    with qtbot.waitSignal(window.jobs.runner.finished, timeout=30000):
        assert start()


def test_propagate_in_the_window_and_on_the_command_line_write_the_same_edits(qtbot, cli_copy, window, reopen):
    from stdpose_core.cli.main import main

    before = reopen(cli_copy)
    assert set(before.tracks) == set(window.doc.project.tracks)
    assert all(before.tracks[t].equals(window.doc.project.tracks[t]) for t in before.tracks)
    window.jobs.set_method("flow")
    run_job(qtbot, window, window.jobs.propagate)
    assert main(["propagate", str(cli_copy), "--method", "flow"]) == 0
    gui, cli = reopen(window.doc.path), reopen(cli_copy)
    assert set(gui.tracks) == set(cli.tracks)
    for tid in gui.tracks:
        assert gui.tracks[tid].equals(cli.tracks[tid]), f"person {tid} differs"
        assert not gui.tracks[tid].equals(before.tracks[tid])  # propagation did change something
    assert gui.model_versions == cli.model_versions
    # The edit the window pushed as one undo step is exactly the core job's edit over the same data.
    from stdpose_core.ops.jobs import propagate_job
    from stdpose_core.progress import run_to_completion
    from stdpose_core.propagation import ImageListSource, get_propagator

    pushed = window.doc.undo_stack.command(0).edit
    src = ImageListSource(window.doc.video_path(), before.video.frame_names)
    again = run_to_completion(propagate_job(before, src, get_propagator("flow")))
    a, b = leaves(pushed), leaves(again)
    assert len(a) == len(b) > 0
    for x, y in zip(a, b):
        assert isinstance(x, SetPoseRange) and (x.track_id, x.start) == (y.track_id, y.start)
        assert all(np.array_equal(x.values[k], y.values[k], equal_nan=True) for k in y.values)


def test_export_in_the_window_and_on_the_command_line_write_the_same_file(qtbot, cli_copy, window, tmp_path):
    from stdpose_core.cli.main import main

    gui_out, cli_out = tmp_path / "gui.json", tmp_path / "cli.json"
    with qtbot.waitSignal(window.jobs.runner.finished, timeout=20000):
        assert window.exporter.export("posetrack18", gui_out, False)
    assert main(["export", str(cli_copy), "--format", "posetrack18", "-o", str(cli_out)]) == 0
    assert gui_out.read_bytes() == cli_out.read_bytes()
