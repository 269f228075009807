"""Training events: subscription by name and '*', JSON lines that always parse (NaN → null)."""

from __future__ import annotations

import io
import json

import numpy as np

from stdpose_core.training.events import Events, JsonlLogger


def test_subscribers_and_jsonl_lines():
    ev = Events()
    seen, steps = [], []
    ev.on("*", seen.append)
    ev.on("step", steps.append)
    buf = io.StringIO()
    ev.on("*", JsonlLogger(buf))
    ev.emit("start", epoch=0, step=0)
    ev.emit("step", epoch=1, step=1, loss=np.float32(0.5), lr=1e-3, eta=None)
    ev.emit("val", epoch=1, step=1, metric=float("nan"), metrics={"map": float("inf"), "norm": "head"})
    assert [e["event"] for e in seen] == ["start", "step", "val"] and len(steps) == 1
    lines = [json.loads(ln) for ln in buf.getvalue().splitlines()]
    assert lines[1] == {"event": "step", "epoch": 1, "step": 1, "loss": 0.5, "lr": 1e-3, "eta": None}
    assert lines[2]["metric"] is None and lines[2]["metrics"] == {"map": None, "norm": "head"}
