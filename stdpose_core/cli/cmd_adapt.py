"""``stdpose adapt``: fine-tune the active model on this project's keyframes (per-video adaptation)."""

from __future__ import annotations

from stdpose_core.cli.common import print_json
from stdpose_core.errors import StdposeError
from stdpose_core.progress import run_with_bar


def register(sub) -> None:
    p = sub.add_parser(
        "adapt", help="fine-tune the active STDPose model on this project's keyframes",
        description="Fine-tune the active model (the shipped one when none is active; or --base) on the project's "
                    "manual and corrected joints and score it leave-one-keyframe-out on the project against its base "
                    "and flow. It becomes the project's model (stored in PROJECT-models/ beside the project file; the "
                    "project file is not changed) only if it beats its base by more than chance (a one-sided sign test on "
                    "the held-out joints, p <= 0.05); 'auto' propagation then uses it on this "
                    "project where it also beats flow.")
    p.add_argument("project")
    p.add_argument("--base", metavar="CKPT",
                   help="checkpoint to start from (default: the registry's active model, else the shipped model)")
    p.add_argument("--steps", type=int, default=200, help="fine-tuning steps per run (default 200)")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--folds", type=int, default=2, help="cross-fitted runs that score the adapted model (default 2)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--reset", action="store_true", help="stop using the project's adapted model (files stay)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_adapt)


def cmd_adapt(args) -> int:
    from stdpose_core.cli.cmd_propagate import open_frames
    from stdpose_core.ops.jobs import check_frames
    from stdpose_core.project_ops import video_path
    from stdpose_core.session import ProjectSession
    from stdpose_core.trained import project_model

    if args.reset:
        with ProjectSession.open(args.project):  # a real project, or one clear error
            pass
        was = project_model.reset(args.project)
        print("the project uses the registry's model again" if was else "the project had no adapted model")
        return 0
    try:
        from stdpose_core.training.adapt import AdaptSettings, adapt_job
    except ImportError:
        raise StdposeError("adaptation needs PyTorch, which this installation lacks (the desktop build runs models "
                           "with onnxruntime only)") from None
    settings = AdaptSettings(steps=args.steps, batch_size=args.batch_size, folds=args.folds, device=args.device)
    with ProjectSession.open(args.project) as s:
        project = s.project
        src = open_frames(video_path(s), project.video.frame_names)
        try:
            check_frames(src, project)
            result = run_with_bar(adapt_job(project, src, args.project, args.base, settings), desc="adapt")
        finally:
            src.close()
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.summary())
    return 0
