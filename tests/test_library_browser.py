"""The library in a real browser (Debian's Chromium through Playwright): the lecture is listed, the player plays it
(the video's time advances), a chapter click jumps to its time; screenshots of the library and the player, at a
desk and at 360 px, are taken (docs/screenshots/library-*.png when asked, see tests/shots_folder.py)."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from classroom_console.centre.library_db import public_key
from classroom_console.store import AsyncStore
from tests.shots_folder import screenshots_folder
from tests.test_library_support import CHAPTERS, add_lecture, ffmpeg, library_centre, make_mp4, set_room
from tests.test_publish_tracks import with_track

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
# Screenshots go to a temporary folder, so a test run never changes the tree; to refresh the documentation's:
# CLASSROOM_CONSOLE_SCREENSHOTS=docs/screenshots python -m pytest tests/test_library_browser.py
MORE = (("Programming in Python", "A. Karimova"), ("Физика 101", "Д-р А. Лавлейс"), ("Linear algebra", "B. Tursunov"))


def _thumbs(mp4: Path, folder: Path) -> list[bytes]:
    out = []
    for n, (start, _) in enumerate(CHAPTERS):
        jpg = folder / f"t{n}.jpg"
        ffmpeg("-ss", f"{start + 0.5:.2f}", "-i", str(mp4), "-frames:v", "1", "-vf", "scale=320:-2", str(jpg))
        out.append(jpg.read_bytes())
    return out


async def _prepare(tmp: Path) -> tuple[str, str]:
    """A centre's data folder holding four lectures, all published by the room's default, one with the
    presentation's own track; returns the key of the first and of the one with two tracks."""
    mp4 = make_mp4(tmp / "lecture.mp4", seconds=12.0, size="640x360")
    screen = tmp / "lecture.screen.mp4"
    ffmpeg("-f", "lavfi", "-i", "smptebars=size=640x360:rate=25", "-t", "12", "-c:v", "libx264", "-preset",
           "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-movflags", "+faststart", str(screen))
    thumbs = _thumbs(mp4, tmp)
    store = await AsyncStore.open(tmp / "room")
    try:
        await store.call(lambda s: set_room(s, publish_on_upload=True))
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs, seconds=12.0))
        others = []
        for course, lecturer in MORE:
            others.append(await store.call(functools.partial(
                add_lecture, mp4=mp4, thumbs=thumbs, title_course=course, lecturer=lecturer, seconds=12.0)))
        await store.call(lambda s: with_track(s, others[0].recording_id, screen, "screen"))
        async with library_centre(tmp / "centre") as centre:
            await centre.sync(store)
            await centre.sync(store)  # the track goes once its recording is at the centre
        return public_key("Room 101", lecture.recording_id), public_key("Room 101", others[0].recording_id)
    finally:
        await store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (scripts/setup.sh installs it)")
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("library")
    key, two = asyncio.run(_prepare(tmp))
    port = _free_port()
    command = [sys.executable, "-m", "classroom_console", "centre", "serve", "--data", str(tmp / "centre"),
               "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the centre did not start listening"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", key, two
    finally:
        proc.terminate()
        proc.wait(30)


def _wait(page: Any, script: str, what: str, timeout_s: float = 30.0) -> None:
    """Until ``script`` is true in the page (a generous bound), naming ``what`` did not happen."""
    try:
        page.wait_for_function(script, timeout=timeout_s * 1000)
    except Exception as exc:
        raise AssertionError(f"timed out waiting for {what}") from exc


def test_lists_plays_jumps_and_looks_right(served: tuple[str, str, str]) -> None:
    from playwright.sync_api import ViewportSize, sync_playwright

    url, key, _ = served
    shots = screenshots_folder()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        try:
            sizes: tuple[tuple[str, ViewportSize, str], ...] = (
                ("desktop", {"width": 1366, "height": 768}, "en-US"), ("phone", {"width": 360, "height": 760}, "ru-RU"))
            for name, viewport, locale in sizes:
                context = browser.new_context(viewport=viewport, locale=locale, device_scale_factor=1,
                                              bypass_csp=True)  # only for the test's own wait_for_function
                page = context.new_page()
                page.goto(f"{url}/library/")
                link = page.locator(f'a[href="/library/watch/{key}"]')
                assert link.count() == 1, "the lecture is listed"
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "no sideways scroll"
                if locale == "ru-RU":
                    assert "Записи лекций" in page.content()
                page.screenshot(path=str(shots / f"library-index-{name}.png"), full_page=name == "desktop")
                link.click()
                page.wait_for_url(f"**/library/watch/{key}")
                chapters = page.locator(".chapter")
                assert chapters.count() == len(CHAPTERS)
                _wait(page, "document.getElementById('video').readyState >= 1", "the video's metadata")
                page.evaluate("document.getElementById('video').muted = true; document.getElementById('video').play()")
                _wait(page, "document.getElementById('video').currentTime > 0.5", "the video to play")
                chapters.nth(2).click()  # "Итоги" at 4.0 s
                _wait(page, f"document.getElementById('video').currentTime >= {CHAPTERS[2][0]}", "the chapter jump")
                assert page.evaluate("document.getElementById('video').currentTime") < CHAPTERS[2][0] + 5
                _wait(page, "document.querySelector('.chapter.now') !== null", "the chapter playing marked")
                chapters.nth(0).click()
                _wait(page, "document.getElementById('video').currentTime < 2.0", "the jump back to the start")
                page.evaluate("const v = document.getElementById('video'); v.pause(); v.currentTime = 2.5")
                _wait(page, "document.getElementById('video').readyState >= 2", "the picture")
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "no sideways scroll"
                page.screenshot(path=str(shots / f"library-player-{name}.png"), full_page=True)
                context.close()
        finally:
            browser.close()


def test_the_second_view_plays_beside_the_program(served: tuple[str, str, str]) -> None:
    from playwright.sync_api import sync_playwright

    url, _, two = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
            page = context.new_page()
            page.goto(f"{url}/library/watch/{two}")
            assert page.locator("video").count() == 2
            _wait(page, "document.getElementById('second').readyState >= 1", "the second view's metadata")
            page.evaluate("const v = document.getElementById('video'); v.muted = true; v.play()")
            _wait(page, "document.getElementById('second').currentTime > 1.0", "the second view to follow")
            page.locator(".chapter").nth(2).click()
            _wait(page, f"document.getElementById('second').currentTime >= {CHAPTERS[2][0]}", "it to jump too")
            page.evaluate("const v = document.getElementById('video'); v.pause(); v.currentTime = 2.5")
            _wait(page, "document.getElementById('second').readyState >= 2", "its picture")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(screenshots_folder() / "library-player-two-tracks-desktop.png"), full_page=True)
            context.close()
        finally:
            browser.close()
