#!/usr/bin/env bash
# Save every workspace of the demo window, in English and Russian, into docs/screenshots/, on a lecturer PC's
# 1366x768 screen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
out=docs/screenshots
mkdir -p "$out"
for lang in en ru; do
  data=$(mktemp -d)
  xvfb-run -a -s "-screen 0 1366x768x24" \
    .venv/bin/classroom-console --data-dir "$data" --lang "$lang" demo --screenshot "$out" --settle 5
  rm -rf "$data"
  # What the demo's own screenshots leave out: the room on, a camera's lost picture and its own window, a camera in
  # the Studio, the projector's join card and live chart (simulated tablets answering over loopback).
  xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/window_shots.py --lang "$lang" --out "$out"
done
# The students' tablet page (phone and tablet, both languages) and the centre's library (desk and phone), in
# headless Chromium.
.venv/bin/python bench/tablets.py --page-only --screenshots "$out" >/dev/null
CLASSROOM_CONSOLE_SCREENSHOTS="$out" .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_library_browser.py >/dev/null
