"""Student tablets at scale: 500 simulated tablets on loopback, and the page in headless Chromium.

Figures (targets beside them):
- poll fan-out: from ``start_poll`` until each tablet has the poll (p50/p99), and until every tablet has it;
- answers: from a tablet sending its answer until the lecturer's side has it (``AnswerReceived``, what the
  live chart draws), p50/p99 and for the last answer of each round;
- the console's CPU (its process only: the tablets run in another process) during the rounds;
- the page: bytes transferred (gzip, as a tablet's browser asks) and time to interactive (DOMContentLoaded,
  after which the deferred script has wired the form), on this PC and as a cheap tablet (CPU 4x slower,
  20 Mbit/s Wi-Fi with 20 ms RTT).
Reference in the same run: the same messages (the previous poll closed, the poll, an ack per answer) through a
bare aiohttp WebSocket server (no join, no limits, ``await send_str`` per socket), to the same 500 clients.

    .venv/bin/python bench/tablets.py [--tablets 500] [--rounds 5] [--screenshots docs/screenshots]

The tablets join from 127.0.9.x (eight to an address), as real tablets each have their own address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web

from classroom_console.events import EventBus, RoomEvent
from classroom_console.tablets import ClassSession, Limits
from classroom_console.tablets import events as ev

CHROMIUM = "/usr/bin/chromium"
PER_ADDRESS = 8
TARGET_P99_MS = 100.0
TARGET_PAGE_BYTES = 100_000
TARGET_INTERACTIVE_MS = 1000.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")


# -- the tablets' process ---------------------------------------------------------------------------------
async def client_main(url: str, code: str, n: int, raw: bool) -> None:
    """Join ``n`` tablets, answer every poll at once, report receive/send stamps when told to.

    Each tablet is a bare read loop (no message list, no waiting helpers) so that the simulator costs as
    little as it can: on a 2-core PC it shares the CPU with the console it measures.
    """
    clients = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(f"127.0.9.{i + 1}", 0), limit=0))
               for i in range((n + PER_ADDRESS - 1) // PER_ADDRESS)]
    ws_url = url.split("?", 1)[0].rstrip("/") + "/ws"
    got: dict[int, float] = {}
    sent: dict[int, float] = {}

    async def tablet(index: int) -> tuple[aiohttp.ClientWebSocketResponse, int]:
        ws = await clients[index // PER_ADDRESS].ws_connect(ws_url)
        if raw:
            return ws, index
        await ws.send_json({"t": "join", "code": code, "name": f"Tablet {index}"})
        while True:
            welcome = await ws.receive_json(timeout=120)
            if welcome["t"] == "welcome":
                return ws, int(welcome["seat"])
            assert welcome["t"] != "refused", welcome

    async def answer(ws: aiohttp.ClientWebSocketResponse, index: int, seat: int) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT and '"t":"activity"' in msg.data:
                got[index] = time.monotonic()
                activity = json.loads(msg.data)["activity"]["id"]
                sent[seat] = time.monotonic()
                await ws.send_str(json.dumps({"t": "answer", "activity": activity, "choice": [index % 3]}))

    sockets = await asyncio.gather(*(tablet(i) for i in range(n)))
    readers = [asyncio.get_running_loop().create_task(answer(ws, i, seat)) for i, (ws, seat) in enumerate(sockets)]
    print(json.dumps({"ready": n}), flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while (await reader.readline()).decode().strip() not in ("quit", ""):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"got": list(got.values()), "sent": {str(k): v for k, v in sent.items()},
                          "cpu_s": usage.ru_utime + usage.ru_stime}), flush=True)
        got.clear()
        sent.clear()
    for ws, _ in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    for c in clients:
        await c.close()


# -- the console's side -------------------------------------------------------------------------------------
class Tablets:
    """The client process, driven over its stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, url: str, code: str, n: int, raw: bool) -> Tablets:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client", url, code, str(n), *(["--raw"] if raw else []),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        tablets = cls(proc)
        assert (await tablets.read())["ready"] == n
        return tablets

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        async with asyncio.timeout(120):
            line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the tablets' process ended")
        return dict(json.loads(line))

    async def report(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"report\n")
        return await self.read()

    async def quit(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"quit\n")
        async with asyncio.timeout(60):
            await self.proc.wait()


class Round:
    def __init__(self) -> None:
        self.answers: dict[int, float] = {}
        self.all_in = asyncio.Event()
        self.expect = 0


