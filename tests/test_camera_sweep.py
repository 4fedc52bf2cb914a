"""The camera sweep: the same faces found as ever, and an HTTP request only where a port accepted.

Most of a swept range has nothing listening; a refused HTTP request used to cost an aiohttp session, an
exception and a cycle of frames each, which the window's collector then had to find.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import socket
from collections.abc import AsyncIterator

import pytest

from devices.discovery.camera_sweep import ONVIF_PATH, CameraHit, scan_cameras
from devices.discovery.sweep import knock
from devices.sim.camera import SimCameraConfig, SimulatedCamera
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService

NET = "127.0.93."  # apart from the other tests' rooms
REFUSING_HOSTS = [f"{NET}{i}" for i in range(100, 164)]


def free_port(host: str) -> int:
    """A port nothing listens on (bound and let go: it refuses from then on)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def recorder(host: str, port: int) -> AsyncIterator[list[bytes]]:
    """A plain web server that is not a camera: it records the first bytes of each connection, answers 404."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            seen.append(await reader.read(4096))
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port)
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


async def sweep(hosts: list[str], ports: tuple[int, ...], visca_port: int) -> list[CameraHit]:
    found = scan_cameras(hosts, onvif_ports=ports, visca_port=visca_port, step_s=1.0)
    async with contextlib.aclosing(found) as hits:
        return sorted([hit async for hit in hits], key=lambda hit: hit.address)


async def test_every_face_is_found_and_only_an_accepting_port_is_asked() -> None:
    onvif_only, visca_only, both, web, empty = (f"{NET}{i}" for i in range(1, 6))
    a = SimOnvifService(SimOnvifConfig(host=onvif_only))
    await a.start()
    cameras: list[SimulatedCamera] = []
    c = None
    try:
        onvif_port = int(a.device_url.split(":")[2].split("/")[0])
        c = SimOnvifService(SimOnvifConfig(host=both, port=onvif_port))
        await c.start()
        for host in (visca_only, both):
            cameras.append(SimulatedCamera(SimCameraConfig(host=host, http_port=0, visca_port=0)))
            await cameras[-1].start()
        visca_port = cameras[0].visca_port
        assert visca_port is not None
        if cameras[1].visca_port != visca_port:  # both on one port number, as the sweep asks one
            await cameras[1].stop()
            cameras[1] = SimulatedCamera(SimCameraConfig(host=both, http_port=0, visca_port=visca_port))
            await cameras[1].start()
        web_port = free_port(web)
        ports = (free_port(onvif_only), free_port(onvif_only), onvif_port, web_port)  # the camera's third
        async with recorder(web, web_port) as requests:
            hits = await sweep([onvif_only, visca_only, both, web, empty], ports, visca_port)
    finally:
        for camera in cameras:
            await camera.stop()
        if c is not None:
            await c.stop()
        await a.stop()
    url = f"http://{{}}:{onvif_port}{ONVIF_PATH}"
    assert hits == [
        CameraHit(onvif_only, onvif_port, "onvif", url.format(onvif_only)),
        CameraHit(visca_only, visca_port, "visca-ip"),
        CameraHit(both, onvif_port, "onvif", url.format(both), visca_port=visca_port),
    ]
    # the web server was knocked on once, then asked once; the knock sent nothing
    assert [r.split(b" ", 2)[:2] for r in requests if r] == [[b"POST", ONVIF_PATH.encode()]]


async def test_refusing_hosts_leave_no_garbage_for_the_collector() -> None:
    ports = tuple(free_port(REFUSING_HOSTS[0]) for _ in range(4))
    visca_port = free_port(REFUSING_HOSTS[0])
    gc.collect()
    assert await sweep(REFUSING_HOSTS, ports, visca_port) == []
    left = gc.collect()
    # 64 hosts x 4 refused HTTP requests and a refused VISCA inquiry left 28,688 objects in cycles
    assert left < len(REFUSING_HOSTS), left  # a stray few from the loop's own work at most


async def test_knock_tells_accepting_from_refusing_and_silent() -> None:
    host = f"{NET}10"
    loop = asyncio.get_running_loop()
    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        assert await knock(host, [port], 2.0) == [port]  # accepted by the kernel; the program never takes it
        for _ in range(8):  # the accept queue fills, then a SYN is dropped: silence, as from a host not there
            started = loop.time()
            if not await knock(host, [port], 0.5):
                break
        else:
            raise AssertionError("every knock on a full accept queue was answered")
        assert 0.4 < loop.time() - started < 3.0
    closed = free_port(host)
    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        assert await knock(host, [closed, port, closed, port], 1.0) == [port, port]  # in the order asked
    assert await knock(host, [closed], 1.0) == []


async def test_a_knock_that_fails_mid_way_leaves_no_writer_in_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running out of file descriptors cannot be made safely inside the test process, so the second socket() is made
    to fail as it would (EMFILE): the first port's writer must not stay in the selector for its closed socket."""
    host = f"{NET}11"
    loop = asyncio.get_running_loop()
    selector = loop._selector  # type: ignore[attr-defined]
    before = set(selector.get_map())
    made = 0
    real_socket = socket.socket

    def socket_or_emfile(*args: object) -> socket.socket:
        nonlocal made
        made += 1
        if made == 2:
            raise OSError(errno.EMFILE, "Too many open files")
        return real_socket(*args)  # type: ignore[arg-type]

    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        closed = free_port(host)
        monkeypatch.setattr("devices.discovery.sweep.socket.socket", socket_or_emfile)
        with pytest.raises(OSError):
            await knock(host, [port, closed], 1.0)
        assert made == 2
        monkeypatch.undo()
        assert set(selector.get_map()) == before, "a writer left for a closed socket"
        assert await knock(host, [port], 1.0) == [port]  # the loop takes new sockets as before
