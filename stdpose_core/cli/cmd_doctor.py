"""``stdpose doctor``: what is installed, which devices and weights were found, what is missing."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("doctor", help="report versions, devices, weights and what is missing")
    p.set_defaults(handler=not_built("doctor", "issue 9"))
