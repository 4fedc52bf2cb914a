"""The lecturer's device cards against a simulated room: found by themselves, controlled, never freezing."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from devices.model import Availability, DeviceInfo, DeviceKind
from devices.sim.room import SimRoomConfig
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.sim_helpers import demo_core
from ui.bridge import RoomBridge
from ui.main_window import MainWindow
from ui.stall_meter import StallMeter

FIRST_HOST = 30  # 127.0.80.30 on, apart from other tests and a running demo
# A freeze, not a speed target: a blocking call (a socket read, a device timeout) on the GUI thread stalls for
# whole seconds; a busy 2-core machine alone reached 430 ms. The 16 ms target is measured in bench/.
STALL_LIMIT_MS = 1500


def test_all_on_walks_devices_through_warm_up(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    sim = SimRoomConfig(projectors=2, boards=1, warmup_s=1.0, cooling_s=0.5, first_host=FIRST_HOST)

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        meter = StallMeter()
        meter.start()
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.show()
        lecturer = window.lecturer
        try:
            await wait_for(lambda: len(lecturer.cards) == 3, within=15, what="three cards")
            await wait_for(
                lambda: all(c.power_button.isEnabled() for c in lecturer.device_cards()), within=10, what="ready"
            )
            assert {c.badge.text() for c in lecturer.cards.values()} == {"Standby"}
            qtbot.mouseClick(lecturer.all_on_button, Qt.MouseButton.LeftButton)
            await wait_for(
                lambda: any(c.badge.text().startswith("Warming up") for c in lecturer.cards.values()),
                within=5,
                what="warm-up shown",
            )
            await wait_for(lambda: all(c.badge.text() == "On" for c in lecturer.cards.values()), within=10, what="on")
            card = lecturer.device_cards()[0]
            assert card.input_picker.isEnabled() and card.mute_button.isEnabled()
            hdmi2 = card.input_picker.findData("32")
            card.input_picker.setCurrentIndex(hdmi2)
            card.input_picker.activated.emit(hdmi2)
            await wait_for(lambda: card.device.state.get("input") == "32", within=5, what="input switched")
            # The state can show the new input before the command's answer ends the pending state; until then
            # the controls are disabled and a click (a user's too) does nothing.
            await wait_for(lambda: card.mute_button.isEnabled(), within=5, what="the input command finished")
            qtbot.mouseClick(card.mute_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: card.device.state.get("video_mute") is True, within=5, what="blanked")
            assert "Picture blanked" in card.detail_label.text()
            card.show_details()
            assert card._details is not None and card._details.form.rowCount() > 8
            card._details.close()
            qtbot.mouseClick(lecturer.all_off_button, Qt.MouseButton.LeftButton)
            await wait_for(
                lambda: all(c.badge.text() == "Standby" for c in lecturer.cards.values()), within=10, what="off"
            )
        finally:
            meter.stop()
            window.bridge.detach()
            await core.stop()
        print(f"longest main-thread stall: {meter.longest_ms:.1f} ms over {meter.ticks} ticks")
        assert meter.longest_ms < STALL_LIMIT_MS

    run(qloop, scenario())


def test_faulty_devices_show_plain_words_and_the_window_stays_responsive(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    sim = SimRoomConfig(
        projectors=0,
        boards=0,
        faults=["slow", "garbage", "drop", "silent", "wrong_password"],
        first_host=FIRST_HOST,
    )

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.show()
        meter = StallMeter()
        meter.start()
        lecturer = window.lecturer
        try:
            await wait_for(lambda: len(lecturer.cards) == 5, within=20, what="five cards")
            settled = (Availability.OFFLINE, Availability.FAULT, Availability.AUTH_FAILED)
            await wait_for(
                lambda: all(c.device.availability in settled for c in lecturer.cards.values()),
                within=30,
                what="every card in a clear state",
            )
            words = {c.badge.text() for c in lecturer.cards.values()}
            # No password was ever typed here: the locked device asks for one rather than calling it wrong.
            assert words <= {"Offline", "Fault", "Password needed"}, words
            for card in lecturer.device_cards():
                assert card.problem_label.text(), card.device.name
                assert not card.power_button.isEnabled()
            locked = [c for c in lecturer.device_cards() if c.device.availability is Availability.AUTH_FAILED]
            assert locked and all(c.password_button.isVisible() for c in locked)
            assert all("asks for a password" in c.problem_label.text() for c in locked)
        finally:
            meter.stop()
            window.bridge.detach()
            await core.stop()
        print(f"longest main-thread stall with five faulty devices: {meter.longest_ms:.1f} ms")
        assert meter.longest_ms < STALL_LIMIT_MS

    run(qloop, scenario())


def test_add_by_address_keeps_the_dialog_and_says_what_is_wrong(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            qtbot.mouseClick(lecturer.by_address_button, Qt.MouseButton.LeftButton)
            dialog = lecturer.address_dialog
            assert dialog is not None and dialog.isVisible()
            for typed, words in (("10.20.1.15, 10.20.1.300", "“10.20.1.300” is not an address"),
                                 ("10.0.0.0/8", "too large a range")):
                dialog.field.setText(typed)
                ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
                qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
                await wait_for(dialog.error.isVisible, what="the reason beside the field")
                assert words in dialog.error.text() and dialog.isVisible() and dialog.field.text() == typed
            dialog.field.setText("127.0.81.9, 127.0.81.0/30")
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
            await wait_for(lambda: not dialog.isVisible(), within=30, what="the dialog to close once saved")
            assert core.settings.manual_addresses == ["127.0.81.9", "127.0.81.0/30"]

    run(qloop, scenario())


def test_details_speak_plain_words_and_offer_the_cards_actions(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            core.room.update_device(DeviceInfo(
                uid="mac:02:00:00:00:00:01", kind=DeviceKind.BOARD, name="Board 1", address="127.0.0.9", port=4352,
                protocol="pjlink", protocol_class="2", availability=Availability.ONLINE, found_by={"dnssd", "search"},
                state={"power": "on", "unavailable": ["freeze", "input_resolution"], "errors": {"lamp": "warning"}},
            ))
            card = window.lecturer.cards["mac:02:00:00:00:00:01"]
            card.show_details()
            details = card._details
            assert details is not None
            items = [details.form.itemAt(i) for i in range(details.form.count())]
            widgets = [item.widget() for item in items if item is not None]
            shown = " | ".join(w.text() for w in widgets if isinstance(w, QLabel))
            assert "announced itself on the network" in shown and "projector search" in shown
            assert "picture freeze, input resolution" in shown and "Lamp: needs attention soon" in shown
            assert "dnssd" not in shown and "input_resolution" not in shown
            assert [b.text() for b in details.action_buttons] == ["Turn on / off", "Check now"]

    run(qloop, scenario())
