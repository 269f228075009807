"""Entry point of the desktop build: one program, two names (``stdpose-annotate`` opens the editor,
``stdpose`` is the command line), chosen by the executable's name."""

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    multiprocessing.freeze_support()
    if Path(sys.executable).stem == "stdpose":
        from stdpose_core.cli.main import main as cli_main

        return cli_main()
    from app.main import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
