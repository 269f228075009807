"""Index a video's frames off the UI thread before the editor opens it.

The first open of a video reads it once to build its frame index (seconds for a long file); later opens
read the cached index instantly. :func:`ensure_indexed` runs that job on a worker thread while a progress
dialog (shown only when it takes a moment) keeps the window alive and offers Cancel.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from stdpose_core.progress import Cancelled, Job, run_to_completion

SHOW_AFTER_MS = 400  # quick (cached or short) videos never flash a dialog


def run_job_modal(parent: QWidget | None, job: Job, title: str, label: str):
    """Run ``job`` on a worker thread with a progress dialog; its result, or None when cancelled.

    An exception raised by the job is re-raised here, on the calling (GUI) thread.
    """
    state = {"done": False, "result": None, "error": None, "progress": (0, 0), "cancel": False}

    def show(p) -> None:
        state["progress"] = (p.done, p.total)

    def work() -> None:
        try:
            state["result"] = run_to_completion(job, show, lambda: state["cancel"])
        except Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            state["error"] = exc
        finally:
            state["done"] = True

    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)

    def poll() -> None:
        if dialog.wasCanceled():  # polled: closing the dialog also emits 'canceled'
            state["cancel"] = True
        done, total = state["progress"]
        if total > 0:
            dialog.setMaximum(1000)
            dialog.setValue(int(1000 * done / total))
        if state["done"]:
            loop.quit()

    timer.timeout.connect(poll)
    thread = threading.Thread(target=work, name="index-video", daemon=True)
    thread.start()
    timer.start()
    loop.exec()
    timer.stop()
    thread.join()
    cancelled = state["cancel"]  # decided before close(), which would report a cancel itself
    dialog.close()
    if state["error"] is not None:
        raise state["error"]
    return None if cancelled else state["result"]


def ensure_indexed(parent: QWidget | None, video: str | Path) -> bool:
    """Make sure ``video`` (a file; folders need no index) has its cached frame index. False = cancelled.

    Raises InputError for a file that is not a readable video.
    """
    from stdpose_core.video import index_job

    video = Path(video)
    if not video.is_file():
        return True
    result = run_job_modal(parent, index_job(video), "Opening video", f"Indexing the frames of {video.name}…")
    return result is not None
