"""300 rooms syncing at once: one centre process on SQLite, and 1, 2 and 4 processes behind nginx on PostgreSQL.

Each room is a real room store and SyncEngine (5 ended sessions of 40 events and one 512 KiB recording) in this
process; the centre processes are real ``centre serve`` processes on loopback, PostgreSQL a throwaway Debian
cluster (initdb in a temp folder), nginx Debian's, run from a temp prefix. While the rooms sync, staff ask
for the usage report over and over; the bench prints, for each set-up, the sessions ingested per second,
the rooms' request latency and the usage report's p99.

Targets (issue 18): two processes ingest at least 1.3x what one does (on PostgreSQL behind nginx), and the
usage report's p99 stays under 250 ms. References in the same run: one process on SQLite, one on PostgreSQL.
Usage: python bench/sync_rooms.py [--rooms 300] [--processes 1,2,4] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom_console.centre import config as centre_config  # noqa: E402
from classroom_console.centre import config_nginx  # noqa: E402
from classroom_console.centre.backends import open_configured  # noqa: E402
from classroom_console.centre.tokens import ROOM, STAFF, folder_for, issue_token, token_hash  # noqa: E402
from classroom_console.store import AsyncStore, Event, open_store  # noqa: E402
from classroom_console.sync import CentreClient, SyncConfig, SyncEngine  # noqa: E402

SESSIONS = 5
LATENCIES: list[float] = []
ERRORS: list[str] = []
_original = CentreClient._request


async def _timed(self: CentreClient, method: str, path: str, *args: Any, **kw: Any) -> Any:
    started = time.perf_counter()
    try:
        return await _original(self, method, path, *args, **kw)
    except Exception as exc:
        ERRORS.append(f"{method} {path}: {exc}")
        raise
    finally:
        LATENCIES.append(time.perf_counter() - started)


CentreClient._request = _timed  # type: ignore[method-assign]


def fill(folder: Path, n: int) -> None:
    store = open_store(folder, synchronous="NORMAL")
    store.upsert_room(f"room:{n}", f"Room {n}")
    for k in range(SESSIONS):
        sid = store.start_session(room_id=f"room:{n}", lecturer=f"Lecturer {k}", course=f"Course {k}")
        store.add_events([Event(sid, f"mac:{n}:{i % 4}", "state", {"i": i}) for i in range(40)])
        store.end_session(sid)
    path = folder / "lecture.mp4"
    data = os.urandom(512 << 10)
    path.write_bytes(data)
    rid = store.add_recording(sid, str(path))
    store.finish_recording(rid, duration_s=60.0, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    store.close()


def requeue(folder: Path) -> None:
    """The same room again for the next set-up: everything pending once more."""
    store = open_store(folder, synchronous="NORMAL")
    try:
        store.db.execute("UPDATE upload_queue SET state = 'pending'")
    finally:
        store.close()


async def add_tokens(config: centre_config.CentreConfig, rooms: int) -> tuple[list[str], str]:
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


async def ask_usage(url: str, staff: str, stop: asyncio.Event, times: list[float]) -> None:
    """Staff screens asking for the whole usage report while the rooms sync."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {staff}"}) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                async with http.get(f"{url}/api/v1/usage") as r:
                    await r.read()
                    if r.status != 200:
                        ERRORS.append(f"usage: HTTP {r.status}")
            except aiohttp.ClientError as exc:
                ERRORS.append(f"usage: {exc}")
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)


