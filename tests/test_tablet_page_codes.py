"""Every code the console sends a tablet (a refused join or answer, an error) is worded by the page in both its
languages, and a code it does not know reads "Something went wrong." rather than the code itself, in English."""

from __future__ import annotations

import re
from pathlib import Path

from classroom_console.tablets.activities import Refusal

TABLETS = Path(__file__).resolve().parent.parent / "classroom_console" / "tablets"


def page_words() -> dict[str, set[str]]:
    script = (TABLETS / "page" / "tablet.js").read_text(encoding="utf-8")
    blocks = {lang: re.search(rf"^    {lang}: \{{(.*?)^    \}}", script, re.S | re.M) for lang in ("en", "ru")}
    return {lang: {a or b for a, b in re.findall(r"(?:'([\w-]+)'|(\w+)):\s*'", m.group(1))}
            for lang, m in blocks.items() if m}


def sent_codes() -> set[str]:
    code = "".join((TABLETS / name).read_text(encoding="utf-8") for name in ("session.py", "server.py"))
    return set(re.findall(r'"reason": "([\w-]+)"', code)) | {str(r) for r in Refusal}


def test_every_code_sent_to_a_tablet_has_words_in_both_languages() -> None:
    words = page_words()
    codes = sent_codes()
    assert {"wrong-code", "locked-out", "not-open", "bad-choice", "empty", "bad-message"} <= codes
    assert not codes - words["en"] and not codes - words["ru"], codes - words["en"] - words["ru"]


def test_an_unknown_code_is_never_shown_raw() -> None:
    script = (TABLETS / "page" / "tablet.js").read_text(encoding="utf-8")
    note = re.search(r"function note\(id, key, arg\) \{(.*?)\n  \}", script, re.S)
    assert note and "if (key && !T.en[key]) key = 'bad-message';" in note.group(1)
