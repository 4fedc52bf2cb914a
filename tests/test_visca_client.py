"""The VISCA client against the simulated camera's endpoint over real UDP/TCP on loopback.

A UDP proxy between them drops chosen datagrams, as a real network does, to check the retries.
"""

from __future__ import annotations

import asyncio
import errno
import random
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.sim.camera.head import MotorProfile, SimulatedHead
from devices.sim.camera.visca_endpoint import ViscaEndpoint
from devices.sim.ptz import PtzPosition
from devices.visca import (
    Framing,
    PayloadType,
    ViscaClient,
    ViscaCommandError,
    ViscaError,
    ViscaParseError,
    ViscaSequenceError,
    ViscaTimeout,
    decode_packet,
)
from devices.visca import commands as cmd
from devices.visca.framing import CONTROL_ACK, RESET, encode_packet

HOST = "127.0.0.1"
PRESETS = {2: ("Students", PtzPosition(0.6, -0.5, 0.55))}
# An answer that comes is waited for generously: a 0.25 s loop stall beside stress-ng made a resend, and broke the
# exact counts below. Only a datagram the proxy drops is waited for briefly (short_until_dropped), so tests stay fast.
ACK_S = 2.0
SHORT_ACK_S = 0.25


@asynccontextmanager
async def endpoint(preset_s: float = 0.6, host: str = HOST, port: int = 0,
                   **options: Any) -> AsyncIterator[ViscaEndpoint]:
    head = SimulatedHead(MotorProfile(preset_s=preset_s), presets=dict(PRESETS))
    camera = ViscaEndpoint(head, host, port, **options)
    await camera.start()
    try:
        yield camera
    finally:
        await camera.stop()


@asynccontextmanager
async def client(port: int, host: str = HOST, drops_in_connect: DropProxy | None = None,
                 **options: Any) -> AsyncIterator[ViscaClient]:
    """A connected client; ``drops_in_connect``: the proxy drops in the RESET, so connect starts short."""
    settings: dict[str, Any] = {"ack_timeout_s": ACK_S, "completion_timeout_s": 5.0, "retries": 2}
    settings.update(options)
    visca = ViscaClient(host, port, **settings)
    if drops_in_connect is not None:
        short_until_dropped(visca, drops_in_connect)
    await visca.connect()
    try:
        yield visca
    finally:
        await visca.close()


