"""A burst of device changes reaches the cards as each device's latest state, in far fewer updates than events."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from ui.device_card import DeviceCard

DEVICES = 100
ROUNDS = 10  # 1,000 changes in all


def projector(i: int) -> DeviceInfo:
    return DeviceInfo(uid=f"mac:02:c0:00:00:00:{i:02x}", kind=DeviceKind.PROJECTOR, name=f"Projector {i + 1}",
                      address=f"127.0.0.{i + 1}", port=4352, protocol="pjlink", availability=Availability.ONLINE,
                      state={"power": "on", "lamp_hours": [0]})


def test_a_burst_of_changes_ends_with_every_card_at_its_latest(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            for i in range(DEVICES):
                core.room.update_device(projector(i))
            cards = window.lecturer.cards
            # their cards are built a few a frame, so the window keeps answering while 100 arrive together
            await wait_for(lambda: len(cards) == DEVICES, within=10, what="every card built")
            assert window.lecturer.devices_status.text() == f"{DEVICES} found"
            relayed: list[DeviceInfo] = []
            window.bridge.sig_device_changed.connect(relayed.append)
            before = sum(card.updates for card in cards.values() if isinstance(card, DeviceCard))
            for hours in range(1, ROUNDS + 1):  # one burst: the loop never runs in between
                for i in range(DEVICES):
                    device = core.room.devices[projector(i).uid]
                    core.room.update_device(dataclasses.replace(device, state={"power": "on", "lamp_hours": [hours]}))

            def latest() -> bool:
                return all(f"Lamp: {ROUNDS}\u00a0h" in card.detail_label.text() for card in cards.values()
                           if isinstance(card, DeviceCard))

            await wait_for(latest, within=30, what="every card showing its last lamp hours")
            updates = sum(card.updates for card in cards.values() if isinstance(card, DeviceCard)) - before
            # of DEVICES * ROUNDS changes, the first is shown at once, then each device's latest once: 101 of 1,000
            assert len(relayed) <= DEVICES + 1, len(relayed)
            assert updates <= DEVICES + 1, updates
            assert {d.state["lamp_hours"][0] for d in relayed[1:]} == {ROUNDS}

    run(qloop, scenario())


def test_another_event_shows_the_waiting_changes_first(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """Order holds: a device's change that waits for its frame is shown before a later session event."""

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            core.room.update_device(projector(0))
            seen: list[str] = []
            window.bridge.sig_device_changed.connect(lambda d: seen.append(f"lamp {d.state['lamp_hours'][0]}"))
            window.bridge.sig_session_started.connect(lambda *_: seen.append("session"))
            for hours in (1, 2, 3):
                device = core.room.devices[projector(0).uid]
                core.room.update_device(dataclasses.replace(device, state={"power": "on", "lamp_hours": [hours]}))
            assert seen == ["lamp 1"]  # the first at once; 2 and 3 wait for the frame, only 3 will be shown
            await core.room.start_session("Dr. Ivanova", "Physics 101")
            await wait_for(lambda: "session" in seen, within=30, what="the session shown")
            assert seen[:3] == ["lamp 1", "lamp 3", "session"]
            await core.room.end_session()

    run(qloop, scenario())
