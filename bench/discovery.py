"""Discovery and control speed against simulated rooms on loopback, beside a raw PJLink round trip.

Prints, for N = 10, 50, 100 simulated devices: the time from discovery start until every device is
found and its state read; the median of one raw PJLink round trip (connect, greeting, `%1POWR ?`) and of
the same command through our client, with their ratio; and the Qt main thread's longest stall while the
console polls 100 devices. Targets (issue 17 item 6): 1,000 devices found and read in under 3 s, under load too;
ratio at most 1.1; no stall over 16 ms. The devices sit on 127.0.88.0/22, so up to 1,022 of them.

Beside each figure: the load average, and the CPU seconds the console's side used (and per device) and what the
simulated room used apart (its projectors, split over two processes, and its DNS-SD adverts): they run on the same
cores, so what they cost counts against us. On a shared machine the adverts also answer every other program's DNS-SD
queries for 1,000 services. The cycle collector runs as in the console (what exists at start frozen, collections on
a 250 ms tick: ui/main_thread_gc.py); ``--gc python`` times Python's own, ``--sim-processes 1`` one simulator.
The per-command ratio is the median of 5 rounds' ratios, each round 100 turns in which our client, asyncio's streams
(the reference) and a bare socket on the loop's reader (the floor, printed for information) each run the command once,
in a rotating order; all three on the same loop, one command in flight, TCP_NODELAY (asyncio sets it on its sockets).

    .venv/bin/python bench/discovery.py [--sizes 10 50 100 1000] [--poll-seconds 10 (0: skip the stall phase)]
                                        [--sim-processes 2] [--gc console|python]
    .venv/bin/python bench/discovery.py --quick      # 100 and 1,000 devices, 5 x 100 round trips, no stall phase
    .venv/bin/python bench/discovery.py --round-trips-only   # the per-command ratio alone (~20 s)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import ipaddress
import multiprocessing
import os
import resource
import signal
import socket
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
ROUND_TRIPS = 100  # pairs a round
ROUNDS = 5  # the ratio is each round's median ratio's median: one round of 100 moved by 0.08 from run to run
SIM_PROCESSES = 2  # the simulated projectors' processes (see serve_room)
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


async def start_projectors(n: int, shard: int = 0, shards: int = 1) -> list[SimulatedProjector]:
    """The projectors of the room, or every ``shards``-th of them from the ``shard``-th (one process's share)."""
    sims = [SimulatedProjector(sim_config(i, host)) for i, host in enumerate(hosts(n), start=1)
            if (i - 1) % shards == shard]
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


@contextlib.contextmanager
def collector(mode: str) -> Iterator[float | None]:
    """The cycle collector for a timed look; yields how often to collect (None: Python collects by itself).

    "console": as the console runs it (ui/console_run.py, ui/main_thread_gc.py): what exists once it is up is
    frozen, and the automatic collector is off, the same thresholds checked every 250 ms on the loop's thread.
    "python": Python's own, which collected 240-odd times in a 1,000-device look (~15% of our CPU)."""
    if mode != "console":
        yield None
        return
    from ui.main_thread_gc import CHECK_MS

    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield CHECK_MS / 1000
    finally:
        gc.enable()
        gc.unfreeze()


async def collect_every(seconds: float) -> None:
    from ui.main_thread_gc import collect_due

    while True:
        await asyncio.sleep(seconds)
        collect_due()


async def found_and_read(n: int, collect_s: float | None = None) -> tuple[float, int]:
    """Seconds until all n devices are found and their state read, as the console does it.

    The finder is made before the clock starts: making it loads every device family (the camera one brings
    aiohttp, ~70 ms), which the console has done long before it looks for devices. ``collect_s``: collect
    cycles on a timer, as the console does (see ``collector``)."""
    finder = DeviceFinder(finder_config(n))
    collecting = asyncio.create_task(collect_every(collect_s)) if collect_s else None
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
    elapsed = time.perf_counter() - started
    if collecting is not None:
        collecting.cancel()
    return elapsed, len(read)


async def raw_round_trip(host: str) -> float:
    """The reference: asyncio's streams, as a plain asyncio PJLink client would be written."""
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


async def bare_round_trip(host: str) -> float:
    """The floor, for information: a socket on the loop's reader and nothing else (no timeout, no checks, no
    parsing; the greeting and the reply each assumed to come in one packet). Same socket options as the others."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    sock = socket.socket()
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.connect_ex((host, 4352))
    arrived: asyncio.Future[bytes] = loop.create_future()

    def readable() -> None:
        if not arrived.done():
            arrived.set_result(sock.recv(4096))

    loop.add_reader(sock, readable)
    await arrived
    arrived = loop.create_future()
    sock.send(b"%1POWR ?\r")
    await arrived
    elapsed = time.perf_counter() - started
    loop.remove_reader(sock)
    sock.close()
    return elapsed


async def client_round_trip(host: str) -> float:
    started = time.perf_counter()
    client = PJLinkClient(host)
    await client.power()
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


KINDS = {"raw": raw_round_trip, "ours": client_round_trip, "bare": bare_round_trip}


async def round_trips(count: int = ROUND_TRIPS) -> dict[str, float]:
    """Each kind's median over ``count`` turns; in a turn each kind goes once, in an order that rotates from
    turn to turn, so all see the same machine load and none always follows the same one."""
    host = hosts(1)[0]
    kinds = list(KINDS)
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for turn in range(count):
        for kind in kinds[turn % len(kinds):] + kinds[:turn % len(kinds)]:
            times[kind].append(await KINDS[kind](host))
    return {kind: statistics.median(values) for kind, values in times.items()}


async def round_trip_rounds(rounds: int, count: int) -> list[dict[str, float]]:
    """``rounds`` rounds of ``count`` interleaved turns, each round's medians (one warm-up turn first)."""
    await round_trips(1)
    return [await round_trips(count) for _ in range(rounds)]


def serve_room(n: int, ready: Any, stop: Any, part: str = "projectors", shard: int = 0, shards: int = 1) -> None:
    """The simulated devices live in their own processes, as hardware would: their work is not ours.

    The projectors and their DNS-SD adverts are two processes: on hardware every device answers mDNS itself,
    while one zeroconf answering for 1,000 services spends ~50 ms of Python per query (other programs on the
    machine ask too), which in the projectors' process held every PJLink answer back by up to 1.5 s.
    Ctrl-C reaches the whole process group: the room ignores it and stops when the bench says so, quietly, instead
    of dying mid-answer (tracebacks) or hanging on the thread that waits for the stop signal.
    The projectors are split over ``shards`` processes (SIM_PROCESSES): 1,000 real projectors have 1,000 CPUs,
    and one simulator process beside stress-ng got a third of a core, so its answers, not the console, set the
    pace; its CPU is still measured and printed beside ours."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def serve() -> None:
        if part == "adverts":
            adverts = await start_adverts(n)
            ready.set()
            await asyncio.to_thread(stop.wait)  # a multiprocessing.Event cannot be awaited directly
            await adverts.stop()
        else:
            sims = await start_projectors(n, shard, shards)
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

    def line(self, devices: int = 0) -> str:
        """The console's CPU (and per device), the simulated projectors' processes summed, the adverts'."""
        shards = [seconds for name, seconds in self.used.items() if name.startswith("sim projectors")]
        rest = [(name, seconds) for name, seconds in self.used.items() if not name.startswith("sim projectors")]
        words = [f"{name} {seconds:.2f}" for name, seconds in rest[:1]]
        if devices:
            words[0] += f" = {rest[0][1] / devices * 1000:.2f} ms a device"
        if shards:
            words.append(f"sim projectors {sum(shards):.2f} ({len(shards)} processes)")
        words += [f"{name} {seconds:.2f}" for name, seconds in rest[1:]]
        return "CPU s: " + ", ".join(words)


@contextlib.contextmanager
def room_processes(n: int) -> Iterator[dict[str, int]]:
    """n simulated projectors and their adverts, each part in its own process, for the block's length.

    Yields each part's process id, so that its CPU can be measured apart."""
    stop = multiprocessing.Event()
    parts = []
    shards = min(SIM_PROCESSES, n)
    names = [f"sim projectors {k + 1}/{shards}" for k in range(shards)] + ["sim adverts"]
    try:
        for name, args in zip(names, [("projectors", k, shards) for k in range(shards)] + [("adverts", 0, 1)],
                              strict=True):
            ready = multiprocessing.Event()
            process = multiprocessing.Process(target=serve_room, args=(n, ready, stop, *args))
            process.start()
            parts.append(process)
            if not ready.wait(120):
                raise RuntimeError(f"the simulated room's {name} did not start")
        yield {name: process.pid or 0 for name, process in zip(names, parts, strict=True)}
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


def discovery_figures(sizes: list[int], round_trip_count: int = ROUND_TRIPS, gc_mode: str = "console") -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f}; cycle collector: {gc_mode} (--gc)")
    for n in sizes:
        with room_processes(n) as parts:
            settle(parts)  # the adverts' announcements settle, as on a network that was there before us
            with collector(gc_mode) as collect_s, CpuMeter(parts) as cpu:
                seconds, read = asyncio.run(found_and_read(n, collect_s))
        target = f"  target all in < 3 s: {'met' if read == n and seconds < 3 else 'NOT met'}" if n >= 1000 else ""
        print(f"N={n:<4} found and read {read}/{n} in {seconds:.2f} s (load {os.getloadavg()[0]:.1f}; "
              f"{cpu.line(n)}){target}")
    round_trip_figures(round_trip_count)


