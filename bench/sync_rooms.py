"""300 rooms syncing at once: one centre process on SQLite, and 1, 2 and 4 processes behind nginx on PostgreSQL.

Each room sends what its sync sends (5 ended sessions of 40 events as JSON, then one 512 KiB recording announced
and uploaded), over HTTP from ONE light client process (raw HTTP/1.1 on asyncio streams, ``RoomLink``) whose
bodies are built before the clock starts, so the
centre, not 300 simulated consoles, gets the cores; the centre processes are real ``centre serve`` processes on
loopback (their CPU is printed beside the client's), PostgreSQL a throwaway Debian
cluster (initdb in a temp folder), nginx Debian's, run from a temp prefix. While the rooms sync, staff ask
for the usage report over and over; the bench prints, for each set-up, the sessions ingested per second,
the rooms' request latency and the usage report's p99.

Targets (issue 18): two processes ingest at least 1.3x what one does (on PostgreSQL behind nginx), and the
usage report's p99 stays under 250 ms. References in the same run: one process on SQLite, one on PostgreSQL.
Each process is warmed up on its own port before the clock (pools opened, plans made): the figure is a running
centre's. CPU seconds of the centre, PostgreSQL, nginx and the client are printed beside each figure, and where
PostgreSQL's time went (pg_stat_statements: storing, reports, token lookups). On a machine others load the counts
run in rounds (``--rounds 3``: 1,2,1,2,1,2 alternating), and the ratio is of each count's median.
Staff screens ask from a process of their own by default (``--askers apart``): in the rooms' loop (``loop``, as
before) a report's time also held the wait for a turn of a loop running 300 rooms' uploads, which no staff screen
meets; ``both`` prints the two side by side. ``--compare DIR`` runs an older checkout's centre beside this one's.
``--waits`` samples PostgreSQL's backends meanwhile (``pg_waits``): what each kind of statement waited for.
nginx sends usage requests to the first process's usage socket, answered on its reports' own loop (``usage_site``),
its port the backup (``config_nginx``); ``--usage-port`` sends them to the first process's port, answered on its
service's loop, as before; ``--usage-anywhere`` balances them over the ports as any other request;
``--usage-direct`` has the staff's process ask the socket itself: under 300 rooms with four processes, through nginx
most of the usage p99 was spent outside the usage process (nginx's one worker, relaying the rooms' uploads too):
185/158 ms, then 121/122 ms directly (two runs each, one after the other, load 2-5); timed in both processes, the
slowest asks reached the usage handler 22-95 ms after they were sent (~1 ms directly), and their answers reached the
staff 32-120 ms after the report was theirs (2-48 ms directly).
Usage: python bench/sync_rooms.py [--rooms 300] [--processes 1,2,4] [--rounds N] [--no-sqlite] [--quick]
       [--askers apart|loop|both] [--compare DIR] [--waits] [--usage-anywhere] [--usage-port] [--usage-direct]
       [--nginx-workers auto|N]
nginx runs with ``worker_processes auto`` (one a core), as Debian's own nginx.conf that the README's deployment
uses; it ran one worker before (``--nginx-workers 1``). Four processes, alternated, load 1-3: usage p99 272/368/407/249
ms with one worker, 153/352/447/158 with auto: within the spread, so the deployment's own setting is the one measured.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pg_waits  # noqa: E402
from bench.pg_cluster import as_postgres, free_port, postgres, postmaster_pid, tree_cpu  # noqa: E402
from classroom_console.centre import config as centre_config  # noqa: E402
from classroom_console.centre import config_nginx, usage_site  # noqa: E402
from classroom_console.centre.backends import open_configured  # noqa: E402
from classroom_console.centre.tokens import ROOM, STAFF, folder_for, issue_token, token_hash  # noqa: E402

SESSIONS = 5
# Where the four staff screens ask from (apart, in the rooms' loop): their own process (the default), the rooms'
# client's loop (as before), or two in each.
ASKERS = {"apart": (4, 0), "loop": (0, 4), "both": (2, 2)}
WARM_UPLOADS = 8  # rooms per process sending at once before the clock starts
EVENTS = 40
RECORDING_BYTES = 512 << 10
ERRORS: list[str] = []


def bodies(n: int) -> list[tuple[str, bytes]]:
    """Room n's sessions as the sync sends them (JSON bytes, made before the clock starts)."""
    out = []
    start = datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(days=n % 60, minutes=n)
    for k in range(SESSIONS):
        begin = start + timedelta(hours=2 * k)
        sid = f"room{n}-s{k}"
        events = [{"id": i + 1, "device_uid": f"mac:{n}:{i % 4}", "kind": "state", "payload": {"i": i},
                   "wall_time": _iso(begin + timedelta(seconds=30 * i))} for i in range(EVENTS)]
        body = {"session": {"id": sid, "lecturer": f"Lecturer {k}", "course": f"Course {k}", "kind": "lecture",
                            "started_at": _iso(begin), "ended_at": _iso(begin + timedelta(minutes=90)),
                            "status": "completed"},
                "events": events, "devices": [], "readings": []}
        out.append((sid, json.dumps(body).encode()))
    return out


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@functools.cache
def _sha256(data: bytes) -> str:
    """Every room sends the same recording: hashed once, not 300 times on the client's clock."""
    return hashlib.sha256(data).hexdigest()


