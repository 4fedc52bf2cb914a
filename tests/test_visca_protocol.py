"""VISCA bytes: the header, the commands we send, and the reply parser, which only ever raises its own error."""

from __future__ import annotations

import asyncio
import functools
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.visca import commands as cmd
from devices.visca.errors import ViscaCommandError, ViscaConnectionError, ViscaParseError
from devices.visca.framing import (
    Framing,
    PayloadType,
    decode_packet,
    encode_packet,
    looks_headed,
    split_messages,
)
from devices.visca.replies import Ack, Completion, ErrorReply, nibbles, parse_reply, signed16
from devices.visca.transport import MAX_WAITING, UdpLink
from devices.visca.units import ViscaRanges, speed_byte
from tests.test_camera_family import wait_until


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_header_is_type_length_sequence_big_endian() -> None:
    wire = encode_packet(PayloadType.COMMAND, 1, h("81 01 04 3F 02 01 FF"))
    assert wire == h("01 00 00 07 00 00 00 01 81 01 04 3F 02 01 FF")
    assert decode_packet(wire).payload == h("81 01 04 3F 02 01 FF")
    reset = encode_packet(PayloadType.CONTROL, 0, b"\x01")
    assert reset == h("02 00 00 01 00 00 00 00 01")
    assert encode_packet(PayloadType.INQUIRY, 0x1_0000_0002, h("81 09 06 12 FF"))[4:8] == h("00 00 00 02")


def test_header_refuses_lengths_the_field_cannot_carry() -> None:
    with pytest.raises(ValueError):
        encode_packet(PayloadType.COMMAND, 0, b"")
    with pytest.raises(ValueError):
        encode_packet(PayloadType.COMMAND, 0, bytes(17))


@pytest.mark.parametrize("wire", [
    "",
    "01 00 00 03 00 00 00 01",  # no payload
    "01 00 00 05 00 00 00 01 90 41 FF",  # length says 5, carries 3
    "07 77 00 03 00 00 00 01 90 41 FF",  # unknown payload type
    "01 11 00 11 00 00 00 01" + " 00" * 17,  # 17 bytes
])
def test_malformed_datagrams_raise_parse_errors(wire: str) -> None:
    with pytest.raises(ViscaParseError):
        decode_packet(h(wire))


def test_framing_is_a_per_camera_choice_with_its_own_port() -> None:
    from devices.visca.framing import DEFAULT_PORTS

    assert DEFAULT_PORTS[Framing.IP] == 52381
    assert DEFAULT_PORTS[Framing.RAW_TCP] == 5678
    assert looks_headed(h("01 00 00 05")) and not looks_headed(h("81 01 06 04 FF"))
    assert split_messages(h("90 41 FF 90 51 FF 90")) == [h("90 41 FF"), h("90 51 FF")]


@pytest.mark.parametrize(("payload", "expected"), [
    (cmd.pan_tilt_drive(cmd.Pan.LEFT, cmd.Tilt.UP, 0x05, 0x06), "81 01 06 01 05 06 01 01 FF"),
    (cmd.pan_tilt_drive(cmd.Pan.RIGHT, cmd.Tilt.DOWN, 0x18, 0x17), "81 01 06 01 18 17 02 02 FF"),
    (cmd.pan_tilt_stop(), "81 01 06 01 01 01 03 03 FF"),
    (cmd.pan_tilt_absolute(-1, 0x0123), "81 01 06 02 18 17 0F 0F 0F 0F 00 01 02 03 FF"),
    (cmd.home(), "81 01 06 04 FF"),
    (cmd.zoom_stop(), "81 01 04 07 00 FF"),
    (cmd.zoom_tele(), "81 01 04 07 02 FF"),
    (cmd.zoom_wide(), "81 01 04 07 03 FF"),
    (cmd.zoom_tele(7), "81 01 04 07 27 FF"),
    (cmd.zoom_wide(3), "81 01 04 07 33 FF"),
    (cmd.zoom_direct(0x1234), "81 01 04 47 01 02 03 04 FF"),
    (cmd.memory(cmd.MemoryAction.SET, 2), "81 01 04 3F 01 02 FF"),
    (cmd.memory(cmd.MemoryAction.RECALL, 0x7F), "81 01 04 3F 02 7F FF"),
    (cmd.power(True), "81 01 04 00 02 FF"),
    (cmd.power(False, address=2), "82 01 04 00 03 FF"),
    (cmd.power_inquiry(), "81 09 04 00 FF"),
    (cmd.zoom_position_inquiry(), "81 09 04 47 FF"),
    (cmd.pan_tilt_position_inquiry(), "81 09 06 12 FF"),
    (cmd.version_inquiry(), "81 09 00 02 FF"),
])
def test_commands_are_the_documented_bytes(payload: bytes, expected: str) -> None:
    assert payload == h(expected)


