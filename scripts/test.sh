#!/usr/bin/env bash
# Set everything up, then run every check: lint, types, layer contracts, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";          ruff check classroom_console devices ui tests bench scripts
echo "== mypy";          mypy
echo "== import-linter"; lint-imports
# The suite runs in two workers, each in a network namespace of its own (scripts/netns_worker), where this user
# may make one; otherwise, or with CLASSROOM_CONSOLE_TEST_WORKERS=1, in this process alone.
parallel=()
if [ "${CLASSROOM_CONSOLE_TEST_WORKERS:-2}" -gt 1 ]; then
  for flags in "--net" "--map-root-user --net"; do
    # shellcheck disable=SC2086
    if unshare $flags sh -c 'ip link set lo up' 2>/dev/null; then
      export NETNS_UNSHARE="$flags"
      parallel=(-d --dist loadfile
                --tx "${CLASSROOM_CONSOLE_TEST_WORKERS:-2}*popen//python=scripts/netns_worker $PWD/.venv/bin/python")
      break
    fi
  done
fi
echo "== pytest";        python -m pytest "${parallel[@]}" "$@"