async def run_rounds(n: int, rounds: int, start_poll: Any, current: Round, tablets: Tablets) -> dict[str, Any]:
    fan, every, answer, last = [], [], [], []
    cpu0, wall0 = time.process_time(), time.monotonic()
    client_cpu0 = (await tablets.report())["cpu_s"]
    for i in range(rounds):
        current.answers.clear()
        current.all_in.clear()
        current.expect = n
        t0 = time.monotonic()
        await start_poll(f"Round {i}?")
        async with asyncio.timeout(120):
            await current.all_in.wait()
        report = await tablets.report()
        got = report["got"]
        assert len(got) == n, f"round {i}: {len(got)} of {n} tablets got the poll"
        fan += [(g - t0) * 1000 for g in got]
        every.append((max(got) - t0) * 1000)
        lat = {int(k): (current.answers[int(k)] - v) * 1000 for k, v in report["sent"].items()}
        answer += list(lat.values())
        last_seat = max(report["sent"], key=lambda k: report["sent"][k])
        last.append(lat[int(last_seat)])
        client_cpu = report["cpu_s"]
        await asyncio.sleep(0.3)
    wall = time.monotonic() - wall0
    return {"fan_p50": pct(fan, 50), "fan_p99": pct(fan, 99), "every_p50": pct(every, 50), "every_max": max(every),
            "answer_p50": pct(answer, 50), "answer_p99": pct(answer, 99), "last_p50": pct(last, 50),
            "last_max": max(last), "cpu_cores": (time.process_time() - cpu0) / wall,
            "client_cpu_cores": (client_cpu - client_cpu0) / wall}


async def ours(n: int, rounds: int) -> dict[str, Any]:
    bus = EventBus()
    session = ClassSession(host="127.0.0.1", advertise=False, bus=bus, limits=Limits(max_seats=n + 10))
    current = Round()

    def heard(event: RoomEvent) -> None:
        if isinstance(event, ev.AnswerReceived):
            current.answers[event.seat_id] = time.monotonic()
            if len(current.answers) >= current.expect:
                current.all_in.set()

    bus.subscribe(heard)
    await session.start()
    tablets = await Tablets.start(session.join_url, session.code, n, raw=False)
    try:
        return await run_rounds(n, rounds, lambda q: session.start_poll(q, ["A", "B", "C"]), current, tablets)
    finally:
        await tablets.quit()
        await session.stop()


async def reference(n: int, rounds: int) -> dict[str, Any]:
    """A bare aiohttp broadcast: every socket gets the JSON text, every text back is an answer."""
    sockets: list[web.WebSocketResponse] = []
    current = Round()

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        index = len(sockets)
        sockets.append(ws)
        async for msg in ws:
            current.answers[index] = time.monotonic()
            await ws.send_str(json.dumps({"t": "answered", "activity": json.loads(msg.data)["activity"]}))
            if len(current.answers) >= current.expect:
                current.all_in.set()
        return ws

    app = web.Application()
    app.router.add_get("/ws", socket)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    ids = iter(range(1, 1_000_000))

    async def start_poll(question: str) -> None:
        closed = json.dumps({"t": "closed", "activity": {"id": "previous", "open": False}})
        for ws in sockets:
            await ws.send_str(closed)
        text = json.dumps({"t": "activity", "activity": {"id": f"r{next(ids)}", "question": question,
                                                         "options": ["A", "B", "C"]}}, separators=(",", ":"))
        for ws in sockets:
            await ws.send_str(text)

    tablets = await Tablets.start(f"http://127.0.0.1:{port}/", "", n, raw=True)
    try:
        return await run_rounds(n, rounds, start_poll, current, tablets)
    finally:
        await tablets.quit()
        for ws in sockets:
            await ws.close()
        await runner.cleanup()


# -- the page in Chromium -----------------------------------------------------------------------------------
async def page_figures(shots: Path | None) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    session = ClassSession(host="127.0.0.1", advertise=False)
    await session.start()
    out: dict[str, Any] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for label, throttle in (("this PC", False), ("cheap tablet", True)):
                times, sizes = [], []
                for _ in range(5):
                    context = await browser.new_context(viewport={"width": 800, "height": 1280})
                    page = await context.new_page()
                    if throttle:
                        cdp = await context.new_cdp_session(page)
                        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                        await cdp.send("Network.enable")
                        await cdp.send("Network.emulateNetworkConditions", {
                            "offline": False, "latency": 20, "downloadThroughput": 20e6 / 8,
                            "uploadThroughput": 20e6 / 8})
                    await page.goto(session.join_url, wait_until="load")
                    timing = await page.evaluate(
                        "(() => { const n = performance.getEntriesByType('navigation')[0];"
                        " const r = performance.getEntriesByType('resource');"
                        " return {interactive: n.domContentLoadedEventEnd, bytes: n.transferSize"
                        " + r.reduce((s, e) => s + e.transferSize, 0), requests: 1 + r.length}; })()")
                    times.append(float(timing["interactive"]))
                    sizes.append(int(timing["bytes"]))
                    await context.close()
                out[label] = {"interactive_ms": statistics.median(times), "bytes": max(sizes)}
            if shots is not None:
                await screenshots(browser, session, shots)
            await browser.close()
    finally:
        await session.stop()
    return out


