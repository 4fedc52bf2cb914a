#!/usr/bin/env bash
# Set everything up, then run every check: lint, types, layer contracts, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";          ruff check classroom_console devices ui tests bench scripts
echo "== mypy";          mypy
echo "== import-linter"; lint-imports
echo "== pytest";        python -m pytest "$@"
