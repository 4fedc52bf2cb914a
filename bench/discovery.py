"""Discovery and control speed against simulated rooms on loopback, beside a raw PJLink round trip.

Prints, for N = 10, 50, 100 simulated devices: the time from discovery start until every device is
found and its state read; the median of one raw PJLink round trip (connect, greeting, `%1POWR ?`) and of
the same command through our client, with their ratio; and the Qt main thread's longest stall while the
console polls 100 devices. Targets (issue 17 item 6): 1,000 devices found and read in under 3 s, under load too;
ratio at most 1.1; no stall over 16 ms. The devices sit on 127.0.88.0/22, so up to 1,022 of them.

Beside each figure: the load average, and the CPU seconds the console's side used and what the simulated room
used apart (its projectors, its DNS-SD adverts): they run on the same cores, so what they cost counts against us.
On a shared machine the adverts also answer every other program's DNS-SD queries for 1,000 services.

    .venv/bin/python bench/discovery.py [--sizes 10 50 100 1000] [--poll-seconds 10 (0: skip the stall phase)]
    .venv/bin/python bench/discovery.py --quick      # 100 and 1,000 devices, 300 round trips, no stall phase
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import multiprocessing
import os
import resource
import signal
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices, poll_once
from devices.discovery import DeviceFinder, FinderConfig
from devices.model import Availability
from devices.pjlink import PJLinkClient
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

BENCH_NET = ipaddress.IPv4Network("127.0.88.0/22")  # loopback only, apart from the demo and the tests; 1,022 hosts
SERVICE = "_pjlink._tcp.local."
ROUND_TRIPS = 300
READ_CONCURRENCY = 128  # as many reads at once as identifications: 1,000 at once timed out by the hundred


def hosts(n: int) -> list[str]:
    return [str(h) for h in list(BENCH_NET.hosts())[:n]]


def sim_config(i: int, host: str) -> SimProjectorConfig:
    return SimProjectorConfig(
        name=f"Bench {i}",
        host=host,
        role="board" if i % 5 == 0 else "projector",
        mac=f"02:be:00:00:{i // 256:02x}:{i % 256:02x}",
        idle_timeout_s=300,
    )


async def start_projectors(n: int) -> list[SimulatedProjector]:
    sims = [SimulatedProjector(sim_config(i, host)) for i, host in enumerate(hosts(n), start=1)]
    await asyncio.gather(*(sim.start() for sim in sims))
    return sims


async def start_adverts(n: int) -> DnssdAdvertiser:
    adverts = DnssdAdvertiser(probe=False)  # the bench's names are its own: no conflict to probe for
    configs = [sim_config(i, host) for i, host in enumerate(hosts(n), start=1)]
    await adverts.advertise_many(
        Advertisement(SERVICE, c.name, c.host, c.port, {"mac": c.mac or "", "role": c.role}) for c in configs
    )
    return adverts


async def start_room(n: int) -> tuple[list[SimulatedProjector], DnssdAdvertiser]:
    """Projectors and their adverts in this process (the stall phase runs them in their own, see serve_room)."""
    return await start_projectors(n), await start_adverts(n)


async def stop_room(sims: list[SimulatedProjector], adverts: DnssdAdvertiser) -> None:
    await adverts.stop()
    await asyncio.gather(*(s.stop() for s in sims))


def finder_config(n: int) -> FinderConfig:
    return FinderConfig(
        search_targets=[(h, 4352) for h in hosts(n)],
        sweep=hosts(n),  # the room's own addresses: a campus sweep lists its ranges, not the whole /22
        dnssd_interfaces=["127.0.0.1"],
    )


async def found_and_read(n: int) -> tuple[float, int]:
    """Seconds until all n devices are found and their state read, as the console does it.

    The finder is made before the clock starts: making it loads every device family (the camera one brings
    aiohttp, ~70 ms), which the console has done long before it looks for devices."""
    finder = DeviceFinder(finder_config(n))
    started = time.perf_counter()
    read: set[str] = set()
    reads: set[asyncio.Task[None]] = set()
    done = asyncio.Event()

    reading = asyncio.Semaphore(READ_CONCURRENCY)

    async def read_one(info: object) -> None:
        async with reading:
            device = await poll_once(info, None)  # type: ignore[arg-type]
        if device.availability is Availability.ONLINE and "power" in device.state:
            read.add(device.uid)
            if len(read) == n:
                done.set()

    seen: set[str] = set()
    async for info in finder.watch(10.0):
        if info.uid not in seen:
            seen.add(info.uid)
            reads.add(asyncio.create_task(read_one(info)))
        if len(seen) == n:
            break
    try:
        await asyncio.wait_for(done.wait(), 10)
    except TimeoutError:
        pass
    await asyncio.gather(*reads, return_exceptions=True)
    return time.perf_counter() - started, len(read)


async def raw_round_trip(host: str) -> float:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, 4352)
    await reader.readuntil(b"\r")
    writer.write(b"%1POWR ?\r")
    await writer.drain()
    await reader.readuntil(b"\r")
    elapsed = time.perf_counter() - started
    writer.close()
    await writer.wait_closed()
    return elapsed


async def client_round_trip(host: str) -> float:
    started = time.perf_counter()
    client = PJLinkClient(host)
    await client.power()
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


async def round_trips(count: int = ROUND_TRIPS) -> tuple[float, float]:
    host = hosts(1)[0]
    raw, ours = [], []
    for _ in range(count):  # interleaved, so both see the same machine load
        raw.append(await raw_round_trip(host))
        ours.append(await client_round_trip(host))
    return statistics.median(raw), statistics.median(ours)


def serve_room(n: int, ready: Any, stop: Any, part: str = "projectors") -> None:
    """The simulated devices live in their own processes, as hardware would: their work is not ours.

    The projectors and their DNS-SD adverts are two processes: on hardware every device answers mDNS itself,
    while one zeroconf answering for 1,000 services spends ~50 ms of Python per query (other programs on the
    machine ask too), which in the projectors' process held every PJLink answer back by up to 1.5 s.
    Ctrl-C reaches the whole process group: the room ignores it and stops when the bench says so, quietly, instead
    of dying mid-answer (tracebacks) or hanging on the thread that waits for the stop signal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def serve() -> None:
        if part == "adverts":
            adverts = await start_adverts(n)
            ready.set()
            await asyncio.to_thread(stop.wait)  # a multiprocessing.Event cannot be awaited directly
            await adverts.stop()
        else:
            sims = await start_projectors(n)
            ready.set()
            await asyncio.to_thread(stop.wait)
            await asyncio.gather(*(s.stop() for s in sims))

    asyncio.run(serve())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc; 0 where there is none)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(parts: dict[str, int], within_s: float = 15.0) -> None:
    """Wait (at least 1 s, at most ``within_s``) until the simulated room is idle: under 20 ms of CPU in 0.5 s."""
    time.sleep(1.0)
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(pid) for pid in parts.values())
        time.sleep(0.5)
        if sum(cpu_seconds(pid) for pid in parts.values()) - before < 0.02:
            return


