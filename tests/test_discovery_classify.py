"""Kind from role or wording, uid precedence, registry merges and parsers fuzzed, without any network."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.discovery import classify, device_uid
from devices.discovery._registry import DeviceRegistry, Hints
from devices.discovery.dnssd import parse_txt
from devices.discovery.pjlink_search import parse_ackn
from devices.driver import Identity
from devices.model import Availability, DeviceKind


@pytest.mark.parametrize(("role", "wording", "kind"), [
    ("board", ("SimBeam 4000 Projector",), DeviceKind.BOARD),
    ("DISPLAY", (), DeviceKind.DISPLAY),
    (None, ("SMART Board 6000", ""), DeviceKind.BOARD),
    (None, ("Interactive flat panel",), DeviceKind.BOARD),
    (None, ("EB-L200F", "LCD projector"), DeviceKind.PROJECTOR),
    (None, ("Flat Panel 75",), DeviceKind.DISPLAY),
    (None, ("", "Large format display"), DeviceKind.DISPLAY),
    (None, ("Keyboard-less thing",), DeviceKind.PROJECTOR),
    ("toaster", ("",), DeviceKind.PROJECTOR),
])
def test_classify(role: str | None, wording: tuple[str, ...], kind: DeviceKind) -> None:
    assert classify(role, *wording) is kind


def test_uid_precedence() -> None:
    assert device_uid("02:AA:BB:CC:DD:EE", "Epson", "X1", "10.0.0.5", 4352) == "mac:02:aa:bb:cc:dd:ee"
    assert device_uid(None, "Epson ", " X1", "10.0.0.5", 4352) == "serial:Epson:X1"
    assert device_uid(None, "", "", "10.0.0.5", 4352) == "addr:10.0.0.5:4352"
    assert device_uid(None, "", "", "::1", 4352) == "addr:[::1]:4352"


def online(**kw: str) -> Identity:
    return Identity(Availability.ONLINE, protocol_class="2", name="P", **kw)  # type: ignore[arg-type]


def test_registry_moves_a_device_by_serial_and_keeps_its_uid() -> None:
    reg = DeviceRegistry()
    first = reg.record("10.0.0.5", 4352, online(manufacturer="Epson", serial="X1"), Hints({"sweep"}))
    assert first.uid == "serial:Epson:X1"
    again = reg.record("10.0.0.9", 4352, online(manufacturer="Epson", serial="X1"),
                       Hints({"search"}, mac="02:00:00:00:00:01"))
    assert again is first and again.address == "10.0.0.9" and again.found_by == {"sweep", "search"}
    assert reg.known_uids("10.0.0.9", 4352, None)[-1] == "serial:Epson:X1"
    assert len(reg.snapshot()) == 1


def test_registry_new_device_on_an_old_address_is_a_new_device() -> None:
    reg = DeviceRegistry()
    reg.record("10.0.0.5", 4352, online(), Hints({"search"}, mac="02:00:00:00:00:01"))
    reg.record("10.0.0.5", 4352, online(), Hints({"search"}, mac="02:00:00:00:00:02"))
    assert sorted(reg.snapshot()) == ["mac:02:00:00:00:00:01", "mac:02:00:00:00:00:02"]


def test_registry_keeps_last_reachable_state_when_a_mechanism_only_hints() -> None:
    reg = DeviceRegistry()
    info = reg.record("10.0.0.5", 4352, online(product="SimPanel Display"), Hints({"sweep"}))
    assert info.kind is DeviceKind.DISPLAY
    assert reg.add_hints(info.uid, Hints({"dnssd"}, role="board", txt={"role": "board"}))
    assert not reg.add_hints(info.uid, Hints({"dnssd"}, role="board"))
    snap = reg.snapshot()[info.uid]
    assert snap.kind is DeviceKind.BOARD and snap.found_by == {"sweep", "dnssd"}
    snap.found_by.add("mutated")
    assert "mutated" not in reg.snapshot()[info.uid].found_by


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_search_reply_parser_never_raises(data: bytes) -> None:
    mac = parse_ackn(data)
    assert mac is None or (len(mac) == 17 and mac == mac.lower())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.binary(max_size=12), st.none() | st.binary(max_size=40), max_size=8))
def test_txt_parser_never_raises(props: dict[bytes, bytes | None]) -> None:
    txt = parse_txt(props)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in txt.items())