@pytest.mark.parametrize("build", [
    lambda: cmd.pan_tilt_drive(cmd.Pan.LEFT, cmd.Tilt.UP, 0, 1),
    lambda: cmd.pan_tilt_drive(cmd.Pan.LEFT, cmd.Tilt.UP, 0x19, 1),
    lambda: cmd.zoom_tele(8),
    lambda: cmd.zoom_direct(0x10000),
    lambda: cmd.memory(cmd.MemoryAction.RECALL, 0xFF),
    lambda: cmd.pan_tilt_absolute(0x8000, 0),
    lambda: cmd.home(address=8),
])
def test_out_of_range_arguments_never_reach_the_wire(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(("reply", "expected"), [
    ("90 41 FF", Ack(1, 1)),
    ("90 42 FF", Ack(1, 2)),
    ("90 51 FF", Completion(1, 1)),
    ("90 50 02 FF", Completion(1, 0, b"\x02")),
    ("90 50 01 02 03 04 FF", Completion(1, 0, h("01 02 03 04"))),
    ("A0 41 FF", Ack(2, 1)),
    ("90 60 02 FF", ErrorReply(1, 0, 0x02)),
    ("90 60 03 FF", ErrorReply(1, 0, 0x03)),
    ("90 61 04 FF", ErrorReply(1, 1, 0x04)),
    ("90 62 05 FF", ErrorReply(1, 2, 0x05)),
    ("90 61 41 FF", ErrorReply(1, 1, 0x41)),
])
def test_replies_parse_to_types(reply: str, expected: object) -> None:
    assert parse_reply(h(reply)) == expected


@pytest.mark.parametrize(("error", "code"), [
    (0x02, "syntax"), (0x03, "buffer-full"), (0x04, "cancelled"), (0x05, "no-socket"), (0x41, "not-executable"),
    (0x77, "error-77"),
])
def test_error_replies_become_typed_errors_with_codes(error: int, code: str) -> None:
    reply = parse_reply(bytes([0x90, 0x61, error, 0xFF]))
    assert isinstance(reply, ErrorReply)
    exc = reply.exception()
    assert isinstance(exc, ViscaCommandError) and exc.code == code and exc.socket == 1


@pytest.mark.parametrize("reply", [
    "", "FF", "90 41", "90 FF", "80 41 FF", "91 41 FF", "90 41 00 FF", "90 60 FF", "90 60 02 03 FF",
    "90 70 FF", "90 51 FF FF", "90 50" + " 00" * 14 + " FF", "00 00 00",
])
def test_garbage_replies_raise_only_parse_errors(reply: str) -> None:
    with pytest.raises(ViscaParseError):
        parse_reply(h(reply))


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=40))
def test_fuzzed_replies_parse_or_raise_only_parse_errors(data: bytes) -> None:
    try:
        reply = parse_reply(data)
    except ViscaParseError:
        return
    assert isinstance(reply, Ack | Completion | ErrorReply)
    assert data[-1] == 0xFF and 1 <= reply.address <= 7


