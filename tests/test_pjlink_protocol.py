"""PJLink framing and value codecs, including fuzzing: any bytes give a result or a PJLinkError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.pjlink.errors import (
    ErrorCode,
    PJLinkAuthError,
    PJLinkBadValue,
    PJLinkError,
    PJLinkParamError,
    PJLinkProtocolError,
)
from devices.pjlink.protocol import (
    auth_digest,
    build_command,
    parse_greeting,
    parse_notification,
    parse_reply,
)
from devices.pjlink.values import (
    ErrorLevel,
    Input,
    InputType,
    Lamp,
    Mute,
    PowerState,
    decode_bool,
    decode_class,
    decode_errors,
    decode_input,
    decode_inputs,
    decode_int,
    decode_lamps,
    decode_mac,
    decode_mute,
    decode_power,
    decode_resolution,
    encode_mute,
    parse_input,
)


def test_build_command() -> None:
    assert build_command("POWR") == b"%1POWR ?\r"
    assert build_command("powr", "1") == b"%1POWR 1\r"
    assert build_command("INNM", "?31", cls=2) == b"%2INNM ?31\r"


@pytest.mark.parametrize(
    ("cmd", "param", "cls"),
    [("POW", "?", 1), ("POWER", "?", 1), ("PO R", "?", 1), ("POWR", "", 1), ("POWR", "1\r", 1),
     ("POWR", "?", 3), ("NAME", "x" * 200, 1)],
)
def test_build_command_rejects(cmd: str, param: str, cls: int) -> None:
    with pytest.raises(PJLinkParamError):
        build_command(cmd, param, cls)


def test_longest_command_fits_136_bytes() -> None:
    assert len(build_command("NAME", "x" * 128)) == 136
    with pytest.raises(PJLinkParamError):
        build_command("NAME", "x" * 129)


def test_digest_matches_spec_example() -> None:
    assert auth_digest("498e4a67", "JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682"


def test_greetings() -> None:
    assert not parse_greeting(b"PJLINK 0\r").auth_required
    greeting = parse_greeting(b"PJLINK 1 498e4a67\r")
    assert greeting.auth_required and greeting.auth_random == "498e4a67"
    with pytest.raises(PJLinkAuthError):
        parse_greeting(b"PJLINK ERRA\r")
    for bad in (b"", b"PJLINK 2\r", b"PJLINK 1 short\r", b"HTTP/1.1 400\r", b"\xff\xfe"):
        with pytest.raises(PJLinkProtocolError):
            parse_greeting(bad)


def test_replies() -> None:
    assert parse_reply(b"%1POWR=OK\r").ok
    reply = parse_reply(b"%1POWR=1\r")
    assert (reply.cls, reply.cmd, reply.value, reply.error) == (1, "POWR", "1", None)
    assert parse_reply(b"%1POWR=ERR3\r").error is ErrorCode.UNAVAILABLE
    assert parse_reply(b"%1INPT=ERR2").error is ErrorCode.BAD_PARAMETER
    assert parse_reply("%1NAME=\r").value == ""
    assert parse_reply(b"%2ACKN=aa:bb:cc:dd:ee:ff\r").value == "aa:bb:cc:dd:ee:ff"
    assert parse_reply(b"%1INFO=Lamp\tmodel\x01\r").value == "Lamp model"  # free text: a space, not a fault
    with pytest.raises(PJLinkAuthError):
        parse_reply(b"PJLINK ERRA\r")
    for bad in (b"POWR=1\r", b"%3POWR=1\r", b"%1POW=1\r", b"%1POWR 1\r", b"%1POWR=\x011\r",
                b"%1NAME=" + b"x" * 140 + b"\r"):
        with pytest.raises(PJLinkProtocolError):
            parse_reply(bad)


def test_error_codes_have_plain_meanings() -> None:
    assert ErrorCode.UNDEFINED.meaning == "command not supported"
    assert ErrorCode.BAD_PARAMETER.meaning == "bad parameter"
    assert "standby" in ErrorCode.UNAVAILABLE.meaning
    assert ErrorCode.DEVICE_FAILURE.meaning == "device failure"


def test_notifications() -> None:
    for line in (b"%2LKUP=aa:bb:cc:dd:ee:ff\r", b"%2POWR=1\r", b"%2ERST=000200\r", b"%2INPT=31\r"):
        assert parse_notification(line).cls == 2
    with pytest.raises(PJLinkProtocolError):
        parse_notification(b"%1POWR=1\r")


def test_value_decoders() -> None:
    assert decode_power("3") is PowerState.WARMING and PowerState.COOLING.label == "cooling down"
    assert decode_input("31").name == "DIGITAL 1" and decode_input("6A").type is InputType.INTERNAL
    assert decode_inputs("11 12 31") == (Input("11"), Input("12"), Input("31"))
    assert decode_mute("31") == Mute(True, True) and decode_mute("21") == Mute(False, True)
    assert decode_mute("11") == Mute(True, False) and decode_mute("30") == Mute(False, False)
    errors = decode_errors("021000")
    assert errors.lamp is ErrorLevel.ERROR and errors.temperature is ErrorLevel.WARNING
    assert errors.problems() == [("lamp", ErrorLevel.ERROR), ("temperature", ErrorLevel.WARNING)]
    assert errors.worst is ErrorLevel.ERROR and errors.encode() == "021000"
    assert decode_lamps("1234 1 567 0") == (Lamp(1234, True), Lamp(567, False))
    assert decode_class("2") == 2 and decode_int("42") == 42 and decode_bool("1")
    assert decode_resolution("1920x1080") == (1920, 1080) and decode_resolution("-") is None
    assert decode_mac("AA:bb:cc:dd:ee:ff") == "aa:bb:cc:dd:ee:ff"


@pytest.mark.parametrize(
    ("decoder", "value"),
    [(decode_power, "4"), (decode_input, "71"), (decode_input, "30"), (decode_mute, "12"),
     (decode_errors, "00000"), (decode_errors, "000300"), (decode_lamps, "12 1 3"),
     (decode_lamps, " ".join(["1 1"] * 9)), (decode_lamps, "-1 1"), (decode_class, "3"),
     (decode_resolution, "1920*1080"), (decode_mac, "aa-bb-cc-dd-ee-ff"), (decode_int, "١٢")],
)
def test_value_decoders_reject(decoder: object, value: str) -> None:
    with pytest.raises(PJLinkBadValue):
        decoder(value)  # type: ignore[operator]


def test_inputs_by_code_or_name() -> None:
    for text in ("31", "DIGITAL1", "digital 1", "Digital-1", Input("31")):
        assert parse_input(text) == Input("31")
    assert parse_input("network 2").code == "52" and parse_input("internal A").code == "6A"
    for bad in ("HDMI1", "99", "digital 0", ""):
        with pytest.raises(PJLinkParamError):
            parse_input(bad)


def test_mute_encoding() -> None:
    assert encode_mute(True, True, True) == "31"
    assert encode_mute(True, False, False) == "10"
    assert encode_mute(False, True, True) == "21"
    with pytest.raises(PJLinkParamError):
        encode_mute(False, False, True)


@given(st.binary(max_size=300))
def test_fuzz_parsers_only_raise_pjlink_errors(data: bytes) -> None:
    for parser in (parse_reply, parse_greeting, parse_notification):
        try:
            parser(data)
        except PJLinkError:
            pass


@given(st.text(max_size=200))
def test_fuzz_decoders_only_raise_pjlink_errors(text: str) -> None:
    decoders = (decode_power, decode_input, decode_inputs, decode_mute, decode_errors, decode_lamps,
                decode_class, decode_int, decode_bool, decode_resolution, decode_mac, parse_input)
    for decoder in decoders:
        try:
            decoder(text)
        except PJLinkError:
            pass


_CMD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=4, max_size=4)


@given(st.sampled_from("12"), _CMD, st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                                            max_size=100))
def test_fuzz_wellformed_replies_round_trip(cls: str, cmd: str, value: str) -> None:
    reply = parse_reply(f"%{cls}{cmd}={value}\r".encode())
    assert (reply.cls, reply.cmd, reply.value) == (int(cls), cmd, value)
