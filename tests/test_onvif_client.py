"""The ONVIF client against the simulated camera over real HTTP on loopback: identity, media, digest auth, PTZ."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from devices.driver import Reason
from devices.onvif.client import OnvifClient
from devices.onvif.device import on_host, read_services
from devices.onvif.errors import AuthFailed, Garbled, NoPtz, OnvifTimeout, SoapFault, Unreachable
from devices.onvif.ptz import PtzVector
from devices.onvif.soap import CONTENT_TYPE, body_of, envelope, format_time, username_token
from devices.onvif.xml import parse
from devices.sim.camera import MotorProfile, SimulatedHead
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.ptz import PtzHead, PtzPosition

BOUND_S = 10.0
HOST = "127.0.80.220"
STREAM = "http://127.0.80.220:8554/stream.mjpg"


def _head() -> SimulatedHead:
    """The simulated camera's own head: moves at a motor's pace (a preset recall takes about a second)."""
    return SimulatedHead(MotorProfile())


@contextlib.asynccontextmanager
async def camera(head: PtzHead | None = None, **config: object) -> AsyncIterator[SimOnvifService]:
    options = SimOnvifConfig(host=HOST, stream_uri=STREAM, mac="02-AB-CD-00-00-01", snapshot_uri=f"http://{HOST}:8554/snapshot.jpg")
    for key, value in config.items():
        setattr(options, key, value)
    async with SimOnvifService(options, head) as service:
        yield service


async def until(check: Callable[[], object], within: float = BOUND_S) -> None:
    """Poll an async or plain check until it is truthy; fail at the bound."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {within} s")


def near(a: PtzVector | PtzPosition, b: PtzVector | PtzPosition, tolerance: float = 1e-3) -> bool:
    return all(abs(getattr(a, x) - getattr(b, x)) <= tolerance for x in ("pan", "tilt", "zoom"))


async def test_identity_services_profiles_and_stream_uri_without_auth() -> None:
    async with camera(_head()) as cam, OnvifClient(cam.device_url, timeout_s=BOUND_S) as client:
        info = await client.device_information()
        mac = await client.mac_address()
        services = await client.services()
        [profile] = await client.profiles()
        stream = await client.stream_uri(profile.token, "HTTP")
        snapshot = await client.snapshot_uri(profile.token)
    assert (info.manufacturer, info.model, info.firmware, info.serial, info.hardware_id) == (
        "Classroom Sim", "SimCam PTZ", "1.0.0", "SIMCAM0001", "SIMCAM-PTZ")
    assert mac == "02:ab:cd:00:00:01"
    assert (services.media, services.ptz) == (cam.url("media"), cam.url("ptz"))
    assert (profile.token, profile.encoding, profile.width, profile.height) == ("main", "JPEG", 1280, 720)
    assert profile.ptz_token == "ptz"
    assert stream == STREAM and snapshot.endswith("/snapshot.jpg")


async def test_fixed_camera_has_no_ptz() -> None:
    async with camera(None, hardware_id="SIMCAM-FIXED") as cam, OnvifClient(cam.device_url) as client:
        services = await client.services()
        [profile] = await client.profiles()
        with pytest.raises(NoPtz) as refused:
            await client.status(profile.token)
        assert await client.stream_uri(profile.token) == STREAM
    assert services.ptz is None and profile.ptz_token == ""
    assert refused.value.reason is Reason.UNSUPPORTED


async def test_digest_auth_right_password_and_a_clock_an_hour_off() -> None:
    async with camera(_head(), password="s3cret", clock_offset_s=3600.0) as cam:
        async with OnvifClient(cam.device_url, "admin", "s3cret") as client:
            info = await client.device_information()
            [profile] = await client.profiles()
            await client.status(profile.token)
            offset = client.clock_offset_s
    assert info.serial == "SIMCAM0001" and cam.auth_failures == 0
    assert offset is not None and abs(offset - 3600.0) < 5.0


@pytest.mark.parametrize(("username", "password", "reason"), [
    ("admin", "wrong", Reason.PASSWORD_WRONG),
    ("someone", "s3cret", Reason.PASSWORD_WRONG),
    (None, None, Reason.PASSWORD_NEEDED),
])
async def test_digest_auth_refused(username: str | None, password: str | None, reason: Reason) -> None:
    async with camera(_head(), password="s3cret") as cam:
        async with OnvifClient(cam.device_url, username, password) as client:
            assert (await client.services()).ptz == cam.url("ptz")  # PRE_AUTH: no credentials needed
            with pytest.raises(AuthFailed) as refused:
                await client.device_information()
            with pytest.raises(AuthFailed):
                await client.status("main")
    assert refused.value.reason is reason
    assert cam.auth_failures >= 2


