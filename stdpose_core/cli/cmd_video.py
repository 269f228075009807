"""``stdpose reencode``: rewrite a video so that every frame can be reached exactly."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("reencode", help="re-encode a video as short-GOP H.264 for exact seeking")
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(handler=not_built("reencode", "issue 3"))
