"""The library serving one 1080p recording to many viewers at once, beside Debian's nginx serving the same file.

Each viewer (its own loopback address, 127.0.2.N, as students have their own phones) asks range requests of --part
bytes one after another from a random place in the file, for --seconds: flat out (throughput), then paced as a
6 Mbit/s player fetches, the players starting at different moments (time to first byte). The centre runs
as `classroom-console centre serve` in its own process (the lecture synced into it by a room and published);
nginx runs with a temporary configuration on another loopback port, serving the centre's stored copy of the file.
Prints throughput of each and their ratio (target >= 0.8x nginx) and the p99 time to first byte (target < 100 ms).
Usage: python bench/library.py [--viewers 100] [--seconds 10] [--part 2097152]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom_console.centre.library_db import LibraryData, public_key  # noqa: E402
from classroom_console.centre.server import CentreOptions, CentreServer  # noqa: E402
from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash  # noqa: E402
from classroom_console.store import AsyncStore, Store, utc_iso  # noqa: E402
from classroom_console.sync import SyncConfig, SyncEngine  # noqa: E402
from classroom_console.sync.items import file_sha256  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench/library.py: {what} exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench/library.py: {what} did not start listening")


def make_recording(path: Path, seconds: int) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264",
                    "-preset", "ultrafast", "-b:v", "6M", "-pix_fmt", "yuv420p", "-g", "60", "-c:a", "aac",
                    "-movflags", "+frag_keyframe+empty_moov+default_base_moof", str(path)], check=True, timeout=600)


async def prepare(folder: Path, mp4: Path, args_length: int) -> tuple[str, Path]:
    """A room's store holding the lecture, synced to a centre and published; returns its key and stored file."""
    store = await AsyncStore.open(folder / "room")
    try:
        def add(st: Store) -> str:
            st.upsert_room("room:A", "A")
            sid = st.start_session(room_id="room:A", lecturer="Bench", course="Bench 101")
            rid = st.add_recording(sid, str(mp4))
            sha, size = file_sha256(str(mp4))
            st.finish_recording(rid, duration_s=float(args_length), size_bytes=size, sha256=sha)
            st.end_session(sid)
            return rid

        rid = await store.call(add)
        server = CentreServer(CentreOptions(data_dir=folder / "centre", port=0))
        await server.start()
        try:
            assert server.db is not None
            token = issue_token()
            await server.db.add_token(token_hash(token), "Room 101", ROOM, folder_for("Room 101"))
            engine = SyncEngine(store, SyncConfig(server.url, token, chunk_bytes=64 << 20))
            try:
                result = await engine.run_once(force=True)
            finally:
                await engine.close()
            assert result.failed == 0 and not result.offline, result
            await LibraryData(server.db).set_published("Room 101", rid, True, utc_iso())
        finally:
            await server.stop()
    finally:
        await store.close()
    (stored,) = (folder / "centre" / "rooms").glob("*/recordings/*.bin")
    return public_key("Room 101", rid), stored


def nginx_config(folder: Path, port: int, served: Path, workers: str) -> Path:
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"daemon off;\n{'master_process off;' if workers == '1' else ''}\n{user}worker_processes {workers};\n"
        f"error_log {folder}/error.log warn;\npid {folder}/nginx.pid;\n"
        "events { worker_connections 1024; }\n"
        "http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n"
        f"  client_body_temp_path {folder}/tmp; proxy_temp_path {folder}/tmp; fastcgi_temp_path {folder}/tmp;\n"
        f"  uwsgi_temp_path {folder}/tmp; scgi_temp_path {folder}/tmp;\n"
        f"  server {{ listen 127.0.0.1:{port};\n"
        f"    location = /v.mp4 {{ alias {served}; default_type video/mp4; }} }} }}\n")
    (folder / "tmp").mkdir(exist_ok=True)
    return conf