async def screenshots(browser: Any, session: ClassSession, folder: Path) -> None:
    """The join form, a poll in progress with a timer and a raised hand, the shared results: phone and tablet,
    English and Russian; and a tablet dimmed for "eyes on the board"."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    pages = []
    for width, height, device in ((360, 740, "phone"), (800, 1280, "tablet")):
        for lang, locale, name in (("en", "en-US", "Aliya"), ("ru", "ru-RU", "Алия")):
            context = await browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                                device_scale_factor=1)
            page = await context.new_page()
            await page.goto(session.join_url)
            await page.locator("#name").fill(name)
            await page.screenshot(path=str(folder / f"tablet-join-{device}-{lang}.png"))
            pages.append((page, device, lang))
            await page.locator("#join-button").click()
            await page.locator("#hello").wait_for()
    answered = asyncio.Event()
    unsubscribe = session.events.subscribe(lambda e: answered.set() if isinstance(e, ev.AnswerReceived) else None)
    question = await session.ask("Why is the sky blue? / Почему небо голубое?")
    for page, _, _ in pages[:1]:
        await page.locator("#text").fill("Rayleigh scattering")
        await page.locator("#send").click()
    async with asyncio.timeout(30):
        await answered.wait()
    unsubscribe()
    await session.approve_answer(session.results(question).answers[0]["id"])
    await session.start_poll("Which colour scatters most? / Какой цвет рассеивается сильнее?",
                             ["Red / Красный", "Green / Зелёный", "Blue / Синий"])
    await session.start_timer(90)
    for page, device, lang in pages:
        await page.get_by_role("button", name="Blue / Синий").click()
        await page.get_by_role("button", name="Raise hand" if lang == "en" else "Поднять руку").click()
        await page.wait_for_timeout(300)
        await page.screenshot(path=str(folder / f"tablet-poll-{device}-{lang}.png"), full_page=True)
    await session.close_poll()
    await session.share_results()
    for page, device, lang in pages:
        await page.locator("#counts li").first.wait_for()
        await page.screenshot(path=str(folder / f"tablet-results-{device}-{lang}.png"), full_page=True)
    await session.eyes_on_board(True)
    await pages[0][0].locator("#eyes").wait_for()
    await pages[0][0].screenshot(path=str(folder / "tablet-eyes-phone-en.png"))
    for page, _, _ in pages:
        await page.context.close()


def show(ours_: dict[str, Any], ref: dict[str, Any], page: dict[str, Any], n: int) -> None:
    def row(what: str, key: str, target: str) -> None:
        print(f"  {what:<44} {ours_[key]:8.1f} ms   reference {ref[key]:8.1f} ms   {target}")

    print(f"{n} simulated tablets on loopback ({-(-n // PER_ADDRESS)} addresses), each round a poll all answer at once")
    row("poll reaches a tablet, p50", "fan_p50", "")
    row("poll reaches a tablet, p99", "fan_p99", f"target p99 < {TARGET_P99_MS:.0f} ms")
    row("poll reaches every tablet, median round", "every_p50", "")
    row("answer reaches the lecturer, p50", "answer_p50", "")
    row("answer reaches the lecturer, p99", "answer_p99", f"target p99 < {TARGET_P99_MS:.0f} ms")
    row("last answer reaches the lecturer, median", "last_p50", "")
    row("last answer reaches the lecturer, worst", "last_max", "")
    print(f"  {'console CPU during the rounds':<44} {ours_['cpu_cores']:8.2f} core  reference "
          f"{ref['cpu_cores']:8.2f} core   (the tablets' process: {ours_['client_cpu_cores']:.2f} core)")
    for label, figures in page.items():
        print(f"  page on {label + ':':<36} {figures['bytes']:8d} B    interactive {figures['interactive_ms']:6.0f} ms"
              f"   target < {TARGET_PAGE_BYTES // 1000} KB, < {TARGET_INTERACTIVE_MS:.0f} ms")


async def main(args: argparse.Namespace) -> None:
    if args.page_only:
        for label, figures in (await page_figures(args.screenshots)).items():
            print(f"page on {label}: {figures['bytes']} B, interactive {figures['interactive_ms']:.0f} ms")
        return
    mine = await ours(args.tablets, args.rounds)
    ref = await reference(args.tablets, args.rounds)
    page = await page_figures(args.screenshots)
    show(mine, ref, page, args.tablets)
    if args.json:
        print(json.dumps({"ours": mine, "reference": ref, "page": page}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tablets", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, help="also save the page's screenshots here (tablet-*.png)")
    parser.add_argument("--page-only", action="store_true", help="only the page's figures (and screenshots)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--client", nargs=3, metavar=("URL", "CODE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(client_main(args.client[0], args.client[1], int(args.client[2]), args.raw))
    else:
        asyncio.run(main(args))
