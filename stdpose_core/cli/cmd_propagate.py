"""``stdpose propagate`` and ``stdpose eval-propagation``."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("propagate", help="fill the frames between keyframes")
    p.add_argument("project")
    p.add_argument("--method", choices=["auto", "interp", "flow", "stdpose"], default="auto")
    p.add_argument("--weights")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.set_defaults(handler=not_built("propagate", "issue 6"))
    e = sub.add_parser("eval-propagation", help="score propagation on a densely labelled clip")
    e.add_argument("gt")
    e.add_argument("--images", required=True)
    e.add_argument("--every", type=int, default=7)
    e.add_argument("--method", action="append")
    e.add_argument("--weights")
    e.add_argument("--json", action="store_true")
    e.set_defaults(handler=not_built("eval-propagation", "issue 6"))