class RangeClient(asyncio.Protocol):
    """A bare HTTP/1.1 keep-alive client that only counts body bytes: cheap, so the servers are what is measured."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.left = -1  # body bytes still to come; -1: reading the head
        self.status = 0
        self.got = 0
        self.first: asyncio.Future[float] | None = None
        self.done: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def request(self, path: str, start: int, end: int) -> tuple[asyncio.Future[float], asyncio.Future[None]]:
        loop = asyncio.get_running_loop()
        self.first, self.done = loop.create_future(), loop.create_future()
        self.head, self.left = b"", -1
        assert self.transport is not None
        self.transport.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes={start}-{end}\r\n\r\n".encode())
        return self.first, self.done

    def data_received(self, data: bytes) -> None:
        if self.left < 0:
            self.head += data
            at = self.head.find(b"\r\n\r\n")
            if at < 0:
                return
            head, data = self.head[:at], self.head[at + 4:]
            self.status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            self.left = length
        if data and self.first is not None and not self.first.done():
            self.first.set_result(time.perf_counter())
        self.left -= len(data)
        self.got += len(data)
        if self.left <= 0 and self.done is not None and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.first, self.done):
            if future is not None and not future.done():
                future.set_exception(ConnectionError("the server closed the connection"))


async def viewer(n: int, port: int, path: str, size: int, part: int, until: float, ttfb: list[float],
                 every_s: float) -> int:
    """One student's player: consecutive ranges from a random place (one each ``every_s``, 0: back to back)."""
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(RangeClient, "127.0.0.1", port,
                                             local_addr=(f"127.0.2.{n % 250 + 1}", 0))
    offset = random.randrange(0, max(1, size - part))
    if every_s:
        await asyncio.sleep(random.uniform(0.0, every_s))  # players start at different moments, not all at once
    try:
        while time.perf_counter() < until:
            end = min(size, offset + part) - 1
            t0 = time.perf_counter()
            first, done = client.request(path, offset, end)
            ttfb.append(await first - t0)
            await done
            if client.status != 206:
                raise SystemExit(f"bench/library.py: {path} answered {client.status}")
            offset = end + 1 if end + 1 < size else 0
            if every_s:
                await asyncio.sleep(max(0.0, t0 + every_s - time.perf_counter()))
    finally:
        assert client.transport is not None
        client.transport.close()
    return client.got


