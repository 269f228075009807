"""Fit flow's learned models on the JHMDB ``train`` clips: confidence, selector, direction split.

    .venv/bin/python benchmarks/calibrate_flow_confidence.py --direction --intervals 5,7,15,30
    .venv/bin/python benchmarks/calibrate_flow_confidence.py --selector [--limit N] [--intervals 5,7,10,15,20,30]
    .venv/bin/python benchmarks/calibrate_flow_confidence.py [--limit N] [--intervals 5,7,10,15,20,30]

In that order: each model's inputs depend on the ones before it.

``--selector`` fits the learned selector (``flow_weights.SELECTOR``, see ``flow_fusion.fuse_two_sided``)
and rewrites ``stdpose_core/propagation/flow_weights.py``: per joint and frame, a small network
(:mod:`stdpose_core.propagation.tiny_mlp`) weighs the corrected forward and backward tracks, the moved
interpolation and interpolation from what the hand-made fusion knows, trained with torch to put the
weighted value within 0.2 of the normaliser of the truth (a smooth PCK@0.2, plus a small pull on the
error).

``--direction`` fits ``flow_fusion.DIRECTION_LOGIT`` instead: per joint and frame, whether the
drift-corrected forward track is nearer the truth than the backward one, each row weighted by
the error difference (capped at 1 box-normalised unit); it prints the coefficients to paste.

For every train clip and keyframe interval T, keyframes are kept on frames 0, T, 2T, ... and the last
frame, flow tracks and fuses every two-sided gap exactly as ``stdpose propagate`` does, and each
propagated joint gives one row: the evidence features (``FlowEvidence.features``) and whether its
error exceeds 0.2 of the normaliser the evaluation uses (box-normalised on JHMDB). The confidence
network (``flow_weights.CONFIDENCE``) is fitted to it by cross-entropy and written to
``flow_weights.py``. Only ``train`` clips are read; figures on ``val``: benchmarks/bench_propagation.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.special import softmax

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from jhmdb_clips import load_split  # noqa: E402

from stdpose_core.eval import auroc  # noqa: E402
from stdpose_core.eval.frame_people import BOX_NORM_FACTOR  # noqa: E402
from stdpose_core.progress import run_to_completion  # noqa: E402
from stdpose_core.propagation import flow_fusion as fusion  # noqa: E402
from stdpose_core.propagation import get_propagator  # noqa: E402
from stdpose_core.propagation.base import find_gaps, group_gaps  # noqa: E402
from stdpose_core.propagation.confidence import ERROR_THRESHOLD, FLOW_FEATURES  # noqa: E402
from stdpose_core.propagation.evaluation import keep_frames, sparse_project  # noqa: E402
from stdpose_core.propagation.tiny_mlp import TinyMLP  # noqa: E402


def two_sided_gaps(gt, src, every: int, prop):
    """For each two-sided gap group of ``gt`` kept at interval ``every``, tracked as ``stdpose propagate``
    tracks it: ``(frame, fwd, bwd, people)`` with ``fwd``/``bwd`` the :class:`DirectionTrack` s and
    ``people = [(gi, track, frames[n], scored[n,K], norm[n]), ...]``: the labelled joints seen at both
    keyframes (those flow fuses) and the evaluation's box normaliser (px)."""
    sparse = sparse_project(gt, keep_frames(gt.num_frames, every))
    for group in group_gaps(find_gaps(sparse)):
        g0 = group[0]
        if not g0.two_sided:
            continue
        frame, fwd, bwd = run_to_completion(prop.track(sparse, src, group))
        f, b = fusion.track_over_gap(fwd, g0.length, False), fusion.track_over_gap(bwd, g0.length, True)
        fr = np.arange(g0.start, g0.stop)
        people = []
        for gi, gap in enumerate(group):
            t = gt.tracks[gap.track_id]
            box = t.bbox[fr]
            norm = BOX_NORM_FACTOR * np.hypot(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
            people.append((gi, t, fr, (t.vis[fr] > 0) & (frame.side[:, gi] == 2) & np.isfinite(norm)[:, None], norm))
        yield frame, f, b, people


def evidence_rows(gt, src, every: int, prop, direction: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(features[N,F], wrong[N])`` of every propagated, labelled joint of one clip at interval ``every``;
    with ``direction``: ``(direction features[N,F], forward error - backward error[N])``."""
    feats, wrong = [], []
    for frame, f, b, people in two_sided_gaps(gt, src, every, prop):
        if direction:
            cf, cb, drift_f, drift_b = fusion.corrected_tracks(frame, f, b)
            dfeat = fusion.two_sided_direction_features(frame, f, b, cf, cb, np.linalg.norm(drift_f, axis=-1),
                                                 np.linalg.norm(drift_b, axis=-1))
        else:
            xy, ev = fusion.fuse_two_sided(frame, f, b)
        for gi, t, fr, m, norm in people:
            if direction:
                ef = np.linalg.norm(cf[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
                eb = np.linalg.norm(cb[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
                feats.append(dfeat[:, gi][m])
                wrong.append((ef - eb)[m])
                continue
            err = np.linalg.norm(xy[:, gi] - t.xy[fr], axis=-1) / norm[:, None]
            feats.append(ev.features()[:, gi][m])
            wrong.append(err[m] > ERROR_THRESHOLD)
    if not feats:
        width = len(fusion.DIRECTION_FEATURES if direction else FLOW_FEATURES)
        return np.zeros((0, width)), np.zeros(0, float if direction else bool)
    return np.concatenate(feats), np.concatenate(wrong)


def selector_rows(gt, src, every: int, prop) -> tuple[np.ndarray, ...]:
    """``(features[N,F], candidates[N,4,2], truth[N,2], norm[N])`` of every labelled joint of a
    two-sided gap seen at both keyframes (the joints the selector decides), one clip at ``every``."""
    rows: list[list[np.ndarray]] = [[], [], [], []]
    for frame, f, b, people in two_sided_gaps(gt, src, every, prop):
        hand = fusion.handmade_fusion(frame, f, b)
        feats, cand = fusion.selector_features(frame, hand), fusion.selector_candidates(frame, hand)
        for gi, t, fr, m, norm in people:
            for acc, v in zip(rows, (feats[:, gi], cand[:, gi], t.xy[fr], np.broadcast_to(norm[:, None], m.shape))):
                acc.append(v[m])
    width = len(fusion.SELECTOR_CANDIDATES)
    empty = (np.zeros((0, 36)), np.zeros((0, width, 2)), np.zeros((0, 2)), np.zeros(0))
    return tuple(np.concatenate(a) for a in rows) if rows[0] else empty


def train_network(X: np.ndarray, outputs: int, loss, hidden: int = 16, epochs: int = 6, batch: int = 2048,
                  weight_decay: float = 1e-5, seed: int = 0) -> dict:
    """Train a :class:`~stdpose_core.propagation.tiny_mlp.TinyMLP` (two tanh layers of ``hidden``) on
    ``X[N,F]`` with torch; ``loss(out[B,outputs], idx[B])`` is the batch loss. Returns its dict form."""
    import torch

    torch.manual_seed(seed)
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-6
    Xt = torch.tensor((X - mean) / std, dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, hidden),
                              torch.nn.Tanh(), torch.nn.Linear(hidden, outputs))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=weight_decay)
    for _ in range(epochs):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), batch):
            idx = perm[i : i + batch]
            value = loss(net(Xt[idx]), idx)
            opt.zero_grad()
            value.backward()
            opt.step()
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    return {"mean": mean.tolist(), "std": std.tolist(),
            "layers": [[m.weight.detach().double().numpy().T.tolist(), m.bias.detach().double().numpy().tolist()]
                       for m in linear]}


def fit_selector(X: np.ndarray, cand: np.ndarray, truth: np.ndarray, norm: np.ndarray) -> dict:
    """The selector: softmax weights over the candidates that put their weighted value within 0.2 of
    the normaliser of the truth (a smooth PCK@0.2, plus a small pull on the error)."""
    import torch

    C, G, N = (torch.tensor(a, dtype=torch.float32) for a in (cand, truth, norm))

    def loss(out, idx):
        w = torch.softmax(out, dim=1)
        err = torch.linalg.norm((w[..., None] * C[idx]).sum(1) - G[idx], dim=-1) / N[idx]
        return (-torch.sigmoid((ERROR_THRESHOLD - err) / 0.03) + 0.05 * torch.clamp(err, max=1.0)).mean()

    return train_network(X, cand.shape[1], loss)


def fit_confidence(X: np.ndarray, wrong: np.ndarray) -> dict:
    """The confidence network: the logit of P(error > 0.2 of the normaliser), by cross-entropy."""
    import torch

    y = torch.tensor(wrong, dtype=torch.float32)

    def loss(out, idx):
        return torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], y[idx])

    return train_network(X, 1, loss, epochs=8, batch=4096, weight_decay=1e-4)


WEIGHTS_MODULE = REPO / "stdpose_core" / "propagation" / "flow_weights.py"


def write_weights(path: Path = WEIGHTS_MODULE, **networks: dict) -> None:
    """Rewrite the weights module with ``networks`` (``SELECTOR=...``, ``CONFIDENCE=...``; the ones not
    given are kept), numbers rounded to 7 significant digits."""
    import pprint

    from stdpose_core.propagation import flow_weights

    def rounded(v):
        return [rounded(x) for x in v] if isinstance(v, list) else float(f"{v:.7g}")

    nets = {name: getattr(flow_weights, name, {}) for name in ("SELECTOR", "CONFIDENCE")} | networks
    text = ('"""Weights of flow\'s learned networks (:mod:`stdpose_core.propagation.tiny_mlp`), written by\n'
            "``benchmarks/calibrate_flow_confidence.py`` from the JHMDB ``train`` clips; do not edit.\n\n"
            "``SELECTOR``: ``flow_fusion.fuse_two_sided``'s weights of its candidates (``--selector``).\n"
            "``CONFIDENCE``: ``confidence.flow_score``'s logit of a wrong joint (no option).\n"
            '"""\n\n# fmt: off\n')
    for name, net in nets.items():
        body = pprint.pformat({k: rounded(v) for k, v in net.items()}, width=118, compact=True)
        text += f"{name}: dict = {body}\n\n"
    path.write_text(text.rstrip("\n") + "\n")


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 30,
                 weight: np.ndarray | None = None) -> np.ndarray:
    """Coefficients ``b`` of P(y) = 1 / (1 + exp(-X b)) by Newton's method with an L2 penalty
    (``weight[N]``: per-row weights, default 1)."""
    b = np.zeros(X.shape[1])
    wt = np.ones(len(y)) if weight is None else weight
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ b, -50, 50)))
        grad = X.T @ (wt * (p - y)) + l2 * b
        hess = (X * (wt * p * (1 - p))[:, None]).T @ X + l2 * np.eye(len(b))
        step = np.linalg.solve(hess, grad)
        b -= step
        if np.abs(step).max() < 1e-7:
            break
    return b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="use N train clips spread over the list (default all)")
    ap.add_argument("--intervals", default="5,7,10,15,20,30")
    ap.add_argument("--direction", action="store_true", help="fit flow_fusion.DIRECTION_LOGIT instead")
    ap.add_argument("--selector", action="store_true", help="fit the learned selector and rewrite flow_weights.py")
    ap.add_argument("--synth", type=int, default=40, metavar="N",
                    help="with --selector: also N generated clips (seeds 1000+; the benchmark's are 100+)")
    args = ap.parse_args(argv)
    clips = load_split("train", args.limit)
    if not clips:
        print("no JHMDB data under ../shared/data/jhmdb: nothing to fit")
        return 1
    prop = get_propagator("flow")
    if args.selector:
        return fit_and_write_selector(clips + generated_clips(args.synth), [int(v) for v in args.intervals.split(",")], prop)
    X, y, T = [], [], []
    for every in (int(v) for v in args.intervals.split(",")):
        for gt, src in clips:
            if gt.num_frames <= every + 1:
                continue
            f, w = evidence_rows(gt, src, every, prop, args.direction)
            X.append(f)
            y.append(w)
            T.append(np.full(len(w), every))
    if args.direction:
        X, diff = np.concatenate(X), np.concatenate(y)
        b = fit_logistic(X, (diff < 0).astype(np.float64), l2=1.0, weight=np.minimum(np.abs(diff), 1.0))
        print(f"{len(clips)} train clips, {len(diff)} joints")
        print("DIRECTION_LOGIT = (" + ", ".join(f"{v:.3f}" for v in b) + ")")
        print("features:", ", ".join(fusion.DIRECTION_FEATURES))
        return 0
    X, y, T = np.concatenate(X), np.concatenate(y).astype(np.float64), np.concatenate(T)

    confidence = fit_confidence(X, y)
    z = TinyMLP.from_dict(confidence)(X)[:, 0]  # the logit of a wrong joint: flow_score is sigmoid(-z)
    print(f"{len(clips)} train clips, {len(y)} joints, {100 * y.mean():.1f}% wrong")
    for every in np.unique(T):
        m = T == every
        print(f"  train T={every:>2}: AUROC {auroc(z[m], y[m] > 0):.3f}  ({m.sum()} joints)")
    write_weights(CONFIDENCE=confidence)
    print(f"wrote {WEIGHTS_MODULE.relative_to(REPO)}")
    return 0


