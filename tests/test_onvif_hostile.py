"""Hostile XML on both sides of ONVIF: refused as ``Garbled`` (or a SOAP fault), never a crash, no file read."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import gzip
import io
import os
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.driver import Reason
from devices.onvif import device, media, ptz
from devices.onvif.client import OnvifClient
from devices.onvif.errors import AuthFailed, Garbled
from devices.onvif.soap import CONTENT_TYPE, body_of, envelope, fault
from devices.onvif.wsd_messages import parse_probe_matches, probe_matches_message
from devices.onvif.xml import INLINE_BYTES, MAX_TAGS, MAX_XML_BYTES, NS, parse, parse_async
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService

HOST = "127.0.80.230"
SECRET = "TOP-SECRET-3f9c1d"
TEN_MB = 10 * 1024 * 1024
SOAP = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
INFO = ('<tds:GetDeviceInformationResponse><tds:Manufacturer>X</tds:Manufacturer>'
        "</tds:GetDeviceInformationResponse>")


def xxe(path: Path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file://{path}">]>'.encode()
            + SOAP + b"<s:Body><tds:GetDeviceInformationResponse xmlns:tds='http://www.onvif.org/ver10/device/wsdl'>"
            b"<tds:Manufacturer>&x;</tds:Manufacturer></tds:GetDeviceInformationResponse></s:Body></s:Envelope>")


def parameter_xxe(path: Path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file://{path}"> %p;]>'.encode()
            + SOAP + b"<s:Body/></s:Envelope>")


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>" + SOAP + b"<s:Body>&lol9;</s:Body></s:Envelope>")
QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
             + SOAP + b"<s:Body>" + b"&a;" * 15_000 + b"</s:Body></s:Envelope>")
HUGE = SOAP + b"<s:Body><x>" + b"A" * TEN_MB + b"</x></s:Body></s:Envelope>"
MALFORMED = SOAP + b"<s:Body><GetDeviceInformationResponse></s:Body></s:Envelope>"
BAD_ENCODING = b'<?xml version="1.0" encoding="no-such-codec"?>' + SOAP + b"<s:Body/></s:Envelope>"
SOAP11 = envelope(INFO).replace(b"http://www.w3.org/2003/05/soap-envelope",
                                b"http://schemas.xmlsoap.org/soap/envelope/")
WRONG_NS = envelope(INFO.replace("tds:", "x:").replace("<x:GetDeviceInformationResponse>",
                                                        '<x:GetDeviceInformationResponse xmlns:x="urn:not-onvif">'))


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def hostile_bodies(secret: Path) -> dict[str, bytes]:
    return {"xxe": xxe(secret), "parameter xxe": parameter_xxe(secret), "billion laughs": BILLION_LAUGHS,
            "quadratic": QUADRATIC, "10 MB": HUGE, "malformed": MALFORMED, "bad encoding": BAD_ENCODING,
            "SOAP 1.1": SOAP11, "empty": b"", "binary": bytes(range(256)) * 8}


def test_parser_refuses_every_hostile_body_without_touching_the_file_system(
    secret_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_io(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the parser tried to read {args[:1]}")

    for target, name in ((builtins, "open"), (io, "open"), (os, "open"), (urllib.request, "urlopen")):
        monkeypatch.setattr(target, name, no_io)
    why = {"xxe": "hostile", "parameter xxe": "hostile", "billion laughs": "hostile", "quadratic": "hostile",
           "10 MB": "cap is", "malformed": "mismatched tag", "bad encoding": "unknown encoding",
           "SOAP 1.1": "not a SOAP 1.2 envelope", "empty": "no element found", "binary": "not well-formed"}
    for label, body in hostile_bodies(secret_file).items():
        with pytest.raises(Garbled) as refused:
            body_of(parse(body))
        assert why[label] in str(refused.value), label
        assert SECRET not in str(refused.value), label
        assert refused.value.reason is Reason.GARBLED


def test_wrong_namespace_parses_but_is_not_the_answer() -> None:
    answer = body_of(parse(WRONG_NS))
    assert answer.tag == "{urn:not-onvif}GetDeviceInformationResponse"
    with pytest.raises(Garbled, match="cap is"):
        parse(b" " * (MAX_XML_BYTES + 1))
    with pytest.raises(Garbled, match="tags refused"):  # a flood of tiny elements, under the byte cap
        parse(b"<a>" + b"<b/>" * MAX_TAGS + b"</a>")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def answering(reply: bytes | int) -> Handler:
    """A handler answering every POST with these bytes as SOAP, or with this bare HTTP status."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        if isinstance(reply, int):
            return web.Response(status=reply)
        return web.Response(body=reply, headers={"Content-Type": CONTENT_TYPE})

    return handler