async def load(port: int, path: str, size: int, viewers: int, seconds: float, part: int,
               every_s: float = 0.0) -> tuple[float, list[float]]:
    ttfb: list[float] = []
    start = time.perf_counter()
    got = await asyncio.gather(*(viewer(n, port, path, size, part, start + seconds, ttfb, every_s)
                                 for n in range(viewers)))
    return sum(got) / (time.perf_counter() - start), ttfb


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of each flat-out round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--play-seconds", type=float, default=10.0)
    parser.add_argument("--part", type=int, default=8 << 20, help="bytes per range request (Chromium asks an "
                        "open-ended range and reads on; the centre cuts one answer at 16 MiB)")
    parser.add_argument("--play-part", type=int, default=1 << 20, help="bytes per range while playing")
    parser.add_argument("--length", type=int, default=20, help="seconds of 1080p recording to make")
    parser.add_argument("--nginx-workers", default="1", help="nginx's worker_processes (default 1: one process, "
                        "as the centre serves from one; 'auto' gives it every core)")
    parser.add_argument("--file", type=Path, help="an existing 1080p MP4 to serve instead of making one")
    args = parser.parse_args()
    if shutil.which("nginx") is None or shutil.which("ffmpeg") is None:
        print("bench/library.py: needs nginx and ffmpeg (scripts/setup.sh installs them)")
        return 1
    with tempfile.TemporaryDirectory(prefix="cc-library-bench-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)
        mp4 = folder / "lecture.mp4"
        if args.file is not None:
            shutil.copyfile(args.file, mp4)
        else:
            make_recording(mp4, args.length)
        key, stored = asyncio.run(prepare(folder, mp4, args.length))
        size = stored.stat().st_size
        centre_port, nginx_port = free_port(), free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        centre = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--data",
                                   str(folder / "centre"), "--port", str(centre_port)],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        nginx_dir = folder / "nginx"
        nginx_dir.mkdir()
        conf = nginx_config(nginx_dir, nginx_port, stored, args.nginx_workers)
        nginx = subprocess.Popen(["nginx", "-p", str(nginx_dir), "-c", str(conf)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            wait_listening(centre_port, centre, "the centre")
            wait_listening(nginx_port, nginx, "nginx")
            print(f"{args.viewers} viewers, {args.part >> 10} KiB ranges, one 1080p "
                  f"recording of {size / 1e6:.1f} MB; each viewer from its own loopback address")
            ours, ref = (centre_port, f"/library/media/{key}.mp4"), (nginx_port, "/v.mp4")
            asyncio.run(load(*ref, size, 4, 1.0, args.part))  # the page cache warm for both
            ratios: list[float] = []
            ref_runs: list[float] = []
            ours_runs: list[float] = []
            ref_ttfb: list[float] = []
            ours_ttfb: list[float] = []
            cpu = {"ref": 0.0, "ours": 0.0}
            sent = {"ref": 0.0, "ours": 0.0}
            for _ in range(args.rounds):  # taken in turns: the machine's other load falls on both alike
                for name, target, pid, runs, firsts in (("ref", ref, nginx.pid, ref_runs, ref_ttfb),
                                                        ("ours", ours, centre.pid, ours_runs, ours_ttfb)):
                    before, t0 = cpu_s(pid), time.perf_counter()
                    bps, ttfb = asyncio.run(load(*target, size, args.viewers, args.seconds, args.part))
                    cpu[name] += cpu_s(pid) - before
                    sent[name] += bps * (time.perf_counter() - t0)
                    runs.append(bps)
                    firsts += ttfb
                ratios.append(ours_runs[-1] / ref_runs[-1])
            ref_bps, ours_bps = p(ref_runs, 0.5), p(ours_runs, 0.5)
            # Players: each fetches a range as it plays (6 Mbit/s), the way 100 students watch the lecture.
            every = args.play_part * 8 / 6e6
            _, ref_play = asyncio.run(load(*ref, size, args.viewers, args.play_seconds, args.play_part, every))
            _, ours_play = asyncio.run(load(*ours, size, args.viewers, args.play_seconds, args.play_part, every))
        finally:
            for proc in (centre, nginx):
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    ratio = p(ratios, 0.5)
    print(f"  (this machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end: other work "
          "shares the cores with both servers and the viewers)")
    print(f"  flat out (each viewer asks the next range as soon as one ends; {args.rounds} rounds of "
          f"{args.seconds:g} s each, in turns; medians):")
    for name, bps, ttfb in ((f"nginx (reference: worker_processes {args.nginx_workers}, sendfile)", ref_bps, ref_ttfb),
                            ("the library (centre serve, one process)", ours_bps, ours_ttfb)):
        print(f"    {name:52s} {bps * 8 / 1e9:5.2f} Gbit/s, time to first byte p50 {p(ttfb, 0.5) * 1000:6.1f} ms, "
              f"p99 {p(ttfb, 0.99) * 1000:6.1f} ms ({len(ttfb)} ranges)")
    print(f"  playing ({args.play_part >> 10} KiB each {args.play_part * 8 / 6e6:.1f} s per viewer, as a 6 Mbit/s "
          "player fetches):")
    for name, ttfb in (("nginx", ref_play), ("the library", ours_play)):
        print(f"    {name:52s} time to first byte p50 {p(ttfb, 0.5) * 1000:6.1f} ms, "
              f"p99 {p(ttfb, 0.99) * 1000:6.1f} ms ({len(ttfb)} ranges)")
    p99 = p(ours_play, 0.99)
    print(f"  throughput ratio per round: {', '.join(f'{r:.2f}' for r in ratios)}; CPU per GB served (the "
          f"server's own, whatever else runs): nginx {cpu['ref'] / (sent['ref'] / 1e9):.2f} s, the library "
          f"{cpu['ours'] / (sent['ours'] / 1e9):.2f} s")
    print(f"  throughput {ratio:.2f}x nginx (median; target >= 0.8x): {'ok' if ratio >= 0.8 else 'MISSED'}; "
          f"p99 time to first byte while 100 play {p99 * 1000:.1f} ms (target < 100 ms): "
          f"{'ok' if p99 < 0.1 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