async def test_sim_refuses_a_token_on_the_wrong_clock_and_a_replayed_one() -> None:
    async with camera(_head(), password="s3cret", clock_offset_s=3600.0) as cam, aiohttp.ClientSession() as http:

        async def post(created: datetime, nonce: bytes) -> int:
            token = username_token("admin", "s3cret", format_time(created), nonce)
            payload = envelope("<tds:GetDeviceInformation/>", token)
            async with http.post(cam.device_url, data=payload, headers={"Content-Type": CONTENT_TYPE}) as resp:
                return resp.status

        device_now = datetime.fromtimestamp(time.time() + 3600.0, UTC)
        assert await post(datetime.now(UTC), b"n" * 16) == 400  # stamped on our clock, an hour off the camera's
        assert await post(device_now, b"m" * 16) == 200
        assert await post(device_now, b"m" * 16) == 400  # the same nonce again
    assert cam.auth_failures == 2


async def test_ptz_moves_presets_and_status_move_the_head() -> None:
    head = _head()
    async with camera(head, password="pw") as cam, OnvifClient(cam.device_url, "admin", "pw") as client:
        target = PtzVector(pan=0.5, tilt=-0.25, zoom=0.4)
        await client.absolute_move("main", target, speed=0.8)
        await until(lambda: not head.moving())
        status = await client.status("main")
        assert near(status.position, target) and not status.moving

        token = await client.set_preset("main", "Lectern")
        await client.set_preset("main", "Board", preset="7")
        await client.goto_home("main")
        await until(lambda: not head.moving() and near(PtzVector(), head.position()))
        presets = {p.token: p for p in await client.presets("main")}
        stored = presets[token].position
        assert presets[token].name == "Lectern" and stored is not None and near(stored, target)
        assert presets["7"].name == "Board"

        await client.goto_preset("main", token)
        assert (await client.status("main")).moving  # a recall takes time, like a motor
        await until(lambda: not head.moving())
        assert near(head.position(), target)

        await client.continuous_move("main", PtzVector(pan=-1.0, tilt=0.0, zoom=0.0))
        await until(lambda: head.position().pan < 0.4)
        await client.stop("main")
        stopped = head.position()
        assert not head.moving() and stopped.pan < 0.4

        with pytest.raises(SoapFault) as unknown:
            await client.goto_preset("main", "99")
        assert unknown.value.subcode == "NoToken" and unknown.value.reason is Reason.BAD_VALUE
        with pytest.raises(SoapFault, match="NoProfile"):
            await client.status("no-such-profile")


async def test_continuous_move_with_a_timeout_stops_by_itself() -> None:
    # A 2 s timeout, so that the status call lands inside it even on a busy machine (0.3 s could pass before it), at
    # a fifth of top speed (0.133 a second): the timeout stops it near 0.27, the 0.5 below allows 1.75 s of lateness.
    # The camera's own default timeout is made long, so that a Timeout it ignored would drive on to the limit (1.0
    # after 7.5 s), and a status that cancelled it would never stop: both still fail here.
    head = _head()
    async with camera(head, default_ptz_timeout_s=60.0) as cam, OnvifClient(cam.device_url) as client:
        await client.continuous_move("main", PtzVector(pan=0.2, tilt=0.0, zoom=0.0), timeout_s=2.0)
        assert (await client.status("main")).moving  # asking where it is does not cancel the timeout
        await until(lambda: not head.moving())
    assert 0.0 < head.position().pan < 0.5  # stopped by the timeout, long before the pan limit


async def test_timeouts_unreachable_and_garbage_are_typed() -> None:
    async with camera(_head(), fault="silent") as silent, OnvifClient(silent.device_url, timeout_s=0.3) as client:
        started = time.monotonic()
        with pytest.raises(OnvifTimeout) as timed_out:
            await client.device_information()
        assert time.monotonic() - started < BOUND_S
    assert timed_out.value.reason is Reason.NO_ANSWER
    async with camera(_head(), fault="garbage") as junk, OnvifClient(junk.device_url) as client:
        with pytest.raises(Garbled):
            await client.device_information()
    closed_port = silent.device_url  # stopped above: nothing listens there now
    async with OnvifClient(closed_port, timeout_s=BOUND_S) as client:
        with pytest.raises(Unreachable) as unreachable:
            await client.device_information()
    assert unreachable.value.reason is Reason.UNREACHABLE


