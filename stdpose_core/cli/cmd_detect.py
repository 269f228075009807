"""``stdpose detect``: person boxes, track ids and pose pre-labels."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("detect", help="find people, assign track ids and pose pre-labels (YOLO)")
    p.add_argument("project")
    p.add_argument("--weights")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--frames", help="A:B frame range")
    p.add_argument("--redo", action="store_true", help="detect again on frames already detected")
    p.set_defaults(handler=not_built("detect", "issue 4"))
