"""``stdpose-retrain``: train STDPose on annotated data (issue 5; surface in CLI.md).

    stdpose-retrain --config models/NAME.yaml --data SPEC [--data SPEC ...] --out RUN_DIR
                    [--epochs N] [--batch-size B] [--device auto|cpu|cuda] [--resume] [--init CKPT]
                    [--progress tty|jsonl|none] [extras: see --help]

Exit codes: 0 done; 2 bad input or environment (one line on stderr, and an ``error`` event with
``--progress jsonl``), found before any long work; 1 an unexpected failure during training (``error``
event); 130 interrupted (Ctrl-C or SIGTERM; ``last.pt`` is saved first, so ``--resume`` continues).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from stdpose_core.errors import StdposeError

#: CLI flag destination → training setting it overrides.
_FLAG_TO_SETTING = {
    "epochs": "epochs", "batch_size": "batch_size", "device": "device", "lr": "lr", "steps_per_epoch": "steps_per_epoch",
    "val_every": "val_every", "val_max": "val_max", "seed": "seed", "every": "every", "mode": "mode",
    "pretrained": "pretrained", "vitpose": "vitpose", "init": "init", "workers": "num_workers",
    "save_every": "save_every", "log_every": "log_every", "warmup": "warmup", "weight_decay": "weight_decay",
    "grad_clip": "grad_clip", "val_metric": "val_metric",
}

EPILOG = """\
data SPEC: a project file (.stdpose; only manual/corrected joints are used), a dataset folder
  (stdpose dataset init: every project it lists), or
  ANNOTATIONS.json:IMAGE_ROOT (PoseTrack18/21 or COCO; ANNOTATIONS.json alone = images next to it).
  COCO images have no neighbours: they train estimation-style with augmented copies as neighbours.
validation: --val-data when given; else the last --data is held out (two or more specs), or every
  5th track of a single spec; scored in propagation mode at T=--every (PCKh, mAP), next to flow's
  score on the same targets (the quality gate: 'auto' uses the model only if it beats flow).
--pseudo SPEC trains only (never validates); tracks held out from the same file are left out.
several machines/GPUs: torchrun --nproc_per_node N -m stdpose_core.training.cli ... (DDP; gloo on
  CPU, NCCL on GPUs; --batch-size is the global batch; only rank 0 writes files and progress).
