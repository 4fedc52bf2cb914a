"""PTZ command round trip through the console's camera driver, beside a raw VISCA datagram round trip.

Both against the same simulated camera on loopback, in the same run: the raw reference is one inquiry
datagram sent and its reply read on a bare socket; ours is the room's path (CameraDriver → ViscaClient:
sequence numbers, retries, one command in flight). Target: ours under 1.2x the raw round trip.

    .venv/bin/python bench/ptz.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import time

from devices.camera.driver import CameraDriver
from devices.driver import DriverOptions
from devices.model import DeviceInfo, DeviceKind
from devices.sim.camera import SimCameraConfig
from devices.sim.room_camera import SimRoomCamera
from devices.visca import commands as cmd
from devices.visca.framing import PayloadType, encode_packet

HOST = "127.0.80.61"


async def raw_round_trips(port: int, rounds: int) -> list[float]:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    sock.connect((HOST, port))
    times = []
    try:
        for seq in range(1, rounds + 1):
            packet = encode_packet(PayloadType.INQUIRY, seq, cmd.power_inquiry(1))
            started = time.perf_counter()
            await loop.sock_sendall(sock, packet)
            await loop.sock_recv(sock, 64)
            times.append(time.perf_counter() - started)
    finally:
        sock.close()
    return times


async def driver_round_trips(driver: CameraDriver, rounds: int) -> list[float]:
    times = []
    camera = await driver._visca_client()  # the same client the room's commands go through
    for _ in range(rounds):
        started = time.perf_counter()
        await camera.power_state()
        times.append(time.perf_counter() - started)
    return times


async def main(rounds: int) -> None:
    sim = SimRoomCamera(SimCameraConfig(name="Bench camera", host=HOST, width=320, height=180, fps=5))
    await sim.start()
    port = sim.camera.visca_port
    assert port is not None
    info = DeviceInfo("bench", DeviceKind.CAMERA, "Bench camera", HOST, port, "visca-ip", state={"visca_port": port})
    driver = CameraDriver(info, DriverOptions(timeout_s=1.0))
    try:
        await driver_round_trips(driver, 20)  # warm both paths
        await raw_round_trips(port, 20)
        ours, raw = [], []
        for _ in range(3):  # interleaved rounds: a busy moment hits both alike
            ours += await driver_round_trips(driver, rounds // 3)
            raw += await raw_round_trips(port, rounds // 3)
    finally:
        await driver.stop()
        await sim.stop()
    o, r = statistics.median(ours) * 1e6, statistics.median(raw) * 1e6
    print(f"raw VISCA datagram round trip: median {r:.0f} us, p95 {sorted(raw)[int(len(raw) * 0.95)] * 1e6:.0f} us")
    print(f"console PTZ round trip:        median {o:.0f} us, p95 {sorted(ours)[int(len(ours) * 0.95)] * 1e6:.0f} us")
    print(f"ratio (target < 1.2): {o / r:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    asyncio.run(main(parser.parse_args().rounds))
