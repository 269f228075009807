"""``stdpose eval``: PoseTrack mAP, PCK, pixel error, OKS AP."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("eval", help="score predictions against ground truth")
    p.add_argument("gt")
    p.add_argument("pred")
    p.add_argument("--metric", choices=["posetrack-map", "pck", "oks"], default="posetrack-map")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=not_built("eval", "issue 2"))
