#!/usr/bin/env bash
# Set everything up, then start the console on a simulated demo room on loopback.
set -euo pipefail
# A relative folder given to --screenshot or --data-dir is the caller's, not the checkout's (we cd there next).
args=()
resolve_next=0
for arg in "$@"; do
  if [ "$resolve_next" = 1 ] && [ "${arg#/}" = "$arg" ]; then arg="$PWD/$arg"; fi
  resolve_next=0
  case "$arg" in --screenshot|--data-dir) resolve_next=1 ;; esac
  args+=("$arg")
done
set -- "${args[@]+"${args[@]}"}"
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display found; running on a virtual screen (xvfb-run), where nothing is seen. Screenshots instead: bash scripts/demo.sh --screenshot DIR"
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/classroom-console demo "$@"
fi
exec .venv/bin/classroom-console demo "$@"
