"""Project commands: ``new``, ``import``, ``keyframes``, ``export``, ``info``."""

from stdpose_core.cli.common import not_built


def register(sub) -> None:
    p = sub.add_parser("new", help="create a project file for a video or image folder")
    p.add_argument("project")
    p.add_argument("source")
    p.add_argument("--skeleton", choices=["posetrack18", "coco17"], default="posetrack18")
    p.set_defaults(handler=not_built("new", "issue 2"))
