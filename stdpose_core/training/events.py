"""Named training events and the loggers that subscribe to them.

The trainer calls ``events.emit(name, **payload)``; subscribers registered with ``events.on(name, fn)``
(or ``on("*", fn)`` for all) receive one dict ``{"event": name, **payload}``.

Events and their keys (every event also has ``epoch`` (1-based; 0 before the first), ``step`` (global
optimizer steps done), ``total_steps`` and ``time`` (seconds since start)):

* ``prepare``     — ``done``, ``total``, ``message``: work before training (flow priors), per clip; no
                    ``epoch``/``step`` keys
* ``start``       — ``epochs``, ``steps_per_epoch``, ``train_samples``, ``val_samples``, ``device``,
                    ``model``, ``split``, ``resumed_from`` (step or null)
* ``epoch_start`` — ``lr``
* ``step``        — ``loss`` (total), ``heatmap`` (its heatmap-MSE part), ``lr``, ``eta`` (seconds left,
                    null until measurable), ``steps_per_s``
* ``val``         — ``metric`` (value of the chosen metric), ``metric_name``, ``metrics`` (pckh05,
                    pckh02, map, mean_px, norm), ``best`` (bool: new best.pt)
* ``epoch_end``   — ``loss`` (epoch mean), ``lr``, ``metric`` (last validation value or null), ``eta``
* ``done``        — ``best`` (path), ``last`` (path), ``metric``, ``registry_id``
* ``cancelled``   — ``last`` (path of the checkpoint written on the way out)
* ``error``       — ``message``

``--progress jsonl`` writes each event as one JSON line on stdout (flushed); ``--progress tty`` draws a
tqdm bar on stderr and prints a line per validation.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from typing import Any, Callable, TextIO

Handler = Callable[[dict[str, Any]], None]


class Events:
    """A tiny publish/subscribe hub."""

    def __init__(self) -> None:
        self._subs: dict[str, list[Handler]] = defaultdict(list)

    def on(self, name: str, fn: Handler) -> Handler:
        """Subscribe ``fn`` to ``name`` ("*" = every event). Returns ``fn``."""
        self._subs[name].append(fn)
        return fn

    def emit(self, name: str, **payload: Any) -> dict[str, Any]:
        event = {"event": name, **payload}
        for fn in (*self._subs.get(name, ()), *self._subs.get("*", ())):
            fn(event)
        return event


def _clean(v: Any) -> Any:
    """JSON-safe value: NaN/inf become null, numpy scalars plain numbers."""
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


class JsonlLogger:
    """One JSON object per event on ``stream`` (stdout by default), flushed at once."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def __call__(self, event: dict[str, Any]) -> None:
        stream = self.stream or sys.stdout
        stream.write(json.dumps(_clean(event), default=str) + "\n")
        stream.flush()


class TqdmLogger:
    """A progress bar over all steps (stderr) plus a line per validation."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, event: dict[str, Any]) -> None:
        from tqdm import tqdm

        name = event["event"]
        if name == "start":
            self.bar = tqdm(total=event["total_steps"], initial=event["step"], unit="step", dynamic_ncols=True,
                            desc="train")
        elif self.bar is None:
            return
        elif name == "step":
            self.bar.n = event["step"]
            self.bar.set_postfix(epoch=event["epoch"], loss=f"{event['loss']:.3g}", lr=f"{event['lr']:.2e}",
                                 refresh=False)
            self.bar.refresh()
        elif name == "val":
            m = event.get("metric")
            text = "n/a" if m is None or (isinstance(m, float) and not math.isfinite(m)) else f"{m:.2f}"
            self.bar.write(f"epoch {event['epoch']}: {event['metric_name']} {text}"
                           f"{' (best)' if event.get('best') else ''}")
        elif name in ("done", "cancelled", "error"):
            self.bar.close()
            self.bar = None
