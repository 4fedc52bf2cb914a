#!/usr/bin/env bash
# Set everything up, then start the console on a simulated demo room on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display found; running on a virtual screen (xvfb-run), where nothing is seen. Screenshots instead: bash scripts/demo.sh --screenshot DIR"
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/classroom-console demo "$@"
fi
exec .venv/bin/classroom-console demo "$@"
