"""Upload of a 1 GB recording to the local centre service: the room's sync against ``curl`` (target ratio >= 0.8).

Both upload the same file to the same service (a separate process, on loopback) in the same run; the
ratio is curl's time over ours (1.0: as fast as curl). Usage: python bench/sync_upload.py [--mb 1024] [--runs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom_console.store import AsyncStore, open_store  # noqa: E402
from classroom_console.sync import SyncConfig, SyncEngine  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_file(path: Path, size: int) -> str:
    hasher = hashlib.sha256()
    block = os.urandom(8 << 20)
    with open(path, "wb") as fh:
        left = size
        while left:
            piece = block[: min(len(block), left)]
            fh.write(piece)
            hasher.update(piece)
            left -= len(piece)
    return hasher.hexdigest()


def start_centre(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--port", str(port),
                             "--data", str(data)], env=env, cwd=ROOT)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ping", timeout=1)
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("centre did not start")


def add_room(data: Path, name: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "classroom_console", "centre", "add-room", name, "--data", str(data)],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def announce(url: str, token: str, rid: str, size: int, sha: str) -> None:
    body = json.dumps({"id": rid, "size": size, "sha256": sha, "started_at": "2026-11-24T10:00:00Z"}).encode()
    req = urllib.request.Request(f"{url}/api/v1/recordings", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def curl_upload(url: str, token: str, rid: str, path: Path) -> float:
    started = time.perf_counter()
    out = subprocess.run(["curl", "-sS", "-X", "PATCH", "-H", f"Authorization: Bearer {token}",
                          "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                          "-T", str(path),
                          f"{url}/api/v1/recordings/{rid}"], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert json.loads(out.stdout)["complete"] is True, out.stdout
    return elapsed


async def ours(room: Path, url: str, token: str, path: Path, size: int, sha: str) -> float:
    s = open_store(room)
    rid = s.add_recording(None, str(path))
    s.finish_recording(rid, duration_s=3600.0, size_bytes=size, sha256=sha)
    s.db.execute("UPDATE upload_queue SET state = 'done'")
    s.close()
    store = await AsyncStore.open(room)
    engine = SyncEngine(store, SyncConfig(url, token))
    try:
        started = time.perf_counter()
        result = await engine.run_once()
        elapsed = time.perf_counter() - started
        assert result.uploaded == 1 and result.failed == 0, result
        return elapsed
    finally:
        await engine.close()
        await store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=4)
    args = ap.parse_args()
    size = args.mb << 20
    tmp = Path(tempfile.mkdtemp(prefix="cc-upload-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = None
    try:
        path = tmp / "lecture.mp4"
        t = time.perf_counter()
        sha = make_file(path, size)
        print(f"{size / 2**20:.0f} MiB test recording written and hashed in {time.perf_counter() - t:.1f} s")
        data = tmp / "centre"
        token = add_room(data, "Bench room")
        proc = start_centre(data, port)
        best_curl = best_ours = float("inf")
        curls: list[float] = []
        syncs: list[float] = []
        for run in range(args.runs):
            rid = f"curl-{run}"
            announce(url, token, rid, size, sha)
            # Alternate who goes first, and flush the previous run's dirty pages, so neither pays for the other.
            os.sync()
            if run % 2:
                o = asyncio.run(ours(tmp / f"room-{run}", url, token, path, size, sha))
                os.sync()
                c = curl_upload(url, token, rid, path)
            else:
                c = curl_upload(url, token, rid, path)
                os.sync()
                o = asyncio.run(ours(tmp / f"room-{run}", url, token, path, size, sha))
            best_curl, best_ours = min(best_curl, c), min(best_ours, o)
            curls.append(c)
            syncs.append(o)
            mb = size / 1e6
            print(f"run {run + 1}: curl {c:.2f} s ({mb / c:.0f} MB/s), sync {o:.2f} s ({mb / o:.0f} MB/s)")
            for f in (data / "rooms").glob("*/recordings/*.bin"):
                f.unlink()
        med_c, med_o = sorted(curls)[len(curls) // 2], sorted(syncs)[len(syncs) // 2]
        print(f"median: curl {med_c:.2f} s, sync {med_o:.2f} s; ratio {med_c / med_o:.2f}")
        ratio = best_curl / best_ours
        print(f"best: curl {best_curl:.2f} s, sync {best_ours:.2f} s; ratio (curl time / sync time) {ratio:.2f}"
              f" (target >= 0.8: {'ok' if ratio >= 0.8 else 'BELOW'})")
        return 0 if ratio >= 0.8 else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