async def sync_rooms(folders: list[Path], url: str, tokens: list[str], staff: str | None,
                     usage_times: list[float]) -> float:
    stores = [await AsyncStore.open(f, synchronous="NORMAL") for f in folders]
    engines = [SyncEngine(s, SyncConfig(url, t)) for s, t in zip(stores, tokens, strict=True)]
    stop = asyncio.Event()
    askers = [asyncio.ensure_future(ask_usage(url, staff, stop, usage_times)) for _ in range(4)] if staff else []
    try:
        started = time.perf_counter()
        results = await asyncio.gather(*(e.run_once() for e in engines), return_exceptions=True)
        elapsed = time.perf_counter() - started
        for r in results:
            if isinstance(r, BaseException):
                ERRORS.append(repr(r))
            elif r.uploaded != SESSIONS + 1 or r.failed or r.pending:
                ERRORS.append(f"incomplete: {r}")
        return elapsed
    finally:
        stop.set()
        await asyncio.gather(*askers, return_exceptions=True)
        for e in engines:
            await e.close()
        for s in stores:
            await s.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres(tmp: Path) -> Iterator[str]:
    """A throwaway cluster on loopback (trust, fsync off as in the tests: the bench measures the centre)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    bindir = Path(bins[-1]).parent
    folder = tmp / "pg"
    folder.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                                 "--no-sync"]), check=True, capture_output=True)
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-o", opts, "-l",
                                 str(folder / "log"), "-w", "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate",
                                     "stop"]), capture_output=True)


@contextmanager
def nginx(prefix: Path, ports: list[int]) -> Iterator[str]:
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix.mkdir(parents=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(config_nginx.standalone([f"127.0.0.1:{p}" for p in ports], f"127.0.0.1:{port}", prefix,
                                            per_client=0))
    proc = subprocess.Popen([nginx_bin, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=30)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc: no extra package)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


@dataclass
class Result:
    name: str
    sessions_per_s: float
    requests: int
    p99_ms: float
    usage_p99_ms: float
    usage_n: int


def run_setup(name: str, tmp: Path, folders: list[Path], config: centre_config.CentreConfig,
              processes: int, behind_nginx: bool) -> Result:
    centre_config.save(config)
    tokens, staff = asyncio.run(add_tokens(config, len(folders)))
    for f in folders:
        requeue(f)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs: list[subprocess.Popen[bytes]] = []
    ports = [free_port() for _ in range(processes)]
    try:
        for port in ports:
            # Every room here shares one address (and behind nginx every connection is nginx's): no per-address cap.
            proc = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--port", str(port),
                                     "--data", str(config.data), "--max-connections-per-client", "0"],
                                    env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            procs.append(proc)
            wait_http(f"http://127.0.0.1:{port}", proc)
        LATENCIES.clear()
        usage_times: list[float] = []
        centre_cpu = sum(cpu_s(p.pid) for p in procs)
        client_cpu = time.process_time()
        if behind_nginx:
            with nginx(tmp / f"nginx-{config.data.name}", ports) as url:
                elapsed = asyncio.run(sync_rooms(folders, url, tokens, staff, usage_times))
        else:
            elapsed = asyncio.run(sync_rooms(folders, f"http://127.0.0.1:{ports[0]}", tokens, staff, usage_times))
        centre_cpu = sum(cpu_s(p.pid) for p in procs) - centre_cpu
        client_cpu = time.process_time() - client_cpu
        result = Result(name, len(folders) * SESSIONS / elapsed, len(LATENCIES), pct(LATENCIES, 0.99),
                        pct(usage_times, 0.99), len(usage_times))
        print(f"{name:34s} {result.sessions_per_s:7.0f} sessions/s in {elapsed:5.1f} s; rooms' requests "
              f"p99 {result.p99_ms:5.0f} ms ({result.requests}); usage report p99 {result.usage_p99_ms:5.0f} ms "
              f"({result.usage_n} asked); CPU: centre {centre_cpu:.1f} s, rooms (this process) {client_cpu:.1f} s; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        return result
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rooms", type=int, default=300)
    ap.add_argument("--processes", default="1,2,4", help="centre processes behind nginx on PostgreSQL, each run")
    ap.add_argument("--no-sqlite", action="store_true", help="skip the one-process SQLite reference")
    args = ap.parse_args()
    counts = [int(n) for n in args.processes.split(",") if n.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="cc-rooms-"))
    tmp.chmod(0o755)
    results: list[Result] = []
    try:
        folders = [tmp / f"room-{n}" for n in range(args.rooms)]
        t = time.perf_counter()
        for n, f in enumerate(folders):
            fill(f, n)
        print(f"{args.rooms} room stores prepared in {time.perf_counter() - t:.1f} s; {os.cpu_count()} cores")
        if not args.no_sqlite:
            config = centre_config.CentreConfig(tmp / "centre-sqlite")
            results.append(run_setup("1 process, SQLite (reference)", tmp, folders, config, 1, False))
        with postgres(tmp) as server:
            for n in counts:
                db = f"centre{n}"
                subprocess.run(_as_postgres(["psql", "-q", "-h", "127.0.0.1", "-p", server.rsplit(":", 1)[1],
                                             "-U", "postgres", "-c", f"CREATE DATABASE {db}"]), check=True)
                url = f"{server}/{db}?sslmode=disable"
                config = centre_config.CentreConfig(tmp / f"centre-pg{n}", centre_config.POSTGRESQL, url,
                                                    tmp / f"files-pg{n}")
                results.append(run_setup(f"{n} process(es), PostgreSQL, nginx", tmp, folders, config, n, True))
        by_count = {n: r for n, r in zip(counts, results[-len(counts):], strict=True)}
        if 1 in by_count and 2 in by_count:
            ratio = by_count[2].sessions_per_s / by_count[1].sessions_per_s
            print(f"two processes / one: {ratio:.2f}x ingest (target >= 1.3x)")
        worst = max(r.usage_p99_ms for r in results)
        print(f"usage report p99, worst set-up: {worst:.0f} ms (target < 250 ms); errors {len(ERRORS)}")
        for e in ERRORS[:10]:
            print("  ", e)
        return 0 if not ERRORS else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