def round_trip_figures(round_trip_count: int = ROUND_TRIPS) -> None:
    """One command on a fresh connection: ours beside asyncio's streams (the target) and a bare socket."""
    with room_processes(1):
        rounds = asyncio.run(round_trip_rounds(ROUNDS, round_trip_count))
    load = os.getloadavg()[0]
    ratios = [r["ours"] / r["raw"] for r in rounds]
    floors = [r["ours"] / r["bare"] for r in rounds]
    ratio = statistics.median(ratios)
    raw, ours, bare = (statistics.median(r[kind] for r in rounds) for kind in ("raw", "ours", "bare"))
    print(f"raw PJLink round trip (asyncio streams: connect, greeting, %1POWR ?): median {raw * 1000:.3f} ms, "
          f"{ROUNDS} rounds of {round_trip_count} interleaved turns (load {load:.1f})")
    print(f"bare socket on the loop's reader (the floor, for information): median {bare * 1000:.3f} ms")
    print(f"our client, same command:                 median {ours * 1000:.3f} ms; ratio each round "
          f"{' '.join(f'{r:.2f}' for r in ratios)}, median {ratio:.2f}x raw "
          f"(target <= 1.1x: {'met' if ratio <= 1.1 else 'NOT met'}); {statistics.median(floors):.2f}x the floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true",
                        help="100 and 1,000 devices, 5 x 100 round trips, no stall phase")
    parser.add_argument("--sim-processes", type=int, default=SIM_PROCESSES,
                        help=f"processes the simulated projectors are split over (default {SIM_PROCESSES})")
    parser.add_argument("--round-trips-only", action="store_true",
                        help="only the per-command ratio (5 rounds of 100 turns, well under a minute)")
    parser.add_argument("--gc", choices=("console", "python"), default="console",
                        help="the cycle collector as the console runs it (default) or Python's own")
    args = parser.parse_args()
    globals()["SIM_PROCESSES"] = max(1, args.sim_processes)
    if args.quick:
        args.sizes, args.poll_seconds = [100, 1000], 0.0
    os.environ["CLASSROOM_CONSOLE_SCOPE"] = "loopback"
    if args.round_trips_only:
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        round_trip_figures(ROUND_TRIPS)
        return
    discovery_figures(args.sizes, ROUND_TRIPS, args.gc)
    if args.poll_seconds <= 0:
        return
    stall_ms, online = main_thread_stall(max(args.sizes), args.poll_seconds)
    print(
        f"main thread while polling {max(args.sizes)} devices ({online} online) for {args.poll_seconds:.0f} s: "
        f"longest stall {stall_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
