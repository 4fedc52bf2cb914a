#!/usr/bin/env bash
# Set everything up, then run every check: lint, types, layer contracts, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite runs in two workers, each in a network namespace of its own (scripts/netns_worker), where this user
# may make one; otherwise, or with CLASSROOM_CONSOLE_TEST_WORKERS=1, in this process alone. The workers are set
# here, not by -n/--tx, which would put them in one namespace.
workers="${CLASSROOM_CONSOLE_TEST_WORKERS:-2}"
case "$workers" in ''|*[!0-9]*) echo "CLASSROOM_CONSOLE_TEST_WORKERS must be a number, not '$workers'" >&2; exit 2;; esac
for arg in "$@"; do
  case "$arg" in -n|-n*|--numprocesses*|--tx*|-d|--dist*)
    echo "scripts/test.sh sets the workers itself (CLASSROOM_CONSOLE_TEST_WORKERS=N); '$arg' would share one namespace" >&2
    exit 2;;
  esac
done
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";          ruff check classroom_console devices ui tests bench scripts
echo "== mypy";          mypy
echo "== import-linter"; lint-imports
parallel=()
if [ "$workers" -gt 1 ] && scripts/netns_worker true 2>/dev/null; then
  parallel=(--dist loadfile --tx "$workers*popen//python=scripts/netns_worker '$PWD/.venv/bin/python'")
fi
echo "== pytest";        python -m pytest "${parallel[@]}" "$@"
