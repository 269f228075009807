"""OpenMP's wait policy for every process that may run torch work (call at start-up, before torch).

Torch's CPU kernels run on OpenMP threads that, by default, spin-wait for work after each parallel
region. On a machine whose cores are shared with other processes (the GUI's own threads, a
training run, other users) the spinning threads steal the cores the working ones need: YOLO on
torch fell from 7-9 to 0.4-0.7 frames/s on a busy 2-core machine. ``OMP_WAIT_POLICY=PASSIVE`` makes
idle threads sleep instead. OpenMP reads it once, when the runtime loads (on ``import torch``), so
the entry points (``stdpose``, ``stdpose-retrain``, ``stdpose-annotate``) set it first thing.
"""

from __future__ import annotations

import os
import sys

#: The policy the entry points ask for unless the user chose one.
WAIT_POLICY = "PASSIVE"


def prefer_passive_waiting() -> bool:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the environment already sets it (the user's choice wins).

    Returns True when the policy in force is passive and takes effect, i.e. torch was not imported
    yet (once OpenMP is loaded, changing the variable does nothing).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
    return os.environ["OMP_WAIT_POLICY"].upper() == WAIT_POLICY and "torch" not in sys.modules
