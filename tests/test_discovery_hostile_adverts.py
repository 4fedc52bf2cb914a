"""Anyone on the LAN may advertise: a 7.7 KB name, a 60 KB datagram, 10,000 DNS-SD adverts a second.

The adverts are real multicast on loopback, so they go in a network namespace of its own (``unshare --net``): on
this machine's shared loopback they would reach every other zeroconf running here. zeroconf drops the long name
and the datagram and says so; under the flood (each advert a new name pointing nowhere) the room keeps its real
projector, holds a bounded number of silent strangers (it took ~450 a look, each a card and a poller, more every
look) and says in its log how many it dropped. A malformed TXT is ``test_discovery_dnssd.py``'s, an XML bomb in
a ProbeMatch ``test_onvif_discovery.py``'s.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPE = "_pjlink._tcp.local."
REAL = "127.0.0.5"
RATE, FLOOD_S = 10_000, 2.5


def advert_packet(i: int) -> bytes:
    """One complete advert (PTR, SRV, TXT, A) for a new name at an address where nothing listens."""
    from zeroconf import DNSAddress, DNSOutgoing, DNSPointer, DNSService, DNSText
    from zeroconf.const import _CLASS_IN, _FLAGS_AA, _FLAGS_QR_RESPONSE, _TYPE_A, _TYPE_PTR, _TYPE_SRV, _TYPE_TXT

    out = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA)
    name, host = f"x{i}.{TYPE}", f"h{i}.local."
    out.add_answer_at_time(DNSPointer(TYPE, _TYPE_PTR, _CLASS_IN, 4500, name), 0)
    out.add_answer_at_time(DNSService(name, _TYPE_SRV, _CLASS_IN, 120, 0, 0, 4352, host), 0)
    out.add_answer_at_time(DNSText(name, _TYPE_TXT, _CLASS_IN, 4500, b"\x0aclass=2"), 0)
    where = socket.inet_aton(f"127.1.{i // 250 % 250}.{i % 250 + 1}")
    out.add_answer_at_time(DNSAddress(host, _TYPE_A, _CLASS_IN, 120, where), 0)
    return out.packets()[0]


def long_name_packets() -> list[bytes]:
    """A PTR whose name is 120 labels of 63 bytes (7.7 KB, what one mDNS datagram can carry of a '60 KB name'),
    and the same padded to a 60 KB datagram."""
    def name(*labels: bytes) -> bytes:
        return b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"

    owner, target = name(b"_pjlink", b"_tcp", b"local"), name(*[b"n" * 63] * 120, b"_pjlink", b"_tcp", b"local")
    record = owner + struct.pack("!HHIH", 12, 1, 4500, len(target)) + target
    packet = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + record
    return [packet, packet + bytes(52_000)]


def mdns_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.setblocking(False)
    return sock


async def long_names(said: list[str]) -> None:
    """Sent until zeroconf says it dropped both (it listens once the look's browse has started)."""
    sock = mdns_socket()
    try:
        for _ in range(50):
            for packet in long_name_packets():
                sock.sendto(packet, ("224.0.0.251", 5353))
            await asyncio.sleep(0.2)
            if any("Discarding" in line for line in said) and any("Unable to parse" in line for line in said):
                return
    finally:
        sock.close()


async def flood(seconds: float) -> int:
    sock = mdns_socket()
    sent, start = 0, time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < seconds:
            while sent < elapsed * RATE:
                try:
                    sock.sendto(advert_packet(sent), ("224.0.0.251", 5353))
                except BlockingIOError:
                    break
                sent += 1
            await asyncio.sleep(0.005)
    finally:
        sock.close()
    return sent


async def flooded_room() -> None:
    """The child's part, inside its own namespace: a real projector advertised, then the flood during a look."""
    from classroom_console.room import Room
    from classroom_console.room_devices import RoomDevices
    from devices.discovery import FinderConfig
    from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
    from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage()[:200])  # type: ignore[method-assign]
    logging.getLogger("devices.discovery.finder").addHandler(handler)
    zeroconf_log = logging.getLogger("zeroconf")  # where zeroconf says what it drops (at DEBUG)
    sim = SimulatedProjector(SimProjectorConfig(name="Real", host=REAL, mac="02:47:00:00:00:05"))
    await sim.start()
    room = Room("flood")
    devices = RoomDevices(room, FinderConfig(search_targets=(), dnssd_types=[TYPE], dnssd_interfaces=["127.0.0.1"]),
                          poll_interval_s=5.0, discovery_window_s=3.0, rediscover_every_s=600.0)
    try:
        async with DnssdAdvertiser(["127.0.0.1"], probe=False) as advertiser:
            await advertiser.advertise(Advertisement(TYPE, "Real", REAL, sim.tcp_port, {"mac": sim.mac}))
            await devices.discover_once()  # the room as it was before the flood
            found = len(room.devices)
            look = asyncio.create_task(devices.discover_once())
            zeroconf_log.addHandler(handler)
            zeroconf_log.setLevel(logging.DEBUG)
            try:
                await long_names(said)
            finally:
                zeroconf_log.setLevel(logging.WARNING)
                zeroconf_log.removeHandler(handler)
            sent = await flood(FLOOD_S)
            await look
            await devices.refresh(f"mac:{sim.mac}")  # still read as it should be
    finally:
        await devices.stop()
        await sim.stop()
    real = room.devices.get(f"mac:{sim.mac}")
    print(json.dumps({"sent": sent, "before": found, "devices": len(room.devices),
                      "real": real.availability if real else None,
                      "said": [s for s in said if "dropped" in s or "Discarding" in s or "Unable to parse" in s]}))


def netns_flags() -> list[str] | None:
    if shutil.which("unshare") is None:
        return None
    for flags in (["--net"], ["--map-root-user", "--net"]):
        if subprocess.run(["unshare", *flags, "true"], capture_output=True, timeout=30, check=False).returncode == 0:
            return flags
    return None


def test_a_flood_of_adverts_leaves_the_room_bounded_and_the_real_projector_found() -> None:
    flags = netns_flags()
    if flags is None:
        pytest.skip("needs a network namespace of its own (unshare --net) for a multicast flood")
    child = (f"ip link set lo up && exec {sys.executable} -c "
             "'import asyncio, tests.test_discovery_hostile_adverts as t; asyncio.run(t.flooded_room())'")
    done = subprocess.run(["unshare", *flags, "sh", "-c", child], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["sent"] > RATE  # the flood happened (over 10,000 adverts)
    assert outcome["before"] == 1
    assert outcome["real"] == "online"
    assert outcome["devices"] <= 1 + 64  # the projector and at most MAX_SILENT_STRANGERS that never answered
    assert any("did not answer" in line for line in outcome["said"])
    # zeroconf dropped the 7.7 KB name (over DNS's 255 bytes) and the 60 KB datagram, and said so
    assert any("Unable to parse" in line for line in outcome["said"])
    assert any("Discarding incoming packet with length 59" in line for line in outcome["said"])