class DropProxy:
    """A UDP relay between one client and the camera that drops the datagrams whose index it is told."""

    def __init__(self, camera: tuple[str, int], drop_up: set[int] = frozenset(),  # type: ignore[assignment]
                 drop_down: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.camera, self.drop_up, self.drop_down = camera, set(drop_up), set(drop_down)
        self.to_drop = len(self.drop_up) + len(self.drop_down)
        self.on_last_drop: Callable[[], None] | None = None
        self.up: list[tuple[float, bytes]] = []  # client -> camera, dropped ones included
        self.down: list[tuple[float, bytes]] = []
        self._client: tuple[str, int] | None = None
        self._front: asyncio.DatagramTransport | None = None
        self._back: asyncio.DatagramTransport | None = None

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        proxy = self

        class Front(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
                proxy._client = (str(addr[0]), int(addr[1]))
                proxy.up.append((time.monotonic(), data))
                if len(proxy.up) - 1 in proxy.drop_up:
                    proxy.dropped()
                elif proxy._back is not None:
                    proxy._back.sendto(data)

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
                proxy.down.append((time.monotonic(), data))
                if len(proxy.down) - 1 in proxy.drop_down:
                    proxy.dropped()
                elif proxy._front is not None and proxy._client:
                    proxy._front.sendto(data, proxy._client)

        self._front, _ = await loop.create_datagram_endpoint(Front, local_addr=(HOST, 0))
        self._back, _ = await loop.create_datagram_endpoint(Back, remote_addr=self.camera)
        return int(self._front.get_extra_info("sockname")[1])

    def dropped(self) -> None:
        self.to_drop -= 1
        if self.to_drop == 0 and self.on_last_drop is not None:
            self.on_last_drop()

    def close(self) -> None:
        for transport in (self._front, self._back):
            if transport is not None:
                transport.close()


@asynccontextmanager
async def proxied(camera: ViscaEndpoint, **drops: set[int]) -> AsyncIterator[tuple[DropProxy, int]]:
    proxy = DropProxy((HOST, camera.port), **drops)
    port = await proxy.start()
    try:
        yield proxy, port
    finally:
        proxy.close()


def short_until_dropped(visca: ViscaClient, proxy: DropProxy) -> None:
    """A short ACK timeout while the proxy still has datagrams to drop (their loss is noticed quickly), the generous
    one from the last drop on (its resend's answer is waited for: a stall does not make a second resend).

    The drop is a read callback of the proxy's socket: asyncio runs it before the client's timer that the drop
    makes run out, so the resend already waits with the generous timeout.
    """
    visca.ack_timeout_s = SHORT_ACK_S

    def relax() -> None:
        visca.ack_timeout_s = ACK_S

    proxy.on_last_drop = relax


def packets(datagrams: list[tuple[float, bytes]]) -> list[tuple[PayloadType, int, bytes]]:
    return [(p.type, p.sequence, p.payload) for p in (decode_packet(d) for _, d in datagrams)]


async def test_connect_resets_the_sequence_then_numbers_each_message() -> None:
    async with endpoint() as camera, proxied(camera) as (proxy, port), client(port) as visca:
        await visca.pan_tilt_position()
        await visca.power(True)
        up = packets(proxy.up)
        assert up[0] == (PayloadType.CONTROL, 0, b"\x01")
        assert up[1] == (PayloadType.INQUIRY, 1, bytes.fromhex("81 09 06 12 FF"))
        assert up[2] == (PayloadType.COMMAND, 2, bytes.fromhex("81 01 04 00 02 FF"))
        down = packets(proxy.down)
        assert down[0] == (PayloadType.CONTROL_REPLY, 0, b"\x01")
        assert down[1][:2] == (PayloadType.REPLY, 1)  # a reply carries its message's number
        assert [d[2] for d in down[2:]] == [bytes.fromhex("90 41 FF"), bytes.fromhex("90 51 FF")]
        assert visca.retransmissions == 0


async def test_completion_comes_only_when_the_head_has_arrived() -> None:
    # A 1.5 s move: the ACK, sent at once, may be read late on a busy machine and still come a second before the
    # completion (with a 0.6 s move, 0.1 s of lateness failed the check)
    async with endpoint(preset_s=1.5) as camera, proxied(camera) as (proxy, port), client(port) as visca:
        started = time.monotonic()
        await visca.preset_recall(2)
        took = time.monotonic() - started
        (ack_at, ack), (done_at, done) = proxy.down[-2:]
        assert decode_packet(ack).payload == bytes.fromhex("90 41 FF")
        assert decode_packet(done).payload == bytes.fromhex("90 51 FF")
        assert ack_at - started < visca.ack_timeout_s and visca.retransmissions == 0, "ACKed, not sent again"
        assert done_at - ack_at >= 1.0, "ACK at once, completion after the move"
        assert 1.45 <= took < 1.5 + 3.0  # not the 5 s completion timeout
        assert camera.head.position() == PRESETS[2][1]
        position = await visca.position()
        assert abs(position.pan - 0.6) < 1e-3 and abs(position.tilt + 0.5) < 1e-3 and abs(position.zoom - 0.55) < 1e-3


async def test_moves_in_the_cameras_units_and_reads_them_back() -> None:
    async with endpoint() as camera, client(camera.port) as visca:
        await visca.pan_tilt_to(-0x0400, 0x0200)
        await visca.zoom_to(0x2000)
        assert await visca.pan_tilt_position() == (-0x0400, 0x0200)
        assert await visca.zoom_position() == 0x2000
        await visca.home()
        assert await visca.pan_tilt_position() == (0, 0) and await visca.zoom_position() == 0
        await visca.preset_set(9)
        assert 9 in camera.head.presets()
        await visca.preset_reset(9)
        assert 9 not in camera.head.presets()
        assert (await visca.version()).sockets == 2


async def test_drive_and_zoom_move_until_stopped() -> None:
    async with endpoint() as camera, client(camera.port) as visca:
        await visca.drive(1.0, -0.5)
        await visca.zoom(0.5)
        deadline = time.monotonic() + 5
        while camera.head.position().pan < 0.2:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        await visca.drive(0, 0)
        await visca.zoom(0)
        held = camera.head.position()
        assert held.pan >= 0.2 and held.tilt < 0 and held.zoom > 0
        assert not camera.head.moving()
        await visca.pan_tilt_drive(cmd.Pan.LEFT, cmd.Tilt.STOP, 0x18, 1)
        await visca.pan_tilt_stop()
        assert not camera.head.moving()


async def test_power_is_read_and_standby_refuses_moves() -> None:
    async with endpoint() as camera, client(camera.port) as visca:
        assert await visca.power_state() is True
        await visca.power(False)
        assert await visca.power_state() is False
        with pytest.raises(ViscaCommandError) as refused:
            await visca.drive(1, 0)
        assert refused.value.code == "not-executable"
        await visca.power(True)
        await visca.drive(0, 0)


async def test_error_replies_arrive_as_typed_errors() -> None:
    async with endpoint(preset_s=2.0) as camera, client(camera.port) as visca:
        with pytest.raises(ViscaCommandError) as syntax:
            await visca.command(bytes.fromhex("81 01 7F 7F FF"))
        assert syntax.value.code == "syntax"
        with pytest.raises(ViscaCommandError) as unknown:
            await visca.preset_recall(77)
        assert unknown.value.code == "not-executable"
        with pytest.raises(ViscaSequenceError) as wrong_type:
            await visca.command(cmd.power_inquiry())  # an inquiry sent as a command
        assert wrong_type.value.code == "message-type"
        await visca.pan_tilt_to(0x0900, 0x0500, 1, 1, wait=False)  # both sockets busy with slow moves
        await visca.zoom_to(0x4000, wait=False)
        with pytest.raises(ViscaCommandError) as full:
            await visca.home()
        assert full.value.code == "buffer-full"
        assert camera.head.moving()


async def test_a_lost_command_is_sent_again_with_the_same_number() -> None:
    async with endpoint() as camera, proxied(camera, drop_up={1}) as (proxy, port), client(port) as visca:
        short_until_dropped(visca, proxy)  # after connect: its RESET is answered, within the generous bound
        await visca.preset_set(4)
        assert visca.retransmissions == 1
        first, again = packets(proxy.up)[1:3]
        assert first == again and first[0] is PayloadType.COMMAND
        assert 4 in camera.head.presets()


async def test_a_lost_reset_is_sent_again() -> None:
    async with endpoint() as camera, proxied(camera, drop_up={0}) as (proxy, port), \
            client(port, drops_in_connect=proxy) as visca:
        assert await visca.power_state() is True
        assert visca.retransmissions == 1


async def test_a_lost_ack_does_not_run_the_command_twice() -> None:
    async with endpoint(preset_s=0.8) as camera, proxied(camera, drop_down={1}) as (proxy, port), \
            client(port) as visca:
        short_until_dropped(visca, proxy)  # resent before the 0.8 s move ends
        await visca.preset_recall(2)
        assert camera.received == 1, "the resend was recognised by its sequence number, not run again"
        assert any(decode_packet(d).payload == b"\x0f\x01" for _, d in proxy.down)
        assert camera.head.position() == PRESETS[2][1]


async def test_a_lost_completion_is_confirmed_by_resending() -> None:
    async with endpoint() as camera, proxied(camera, drop_down={2}) as (_proxy, port), \
            client(port, completion_timeout_s=0.5) as visca:
        await visca.preset_set(5)
        assert visca.retransmissions == 1 and camera.received == 1
        assert 5 in camera.head.presets()


async def test_a_lost_inquiry_reply_is_asked_again() -> None:
    async with endpoint() as camera, proxied(camera, drop_down={1}) as (proxy, port), client(port) as visca:
        short_until_dropped(visca, proxy)
        camera.head.go_to(PtzPosition(0.25, 0, 0))
        deadline = time.monotonic() + 5
        while camera.head.moving():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        assert await visca.pan_tilt_position() == (camera.ranges.pan_to_visca(0.25), 0)
        sequences = [s for kind, s, _ in packets(proxy.up) if kind is PayloadType.INQUIRY]
        assert sequences == [1, 1, 2], "resent under its number, then asked afresh"


async def test_a_silent_camera_times_out_after_bounded_retries() -> None:
    async with endpoint(fault="silent") as camera:
        visca = ViscaClient(HOST, camera.port, ack_timeout_s=0.1, retries=2)
        started = time.monotonic()
        with pytest.raises(ViscaTimeout) as timeout:
            await visca.connect()
        assert timeout.value.code == "no-ack" and time.monotonic() - started < 2.0
        assert visca.retransmissions == 2 and not visca.connected


async def test_a_camera_answering_garbage_is_a_parse_error() -> None:
    async with endpoint(fault="garbage") as camera, client(camera.port) as visca:
        with pytest.raises(ViscaParseError) as garbled:
            await visca.power_state()
        assert garbled.value.code == "garbled"


async def test_a_slow_camera_answers_within_a_generous_timeout() -> None:
    async with endpoint(fault="slow", slow_delay_s=0.4) as camera:
        async with client(camera.port, ack_timeout_s=2.0) as visca:
            assert await visca.power_state() is True
        with pytest.raises(ViscaTimeout):
            async with client(camera.port, ack_timeout_s=0.1, retries=0):
                pass


async def test_nothing_listening_is_unreachable_or_a_timeout() -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind((HOST, 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(ViscaError) as failed:
        async with client(port, ack_timeout_s=0.1, retries=1):
            pass
    assert failed.value.code in ("unreachable", "no-ack")


@pytest.mark.parametrize("framing", [Framing.RAW_UDP, Framing.RAW_TCP])
async def test_bare_visca_over_udp_and_tcp(framing: Framing) -> None:
    async with endpoint(preset_s=0.3, tcp_port=0) as camera:
        port = camera.tcp_port if framing is Framing.RAW_TCP else camera.port
        assert port is not None
        async with client(port, framing=framing) as visca:
            await visca.preset_recall(2)
            position = await visca.position()
            assert abs(position.pan - 0.6) < 1e-3
            with pytest.raises(ViscaCommandError):
                await visca.preset_recall(33)
            await visca.home()
            assert await visca.pan_tilt_position() == (0, 0)


async def test_a_controller_bound_to_52381_on_the_same_machine_can_drive_the_sim() -> None:
    """Real VISCA tools bind UDP 52381 for replies; the simulator's SO_REUSEADDR lets both share it."""
    try:
        async with endpoint(host="127.0.84.1", port=52381) as camera:
            async with client(52381, host="127.0.84.1", local_port=52381) as visca:
                await visca.preset_recall(2)
                assert camera.head.position() == PRESETS[2][1]
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        pytest.skip("UDP 52381 is held on this machine without SO_REUSEADDR")


class _Heard(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.replies.append(data)


async def test_the_endpoint_survives_random_datagrams() -> None:
    rng = random.Random(13)
    async with endpoint() as camera:
        loop = asyncio.get_running_loop()
        heard = _Heard()
        noise, _ = await loop.create_datagram_endpoint(lambda: heard, remote_addr=(HOST, camera.port))
        try:
            for n in range(400):
                size = rng.randint(0, 40)
                data = bytes(rng.randrange(256) for _ in range(size))
                if n % 3 == 0:
                    data = bytes([0x01, rng.choice([0x00, 0x10]), 0, len(data)]) + bytes(4) + data
                elif n % 3 == 1:
                    data = bytes([0x81]) + data + b"\xff"
                noise.sendto(data)
            # The camera has read all the noise once it answers a RESET sent after it: until then the noise can fill
            # its socket's buffer, and the kernel dropped the client's RESET (a resend after the ACK timeout)
            probe = encode_packet(PayloadType.CONTROL, 0x5EED, RESET)
            answer = encode_packet(PayloadType.CONTROL_REPLY, 0x5EED, CONTROL_ACK)
            deadline = time.monotonic() + 10
            while answer not in heard.replies:
                assert time.monotonic() < deadline, "the camera never read past the noise"
                noise.sendto(probe)  # again: a full buffer may have dropped the last one
                await asyncio.sleep(0.05)
        finally:
            noise.close()
        async with client(camera.port) as visca:
            assert await visca.power_state() in (True, False)
            await visca.home()
            assert not camera.head.moving()


async def test_closing_ends_a_waiting_exchange_at_once() -> None:
    async with endpoint(fault="silent") as camera:
        visca = ViscaClient(HOST, camera.port, framing=Framing.RAW_UDP, ack_timeout_s=30.0)
        await visca.connect()
        waiting = asyncio.create_task(visca.power_state())
        await asyncio.sleep(0)
        started = time.monotonic()
        await visca.close()
        with pytest.raises(ViscaError) as ended:
            await waiting
        assert ended.value.code == "unreachable" and time.monotonic() - started < 5.0


class _FakeCamera(asyncio.DatagramProtocol):
    """Answers RESET properly, then every other message with the replies it was given (fuzzing)."""

    def __init__(self, replies: list[bytes], headed: bool, wrap: bool) -> None:
        self.replies, self.headed, self.wrap = replies, headed, wrap
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        assert self.transport is not None
        if self.headed:
            packet = decode_packet(data)
            if packet.type is PayloadType.CONTROL:
                self.transport.sendto(bytes.fromhex("02 01 00 01") + data[4:8] + b"\x01", addr)
                return
            for reply in self.replies:
                wrapped = bytes.fromhex("01 11") + len(reply).to_bytes(2, "big") + data[4:8] + reply
                self.transport.sendto(wrapped if self.wrap else reply, addr)
        else:
            for reply in self.replies:
                self.transport.sendto(reply, addr)


async def _ask_fuzzed_camera(replies: list[bytes], headed: bool, wrap: bool) -> None:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _FakeCamera(replies, headed, wrap),
                                                       local_addr=(HOST, 0))
    port = transport.get_extra_info("sockname")[1]
    # RESET, which the fake answers properly, within a generous bound (0.02 s beside stress-ng was missed: CI); the
    # fuzzed asks with short ones, so that 150 examples of garbage take seconds, not minutes
    visca = ViscaClient(HOST, port, framing=Framing.IP if headed else Framing.RAW_UDP, ack_timeout_s=10.0,
                        completion_timeout_s=10.0, retries=0)
    try:
        await visca.connect()
        visca.ack_timeout_s = visca.completion_timeout_s = 0.02
        for ask in (visca.pan_tilt_position, visca.power_state, visca.home, visca.zoom_position):
            try:
                await ask()
            except ViscaError:
                pass
    finally:
        await visca.close()
        transport.close()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=24), min_size=1, max_size=3), st.booleans(), st.booleans())
def test_fuzzed_camera_answers_end_in_a_value_or_a_typed_error(replies: list[bytes], headed: bool,
                                                                wrap: bool) -> None:
    asyncio.run(_ask_fuzzed_camera([r for r in replies if r] or [b"\x90"], headed, wrap))


async def test_a_camera_that_ignores_reset_but_answers_is_still_connected() -> None:
    async with endpoint() as camera, proxied(camera, drop_up={0, 1, 2}) as (proxy, port), \
            client(port, drops_in_connect=proxy) as visca:
        assert await visca.power_state() is True
        kinds = [kind for kind, _, _ in packets(proxy.up)]
        assert kinds[:3] == [PayloadType.CONTROL] * 3 and kinds[3] is PayloadType.INQUIRY
