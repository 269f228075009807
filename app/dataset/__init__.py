"""The dataset view (File → Open dataset…): :class:`~app.dataset.panel.DatasetPanel`."""

from app.shortcuts import ActionSpec

OPEN_DATASET = ActionSpec("file.open_dataset", "Open &dataset…", ("Ctrl+Shift+O",), "File",
                          "Open a dataset folder (stdpose-dataset.json): its videos, their progress, who does what")
