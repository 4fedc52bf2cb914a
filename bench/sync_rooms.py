"""300 rooms syncing at once to one centre service (target: errors 0; prints p50/p99 request latency).

Each room is a real room store and SyncEngine (5 ended sessions of 40 events and one 512 KiB recording)
in this process; the centre runs as its own process on loopback, as in production. Reference in the same
run: the same requests from one room alone. Usage: python bench/sync_rooms.py [--rooms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom_console.centre.backends import open_centre_db  # noqa: E402
from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash  # noqa: E402
from classroom_console.store import AsyncStore, Event, open_store  # noqa: E402
from classroom_console.sync import CentreClient, SyncConfig, SyncEngine  # noqa: E402

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
    for k in range(5):
        sid = store.start_session(room_id=f"room:{n}", lecturer=f"Lecturer {k}", course=f"Course {k}")
        store.add_events([Event(sid, f"mac:{n}:{i % 4}", "state", {"i": i}) for i in range(40)])
        store.end_session(sid)
    path = folder / "lecture.mp4"
    data = os.urandom(512 << 10)
    path.write_bytes(data)
    import hashlib

    rid = store.add_recording(sid, str(path))
    store.finish_recording(rid, duration_s=60.0, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    store.close()


async def add_tokens(data: Path, rooms: int) -> list[str]:
    db = await open_centre_db(data)
    tokens = []
    try:
        for n in range(rooms):
            token = issue_token()
            await db.add_token(token_hash(token), f"Room {n}", ROOM, folder_for(f"Room {n}"))
            tokens.append(token)
    finally:
        await db.close()
    return tokens


async def sync_rooms(folders: list[Path], url: str, tokens: list[str]) -> float:
    stores = [await AsyncStore.open(f, synchronous="NORMAL") for f in folders]
    engines = [SyncEngine(s, SyncConfig(url, t)) for s, t in zip(stores, tokens, strict=True)]
    try:
        started = time.perf_counter()
        results = await asyncio.gather(*(e.run_once() for e in engines), return_exceptions=True)
        elapsed = time.perf_counter() - started
        for r in results:
            if isinstance(r, BaseException):
                ERRORS.append(repr(r))
            elif r.uploaded != 6 or r.failed or r.pending:
                ERRORS.append(f"incomplete: {r}")
        return elapsed
    finally:
        for e in engines:
            await e.close()
        for s in stores:
            await s.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rooms", type=int, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cc-rooms-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = None
    try:
        folders = [tmp / f"room-{n}" for n in range(args.rooms + 1)]
        t = time.perf_counter()
        for n, f in enumerate(folders):
            fill(f, n)
        tokens = asyncio.run(add_tokens(tmp / "centre", args.rooms + 1))
        print(f"{args.rooms + 1} room stores prepared in {time.perf_counter() - t:.1f} s")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--port", str(port),
                                 "--data", str(tmp / "centre")], env=env, cwd=ROOT)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/api/v1/ping", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        asyncio.run(sync_rooms(folders[-1:], url, tokens[-1:]))
        alone = list(LATENCIES)
        LATENCIES.clear()
        print(f"reference, one room alone: {len(alone)} requests, p50 {pct(alone, 0.5):.1f} ms, "
              f"p99 {pct(alone, 0.99):.1f} ms")
        elapsed = asyncio.run(sync_rooms(folders[:-1], url, tokens[:-1]))
        n = len(LATENCIES)
        print(f"{args.rooms} rooms at once: {n} requests in {elapsed:.1f} s ({n / elapsed:.0f} req/s); "
              f"p50 {pct(LATENCIES, 0.5):.0f} ms, p99 {pct(LATENCIES, 0.99):.0f} ms, "
              f"max {max(LATENCIES) * 1000:.0f} ms; errors {len(ERRORS)}")
        for e in ERRORS[:10]:
            print("  ", e)
        return 0 if not ERRORS else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
