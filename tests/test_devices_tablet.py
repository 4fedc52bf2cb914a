"""Managed tablets: an agent's ``_classroom-tablet._tcp`` advert becomes a device with its name and battery;
a malformed record is ignored with a log line, and discovery goes on."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import time
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.commands.sim import config_from, configure
from devices.discovery import DeviceFinder, FinderConfig
from devices.driver import DriverOptions
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.registry import family_for, protocol_of_service
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
from devices.sim.room import SimRoom, SimRoomConfig
from devices.sim.tablet_agent import SimTabletConfig, SimulatedTablet
from devices.tablet.facts import SERVICE_TYPE, MalformedRecord, parse
from tests.discovery_helpers import watch_until
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.sim_helpers import demo_core
from ui.bridge import RoomBridge
from ui.device_card import DeviceCard
from ui.main_window import MainWindow

RUN = secrets.token_hex(3)  # names of this run: a parallel copy of the suite cannot clash with them
LOOPBACK = ["127.0.0.1"]


def test_the_record_is_read_and_a_wrong_value_refuses_it_whole() -> None:
    facts = parse({"name": "Tablet 7", "battery": "42", "charging": "1", "mac": "02:aa:00:00:00:07", "x": "y"})
    assert (facts.name, facts.battery, facts.charging) == ("Tablet 7", 42, True)
    assert facts.state() == {"battery": 42, "charging": True}
    assert parse({}).state() == {}  # an agent that says nothing is still a tablet
    for bad in ({"battery": "lots"}, {"battery": "101"}, {"battery": "-1"}, {"battery": "٤٢"},
                {"charging": "maybe"}, {"name": "x" * 65}, {"name": "bell\x07"}, {"id": "../etc"}):
        with pytest.raises(MalformedRecord):
            parse(bad)
    assert protocol_of_service(SERVICE_TYPE) == "classroom-tablet"
    assert not family_for("classroom-tablet").accepts(SERVICE_TYPE, {"battery": "lots"})


async def test_a_simulated_tablet_is_found_with_its_battery_and_name_and_a_malformed_advert_is_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = SimulatedTablet(SimTabletConfig(f"Tablet {RUN}", "127.0.0.1", "02:cc:81:aa:00:01", battery=37))
    await good.start()
    bad_name = f"Broken {RUN}"
    ads = [
        good.advertisement(),
        Advertisement(SERVICE_TYPE, bad_name, "127.0.0.1", good.port + 1,
                      {"name": bad_name, "battery": "lots", "mac": "02:cc:81:aa:00:02"}),
        Advertisement(SERVICE_TYPE, f"Junk {RUN}", "127.0.0.1", good.port + 2, b"\x05\xff\xfe\x00=\x01\x03=ab\x00"),
    ]
    try:
        with caplog.at_level(logging.WARNING, "devices"):
            async with DnssdAdvertiser(LOOPBACK) as advertiser:
                await advertiser.advertise_many(ads)
                finder = DeviceFinder(FinderConfig(
                    search_targets=(), dnssd_types=(SERVICE_TYPE,), dnssd_interfaces=LOOPBACK, step_timeout=1.0))
                uid = "mac:02:cc:81:aa:00:01"

                def seen_all(found: dict[str, DeviceInfo]) -> bool:
                    refused = any(bad_name in r.getMessage() and "battery='lots'" in r.getMessage()
                                  for r in caplog.records)
                    return uid in found and found[uid].availability == Availability.ONLINE and refused

                found = await watch_until(finder, seen_all)
    finally:
        await good.stop()
    tablet = found[uid]
    assert (tablet.kind, tablet.name, tablet.protocol, tablet.address, tablet.port) == (
        DeviceKind.TABLET, f"Tablet {RUN}", "classroom-tablet", "127.0.0.1", good.port)
    assert tablet.state["battery"] == 37 and tablet.state["charging"] is False
    assert "mac:02:cc:81:aa:00:02" not in found  # the malformed one: ignored, logged
    assert any("ignoring malformed tablet advert" in r.getMessage() for r in caplog.records)


def test_sim_room_tablets_appear_in_the_device_list_with_battery(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    parser = argparse.ArgumentParser()
    configure(parser)
    sim = config_from(parser.parse_args(["room", "--projectors", "0", "--boards", "0", "--tablets", "2"]))
    assert sim.tablets == 2
    sim.first_host = 40  # clear of other simulated rooms a parallel test may run

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.show()
        try:
            assert core.sim_room is not None and len(core.sim_room.tablets) == 2
            assert any("battery 95%" in line for line in core.sim_room.describe())
            macs = {t.config.mac: t for t in core.sim_room.tablets}

            def tablets_shown() -> bool:
                return all(f"mac:{m}" in window.lecturer.cards for m in macs)

            await wait_for(tablets_shown, within=30, what="tablets in the device list")
            first = window.lecturer.cards[f"mac:{core.sim_room.tablets[0].config.mac}"]
            assert isinstance(first, DeviceCard)  # a tablet has no picture: the plain card
            await wait_for(lambda: "Battery: 95%" in first.detail_label.text(), within=30, what="battery")
            assert first.device.kind == DeviceKind.TABLET and first.name_label.text() == "Tablet 1"
            assert first.device.availability == Availability.ONLINE
            fourth_charging = [t for t in core.sim_room.tablets if t.config.charging]
            assert not fourth_charging  # of two, none is the fourth
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_a_tablets_card_shows_its_name_as_text_and_its_battery(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            name = '<img src=x onerror="alert(1)"><b>Tablet</b>'
            core.room.update_device(DeviceInfo(
                uid="mac:02:cc:81:00:00:09", kind=DeviceKind.TABLET, name=name, address="127.0.0.9", port=7000,
                protocol="classroom-tablet", availability=Availability.ONLINE, state={"battery": 8, "charging": True},
            ))
            card = window.lecturer.cards["mac:02:cc:81:00:00:09"]
            assert isinstance(card, DeviceCard)
            assert card.name_label.textFormat() == Qt.TextFormat.PlainText and card.name_label.text() == name
            assert card.detail_label.text() == "Battery: 8%, charging"
            assert not card.power_button.isVisible() and not card.input_picker.isVisible()
            card.resize(360, 200)
            card.grab().save(str(tmp_path / "tablet_card.png"))

    run(qloop, scenario())


async def test_an_agent_that_stops_answering_goes_offline(tmp_path: Path) -> None:
    tablet = SimulatedTablet(SimTabletConfig(f"Sleepy {RUN}", "127.0.0.1", "02:cc:81:aa:00:03", battery=50))
    await tablet.start()
    info = DeviceInfo("mac:02:cc:81:aa:00:03", DeviceKind.TABLET, "", "127.0.0.1", tablet.port, "classroom-tablet",
                      state={"txt": tablet.txt()})
    driver = family_for("classroom-tablet").driver(info, DriverOptions(poll_interval_s=0.1, timeout_s=1.0))
    changes: list[Availability] = []
    driver.on_change = lambda: changes.append(driver.availability)
    await driver.start()
    try:
        deadline = time.monotonic() + 30
        while driver.availability != Availability.ONLINE and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        assert driver.name == f"Sleepy {RUN}" and driver.state() == {"battery": 50, "charging": False,
                                                                      "model": "SimTab 10"}
        await tablet.stop()
        while driver.availability != Availability.OFFLINE and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        assert driver.availability == Availability.OFFLINE and driver.reason == "unreachable"
        info.state["txt"] = {**tablet.txt(), "battery": "12"}
        driver.learn(info)
        assert driver.state()["battery"] == 12
        info.state["txt"] = {**tablet.txt(), "battery": "nope"}
        driver.learn(info)  # a broken later advert changes nothing
        assert driver.state()["battery"] == 12
    finally:
        await driver.stop()
    assert Availability.OFFLINE in changes


def test_sim_room_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        SimRoomConfig(tablets=-1)
    assert SimRoom(SimRoomConfig(projectors=0, boards=0, tablets=3)).tablets == []
