#!/usr/bin/env bash
# Sets up .venv if needed and opens the app on a generated demo clip with labelled keyframes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
exec .venv/bin/stdpose-annotate --demo "$@"
