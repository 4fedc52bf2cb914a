"""The tablet page in Debian's Chromium (Playwright): two tablets join by the code, answer, raise hands;
the lecturer's ``ClassSession`` sees both. The page asks nothing of anyone but the console, student text stays
text in the DOM, and a tablet that drops (or reloads) comes back to its own seat.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from classroom_console.events import EventBus, RoomEvent
from classroom_console.tablets import ClassSession
from classroom_console.tablets import events as ev

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]  # one Chromium for the module
CHROMIUM = "/usr/bin/chromium"
BOUND_S = 30.0
XSS_NAME = '<img src=x onerror="window.__xss=1">Eve'
XSS_TEXT = "<script>window.__xss=2</script><b onmouseover=window.__xss=3>bold</b>"

if not os.path.exists(CHROMIUM):
    pytest.skip("needs Debian's chromium (scripts/setup.sh installs it)", allow_module_level=True)
async_api = pytest.importorskip("playwright.async_api")


class Watch:
    def __init__(self, session: ClassSession) -> None:
        self.session = session
        self.seen: list[RoomEvent] = []
        self.changed = asyncio.Event()
        session.events.subscribe(self._heard)

    def _heard(self, event: RoomEvent) -> None:
        self.seen.append(event)
        self.changed.set()

    async def until(self, check: Callable[[], bool], what: str) -> None:
        try:
            async with asyncio.timeout(BOUND_S):
                while not check():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"the lecturer never saw {what}") from None

    def joins(self) -> list[ev.TabletJoined]:
        return [e for e in self.seen if isinstance(e, ev.TabletJoined)]


@pytest_asyncio.fixture(loop_scope="module")
async def lecturer() -> AsyncIterator[Watch]:
    session = ClassSession(host="127.0.0.1", advertise=False, bus=EventBus())
    await session.start()
    try:
        yield Watch(session)
    finally:
        await session.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    async with async_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


async def tablet(browser: Any, url: str, requests: list[str], locale: str = "en-US") -> Any:
    """A fresh tablet (its own storage) that logs every request it makes and lets none leave the console."""
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    base = url.split("/?", 1)[0]

    async def gate(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith((base + "/", base.replace("http", "ws", 1) + "/")):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", gate)
    page = await context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda w: requests.append(w.url))
    return page


async def join(page: Any, url: str, name: str, code: str | None = None) -> None:
    await page.goto(url)
    if code is not None:
        await page.get_by_label("Session code").fill(code)
    await page.get_by_label("Your name").fill(name)
    await page.get_by_role("button", name="Join").click()
    await async_api.expect(page.get_by_text("Waiting for the lecturer…")).to_be_visible(timeout=BOUND_S * 1000)


async def test_two_tablets_join_answer_and_raise_hands_and_nothing_leaves_the_console(
        lecturer: Watch, browser: Any) -> None:
    session = lecturer.session
    requests: list[str] = []
    ann = await tablet(browser, session.join_url, requests)
    bob = await tablet(browser, session.join_url, requests)
    await join(ann, session.join_url, "Ann")  # the code prefilled from the QR code's URL
    await join(bob, session.join_url.split("?")[0], "Bob", code=session.code.lower())  # typed by hand
    await lecturer.until(lambda: len(session.seats) == 2, "two tablets")
    await session.start_poll("Ready?", ["Yes", "No"])
    await ann.get_by_role("button", name="Yes").click()
    await bob.get_by_role("button", name="No").click()
    await ann.get_by_role("button", name="Raise hand").click()
    await lecturer.until(lambda: len(session.hands()) == 1, "Ann's hand")
    await bob.get_by_role("button", name="Raise hand").click()
    await lecturer.until(lambda: session.results().responders == 2 and len(session.hands()) == 2, "answers, hands")
    assert session.results().counts == {"Yes": 1, "No": 1}
    assert session.hands() == [(1, "Ann"), (2, "Bob")]
    await async_api.expect(ann.get_by_role("button", name="Lower hand")).to_be_visible()
    assert await ann.get_by_role("button", name="Yes").get_attribute("aria-pressed") == "true"
    await session.lower_hand()
    await async_api.expect(ann.get_by_role("button", name="Raise hand")).to_be_visible(timeout=BOUND_S * 1000)
    await session.share_results()
    await async_api.expect(bob.locator("#counts li")).to_have_count(2, timeout=BOUND_S * 1000)
    assert "Ann" not in await bob.content(), "a tablet never sees another student's name"
    base = session.join_url.split("/?")[0]
    assert requests and all(u.startswith((base + "/", base.replace("http", "ws", 1) + "/")) for u in requests), \
        [u for u in requests if not u.startswith(base)]
    await ann.context.close()
    await bob.context.close()


async def test_student_text_is_inert_in_the_dom(lecturer: Watch, browser: Any) -> None:
    session = lecturer.session
    requests: list[str] = []
    eve = await tablet(browser, session.join_url, requests)
    ann = await tablet(browser, session.join_url, requests)
    await join(eve, session.join_url, XSS_NAME)
    await join(ann, session.join_url, "Ann")
    await async_api.expect(eve.locator("#hello")).to_have_text(f"You are {XSS_NAME}")
    await session.ask("Say something")
    await eve.locator("#text").fill(XSS_TEXT)
    await eve.get_by_role("button", name="Send").click()
    await lecturer.until(lambda: session.results().responders == 1, "Eve's answer")
    answer = session.results().answers[0]
    assert (answer["name"], answer["text"]) == (XSS_NAME, XSS_TEXT)
    await session.approve_answer(answer["id"])
    await session.share_results(names=True)
    shown = ann.locator("#approved li")
    await async_api.expect(shown).to_have_count(1, timeout=BOUND_S * 1000)
    await async_api.expect(shown).to_have_text(XSS_NAME + XSS_TEXT)
    await shown.hover()
    for page in (eve, ann):
        assert await page.evaluate("window.__xss") is None
        assert await page.locator("main img, main script, main b[onmouseover]").count() == 0
    await eve.context.close()
    await ann.context.close()


async def test_a_tablet_that_drops_or_reloads_rejoins_its_seat(lecturer: Watch, browser: Any) -> None:
    session = lecturer.session
    page = await tablet(browser, session.join_url, [])
    await join(page, session.join_url, "Ann")
    poll = await session.start_poll("Ready?", ["Yes", "No"])
    await page.get_by_role("button", name="Yes").click()
    await lecturer.until(lambda: session.results(poll).responders == 1, "Ann's answer")
    # The Wi-Fi drops: the console loses the socket; the page reconnects by itself.
    for connection in list(session.server.tablets):
        assert connection.transport is not None
        connection.transport.abort()
    await lecturer.until(lambda: len(lecturer.joins()) == 2, "the tablet back")
    # The student reloads the page: the seat's secret in localStorage brings it back without a name.
    await page.reload()
    await lecturer.until(lambda: len(lecturer.joins()) == 3, "the tablet back after a reload")
    assert [(j.seat_id, j.rejoined) for j in lecturer.joins()] == [(1, False), (1, True), (1, True)]
    assert len(session.seats) == 1
    await async_api.expect(page.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    await async_api.expect(page.locator("#hello")).to_have_text("You are Ann")
    # Eyes on the board dims the tablet until released; the countdown shows on it.
    await session.eyes_on_board(True)
    await async_api.expect(page.get_by_text("Eyes on the board")).to_be_visible(timeout=BOUND_S * 1000)
    await session.eyes_on_board(False)
    await async_api.expect(page.locator("#eyes")).to_be_hidden(timeout=BOUND_S * 1000)
    await session.start_timer(90)
    await async_api.expect(page.locator("#timer")).to_have_text(re.compile(r"^1:(2\d|30)$"), timeout=BOUND_S * 1000)
    await page.context.close()


async def test_the_page_speaks_russian_to_a_russian_browser_and_switches(lecturer: Watch, browser: Any) -> None:
    session = lecturer.session
    page = await tablet(browser, session.join_url, [], locale="ru-RU")
    await page.goto(session.join_url)
    await async_api.expect(page.get_by_label("Код сессии")).to_have_value(session.code)
    await async_api.expect(page.get_by_role("button", name="Войти")).to_be_visible()
    await page.get_by_role("button", name="EN").click()
    await async_api.expect(page.get_by_label("Session code")).to_be_visible()
    await page.reload()
    await async_api.expect(page.get_by_role("button", name="Join")).to_be_visible()  # the choice is kept
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "usable at 360 px without sideways scrolling"
    await page.context.close()


async def test_a_seat_kept_from_last_session_is_forgotten_quietly(browser: Any) -> None:
    first = ClassSession(host="127.0.0.1", advertise=False)
    await first.start()
    port = first.port
    page = await tablet(browser, first.join_url, [])
    try:
        await join(page, first.join_url, "Ann")
        assert await page.evaluate("localStorage.getItem('classroom.seat')") is not None
        await page.goto("about:blank")  # the tablet is put away before the class ends: it keeps its seat
        await first.stop()
        second = ClassSession(host="127.0.0.1", port=port, advertise=False)  # the next class, same address
        await second.start()
        try:
            await page.goto(f"http://127.0.0.1:{port}/")  # the page, opened again without the new code
            await async_api.expect(page.get_by_label("Session code")).to_have_value("")
            await async_api.expect(page.locator("#join-error")).to_have_text("")
            assert await page.evaluate("localStorage.getItem('classroom.seat')") is None
            assert not second.seats
        finally:
            await second.stop()
    finally:
        await first.stop()
        await page.context.close()
