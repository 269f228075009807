#!/usr/bin/env bash
# Sets up .venv if needed, checks the code (ruff, import-linter layer contracts), then runs the whole
# test suite (offscreen Qt). Arguments go to pytest. STDPOSE_SKIP_LINT=1 skips the checks (quick reruns).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
if [ "${STDPOSE_SKIP_LINT:-0}" != 1 ]; then
    .venv/bin/ruff check --quiet .
    .venv/bin/lint-imports --no-cache --no-logo
fi
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