def generated_clips(count: int) -> list:
    """``count`` generated clips as ``(ground truth, frame source)``: 1-3 people, 61 frames, 480x270,
    seeds 1000 on (``benchmarks/bench_propagation.py`` scores seeds 100 on)."""
    from stdpose_core.propagation import ListSource
    from stdpose_core.synth import generate_clip

    clips = [generate_clip(persons=1 + seed % 3, frames=61, size=(480, 270), seed=seed) for seed in range(1000, 1000 + count)]
    return [(c.gt, ListSource(c.frames)) for c in clips]


def fit_and_write_selector(clips, intervals: list[int], prop) -> int:
    parts = [selector_rows(gt, src, every, prop) for every in intervals for gt, src in clips if gt.num_frames > every + 1]
    X, cand, truth, norm = (np.concatenate([p[i] for p in parts]) for i in range(4))
    selector = fit_selector(X, cand, truth, norm)
    w = softmax(TinyMLP.from_dict(selector)(X), axis=-1)
    err = np.linalg.norm((w[..., None] * cand).sum(1) - truth, axis=-1) / norm
    print(f"{len(clips)} clips, {len(X)} joints; PCK@0.2 of the selector on them {100 * np.mean(err <= ERROR_THRESHOLD):.1f}")
    write_weights(SELECTOR=selector)
    print(f"wrote {WEIGHTS_MODULE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