@contextlib.asynccontextmanager
async def hostile_camera(handler: Handler) -> AsyncIterator[str]:
    """A 'camera' whose device service is ``handler``; yields its URL."""
    app = web.Application()
    app.router.add_post("/onvif/device_service", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, 0).start()
    try:
        yield f"http://{HOST}:{runner.addresses[0][1]}/onvif/device_service"
    finally:
        await runner.cleanup()


async def test_client_refuses_hostile_answers_as_garbled(secret_file: Path) -> None:
    for label, body in [*hostile_bodies(secret_file).items(), ("wrong namespace", WRONG_NS)]:
        async with hostile_camera(answering(body)) as url, OnvifClient(url, timeout_s=10.0) as client:
            with pytest.raises(Garbled) as refused:
                await client.device_information()
        assert SECRET not in str(refused.value), label


async def test_client_stops_reading_an_endless_answer_at_the_cap() -> None:
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": CONTENT_TYPE})  # chunked: no length to refuse
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            for _ in range(TEN_MB // 65_536):
                await response.write(b"<a>" * 21_845)
                sent.append(65_535)
        return response

    async with hostile_camera(endless) as url, OnvifClient(url, timeout_s=10.0) as client:
        with pytest.raises(Garbled, match="over"):
            await client.device_information()
    assert sum(sent) < TEN_MB  # the client hung up long before the end


async def test_auth_refusals_by_fault_or_401_are_typed() -> None:
    not_authorized = fault("Sender", "NotAuthorized", "Sender not authorized")
    async with hostile_camera(answering(not_authorized)) as url, OnvifClient(url, password="pw") as client:
        with pytest.raises(AuthFailed) as by_fault:
            await client.device_information()
    assert by_fault.value.reason is Reason.PASSWORD_WRONG
    async with hostile_camera(answering(401)) as url, OnvifClient(url) as client:
        with pytest.raises(AuthFailed) as by_status:
            await client.device_information()
    assert by_status.value.reason is Reason.PASSWORD_NEEDED


async def test_simulated_camera_refuses_hostile_requests_and_keeps_serving(secret_file: Path) -> None:
    config = SimOnvifConfig(host=HOST, password="pw", stream_uri="rtsp://127.0.80.230/live")
    async with SimOnvifService(config) as cam, aiohttp.ClientSession() as http:
        for label, body in hostile_bodies(secret_file).items():
            async with http.post(cam.device_url, data=body, headers={"Content-Type": CONTENT_TYPE}) as resp:
                answer = await resp.read()
            assert resp.status in (400, 413), label
            assert SECRET.encode() not in answer, label
            if resp.status == 400:
                assert b"WellFormed" in answer, label
        async with OnvifClient(cam.device_url, "admin", "pw") as client:
            assert (await client.device_information()).serial == config.serial


async def test_client_does_not_inflate_a_gzip_bomb() -> None:
    bomb = gzip.compress(envelope(INFO).replace(b"<s:Body>", b"<s:Body>" + b" " * (50 * 1024 * 1024)), 9)

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        return web.Response(body=bomb, headers={"Content-Type": CONTENT_TYPE, "Content-Encoding": "gzip"})

    async with hostile_camera(handler) as url, OnvifClient(url) as client:
        with pytest.raises(Garbled):
            await client.device_information()


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(endpoint=_TEXT, xaddrs=_TEXT, scopes=_TEXT, version=_TEXT, relates=st.sampled_from(["urn:ours", "urn:x"]))
def test_probe_matches_parser_only_ever_refuses_as_garbled(
    endpoint: str, xaddrs: str, scopes: str, version: str, relates: str
) -> None:
    message = probe_matches_message(relates, endpoint, ["dn:NetworkVideoTransmitter"], [scopes], [xaddrs])
    message = message.replace(b"<d:MetadataVersion>1<", f"<d:MetadataVersion>{escape(version)}<".encode())
    try:
        matches = parse_probe_matches(message, {"urn:ours"}, "127.0.0.1")
    except Garbled:
        return
    assert relates == "urn:ours"
    for match in matches:
        assert match.endpoint and all(x.startswith(("http://", "https://")) for x in match.xaddrs)


@settings(max_examples=300, deadline=None)
@given(x=_TEXT, y=_TEXT, zoom=_TEXT, width=_TEXT, moving=_TEXT, raw=st.binary(max_size=300))
def test_onvif_answer_parsers_only_ever_refuse_as_garbled(
    x: str, y: str, zoom: str, width: str, moving: str, raw: bytes
) -> None:
    status = (f'<tptz:GetStatusResponse xmlns:tptz="{NS["tptz"]}" xmlns:tt="{NS["tt"]}"><tptz:PTZStatus>'
              f"<tt:Position><tt:PanTilt x={quoteattr(x)} y={quoteattr(y)}/><tt:Zoom x={quoteattr(zoom)}/>"
              f"</tt:Position><tt:MoveStatus><tt:PanTilt>{escape(moving)}</tt:PanTilt></tt:MoveStatus>"
              "</tptz:PTZStatus></tptz:GetStatusResponse>")
    profiles = (f'<trt:GetProfilesResponse xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}">'
                f"<trt:Profiles token={quoteattr(x)}><tt:VideoEncoderConfiguration><tt:Resolution>"
                f"<tt:Width>{escape(width)}</tt:Width></tt:Resolution></tt:VideoEncoderConfiguration>"
                "</trt:Profiles></trt:GetProfilesResponse>")
    uri = (f'<trt:GetStreamUriResponse xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}"><trt:MediaUri>'
           f"<tt:Uri>{escape(x)}</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>")
    clock = (f'<tds:R xmlns:tds="{NS["tds"]}" xmlns:tt="{NS["tt"]}"><tds:SystemDateAndTime><tt:UTCDateTime>'
             f"<tt:Date><tt:Year>{escape(width)}</tt:Year><tt:Month>1</tt:Month><tt:Day>{escape(y)}</tt:Day>"
             "</tt:Date><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>1</tt:Minute><tt:Second>1</tt:Second></tt:Time>"
             "</tt:UTCDateTime></tds:SystemDateAndTime></tds:R>")
    for text, read in ((status, ptz.read_status), (profiles, media.read_profiles), (uri, media.read_uri),
                       (clock, device.read_clock)):
        with contextlib.suppress(Garbled):
            read(parse(text.encode()))
    with contextlib.suppress(Garbled):
        body_of(parse(raw))


async def test_a_port_that_does_not_speak_http_is_garbled_not_unreachable() -> None:
    async def banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"PJLINK 0\r%1POWR=ERR3\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(banner, HOST, 0)
    try:
        url = f"http://{HOST}:{server.sockets[0].getsockname()[1]}/onvif/device_service"
        async with OnvifClient(url) as client:
            with pytest.raises(Garbled):
                await client.device_information()
    finally:
        server.close()
        await server.wait_closed()


async def test_a_large_answer_is_parsed_while_the_loop_keeps_turning() -> None:
    """As many elements as the cap lets through take defusedxml tens of ms: parsed inline, the loop would not
    turn once meanwhile (a coroutine that never awaits); off the loop it keeps ticking."""
    filler = "<tds:Extension/>" * (MAX_TAGS - 100)
    body = envelope(f"<tds:GetDeviceInformationResponse><tds:Model>Big</tds:Model>{filler}"
                    "</tds:GetDeviceInformationResponse>")
    assert INLINE_BYTES < len(body) < MAX_XML_BYTES and body.count(b"<") < MAX_TAGS
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker is running
    try:
        before = ticks
        root = await parse_async(body)
        during = ticks - before
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
    assert during >= 1, "the loop did not turn while the answer was parsed"
    assert root.find(".//tds:Model", NS) is not None

    async with hostile_camera(answering(body)) as url, OnvifClient(url, timeout_s=30.0) as client:
        assert (await client.device_information()).model == "Big"  # the client parses through parse_async
