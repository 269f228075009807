"""Exports are atomic and leave nothing behind: a failed write removes its temporary file, a killed
one's temporary file is cleaned by the next write, and every message names the user's path."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stdpose_core.errors import InputError
from stdpose_core.io.atomic import STALE_AFTER_S, atomic_write_bytes, clean_stale_temps

REPO = Path(__file__).resolve().parents[3]


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_failed_check_removes_the_temp_file_and_names_the_target(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")

    def refuse(tmp: Path) -> None:
        raise InputError(tmp, "does not read back")

    with pytest.raises(InputError) as err:
        atomic_write_bytes(target, b"new", refuse)
    assert str(err.value).startswith(f"{target}: ") and ".tmp" not in str(err.value)
    assert target.read_text() == "old" and hidden(tmp_path) == []


def test_disk_full_names_the_target(tmp_path):
    target = tmp_path / "out.json"

    def full(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    with pytest.raises(OSError) as err:
        atomic_write_bytes(target, b"x" * 1000, full)
    assert err.value.filename == str(target) and "disk full" in err.value.strerror
    assert not target.exists() and hidden(tmp_path) == []


def test_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="does not exist") as err:
        atomic_write_bytes(tmp_path / "nope" / "out.json", b"x")
    assert str(err.value).startswith(str(tmp_path / "nope" / "out.json"))


def test_a_killed_writer_leaves_a_temp_file_that_the_next_write_removes(tmp_path):
    target = tmp_path / "big export.json"
    script = textwrap.dedent("""
        import sys, time
        from stdpose_core.io.atomic import atomic_write_bytes
        def slow(tmp):
            print("written", flush=True)
            time.sleep(60)
        atomic_write_bytes(sys.argv[1], b"x" * 5_000_000, slow)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.stdout.readline().strip() == "written"
    leftover = hidden(tmp_path)
    assert len(leftover) == 1 and leftover[0].startswith(".big export.json.") and leftover[0].endswith(".tmp")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / leftover[0]).stat().st_size == 5_000_000  # a full-size file stays behind...
    atomic_write_bytes(target, b"fresh")
    assert target.read_bytes() == b"fresh" and hidden(tmp_path) == []  # ...until the next export


def test_temp_files_of_running_writers_are_kept(tmp_path):
    from stdpose_core.io.atomic import _host

    target = tmp_path / "out.json"
    mine = tmp_path / f".out.json.{_host()}-{os.getpid()}.abcdef.tmp"  # this process is alive
    other_host = tmp_path / ".out.json.elsewhere-1.abcdef.tmp"
    old_style = tmp_path / ".out.json.k3j4h5.tmp"
    for p in (mine, other_host, old_style):
        p.write_bytes(b"partial")
    assert clean_stale_temps(target) == []
    old = time.time() - STALE_AFTER_S - 10
    os.utime(other_host, (old, old))
    os.utime(old_style, (old, old))
    assert sorted(clean_stale_temps(target)) == sorted([other_host, old_style])
    assert mine.exists()
    other_target = tmp_path / "out.json.bak"  # a different target's files are never touched
    assert clean_stale_temps(other_target) == []


def test_cli_export_into_a_missing_folder(tmp_path, capsys):
    from stdpose_core.cli.main import main

    assert main(["synth", str(tmp_path / "c"), "--frames", "2", "--persons", "1", "--size", "64x48"]) == 0
    assert main(["new", str(tmp_path / "p.stdpose"), str(tmp_path / "c" / "frames")]) == 0
    capsys.readouterr()
    out = tmp_path / "missing" / "out.json"
    assert main(["export", str(tmp_path / "p.stdpose"), "--format", "coco", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(out) in err[0] and ".tmp" not in err[0]