@settings(max_examples=1000, deadline=None)
@given(st.binary(min_size=0, max_size=30), st.binary(max_size=20))
def test_fuzzed_datagrams_decode_or_raise_only_parse_errors(header: bytes, payload: bytes) -> None:
    for data in (header + payload, header[:8] + payload):
        try:
            packet = decode_packet(data)
        except ViscaParseError:
            continue
        assert 1 <= len(packet.payload) <= 16


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([0x40, 0x50, 0x60]), st.integers(1, 7), st.integers(0, 15),
       st.binary(max_size=12).filter(lambda b: 0xFF not in b))
def test_well_formed_replies_round_trip(kind: int, address: int, socket: int, data: bytes) -> None:
    body = b"" if kind == 0x40 else data[:1] if kind == 0x60 and data else b"\x02" if kind == 0x60 else data
    reply = parse_reply(bytes([(address + 8) << 4, kind | socket, *body, 0xFF]))
    assert (reply.address, reply.socket) == (address, socket)


@given(st.integers(-0x8000, 0x7FFF))
def test_positions_survive_the_nibble_encoding(value: int) -> None:
    assert signed16(nibbles(cmd.to_nibbles(value))) == value


def test_nibbles_refuse_full_bytes() -> None:
    with pytest.raises(ViscaParseError):
        nibbles(h("01 20 03 04"))


def test_normalised_units_map_onto_the_cameras_range() -> None:
    r = ViscaRanges()
    assert r.pan_to_visca(-1) == r.pan_min and r.pan_to_visca(1) == r.pan_max and r.pan_to_visca(0) == 0
    assert r.zoom_to_visca(1) == r.zoom_max and r.zoom_to_visca(2) == r.zoom_max
    assert abs(r.tilt_from_visca(r.tilt_to_visca(0.3)) - 0.3) < 1e-3
    assert speed_byte(0.0, 0x18) == 1 and speed_byte(-1.0, 0x18) == 0x18 and speed_byte(0.5, 0x18) == 12


def test_every_error_code_has_a_reason_for_the_card() -> None:
    from devices.driver import Reason
    from devices.visca.errors import ERROR_CODES, ViscaError, ViscaTimeout
    from devices.visca.reasons import reason

    assert reason(ViscaTimeout("", "no-ack")) is Reason.NO_ANSWER
    assert reason(ViscaCommandError(0x41)) is Reason.BUSY
    assert reason(ViscaCommandError(0x02)) is Reason.UNSUPPORTED
    assert reason(ViscaParseError("x")) is Reason.GARBLED
    assert reason(ViscaError("", "device-fault")) is Reason.DEVICE_FAULT
    assert all(reason(ViscaCommandError(code)) is not None for code in ERROR_CODES)


def _seen(link: UdpLink, count: int) -> bool:
    return link.dropped + len(link._items) == count


async def test_replies_nobody_asked_for_are_bounded_and_the_newest_kept() -> None:
    """A device at the camera's address flooding ACKs between exchanges: the link keeps the newest few, so the
    console's memory stays flat (E3: 82,783 datagrams queued, 21 -> 279 MB in 15 s), and a connection's end,
    which comes last, is never the one dropped."""
    flooder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flooder.bind(("127.0.4.80", 0))
    link = UdpLink()
    await link.open("127.0.4.80", flooder.getsockname()[1])
    try:
        ours = link._transport.get_extra_info("sockname")  # type: ignore[union-attr]
        sent, loop = 5_000, asyncio.get_running_loop()
        for n in range(0, sent, 50):  # paced so the socket's own buffer loses none: every one reaches the link
            for k in range(n, n + 50):
                flooder.sendto(b"\x90\x41" + k.to_bytes(2, "big") + b"\xff", ours)
            await wait_until(functools.partial(_seen, link, n + 50), "the batch arrived")
        assert len(link._items) == MAX_WAITING and link.dropped == sent - MAX_WAITING
        link.deliver(ViscaConnectionError("gone"))
        items = [await link.receive(loop.time() + 1.0) for _ in range(MAX_WAITING)]
        assert isinstance(items[-1], ViscaConnectionError)  # the end arrives after the newest replies
        assert items[0] == b"\x90\x41" + (sent - MAX_WAITING + 1).to_bytes(2, "big") + b"\xff"
    finally:
        await link.close()
        flooder.close()
