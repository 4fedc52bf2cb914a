"""Russian keeps up: every tr() string in ui/ has a Russian translation in the committed .ts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "assets" / "i18n" / "classroom_console_ru.ts"


def _lupdate() -> str:
    beside_python = Path(sys.executable).with_name("pyside6-lupdate")
    found = str(beside_python) if beside_python.exists() else shutil.which("pyside6-lupdate")
    if not found:
        pytest.skip("pyside6-lupdate is not installed (it comes with PySide6)")
    return found


def _translated(message: ET.Element) -> bool:
    """A plain entry has text; a plural one (numerus) has Russian's three forms, each with text."""
    if message.get("numerus") == "yes":
        forms = [f.text or "" for f in message.iter("numerusform")]
        return len(forms) == 3 and all(f.strip() for f in forms)
    return bool((message.findtext("translation") or "").strip())


def test_every_ui_string_is_translated_to_russian(tmp_path: Path) -> None:
    fresh = tmp_path / "ru.ts"
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run(
        [_lupdate(), "-locations", "none", "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    untranslated = [
        message.findtext("source")
        for message in ET.parse(fresh).getroot().iter("message")
        if (message.find("translation") is None)
        or message.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
        or not _translated(message)
    ]
    assert not untranslated, f"run scripts/update_translations.sh and translate: {untranslated}"


def test_placeholders_survive_translation() -> None:
    for message in ET.parse(TS).getroot().iter("message"):
        source = message.findtext("source") or ""
        forms = [f.text or "" for f in message.iter("numerusform")] or [message.findtext("translation") or ""]
        for placeholder in ("%1", "%2"):  # in every plural form of a counted sentence
            assert all((placeholder in source) == (placeholder in form) for form in forms), source


def test_plural_forms_keep_the_number_and_english_has_them() -> None:
    """Counts use Qt's plural forms: Russian's three and English's two, each keeping %n where the source has it."""
    english = ROOT / "assets" / "i18n" / "classroom_console_en.ts"
    for ts, count in ((TS, 3), (english, 2)):
        for message in ET.parse(ts).getroot().iter("message"):
            if message.get("numerus") != "yes":
                continue
            source = message.findtext("source") or ""
            forms = [f.text or "" for f in message.iter("numerusform")]
            assert len(forms) == count and all(f.strip() for f in forms), (ts.name, source)
            assert all(("%n" in f) == ("%n" in source) for f in forms), (ts.name, source)