class CpuMeter:
    """CPU seconds used over a block by this process and by each simulated part (measured apart)."""

    def __init__(self, parts: dict[str, int]) -> None:
        self.parts = parts
        self.used: dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._self = resource.getrusage(resource.RUSAGE_SELF)
        self._parts = {name: cpu_seconds(pid) for name, pid in self.parts.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        now = resource.getrusage(resource.RUSAGE_SELF)
        self.used = {"console": now.ru_utime - self._self.ru_utime + now.ru_stime - self._self.ru_stime}
        self.used.update({name: cpu_seconds(pid) - self._parts[name] for name, pid in self.parts.items()})

    def line(self) -> str:
        return "CPU s: " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.used.items())


@contextlib.contextmanager
def room_processes(n: int) -> Iterator[dict[str, int]]:
    """n simulated projectors and their adverts, each part in its own process, for the block's length.

    Yields each part's process id, so that its CPU can be measured apart."""
    stop = multiprocessing.Event()
    parts = []
    try:
        for part in ("projectors", "adverts"):
            ready = multiprocessing.Event()
            process = multiprocessing.Process(target=serve_room, args=(n, ready, stop, part))
            process.start()
            parts.append(process)
            if not ready.wait(120):
                raise RuntimeError(f"the simulated room's {part} did not start")
        yield {f"sim {part}": process.pid or 0 for part, process in zip(("projectors", "adverts"), parts, strict=True)}
    finally:
        stop.set()
        for process in parts:
            process.join(30)
            if process.is_alive():
                process.kill()


def main_thread_stall(n: int, seconds: float) -> tuple[float, int]:
    """Longest Qt main-thread stall while the console discovers and polls n devices every second."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from ui.stall_meter import StallMeter

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def run() -> tuple[float, int]:
        interrupted = asyncio.Event()
        # Ctrl-C ends the polling early and cleanly: raised inside Qt's timer callbacks it printed a traceback each.
        signal.signal(signal.SIGINT, lambda *_: loop.call_soon_threadsafe(interrupted.set))
        room = Room("bench")
        devices = RoomDevices(room, finder_config(n), poll_interval_s=1.0, rediscover_every_s=3600)
        meter = StallMeter()
        meter.start()
        await devices.start()
        try:
            async with asyncio.timeout(seconds):
                await interrupted.wait()
        except TimeoutError:
            pass
        meter.stop()
        online = sum(d.availability is Availability.ONLINE for d in room.devices.values())
        await devices.stop()
        return meter.longest_ms, online

    with room_processes(n), loop:
        return loop.run_until_complete(run())


def discovery_figures(sizes: list[int], round_trip_count: int = ROUND_TRIPS) -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for n in sizes:
        with room_processes(n) as parts:
            settle(parts)  # the adverts' announcements settle, as on a network that was there before us
            with CpuMeter(parts) as cpu:
                seconds, read = asyncio.run(found_and_read(n))
        target = f"  target all in < 3 s: {'met' if read == n and seconds < 3 else 'NOT met'}" if n >= 1000 else ""
        print(f"N={n:<4} found and read {read}/{n} in {seconds:.2f} s (load {os.getloadavg()[0]:.1f}; "
              f"{cpu.line()}){target}")
    with room_processes(1):
        raw, ours = asyncio.run(round_trips(round_trip_count))
    ratio = ours / raw
    print(f"raw PJLink round trip (connect + %1POWR ?): median {raw * 1000:.2f} ms over {round_trip_count} "
          f"(load {os.getloadavg()[0]:.1f})")
    print(f"our client, same command:                 median {ours * 1000:.2f} ms  ratio {ratio:.2f}x "
          f"(target <= 1.1x: {'met' if ratio <= 1.1 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 devices, 300 round trips, no stall phase")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.poll_seconds = [100, 1000], 0.0
    os.environ["CLASSROOM_CONSOLE_SCOPE"] = "loopback"
    discovery_figures(args.sizes, ROUND_TRIPS)  # 300 pairs take under a second; 100 left the ratio to chance
    if args.poll_seconds <= 0:
        return
    stall_ms, online = main_thread_stall(max(args.sizes), args.poll_seconds)
    print(
        f"main thread while polling {max(args.sizes)} devices ({online} online) for {args.poll_seconds:.0f} s: "
        f"longest stall {stall_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
