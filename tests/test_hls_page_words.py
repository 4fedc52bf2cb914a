"""The /live/ player page speaks the viewer's language, one at a time: it read "Live / Прямой эфир: connecting… /
подключение…" to everybody (E2). The server picks it from Accept-Language (or ?lang=), as the library does."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from classroom_console.cli_text import from_accept_language
from classroom_console.media.hls_page import WORDS
from classroom_console.media.hls_server import HlsServer
from tests.shots_folder import screenshots_folder

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
async def server() -> AsyncIterator[HlsServer]:
    served = HlsServer("127.0.0.1", 0, None)  # no stream: the page still loads, the playlist is 404
    await served.start()
    try:
        yield served
    finally:
        await served.stop()


def visible(page: str) -> str:
    """What a reader sees of the page before its script runs: its title and the text outside tags and scripts."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize(("header", "lang"), [
    ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"), ("en-GB,en;q=0.9,ru;q=0.8", "en"), ("de-DE,de;q=0.9", "en"),
    ("de;q=0.9,ru;q=0.5,en;q=0.1", "ru"), ("", "en"), ("ru;q=0", "en"), ("en;q=x,ru;q=0.2", "ru"),
])
def test_the_language_follows_the_browsers_order(header: str, lang: str) -> None:
    assert from_accept_language(header) == lang
    assert from_accept_language(header, "ru") == "ru" and from_accept_language(header, "xx") == lang


async def test_a_russian_browser_gets_a_russian_page_and_an_english_one_an_english_page(server: HlsServer) -> None:
    base = f"http://127.0.0.1:{server.port}/live/"
    async with aiohttp.ClientSession() as http:
        async with http.get(base, headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}) as response:
            ru = await response.text()
            assert response.status == 200 and response.headers["Content-Language"] == "ru"
            assert "Accept-Language" in response.headers["Vary"]
        async with http.get(base + "index.html", headers={"Accept-Language": "en-US,en;q=0.9"}) as response:
            en = await response.text()
        async with http.get(base + "?lang=ru", headers={"Accept-Language": "en"}) as response:
            asked = await response.text()
    assert '<html lang="ru">' in ru and "<title>Лекция в прямом эфире</title>" in ru and asked == ru
    assert not re.search(r"[A-Za-z]{2,}", visible(ru).replace("HLS", "")), visible(ru)
    assert "Прямой эфир" not in en and '<html lang="en">' in en and "Live: " in visible(en)
    assert not re.search(r"[А-Яа-яЁё]", visible(en)), visible(en)
    assert 'src="hls.light.min.js"' in ru and "index.m3u8" in ru


def test_every_state_the_script_says_has_both_languages() -> None:
    assert set(WORDS["en"]) == set(WORDS["ru"])
    source = (Path(__file__).parents[1] / "classroom_console" / "media" / "hls_page.py").read_text(encoding="utf-8")
    script = re.findall(r'say\("(\w+)"\)', source)
    assert script and set(script) <= set(WORDS["ru"])
    assert not [w for w in WORDS["ru"].values() if re.search(r"[A-Za-z]{3,}", w.replace("HLS", ""))]


@pytest.mark.browser
def test_on_a_russian_phone_it_reads_russian_only(tmp_path: Path) -> None:
    """Headless Chromium at phone width with a Russian locale: every word on screen Russian, nothing cut."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (scripts/setup.sh installs it)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    served = HlsServer("127.0.0.1", 0, None)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)  # the server's loop, beside the browser
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(served.start(), loop).result(60)
        port = served.port
        shots = screenshots_folder()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 360, "height": 640}, locale="ru-RU",
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/live/")
                page.wait_for_function("document.getElementById('state').textContent.length > 0", timeout=30_000)
                text = page.evaluate("document.title + ' ' + document.body.innerText")
                assert "Прямой эфир:" in text and not re.search(r"[A-Za-z]{2,}", text.replace("HLS", "")), text
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scroll"
                page.screenshot(path=str(shots / "hls-player-phone-ru.png"))
            finally:
                browser.close()
    finally:
        asyncio.run_coroutine_threadsafe(served.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
