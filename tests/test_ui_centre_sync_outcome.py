""""Sync now" in the real window says how the attempt ended: sent, or not sent and why, in the user's words.

It stayed at "Sending sessions…" after a failed attempt (the background pass's "sending" came after the result),
and a centre answering 500 read as unreachable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from aiohttp import web
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.sync import SyncProgress
from classroom_console.sync.progress import SENDING
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_sync_cli import centre, cli  # noqa: F401  (centre is a fixture)
from tests.test_sync_support import fill_room
from ui.centre_sync_panel import SyncPanel


async def _filled_panel(core: object, window: object, tmp_path: Path, sessions: int = 3) -> SyncPanel:
    store = core.store  # type: ignore[attr-defined]
    assert store is not None
    await store.call(lambda s: fill_room(s, tmp_path, sessions=sessions, events=2))
    window.show_workspace("centre")  # type: ignore[attr-defined]
    panel: SyncPanel = window.centre.sync_panel  # type: ignore[attr-defined]
    await wait_for(lambda: "waiting" in panel.detail.text(), what="the panel to load")
    return panel


async def _send(qtbot: QtBot, panel: SyncPanel, url: str, token: str) -> None:
    panel.url.setText(url)
    panel.token.setText(token)
    qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert not panel.send.isEnabled()
    await wait_for(panel.send.isEnabled, within=20, what="the attempt to end")


def test_an_unreachable_centre_is_said_and_a_later_sending_does_not_hide_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path / "room") as (core, window):
            panel = await _filled_panel(core, window, tmp_path)
            after: list[tuple[SyncProgress, str]] = []  # each progress after the result, and the line beside it
            ended = {"done": False}
            window.bridge.sig_sync_progress.connect(
                lambda p: after.append((p, panel.state.text())) if ended["done"] else None)
            await _send(qtbot, panel, "http://127.0.0.1:1", "any-token")
            ended["done"] = True
            said = panel.state.text()
            assert said.startswith("Not sent: the centre cannot be reached"), said
            assert "3 item(s) wait to be sent." in said, said
            # The background upload starts again after the attempt and tries the other sessions: "sending",
            # then unreachable again. The line never says "sending" meanwhile.
            await wait_for(lambda: any(p.state == SENDING for p, _ in after), within=20,
                           what="the background pass's sending")
            await wait_for(lambda: after[-1][0].state != SENDING, within=20, what="the background pass's end")
            assert all("Sending" not in line for _, line in after), after
            assert panel.state.text().startswith("Not sent: the centre cannot be reached"), panel.state.text()

    run(qloop, scenario())


def test_a_centre_answering_500_is_a_centre_error_not_no_connection(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """A tiny server on loopback answers every request 500 with an HTML page, as a broken proxy or centre does."""

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500, text="<html><b>Oops</b></html>", content_type="text/html")

    async def scenario() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", broken)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with window_on_a_quiet_core(qtbot, tmp_path / "room") as (core, window):
                panel = await _filled_panel(core, window, tmp_path, sessions=2)
                await _send(qtbot, panel, f"http://127.0.0.1:{port}", "any-token")
                said = panel.state.text()
                assert said.startswith("Not sent: the centre had an error (HTTP 500)."), said
                assert "cannot be reached" not in said and "Sending" not in said
                assert "2 item(s) wait to be sent." in said, said
                for _ in range(300):  # bounded: 30 s; the status bar says the same, not "centre unreachable"
                    if "HTTP 500" in window.sync_label.text():
                        break
                    await asyncio.sleep(0.1)
                bar = window.sync_label.text()
                assert bar.startswith("Sync: error at the centre (HTTP 500)") and "unreachable" not in bar, bar
        finally:
            await runner.cleanup()
            await asyncio.sleep(0.2)  # let closed sockets' notifiers go before the fixture closes the loop

    run(qloop, scenario())


def test_a_real_centre_refuses_a_wrong_token_with_its_status_then_takes_the_sessions(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, centre: tuple[str, Path]  # noqa: F811 (fixture)
) -> None:
    url, data = centre
    token = cli("centre", "add-room", "Room A", "--data", str(data)).stdout.strip().splitlines()[-1]

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path / "room") as (core, window):
            panel = await _filled_panel(core, window, tmp_path, sessions=2)
            await _send(qtbot, panel, url, "wrong")
            said = panel.state.text()
            assert said.startswith("Not sent: the centre refused this room's token (HTTP 401)."), said
            assert "2 item(s) wait to be sent." in said, said
            await _send(qtbot, panel, url, token)
            assert panel.state.text() == "Up to date: 2 sent, 0 refused.", panel.state.text()
            await wait_for(lambda: "2 uploaded" in panel.detail.text(), what="queue counts")
            await asyncio.sleep(0.2)

    run(qloop, scenario())
