"""A word on which devices are this room's given elsewhere while the window is open: a device's Details tick while
the chooser is up (its Save wrote its whole snapshot over it), and ``classroom-console device ID room yes|no`` from
the command line, another program on the same store (the window took it only at its next start). Real widgets, real
simulated projectors on loopback, a real store, the real command in a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import qasync
from PySide6.QtCore import QCoreApplication, QPoint, QProcess, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore
from classroom_console.room_choice import Belonging, belonging, switched
from classroom_console.room_devices import RoomDevices
from classroom_console.scenes import Scene
from classroom_console.scenes_apply import apply_scene
from devices.driver import Command
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.pjlink.values import PowerState
from devices.sim.pjlink_projector import SimulatedProjector
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_device_impostors import PORT, mac_of, projector
from ui.device_card import DeviceCard
from ui.main_window import MainWindow
from ui.room_chooser import NOW

OURS, THEIRS = "127.0.80.61", "127.0.80.62"
OURS_UID, THEIRS_UID = f"mac:{mac_of(OURS)}", f"mac:{mac_of(THEIRS)}"


@contextlib.asynccontextmanager
async def two_projectors(qtbot: QtBot, tmp_path: Path) -> AsyncIterator[
        tuple[ConsoleCore, MainWindow, dict[str, SimulatedProjector]]]:
    """The window on a core whose store is ``tmp_path``'s, two projectors found by the search (no evidence either
    way: the banner asks about both), online, their rows written."""
    async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window), contextlib.AsyncExitStack() as stack:
        sims = {uid: await stack.enter_async_context(projector(host, mac_of(host), name, password=None))
                for uid, host, name in ((OURS_UID, OURS, "Projector 204"), (THEIRS_UID, THEIRS, "Projector 203"))}
        core.devices = RoomDevices(core.room, None, store=core.store, poll_interval_s=0.2)
        await core.devices.start()
        stack.push_async_callback(core.devices.stop)
        for uid, host in ((OURS_UID, OURS), (THEIRS_UID, THEIRS)):
            await core.devices.adopt(DeviceInfo(uid, DeviceKind.PROJECTOR, host, host, PORT, "pjlink",
                                                found_by={"search"}))
        window.resize(1366, 768)
        banner = window.lecturer.room_banner
        await wait_for(lambda: len(window.lecturer.cards) == 2 and all(
            d.availability is Availability.ONLINE for d in core.room.devices.values()), within=20,
            what="two cards online")
        await wait_for(lambda: banner.isVisible() and "2" in banner.text.text(), within=10, what="the banner")
        assert core.store is not None
        deadline = time.monotonic() + 20  # the room writes its rows in batches: the command line finds them there
        while not {OURS_UID, THEIRS_UID} <= {row["uid"] for row in await core.store.known_devices()}:
            assert time.monotonic() < deadline, "timed out waiting for the two rows"
            await asyncio.sleep(0.05)
        yield core, window, sims


async def command_line(tmp_path: Path, *args: str) -> str:
    """``classroom-console --data-dir tmp_path ARGS`` in a process of its own, the window's loop running meanwhile."""
    process = QProcess()
    process.start(sys.executable, ["-m", "classroom_console", "--data-dir", str(tmp_path), *args])
    await wait_for(lambda: process.state() is QProcess.ProcessState.NotRunning, within=60, what=f"{args} done")
    out = bytes(process.readAllStandardOutput().data()).decode()
    assert process.exitCode() == 0, bytes(process.readAllStandardError().data()).decode()
    return out


