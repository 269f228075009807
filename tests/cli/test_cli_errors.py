"""One top-level error policy: whatever goes wrong, every entry point prints one line naming the file
and the problem and exits non-zero (--debug shows the traceback); arguments are range-checked before
any work; a second writer is refused at once naming the holder while readers keep working."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stdpose_core.cli.main import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("errors")
    assert main(["synth", str(root / "c"), "--frames", "20", "--persons", "1", "--size", "96x64"]) == 0
    assert main(["new", str(root / "p.stdpose"), str(root / "c" / "frames")]) == 0
    assert main(["import", str(root / "p.stdpose"), str(root / "c" / "gt.json")]) == 0
    return root / "p.stdpose"


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args, words", [
    (["keyframes", "{p}", "--every", "1e20"], "not a whole number"),
    (["keyframes", "{p}", "--every", "100000000000000000000"], "at most"),
    (["keyframes", "{p}", "--every", "0"], "at least 1"),
    (["detect", "{p}", "--imgsz", "0"], "at least 32"),
    (["detect", "{p}", "--imgsz", "-640"], "at least 32"),
    (["detect", "{p}", "--imgsz", "1000000"], "at most 4096"),
    (["reencode", "a.mp4", "b.mp4", "--crf", "1000"], "at most 51"),
    (["reencode", "a.mp4", "b.mp4", "--gop", "0"], "at least 1"),
    (["new", "x.stdpose", "y.mp4", "--every", "-3"], "at least 1"),
])
def test_out_of_range_arguments_are_refused_before_any_work(project, capsys, args, words):
    before = digest(project)
    assert main([a.replace("{p}", str(project)) for a in args]) == 2
    line = one_line(capsys)
    assert words in line and f"stdpose {args[0]}: error: argument" in line
    assert digest(project) == before


def test_negative_frame_ranges_parse_without_equals(project, capsys):
    assert main(["propagate", str(project), "--method", "interp", "--frames", "-5:10"]) == 2
    assert "--frames '-5:10'" in one_line(capsys)  # 15:10 selects nothing: said in one line
    assert main(["propagate", str(project), "--method", "interp", "--frames", "-8:", "--json"]) == 0
    assert main(["propagate", str(project), "--method", "interp", "--frames", "a:b"]) == 2
    assert "expected A:B" in one_line(capsys)


def test_missing_project_folder(tmp_path, project, capsys):
    target = tmp_path / "no such folder" / "p.stdpose"
    assert main(["new", str(target), str(project.parent / "c" / "frames")]) == 2
    line = one_line(capsys)
    assert str(target) in line and "does not exist" in line
    assert not target.parent.exists()


def test_sqlite_busy_is_one_line_not_a_traceback(tmp_path, project, capsys):
    """Another program (not STDPose) holds SQLite's write lock: the edit fails after the busy timeout."""
    p = tmp_path / "busy.stdpose"
    p.write_bytes(project.read_bytes())
    other = sqlite3.connect(p, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.perf_counter()
        assert main(["keyframes", str(p), "--every", "3"]) == 2
        assert time.perf_counter() - t0 < 9  # the busy timeout (5 s), not forever
    finally:
        other.execute("ROLLBACK")
        other.close()
    line = one_line(capsys)
    assert str(p) in line and "locked by another program" in line


def test_disk_full_while_saving(tmp_path, project, capsys, monkeypatch):
    from stdpose_core.store.sqlite_store import ProjectStore

    p = tmp_path / "full.stdpose"
    p.write_bytes(project.read_bytes())

    def full(self, *a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ProjectStore, "commit", full)
    assert main(["keyframes", str(p), "--every", "3"]) == 2
    line = one_line(capsys)
    assert str(p) in line and "disk is full" in line


def test_unexpected_errors_are_one_line_with_a_debug_hint_and_debug_shows_the_traceback(project, capsys, monkeypatch):
    from stdpose_core import project_ops

    monkeypatch.setattr(project_ops, "summarize", lambda p: 1 / 0)
    assert main(["info", str(project)]) == 1
    line = one_line(capsys)
    assert "ZeroDivisionError" in line and "--debug" in line
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "info", str(project)])


def test_overflow_and_opencv_errors_name_the_file(project, capsys, monkeypatch):
    import cv2

    from stdpose_core import project_ops

    monkeypatch.setattr(project_ops, "summarize", lambda p: (_ for _ in ()).throw(OverflowError("int too big")))
    assert main(["info", str(project)]) == 2
    line = one_line(capsys)
    assert str(project) in line and "too large" in line
    monkeypatch.setattr(project_ops, "summarize", lambda p: cv2.resize(__import__("numpy").zeros((0, 0), "uint8"), (5, 5)))
    assert main(["info", str(project)]) == 2
    line = one_line(capsys)
    assert str(project) in line and "OpenCV" in line


def test_second_writer_fails_at_once_naming_the_holder_and_readers_work(tmp_path, project, capsys):
    p = tmp_path / "held.stdpose"
    p.write_bytes(project.read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys
        from stdpose_core.session import ProjectSession
        s = ProjectSession.open(sys.argv[1], command="stdpose propagate held.stdpose")
        print("open", flush=True)
        sys.stdin.readline()
    """), str(p)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        assert holder.stdout.readline().strip() == "open"
        before = digest(p)
        for args in (["keyframes", str(p), "--every", "3"], ["import", str(p), str(project.parent / "c" / "gt.json")],
                     ["propagate", str(p), "--method", "interp"]):
            t0 = time.perf_counter()
            assert main(args) == 2
            assert time.perf_counter() - t0 < 3
            line = one_line(capsys)
            assert f"process {holder.pid}" in line and "stdpose propagate held.stdpose" in line and "since" in line
        assert digest(p) == before
        assert main(["info", str(p)]) == 0  # readers keep working
        assert main(["export", str(p), "--format", "coco", "-o", str(tmp_path / "out.json")]) == 0
        assert main(["eval", str(project.parent / "c" / "gt.json"), str(p)]) == 0
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_non_utf8_name_in_an_error_is_printed(tmp_path):
    bad = Path(os.fsdecode(str(tmp_path).encode() + b"/bad\xff.stdpose"))
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-m", "stdpose_core.cli.main", "info", os.fsencode(bad)], capture_output=True, env=env)
    err = r.stderr.decode("utf-8", "replace").strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "no such project file" in err[0] and "UnicodeEncodeError" not in err[0]


def test_retrain_and_annotate_usage_errors_are_one_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    for args in (["stdpose_core.training.cli", "--epochs", "abc", "--out", str(tmp_path)],
                 ["app.main", "--size", "abc"], ["app.main", "--size", "10x10"], ["app.main", "--frame", "-1"]):
        r = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, timeout=120)
        err = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(err) == 1 and "error:" in err[0], (args, r.stderr)


def test_screenshot_never_waits_on_an_error_dialog(tmp_path):
    bad = tmp_path / "broken.stdpose"
    bad.write_bytes(b"not a database" * 100)
    out = tmp_path / "shot.png"
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen", STDPOSE_SETTINGS_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "app.main", str(bad), "--screenshot", str(out)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 2 and out.is_file()
    lines = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "broken.stdpose" in lines[0] and "Traceback" not in r.stderr