outputs: RUN_DIR/args.yaml (resolved settings), last.pt (resumable), best.pt (best validation),
  and an entry in the model registry ($STDPOSE_MODELS_DIR/registry.json or the user's models folder).
--progress jsonl prints one JSON object per event on stdout:
  {"event": "start"|"epoch_start"|"step"|"val"|"epoch_end"|"done"|"cancelled"|"error",
   "epoch", "step", "total_steps", "time", and per event "loss", "lr", "metric", "eta", ...}
"""


def build_parser() -> argparse.ArgumentParser:
    from stdpose_core.console import Parser  # one-line usage errors, as every entry point

    p = Parser(prog="stdpose-retrain", description="Train STDPose on annotated videos.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="model YAML (models/NAME.yaml, may hold a 'training:' section) or a "
                                    "registered model name; optional with --resume")
    p.add_argument("--data", action="append", default=[], metavar="SPEC", help="training data (repeatable)")
    p.add_argument("--val-data", action="append", default=[], metavar="SPEC", help="validation data (repeatable)")
    p.add_argument("--pseudo", action="append", default=[], metavar="PROJECT_OR_JSON",
                   help="pseudo-labels (repeatable): a project's propagated/detected joints weighted by their "
                        "confidence, its manual/corrected ones at full weight; or annotations weighted by their scores")
    p.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--device", choices=("auto", "cpu", "cuda"))
    p.add_argument("--resume", action="store_true", help="continue from RUN_DIR/last.pt with RUN_DIR/args.yaml")
    p.add_argument("--init", metavar="CKPT", help="start from this STDPose checkpoint's weights (nothing else)")
    p.add_argument("--progress", choices=("tty", "jsonl", "none"), default="tty")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    g = p.add_argument_group("extras")
    g.add_argument("--lr", type=float, help="peak learning rate (AdamW)")
    g.add_argument("--steps-per-epoch", type=int, help="optimizer steps per epoch (default: one pass over the triplets)")
    g.add_argument("--val-every", type=int, help="validate every N epochs (0 = never)")
    g.add_argument("--val-max", type=int, help="person-frames scored per validation")
    g.add_argument("--val-metric", choices=("pckh05", "pckh02", "map"), help="metric that selects best.pt")
    g.add_argument("--seed", type=int)
    g.add_argument("--every", type=int, metavar="T", help="keyframe interval: auxiliary gaps 1..T, validation at T")
    g.add_argument("--mode", choices=("propagation", "estimation"))
    g.add_argument("--pretrained", nargs="?", const=True, metavar="TIMM_NAME",
                   help="initialise the backbone from timm pretrained weights (downloads)")
    g.add_argument("--vitpose", metavar="PTH", help="initialise the backbone from a local ViTPose (mmpose) checkpoint")
    g.add_argument("--workers", type=int, help="DataLoader worker processes (default -1 = auto: 0 on CPU, up to 8 on CUDA)")
    g.add_argument("--save-every", type=int, help="also save last.pt every N steps")
    g.add_argument("--log-every", type=int, help="steps between 'step' events")
    g.add_argument("--warmup", type=float, help="warm-up: fraction of all steps (<1) or steps (>=1)")
    g.add_argument("--weight-decay", type=float)
    g.add_argument("--grad-clip", type=float, help="max gradient norm (0 = off)")
    g.add_argument("--no-amp", action="store_true", help="no bf16 autocast on CUDA")
    g.add_argument("--registry", metavar="JSON", help="model registry file (default: user models folder)")
    g.add_argument("--activate", action="store_true", help="make the new model the active one in the registry")
    r = p.add_argument_group("recipes (several stages in a row, models/recipes/*.yaml)")
    r.add_argument("--recipe", metavar="YAML", help="run a training recipe's stages into RUN_DIR/<stage> "
                                                    "(no --config/--data; --resume continues)")
    r.add_argument("--data-root", metavar="DIR", help="what {root} means in the recipe's data "
                                                      "(default $STDPOSE_SHARED_DATA, else ../shared/data)")
    r.add_argument("--stages", nargs="+", metavar="NAME", help="run only these stages of the recipe")
    return p


def _recipe(args) -> int:
    import os

    from stdpose_core.training.recipe import run_recipe

    root = args.data_root or os.environ.get("STDPOSE_SHARED_DATA") or str(Path.cwd().parent / "shared" / "data")
    return run_recipe(args.recipe, args.out, root, resume=args.resume, stages=args.stages,
                      progress=args.progress, registry=args.registry)


def resolve(args: argparse.Namespace):
    """``(ModelConfig, TrainingSettings, data, val_data, pseudo)`` from args.yaml/--config, then flags."""
    from stdpose_core.model.config import ModelConfig
    from stdpose_core.training.config import TrainingSettings, load_args, load_model_yaml

    run_dir = Path(args.out)
    if args.resume:
        if not (run_dir / "last.pt").exists():
            raise StdposeError(f"{run_dir}: nothing to resume (no last.pt); start without --resume")
        saved = load_args(run_dir / "args.yaml")
        model = ModelConfig.from_dict(saved["model"], source=run_dir / "args.yaml")
        training = TrainingSettings.from_dict(saved["training"], str(run_dir / "args.yaml"))
        data = args.data or list(saved.get("data") or [])
        val_data = args.val_data or list(saved.get("val_data") or [])
        pseudo = args.pseudo or list(saved.get("pseudo") or [])
    else:
        if not args.config:
            raise StdposeError("--config is required (a models/NAME.yaml file or a model name)")
        model, yaml_training = load_model_yaml(args.config)
        training = TrainingSettings.from_dict(yaml_training, args.config)
        data, val_data, pseudo = args.data, args.val_data, args.pseudo
    flags = {setting: getattr(args, dest) for dest, setting in _FLAG_TO_SETTING.items() if getattr(args, dest) is not None}
    if args.no_amp:
        flags["amp"] = False
    return model, training.merged(flags, "command line"), data, val_data, pseudo


def _on_sigterm(signum, frame):  # QProcess.terminate(): stop like Ctrl-C so last.pt is saved
    raise KeyboardInterrupt


TORCH_MISSING = ("stdpose-retrain needs PyTorch, which this installation does not have (the desktop build runs "
                 "models with onnxruntime only): install stdpose-annotator with pip or pipx, which brings torch")


def leave_quietly() -> None:
    """End a torchrun worker process (not rank 0) that finished: its output flushed, then
    ``os._exit(0)``. Under load a finished worker's normal interpreter exit aborted now and then
    ("terminate called without an active exception": a native thread torch.distributed left
    joinable, destroyed at exit), which torchrun reports as a failed run although the work was done."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    from stdpose_core.openmp import prefer_passive_waiting

    prefer_passive_waiting()  # before training imports torch
    from stdpose_core.console import safe_streams

    safe_streams()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a usage error already printed as one line
        return int(done.code or 0) if not isinstance(done.code, str) else 2
    from stdpose_core.training.events import Events, JsonlLogger, TqdmLogger

    try:
        import torch  # noqa: F401
    except ImportError:
        if args.progress == "jsonl":
            JsonlLogger()(Events().emit("error", message=TORCH_MISSING))
        print(f"error: {TORCH_MISSING}", file=sys.stderr)
        return 2
    from stdpose_core.training import distributed

    ctx = distributed.from_env()
    events = Events()
    if ctx.is_main:  # under torchrun the other processes stay silent
        if args.progress == "jsonl":
            events.on("*", JsonlLogger())
        elif args.progress == "tty":
            events.on("*", TqdmLogger())
    say = (lambda text: print(text, file=sys.stderr)) if ctx.is_main else (lambda text: None)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (tests calling main in a thread)
        pass
    if args.recipe:
        try:
            return _recipe(args)
        except StdposeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    try:
        from stdpose_core.training.config import save_args
        from stdpose_core.training.loop import Trainer
        from stdpose_core.training.plan import prepare

        model, training, data, val_data, pseudo = resolve(args)
        plan = prepare(model, training, data, args.out, val_data=val_data, registry=args.registry,
                       activate=args.activate, resume=args.resume, pseudo=pseudo,
                       progress=lambda done, total, message: events.emit("prepare", done=done, total=total, message=message))
        distributed.local_batch(ctx, training.batch_size)  # fail before any process starts work
        if ctx.is_main:
            save_args(plan.run_dir / "args.yaml", model, training, data, val_data, pseudo)
        if args.progress != "jsonl":
            for note in plan.notes:
                say(note)
        result = Trainer(plan, events, ctx).run()
        distributed.barrier(ctx)  # every process leaves together
    except StdposeError as e:
        events.emit("error", message=str(e))
        say(f"error: {e}")
        return 2
    except KeyboardInterrupt:
        saved = (Path(args.out) / "last.pt").exists()
        say("interrupted" + ("; continue with --resume (last.pt saved)" if saved else ""))
        return 130
    except Exception as e:  # noqa: BLE001 - the CLI's one error policy: one line (--debug: the traceback)
        from stdpose_core.errors import describe

        message, expected = describe(e, args.out)
        events.emit("error", message=message)
        if args.debug:
            traceback.print_exc()
        else:
            hint = "" if expected else " (this looks like a bug; run with --debug for the traceback)"
            say(f"error: {message}{hint}")
        return 2 if expected else 1
    finally:
        distributed.shutdown()
    if not ctx.is_main:
        leave_quietly()
        return 0
    if args.progress != "jsonl":
        print(f"best: {result['best']}  ({training.val_metric} {result['metric']})  registry id: {result['registry_id']}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
