"""``stdpose synth``: render a generated clip with exact ground truth."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("synth", help="render a clip of moving articulated figures with exact ground truth")
    p.add_argument("out_dir")
    p.add_argument("--persons", type=int, default=3)
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--size", default="640x360", help="WxH")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=["frames", "mp4"], default="frames")
    p.set_defaults(handler=not_built("synth", "issue 2"))