def _digest_fields(header: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]*)', header.removeprefix("Digest "))}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@contextlib.asynccontextmanager
async def http_digest_camera(password: str) -> AsyncIterator[str]:
    """A camera that ignores WS-Security and wants RFC 7616 HTTP digest (MD5, qop=auth), as some firmware does."""
    realm, nonce = "SimCam", secrets.token_hex(16)

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        fields = _digest_fields(request.headers.get("Authorization", ""))
        if fields.get("username") == "admin" and fields.get("nonce") == nonce:
            ha1, ha2 = _md5(f"admin:{realm}:{password}"), _md5(f"POST:{fields.get('uri', '')}")
            expected = _md5(f"{ha1}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
            if hmac.compare_digest(expected, fields.get("response", "")):
                body = envelope("<tds:GetDeviceInformationResponse><tds:Model>Digest</tds:Model>"
                                "</tds:GetDeviceInformationResponse>")
                return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
        challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
        return web.Response(status=401, headers={"WWW-Authenticate": challenge})

    app = web.Application()
    app.router.add_post("/onvif/device_service", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, 0).start()
    try:
        yield f"http://{HOST}:{runner.addresses[0][1]}/onvif/device_service"
    finally:
        await runner.cleanup()


async def test_http_digest_camera_right_and_wrong_password() -> None:
    async with http_digest_camera("pw") as url:
        async with OnvifClient(url, "admin", "pw") as client:
            assert (await client.device_information()).model == "Digest"
        async with OnvifClient(url, "admin", "nope") as client:
            with pytest.raises(AuthFailed) as refused:
                await client.device_information()
    assert refused.value.reason is Reason.PASSWORD_WRONG


async def test_simulated_camera_restarts_on_its_port_and_the_client_reconnects() -> None:
    async with camera(_head()) as cam, OnvifClient(cam.device_url, timeout_s=BOUND_S) as client:
        await client.device_information()
        url = cam.device_url
        await cam.stop()
        with pytest.raises(Unreachable):
            await client.device_information()
        await cam.start()
        assert cam.device_url == url
        assert (await client.device_information()).serial == "SIMCAM0001"


def test_urls_are_moved_onto_the_host_we_reached() -> None:
    reached = "http://10.1.2.3:8080/onvif/device_service"
    assert on_host("rtsp://admin:pw@192.168.1.64:554/Streaming/101?x=1", reached) == (
        "rtsp://admin:pw@10.1.2.3:554/Streaming/101?x=1")
    assert on_host("http://0.0.0.0/onvif/ptz", reached) == "http://10.1.2.3/onvif/ptz"
    assert on_host("http://192.168.1.64/onvif/ptz", "http://[fd00::5]/onvif/device_service") == (
        "http://[fd00::5]/onvif/ptz")
    assert on_host("http://10.1.2.3:9000/x", reached) == "http://10.1.2.3:9000/x"
    assert on_host("http://host:notaport/x", reached) == "http://host:notaport/x"  # left as it came
    answer = parse(envelope(
        "<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace>"
        "<tds:XAddr>http://192.168.1.64/onvif/PTZ</tds:XAddr></tds:Service></tds:GetServicesResponse>"))
    assert read_services(body_of(answer), reached).ptz == "http://10.1.2.3/onvif/PTZ"
    assert read_services(body_of(answer), reached, rewrite=False).ptz == "http://192.168.1.64/onvif/PTZ"


async def test_a_stream_url_on_an_unreachable_address_is_moved_onto_the_camera() -> None:
    async with camera(None, stream_uri="rtsp://192.168.1.64:554/live") as cam:
        async with OnvifClient(cam.device_url) as client:
            assert await client.stream_uri("main") == f"rtsp://{HOST}:554/live"
        async with OnvifClient(cam.device_url, rewrite_hosts=False) as client:
            assert await client.stream_uri("main") == "rtsp://192.168.1.64:554/live"
