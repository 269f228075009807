"""The window with the generated dataset (tests/conftest.py ``dataset``) open in its dataset view."""

from __future__ import annotations

import pytest


@pytest.fixture
def dwindow(qtbot, errors, dataset):
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    assert w.open_dataset(dataset), errors
    panel = w.dataset_panel
    qtbot.waitUntil(lambda: len(panel.model.rows) == 5, timeout=10000)
    yield w
    w.close()
