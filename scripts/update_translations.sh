#!/usr/bin/env bash
# Collect every tr() string from ui/ into assets/i18n/*.ts (existing translations are kept).
# Then translate what lupdate marks "unfinished" (Qt Linguist, or edit the XML) and commit the .ts.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(find ui -name '*.py' | sort)
.venv/bin/pyside6-lupdate -locations none -no-obsolete "${sources[@]}" -ts assets/i18n/classroom_console_ru.ts
# English needs only its plural forms ("1 recording", "5 recordings"): the source text is English already.
.venv/bin/pyside6-lupdate -locations none -no-obsolete -pluralonly "${sources[@]}" -ts assets/i18n/classroom_console_en.ts