def test_the_choosers_save_keeps_a_details_tick_given_while_it_was_open(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with two_projectors(qtbot, tmp_path) as (core, window, _sims):
            lecturer = window.lecturer
            qtbot.mouseClick(lecturer.room_banner.choose_button, Qt.MouseButton.LeftButton)
            chooser = lecturer.room_banner.chooser
            assert chooser is not None and chooser.isVisible()
            assert chooser.ticked() == {OURS_UID: False, THEIRS_UID: False}
            # What each is doing now, kept current: the one warming up is the one lighting up in front of the lecturer
            now = chooser.table.item([d.uid for d in chooser.devices].index(OURS_UID), NOW)
            assert now is not None and now.text() == "Standby"
            assert core.devices is not None
            await core.devices.command(OURS_UID, Command("power", True))
            await wait_for(lambda: now.text() in ("Warming up", "On"), within=10, what="204's row warming up")
            # Meanwhile the lecturer ticks 203 in its Details (it is this room's after all: the board's twin)
            card = lecturer.cards[THEIRS_UID]
            assert isinstance(card, DeviceCard)
            card.show_details()
            details = card._details
            assert details is not None and not details.room_tick.isChecked()
            box = details.room_tick
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))
            await wait_for(lambda: belonging(core.room.devices[THEIRS_UID]) is Belonging.CHOSEN, within=10,
                           what="203 chosen from its Details")
            details.close()
            await wait_for(lambda: chooser.ticked()[THEIRS_UID], within=5, what="the chooser's row follows the tick")
            chooser._clicked([d.uid for d in chooser.devices].index(OURS_UID), 2)  # then 204 in the chooser, and Save
            save = chooser.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)  # type: ignore[union-attr]
            qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
            await wait_for(lambda: belonging(core.room.devices[OURS_UID]) is Belonging.CHOSEN, within=10,
                           what="204 chosen from the chooser")
            # one choose judges every card at its end: 203's judgement is final with 204's
            assert belonging(core.room.devices[THEIRS_UID]) is Belonging.CHOSEN  # the chooser refused it: its snapshot
            assert core.store is not None
            rows = {r["uid"]: r["room_choice"] for r in await core.store.known_devices()}
            assert rows[OURS_UID] == 1 and rows[THEIRS_UID] == 1
            # A Save sent before the tick's news reached the window: the core keeps the newer word all the same
            assert core.devices is not None
            await core.devices.choose({THEIRS_UID: False}, was={THEIRS_UID: None})
            assert belonging(core.room.devices[THEIRS_UID]) is Belonging.CHOSEN
            await core.devices.choose({THEIRS_UID: False}, was={THEIRS_UID: True})  # what it showed: taken
            assert belonging(core.room.devices[THEIRS_UID]) is Belonging.REFUSED

    run(qloop, scenario())


def test_a_word_from_the_command_line_reaches_the_open_window(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with two_projectors(qtbot, tmp_path) as (core, window, sims):
            lecturer = window.lecturer
            banner = lecturer.room_banner
            qtbot.mouseClick(banner.choose_button, Qt.MouseButton.LeftButton)  # the chooser open meanwhile
            chooser = banner.chooser
            assert chooser is not None
            said = await command_line(tmp_path, "device", THEIRS_UID, "room", "no")
            card = lecturer.cards[THEIRS_UID]
            assert isinstance(card, DeviceCard)
            word = card.tr("Not this room's")
            await wait_for(lambda: card.detail_label.text().startswith(word), within=10,
                           what="203's card says it is not this room's")
            await command_line(tmp_path, "device", OURS_UID, "room", "yes")
            await wait_for(lambda: belonging(core.room.devices[OURS_UID]) is Belonging.CHOSEN, within=10,
                           what="204 chosen")
            await wait_for(lambda: not banner.isVisible(), within=5, what="the banner gone: nothing undecided")
            assert chooser.ticked() == {OURS_UID: True, THEIRS_UID: False}  # the open chooser followed
            chooser.reject()
            assert not switched(core.room.devices[THEIRS_UID]) and switched(core.room.devices[OURS_UID])
            await apply_scene(core, Scene("On", projectors_on=True))
            await wait_for(lambda: sims[OURS_UID].power_state in (PowerState.WARMING, PowerState.ON), within=10,
                           what="204 switched on by the scene")
            assert sims[THEIRS_UID].power_state is PowerState.OFF  # 203 left alone
            assert "within a few seconds" in said  # the command says so (it said "at its next start")

    run(qloop, scenario())
