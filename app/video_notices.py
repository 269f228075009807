"""The video reader's warnings where the annotator sees them, and the way out: Re-encode….

When the open project's video is truncated, has a variable frame rate or cannot be seeked exactly,
the window's video bar says so (:func:`show_video_notes`) and offers Re-encode…: the existing
``stdpose reencode`` job (:func:`stdpose_core.video.reencode.reencode`) runs in the background
(the Jobs runner's progress and Cancel, or a progress dialog without it); when it finishes the
project is pointed at the new file (:func:`stdpose_core.project_ops.replace_video`) and reopened.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.errors import show_error


def show_video_notes(window, source) -> None:
    """Show ``source``'s warnings in ``window.video_bar`` (hide the bar when there are none)."""
    from stdpose_core.video.frame_index import REENCODE_HINT

    # the reader's own words, without the command-line hint: the bar has its own button
    notes = [w.replace(f"; {REENCODE_HINT}", "") for w in (getattr(source, "warnings", None) or [])]
    if not notes:
        window.video_bar.hide()
        return
    buttons = []
    text = f"Video {Path(source.path).name}: " + "; ".join(notes)
    if Path(source.path).is_file() and not window.doc.read_only:
        buttons.append(("Re-encode…", lambda: reencode_video(window)))
        text += ". Re-encode… writes a copy in which every frame is reached exactly and quickly."
    window.video_bar.show_notice(text, buttons)


def default_target(video: Path) -> Path:
    """``clip-reencoded.mp4`` beside ``clip.avi`` (``-2``, ``-3``… when taken)."""
    target = video.with_name(f"{video.stem}-reencoded.mp4")
    n = 2
    while target.exists():
        target = video.with_name(f"{video.stem}-reencoded-{n}.mp4")
        n += 1
    return target


def ask_target(window, video: Path) -> Path | None:
    """Where to write the re-encoded video (a save dialog; tests replace ``window.ask_reencode_target``)."""
    path, _ = QFileDialog.getSaveFileName(window, "Re-encode video as", str(default_target(video)), "MP4 video (*.mp4)")
    return Path(path) if path else None


def reencode_video(window) -> bool:
    """Start re-encoding the project's video in the background; False when nothing was started."""
    from stdpose_core.video.reencode import reencode

    doc = window.doc
    if doc.session is None or doc.read_only:
        return False
    video = doc.video_path()
    ask = getattr(window, "ask_reencode_target", None) or (lambda v: ask_target(window, v))
    target = ask(video)
    if target is None:
        return False
    session = doc.session

    def done(summary: dict) -> None:
        if doc.session is not session:
            return  # another project was opened meanwhile: leave it alone
        _switch_video(window, Path(summary["output"]))

    jobs = getattr(window, "jobs", None)
    if jobs is not None:
        return jobs.run("Re-encoding video", lambda _project: reencode(video, target), on_result=done)
    from app.indexing import run_job_modal

    try:
        summary = run_job_modal(window, reencode(video, target), "Re-encoding video", f"Re-encoding {video.name}…")
    except Exception as exc:  # noqa: BLE001 - shown, the project stays as it was
        show_error(window, "Re-encode failed", exc)
        return False
    if summary is not None:
        done(summary)
    return summary is not None


def _switch_video(window, new_video: Path) -> None:
    from stdpose_core.project_ops import replace_video

    doc = window.doc
    try:
        replace_video(doc.session, new_video)
        source = window.loader.set_source(doc.video_path(), window.settings.cache_mb)
    except Exception as exc:  # noqa: BLE001
        show_error(window, "Cannot use the re-encoded video", exc)
        return
    show_video_notes(window, source)
    window.statusBar().showMessage(f"Now using {new_video.name} (every frame reachable exactly)", 6000)
    doc.frame_changed.emit(doc.frame)
