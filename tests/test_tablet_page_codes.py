"""Every code the console sends a tablet (a refused join or answer, an error) is worded by the page in both its
languages, and a code it does not know reads "Something went wrong." rather than the code itself, in English."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from pathlib import Path

import pytest

from classroom_console.events import EventBus
from classroom_console.tablets import ClassSession
from classroom_console.tablets.activities import Refusal

TABLETS = Path(__file__).resolve().parent.parent / "classroom_console" / "tablets"
CHROMIUM = "/usr/bin/chromium"


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


@pytest.mark.browser
def test_a_russian_tablet_words_a_code_it_does_not_know_in_russian() -> None:
    """A real console and Debian's Chromium with a Russian locale; between them, after the welcome, a refusal with
    a code newer than the page: it showed the code itself ("brand-new-code")."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (scripts/setup.sh installs it)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import WebSocketRoute, expect, sync_playwright

    session = ClassSession(host="127.0.0.1", advertise=False, bus=EventBus())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)  # the console's loop, beside the browser
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(session.start(), loop).result(60)

        def between(page_side: WebSocketRoute) -> None:
            console = page_side.connect_to_server()

            def from_console(message: str | bytes) -> None:
                page_side.send(message)
                if '"welcome"' in str(message):
                    page_side.send('{"t": "refused", "reason": "brand-new-code"}')

            console.on_message(from_console)

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            try:
                page = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU").new_page()
                page.route_web_socket(re.compile(r"^ws://127\.0\.0\.1:\d+/"), between)
                page.goto(session.join_url)
                page.get_by_label("Ваше имя").fill("Аня")
                page.get_by_role("button", name="Войти").click()
                expect(page.locator("#feedback")).to_have_text("Что-то пошло не так.", timeout=30_000)
            finally:
                browser.close()
    finally:
        asyncio.run_coroutine_threadsafe(session.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
