"""What a device says about itself reaches the card and the terminal without format characters (E3: a PJLink
input named ``\\u202eIMDH\\u202c`` showed as "HDMI" and reversed the rest of a ``discover`` line), and a projector
that pads its NAME with NULs, as real units do, keeps its name instead of the whole reply being refused as
garbled. Simulators on loopback speak the real protocols."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from devices.discovery.dnssd import parse_txt
from devices.driver import DriverOptions
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.onvif.client import OnvifClient
from devices.onvif.wsd_messages import scope_uri, scope_value
from devices.pjlink.family import PJLINK
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
from devices.text import device_text

BOUND_S = 30.0
RLO, PDF, ZWJ, ZWSP, LRI, PDI = "\u202e", "\u202c", "\u200d", "\u200b", "\u2066", "\u2069"


async def until(check: Callable[[], object], within: float = BOUND_S) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"not true within {within} s"
        await asyncio.sleep(0.02)


def test_format_and_control_characters_go_and_everything_else_stays() -> None:
    assert device_text(f"{RLO}IMDH{PDF} <i>x</i>{ZWJ}") == "IMDH <i>x</i>"
    assert device_text(f"Аудитория{ZWSP} 101 {LRI}投影机{PDI}") == "Аудитория 101 投影机"
    assert device_text("Room\u009b2J 101\u00ad") == "Room2J 101"  # a C1 escape (CSI) and a soft hyphen
    assert device_text("Room\t101\n") == "Room 101 "
    plain = "Epson EB-L520U"
    assert device_text(plain) is plain  # nearly every reply: not copied


async def test_a_projectors_name_inputs_and_makers_words_come_clean_and_nul_padding_is_kept_as_the_name() -> None:
    config = SimProjectorConfig(
        name="Room 101\0\0\0\0\0\0", port=0, udp_port=None, warmup_s=0.1, cooling_s=0.1,
        manufacturer=f"Ep{ZWSP}son", product=f"{RLO}U025L-BE", info=f"lamp{ZWJ} ok",
        inputs=["11", "31", "32"],
        input_names={"31": f"{RLO}IMDH{PDF}", "32": f"HDMI{ZWSP} 2"})
    async with SimulatedProjector(config) as projector:
        identity = await PJLINK.identify(projector.host, projector.tcp_port, None, BOUND_S, {})
        assert (identity.name, identity.manufacturer, identity.product, identity.info) == (
            "Room 101", "Epson", "U025L-BE", "lamp ok")
        info = DeviceInfo(uid="t2:projector", kind=DeviceKind.PROJECTOR, name=identity.name,
                          address=projector.host, port=projector.tcp_port, protocol="pjlink")
        driver = PJLINK.driver(info, DriverOptions(poll_interval_s=0.05))
        await driver.start()
        try:
            await until(lambda: driver.availability is Availability.ONLINE and "inputs" in driver.state())
            state = driver.state()
            assert driver.name == "Room 101"
            assert state["inputs"]["31"] == "IMDH"  # shown as it is, not reordered into "HDMI"
            assert state["inputs"]["32"] == "HDMI 2"
            assert all(c.isprintable() for text in state["inputs"].values() for c in text)
        finally:
            await driver.stop()


async def test_a_cameras_words_and_adverts_come_clean() -> None:
    options = SimOnvifConfig(host="127.0.80.221", stream_uri="http://127.0.80.221:8554/stream.mjpg",
                             mac="02-AB-CD-00-00-02", manufacturer=f"Sim{ZWJ}Cam", model=f"{RLO}ZTP")
    async with SimOnvifService(options, None) as camera, OnvifClient(camera.device_url, timeout_s=BOUND_S) as client:
        info = await client.device_information()
    assert (info.manufacturer, info.model) == ("SimCam", "ZTP")
    assert scope_value([scope_uri("name", f"Hall{ZWSP} A {RLO}ZTP")], "name") == "Hall A ZTP"
    assert parse_txt({b"name": f"Tablet{LRI} 7{PDI}".encode(), b"model": "\u202eX".encode()}) == {
        "name": "Tablet 7", "model": "X"}