class RoomLink:
    """One room's keep-alive HTTP/1.1 connection on raw asyncio streams (no aiohttp).

    The rooms are remote consoles in a real centre: their CPU is not the centre machine's. aiohttp's client cost
    the bench's one client process about 0.7 ms of CPU a request (1.0 s per 1,000 sessions, beside the centre's
    3.5), taken from the same two cores the centre processes share; this costs a fraction of it.
    """

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        for attempt in (0, 1):
            fresh = self.writer is None or self.writer.is_closing()
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
            assert self.reader is not None and self.writer is not None
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{head}"
                              f"Content-Length: {len(body)}\r\n\r\n".encode())
            if body:
                self.writer.write(body)
            try:
                await self.writer.drain()  # a recording's bytes are not all held in this process at once
                return await self._response()
            except (asyncio.IncompleteReadError, ConnectionError):
                self.writer.close()
                if fresh or attempt:  # a kept connection the server had closed meanwhile is tried once more
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        status = int((await self.reader.readuntil(b"\r\n")).split()[1])
        length, chunked, close = 0, False, False
        for line in (await self.reader.readuntil(b"\r\n\r\n")).split(b"\r\n"):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value:
                chunked = True
            elif name == b"connection" and value == b"close":
                close = True
        if chunked:
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size + 2))
            await self.reader.readuntil(b"\r\n")
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.readexactly(length)
        if close:
            self.writer.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def room_client(url: str, token: str, n: int, sessions: list[tuple[str, bytes]], data: bytes,
                      latencies: list[float], errors: list[str]) -> None:
    """One room's upload on its own connection: its sessions, then its recording announced and sent, as the sync
    does."""
    link = RoomLink(url)
    auth = {"Authorization": f"Bearer {token}"}

    async def call(method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        started = time.perf_counter()
        try:
            status, answer = await link.request(method, f"/api/v1{path}", {**auth, **headers}, body)
            if status != 200:
                errors.append(f"{method} {path}: HTTP {status} {answer[:200]!r}")
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            errors.append(f"{method} {path}: {exc!r}")
        finally:
            latencies.append(time.perf_counter() - started)

    try:
        for sid, payload in sessions:
            await call("PUT", f"/sessions/{sid}", payload, {"Content-Type": "application/json"})
        rid = f"rec{n}"
        meta = {"id": rid, "session_id": sessions[-1][0], "name": "lecture.mp4", "size": len(data),
                "sha256": _sha256(data), "started_at": "2026-03-02T08:00:00.000000Z",
                "stopped_at": "2026-03-02T09:00:00.000000Z", "duration_s": 60.0}
        await call("POST", "/recordings", json.dumps(meta).encode(), {"Content-Type": "application/json"})
        await call("PATCH", f"/recordings/{rid}", data,
                   {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    finally:
        link.close()


async def ask_usage(http: aiohttp.ClientSession, url: str, staff: str, stop: asyncio.Event, times: list[float],
                    errors: list[str]) -> None:
    """Staff screens asking for the whole usage report while the rooms sync."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            async with http.get(f"{url}/api/v1/usage", headers={"Authorization": f"Bearer {staff}"}) as r:
                await r.read()
                if r.status != 200:
                    errors.append(f"usage: HTTP {r.status}")
        except aiohttp.ClientError as exc:
            errors.append(f"usage: {exc}")
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)


async def client_main(spec: dict[str, Any]) -> dict[str, Any]:
    """The light client process: every room at once on one event loop, bodies built before the clock starts.

    Staff screens ask for the usage report meanwhile: by default from a process of their own (``asker_main``: a
    staff member's screen is not on the rooms' machine, and in this loop the report's time included the wait for a
    turn of a loop running 300 rooms' uploads), asked to start when the clock starts and to stop when it stops.
    ``loop`` askers ask from this loop, as the bench did before; ``both`` runs half of them in each place at once.
    """
    rooms = [bodies(n) for n in range(len(spec["tokens"]))]
    data = os.urandom(RECORDING_BYTES)
    latencies: list[float] = []
    usage_times: list[float] = []
    errors: list[str] = []
    stop = asyncio.Event()
    apart_n, loop_n = ASKERS[spec.get("askers", "apart")]
    apart = None
    if apart_n:
        apart = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--askers-client", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        assert apart.stdin is not None and apart.stdout is not None
        apart.stdin.write(json.dumps({**spec, "tokens": [], "n": apart_n}).encode() + b"\n")
        await apart.stdin.drain()
        await apart.stdout.readline()  # ready: its session made, its connections opened
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        if apart is not None:
            assert apart.stdin is not None
            apart.stdin.write(b"go\n")
            await apart.stdin.drain()
        askers = [asyncio.ensure_future(ask_usage(http, spec["url"], spec["staff"], stop, usage_times, errors))
                  for _ in range(loop_n)]
        cpu = time.process_time()
        busy = machine_busy()
        started = time.perf_counter()
        await asyncio.gather(*(room_client(spec["url"], token, n, rooms[n], data, latencies, errors)
                               for n, token in enumerate(spec["tokens"])))
        elapsed = time.perf_counter() - started
        busy = machine_busy() - busy
        stop.set()
        if apart is not None:
            assert apart.stdin is not None
            apart.stdin.write(b"stop\n")
            await apart.stdin.drain()
        await asyncio.gather(*askers)
    got: dict[str, Any] = {"usage_apart": [], "askers_cpu": 0.0}
    if apart is not None:
        out, _ = await apart.communicate()
        got = json.loads(out.decode().strip().splitlines()[-1])
        errors.extend(got["errors"])
    return {"elapsed": elapsed, "latencies": latencies, "usage": usage_times, "usage_apart": got["usage_apart"],
            "errors": errors, "cpu": time.process_time() - cpu, "askers_cpu": got["askers_cpu"], "busy": busy}


async def asker_main() -> dict[str, Any]:
    """The staff screens' process: ``n`` askers from ``go`` to ``stop`` (lines on stdin), their times on stdout."""
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    spec = json.loads(await reader.readline())
    times: list[float] = []
    errors: list[str] = []
    stop = asyncio.Event()
    direct = spec.get("direct")  # the usage socket itself, not nginx (``--usage-direct``)
    connector = aiohttp.UnixConnector(path=direct, limit=0) if direct else aiohttp.TCPConnector(limit=0)
    url = "http://centre" if direct else spec["url"]
    async with aiohttp.ClientSession(connector=connector) as http:
        print("ready", flush=True)
        await reader.readline()  # go
        cpu = time.process_time()
        askers = [asyncio.ensure_future(ask_usage(http, url, spec["staff"], stop, times, errors))
                  for _ in range(int(spec["n"]))]
        await reader.readline()  # stop (or the client gone)
        stop.set()
        await asyncio.gather(*askers)
    return {"usage_apart": times, "errors": errors, "askers_cpu": time.process_time() - cpu}


async def warm_up(urls: list[str], tokens: list[str], staff: str) -> None:
    """Each process straight on its port, before the clock: its pools' connections opened, its statements and the
    server's plans made, as in a centre that has run for a while (cold starts are not the ingest rate)."""
    data = os.urandom(64 << 10)
    latencies: list[float] = []
    errors: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        calls = []
        for k, (url, token) in enumerate(zip(urls, tokens, strict=True)):
            for j in range(WARM_UPLOADS):
                n = 1_000_000 + k * WARM_UPLOADS + j  # rooms of their own: not the measured rooms' sessions
                calls.append(room_client(url, token, n, bodies(n), data, latencies, errors))
            calls += [ask_usage_once(http, url, staff, errors) for _ in range(4)]
        await asyncio.gather(*calls)
    if errors:
        raise SystemExit(f"warming up failed: {errors[:3]}")


async def ask_usage_once(http: aiohttp.ClientSession, url: str, staff: str, errors: list[str]) -> None:
    async with http.get(f"{url}/api/v1/usage", headers={"Authorization": f"Bearer {staff}"}) as r:
        await r.read()
        if r.status != 200:
            errors.append(f"usage: HTTP {r.status}")


def sync_rooms(url: str, tokens: list[str], staff: str, askers: str, direct: Path | None = None) -> dict[str, Any]:
    """Runs the rooms in a second process (so its CPU is apart from this one's) and returns what it measured;
    ``direct``: the staff's process asks this usage socket itself (``--usage-direct``)."""
    spec = json.dumps({"url": url, "tokens": tokens, "staff": staff, "askers": askers,
                       "direct": str(direct) if direct else None})
    proc = subprocess.run([sys.executable, __file__, "--client"], input=spec.encode(), capture_output=True,
                          timeout=1800, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the rooms' client failed: {proc.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    return result


async def add_tokens(config: centre_config.CentreConfig, rooms: int) -> tuple[list[str], str]:
    """Tokens for ``rooms`` rooms (the first ones are the measured rooms, the rest warm the processes up)."""
    db = await open_configured(config)
    tokens = []
    try:
        for n in range(rooms):
            token = issue_token()
            await db.add_token(token_hash(token), f"Room {n}", ROOM, folder_for(f"Room {n}"))
            tokens.append(token)
        staff = issue_token()
        await db.add_token(token_hash(staff), "Staff", STAFF, folder_for("Staff"))
    finally:
        await db.close()
    return tokens, staff


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def wait_http(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"{url}/api/v1/ping", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # 401: it answers
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def served_socket(data: Path, port: int) -> Path | None:
    """A process's usage socket where it serves one: beside the data folder (``config.run_dir``), or in it where an
    older centre (``--compare``, before the sockets' own folder) made it."""
    path = usage_site.socket_path(data, port)
    if path is None:
        return None
    for there in (path, data.absolute() / path.name):
        if there.exists():
            return there
    return None


def wait_socket(data: Path, port: int, proc: subprocess.Popen[bytes]) -> None:
    """A PostgreSQL process's usage socket, made a moment after its port answers (by the process itself, or by an
    older centre's usage process: a second or so to start), before the clock: else nginx was given no socket and
    every usage request went to the port."""
    for _ in range(300):
        if usage_site.socket_path(data, port) is None or served_socket(data, port) or proc.poll() is not None:
            return
        time.sleep(0.1)


def socket_pid(path: Path) -> int | None:
    """The pid of the process listening on a Unix socket (the kernel's word: SO_PEERCRED); None: none listens."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        try:
            s.connect(str(path))
        except OSError:
            return None
        pid, _uid, _gid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        return int(pid)


def warm_socket(path: Path, proc: subprocess.Popen[bytes], staff: str) -> None:
    """The first process's usage socket asked once before the clock, as a running centre's staff have: its usage
    process, started at a first request there (``usage_process``'s lazy start), then serves it."""

    async def ask() -> None:
        errors: list[str] = []
        async with aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=str(path))) as http:
            await ask_usage_once(http, "http://centre", staff, errors)
        if errors:
            raise SystemExit(f"warming the usage socket up failed: {errors[:3]}")

    asyncio.run(ask())
    for _ in range(300):
        if socket_pid(path) not in (None, proc.pid) or proc.poll() is not None:
            return
        time.sleep(0.1)


@contextmanager
def nginx(prefix: Path, ports: list[int], usage_on_one: bool = True,
          usage_socket: Path | None = None, workers: str = "auto") -> Iterator[tuple[str, int]]:
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix.mkdir(parents=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(config_nginx.standalone([f"127.0.0.1:{p}" for p in ports], f"127.0.0.1:{port}", prefix,
                                            workers=workers, per_client=0, usage_on_one=usage_on_one,
                                            usage_socket=str(usage_socket) if usage_socket else None))
    proc = subprocess.Popen([nginx_bin, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=30)


@dataclass
class Result:
    name: str
    sessions_per_s: float
    requests: int
    p99_ms: float
    usage_p99_ms: float  # the staff screens' own process's figure where there is one (the target's), else the loop's
    usage_n: int
    usage_loop_p99_ms: float  # asked from the rooms' loop (nan: none asked there)
    usage_loop_n: int
    cpu_ms: float  # centre + database CPU a session
    cores: float = 0.0  # CPU of the centre, PostgreSQL, nginx and the rooms' client a second of the run
    others: float = 0.0  # CPU of everything else on the machine a second of the run (other users' load)


def machine_busy() -> float:
    """CPU seconds every process on the machine has used so far (/proc/stat: user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(fields[i]) for i in (0, 1, 2, 5, 6, 7))
    return busy / os.sysconf("SC_CLK_TCK")


# (the charts' statement by its marker now and before 7f987e2, so that --compare counts an older centre's reports too)
KINDS = (("store", "centre_store_sessions"), ("report", "array_agg(c0)"), ("report", "ARRAY(SELECT"),
         ("tokens", "FROM tokens"),
         ("report lock (waits)", "hashtext("), ("shared reports", "centre_reports"),
         ("recordings", "recordings"))


def pg_statements(url: str, reset: bool = False) -> str:
    """Where PostgreSQL's time went in this database since the last reset: calls and milliseconds by kind."""
    sql = ("SELECT regexp_replace(s.query, '\\s+', ' ', 'g'), s.calls, s.total_exec_time FROM pg_stat_statements s "
           "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()")
    if reset:
        sql = "SELECT pg_stat_statements_reset()"
    proc = subprocess.run(as_postgres(["psql", "-qAtX", "-F", "\t", url, "-c", sql]), capture_output=True,
                          text=True, timeout=60, check=False)
    if reset or proc.returncode != 0:
        return "" if proc.returncode == 0 else f"(pg_stat_statements: {proc.stderr.strip()[:120]})"
    spent: dict[str, list[float]] = {}
    for line in proc.stdout.splitlines():
        if line.count("\t") < 2:
            continue
        query, calls, ms = line.rsplit("\t", 2)
        kind = next((k for k, marker in KINDS if marker in query), "other")
        got = spent.setdefault(kind, [0, 0.0])
        got[0] += int(calls)
        got[1] += float(ms)
    return "; ".join(f"{k} {int(v[0])} calls {v[1]:.0f} ms" for k, v in sorted(spent.items(), key=lambda kv: -kv[1][1]))


def run_setup(name: str, tmp: Path, rooms: int, config: centre_config.CentreConfig,
              processes: int, behind_nginx: bool, askers: str = "apart", tree: Path = ROOT,
              waits: bool = False, usage_on_one: bool = True, usage_socket: bool = True,
              usage_direct: bool = False, nginx_workers: str = "auto") -> Result:
    """``tree``: the checkout whose centre serves (``--compare``: an older one's, alternated with this one's);
    ``waits``: PostgreSQL's backends sampled while the rooms send (``pg_waits``), printed after its figures;
    ``usage_socket``: usage requests to the first process's socket where it serves one (``usage_site``);
    ``usage_direct``: the staff's own process asks that socket itself, not through nginx;
    ``nginx_workers``: nginx's worker_processes ("auto", one a core, as Debian's own nginx.conf has it)."""
    centre_config.save(config)
    tokens, staff = asyncio.run(add_tokens(config, rooms + processes))
    tokens, warm_tokens = tokens[:rooms], tokens[rooms:]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    procs: list[subprocess.Popen[bytes]] = []
    ports = [free_port() for _ in range(processes)]
    try:
        for port in ports:
            # Every room here shares one address (and behind nginx every connection is nginx's): no per-address cap.
            proc = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--port", str(port),
                                     "--data", str(config.data), "--max-connections-per-client", "0"],
                                    env=env, cwd=tree, stdout=subprocess.DEVNULL)
            procs.append(proc)
            wait_http(f"http://127.0.0.1:{port}", proc)
            if config.backend == centre_config.POSTGRESQL:
                wait_socket(config.data, port, proc)
        asyncio.run(warm_up([f"http://127.0.0.1:{port}" for port in ports], warm_tokens, staff))
        first_socket = served_socket(config.data, ports[0]) if config.backend == centre_config.POSTGRESQL else None
        if first_socket is not None and behind_nginx and usage_on_one and usage_socket:
            warm_socket(first_socket, procs[0], staff)
        pg = postmaster_pid(tmp) if config.backend == centre_config.POSTGRESQL else None
        if pg:
            pg_statements(str(config.database_url), reset=True)
        # The backends live as long as the centre's pools, so the difference is theirs (the pools never shrink).
        # With its children: a SQLite centre checks and stores sessions in a process of its own (store_process.py).
        centre_cpu, pg_cpu, nginx_cpu = sum(tree_cpu(p.pid) for p in procs), tree_cpu(pg) if pg else 0.0, 0.0
        route = ""
        with ExitStack() as during:
            sampled = during.enter_context(pg_waits.sampled(str(config.database_url))) if pg and waits else None
            if behind_nginx:
                sock = served_socket(config.data, ports[0]) if usage_on_one and usage_socket else None
                route = "the first process's socket" if sock else "the first process's port" if usage_on_one \
                    else "any process's port"
                direct = sock if usage_direct else None
                route += " (the staff's process on it directly, not through nginx)" if direct else ""
                with nginx(tmp / f"nginx-{config.data.name}", ports, usage_on_one, sock,
                           nginx_workers) as (url, nginx_pid):
                    nginx_cpu = tree_cpu(nginx_pid)
                    got = sync_rooms(url, tokens, staff, askers, direct)
                    nginx_cpu = tree_cpu(nginx_pid) - nginx_cpu
            else:
                got = sync_rooms(f"http://127.0.0.1:{ports[0]}", tokens, staff, askers)
        centre_cpu = sum(tree_cpu(p.pid) for p in procs) - centre_cpu
        pg_cpu = tree_cpu(pg) - pg_cpu if pg else 0.0
        elapsed, client_cpu, askers_cpu = float(got["elapsed"]), float(got["cpu"]), float(got["askers_cpu"])
        ERRORS.extend(got["errors"])
        in_loop = [float(t) for t in got["usage"]]
        usage_times = [float(t) for t in got["usage_apart"]] or in_loop
        ours, busy = centre_cpu + pg_cpu + nginx_cpu + client_cpu + askers_cpu, float(got["busy"])
        # The machine's CPU while the rooms sent, less ours (measured from a little before to a little after: an
        # estimate, low rather than high).
        result = Result(name, rooms * SESSIONS / elapsed, len(got["latencies"]), pct(got["latencies"], 0.99),
                        pct(usage_times, 0.99), len(usage_times), pct(in_loop, 0.99), len(in_loop),
                        1000 * (centre_cpu + pg_cpu) / (rooms * SESSIONS), ours / elapsed,
                        max(0.0, busy - ours) / elapsed)
        apart = f"p99 {result.usage_p99_ms:5.0f} ms ({result.usage_n} asked)" if got["usage_apart"] else "none"
        if behind_nginx:
            apart += f", to {route}"
        print(f"{name:34s} {result.sessions_per_s:7.0f} sessions/s in {elapsed:5.1f} s; rooms' requests "
              f"p99 {result.p99_ms:5.0f} ms ({result.requests}); usage report, staff's process {apart}, "
              f"in the rooms' loop p99 {result.usage_loop_p99_ms:5.0f} ms ({result.usage_loop_n} asked); CPU: centre "
              f"{centre_cpu:.1f} s, PostgreSQL {pg_cpu:.1f} s, nginx {nginx_cpu:.1f} s, rooms (client) "
              f"{client_cpu:.1f} s, staff {askers_cpu:.1f} s (centre + database "
              f"{result.cpu_ms:.1f} ms a session; {result.cores:.2f} cores in use, others on the machine "
              f"~{result.others:.2f}); load {os.getloadavg()[0]:.1f}", flush=True)
        if pg:
            print(f"{'':34s} PostgreSQL's time: {pg_statements(str(config.database_url))}", flush=True)
        if sampled is not None:
            print(f"{'':34s} PostgreSQL's backends while the rooms sent: {sampled.text()}", flush=True)
        return result
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rooms", type=int, default=300)
    ap.add_argument("--processes", default=None,
                    help="centre processes behind nginx on PostgreSQL, each run (1,2,4; --quick: 1,2)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="run the counts this many times, alternating (default 1; --quick: 2); medians are compared")
    ap.add_argument("--no-sqlite", action="store_true", help="skip the one-process SQLite reference")
    ap.add_argument("--quick", action="store_true", help="60 rooms, 1 and 2 processes: a couple of minutes")
    ap.add_argument("--askers", choices=sorted(ASKERS), default="apart",
                    help="where the 4 staff screens ask from: their own process (default; the target's figure), "
                         "the rooms' loop (as before), or two in each")
    ap.add_argument("--compare", type=Path, default=None, metavar="DIR",
                    help="also run the centre of the checkout in DIR (e.g. git archive of an older commit), "
                         "alternated with this one's at each count")
    ap.add_argument("--waits", action="store_true",
                    help="sample PostgreSQL's backends every 20 ms while the rooms send: what each kind of "
                         "statement waited for (a lock, a lightweight lock, the disk) or CPU")
    ap.add_argument("--usage-anywhere", action="store_true",
                    help="nginx balances usage requests over the processes as any other request (by default they go "
                         "to the first process while it answers: config_nginx)")
    ap.add_argument("--usage-port", action="store_true",
                    help="usage requests to the first process's port, answered on its service's loop (by default "
                         "to its usage socket, answered on its reports' own loop: usage_site)")
    ap.add_argument("--usage-direct", action="store_true",
                    help="the staff's own process asks the first process's usage socket itself, not through nginx "
                         "(the rooms still send through nginx): what of the usage p99 is nginx's")
    ap.add_argument("--nginx-workers", default="auto",
                    help="nginx's worker_processes (default auto: one a core, as Debian's nginx.conf; 1 as before)")
    ap.add_argument("--client", action="store_true", help=argparse.SUPPRESS)  # the rooms' process (internal)
    ap.add_argument("--askers-client", action="store_true", help=argparse.SUPPRESS)  # the staff's (internal)
    args = ap.parse_args()
    if args.client:
        print(json.dumps(asyncio.run(client_main(json.loads(sys.stdin.read())))))
        return 0
    if args.askers_client:
        print(json.dumps(asyncio.run(asker_main())))
        return 0
    if args.quick:
        args.rooms = 60
    args.processes = args.processes or ("1,2" if args.quick else "1,2,4")
    counts = [int(n) for n in args.processes.split(",") if n.strip()] * (args.rounds or (2 if args.quick else 1))
    trees = [("", ROOT)] if args.compare is None else [("old ", args.compare.resolve()), ("new ", ROOT)]
    runs = [(label, tree, n) for n in counts for label, tree in trees]  # old and new side by side at each count
    tmp = Path(tempfile.mkdtemp(prefix="cc-rooms-"))
    tmp.chmod(0o755)
    results: list[Result] = []
    try:
        print(f"{args.rooms} rooms of {SESSIONS} sessions x {EVENTS} events and a {RECORDING_BYTES >> 10} KiB "
              f"recording each, sent by one client process; staff screens: {args.askers}; {os.cpu_count()} cores; "
              f"load {os.getloadavg()[0]:.1f}; nginx worker_processes {args.nginx_workers}"
              + (f"; old = {args.compare}" if args.compare else ""))
        if not args.no_sqlite:
            config = centre_config.CentreConfig(tmp / "centre-sqlite")
            results.append(run_setup("1 process, SQLite (reference)", tmp, args.rooms, config, 1, False,
                                     args.askers))
        with postgres(tmp, "-c max_connections=200 -c shared_preload_libraries=pg_stat_statements") as server:
            port = urllib.parse.urlsplit(server).port
            for k, (label, tree, n) in enumerate(runs):  # a count given twice (1,2,1,2) is a repeat
                db = f"centre{k}_{n}"
                subprocess.run(as_postgres(["psql", "-q", "-h", "127.0.0.1", "-p", str(port),
                                             "-U", "postgres", "-c", f"CREATE DATABASE {db}"]), check=True)
                url = f"postgresql://postgres@127.0.0.1:{port}/{db}?sslmode=disable"
                subprocess.run(as_postgres(["psql", "-q", url, "-c", "CREATE EXTENSION pg_stat_statements"]),
                               check=True, capture_output=True)
                config = centre_config.CentreConfig(tmp / f"centre-pg{k}-{n}", centre_config.POSTGRESQL, url,
                                                    tmp / f"files-pg{k}-{n}")
                results.append(run_setup(f"{label}{n} process(es), PostgreSQL, nginx", tmp, args.rooms, config, n,
                                         True, args.askers, tree, args.waits, not args.usage_anywhere,
                                         not args.usage_port, args.usage_direct, args.nginx_workers))
        for label, _tree in trees:
            summarise(label, [(n, r) for (lb, _t, n), r in zip(runs, results[-len(runs):], strict=True) if lb == label])
        worst = max(r.usage_p99_ms for r in results)
        print(f"usage report p99, worst set-up: {worst:.0f} ms (target < 250 ms, read from the staff's own process "
              f"where they ask apart); errors {len(ERRORS)}")
        for e in ERRORS[:10]:
            print("  ", e)
        return 0 if not ERRORS else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def summarise(label: str, runs: list[tuple[int, Result]]) -> None:
    """Each count's medians, and two processes against one (with what this machine could give at most)."""
    by_count: dict[int, list[Result]] = {}
    for n, r in runs:
        by_count.setdefault(n, []).append(r)
    for n, got in sorted(by_count.items()):
        print(f"{label}{n} process(es), {len(got)} run(s): median {median(r.sessions_per_s for r in got):.0f} "
              f"sessions/s (runs {', '.join(f'{r.sessions_per_s:.0f}' for r in got)}), centre + database "
              f"median {median(r.cpu_ms for r in got):.1f} ms CPU a session, usage p99 median "
              f"{median(r.usage_p99_ms for r in got):.0f} ms (runs {', '.join(f'{r.usage_p99_ms:.0f}' for r in got)})")
    if 1 in by_count and 2 in by_count:  # rounds alternate 1,2,1,2: the medians, not one lucky run
        ratio = median(r.sessions_per_s for r in by_count[2]) / median(r.sessions_per_s for r in by_count[1])
        pairs = [b.sessions_per_s / a.sessions_per_s for a, b in zip(by_count[1], by_count[2], strict=False)]
        print(f"{label}two processes / one: {ratio:.2f}x ingest, medians (target >= 1.3x); round by round "
              f"{', '.join(f'{x:.2f}x' for x in pairs)}; load {os.getloadavg()[0]:.1f}")
        # What a second process could add at most if a session cost it no more CPU than one process: the cores
        # one process already keeps busy (its centre, PostgreSQL, nginx, the rooms) against those there are,
        # and against those the machine's other users left.
        one, cores = median(r.cores for r in by_count[1]), os.cpu_count() or 1
        others = median(r.others for r in by_count[1] + by_count[2])
        print(f"{label}ceiling of two / one on this machine: {cores / one:.2f}x ({cores} cores / {one:.2f} one "
              f"process keeps busy); {max(cores - others, 0.0) / one:.2f}x with the ~{others:.2f} cores others used")


if __name__ == "__main__":
    sys.exit(main())
