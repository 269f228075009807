"""docs/cli.md is generated from the commands' --help and must match them."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_cli_docs.py"), "--check"], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
