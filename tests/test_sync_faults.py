"""The sync under faults: a link that stalls with its sockets open, and a queue item that cannot be sent."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from pathlib import Path

from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash
from classroom_console.store import AsyncStore
from classroom_console.sync import CentreClient
from classroom_console.sync import items as sync_items
from tests.test_sync_support import StallProxy, add_token, engine_for, file_sha256, fill_room, running_centre

ROOT = Path(__file__).resolve().parent.parent


async def cli(*args: str, env: dict[str, str] | None = None, bound_s: float = 120) -> tuple[int, str, str, float]:
    """The real command in a child process: return code, stdout, stderr and how long it took."""
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", *args, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(bound_s):
        out, err = await proc.communicate()
    return int(proc.returncode or 0), out.decode(), err.decode(), time.monotonic() - started


async def centre_offset(url: str, token: str, recording_id: str) -> int:
    client = CentreClient(url, token)
    try:
        return int((await client.recording_status(recording_id))["offset"])
    finally:
        await client.close()


async def test_a_stalled_link_ends_the_try_keeps_the_offset_and_resumes(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=2, recording_bytes=6_000_000))
        async with running_centre(tmp_path / "centre") as centre, StallProxy(centre.port, after=2_500_000) as link:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, f"http://127.0.0.1:{link.port}", token, stall_timeout_s=1.0)
            try:
                started = time.monotonic()
                stalled = await engine.run_once()
                took = time.monotonic() - started
                assert link.tripped.is_set()
                assert stalled.offline and "stalled" in stalled.offline and stalled.pending == 1, stalled
                assert engine.progress.reason == "stalled"
                assert took < 30, f"a stalled link held the pass for {took:.1f} s"  # the timeout is 1 s
                link.release()  # the link comes back: the stalled connections are reset
                kept = 0
                async with asyncio.timeout(60):  # the centre notices the cut connection and keeps what arrived
                    while kept == 0:
                        kept = await centre_offset(centre.url, token, room["recording"])
                        await asyncio.sleep(0.05)
                assert 0 < kept < room["size"]
                resumed = await engine.run_once(force=True)
            finally:
                await engine.close()
        assert (resumed.uploaded, resumed.failed, resumed.pending) == (1, 0, 0), resumed.offline
        files = list((tmp_path / "centre" / "rooms").glob("*/recordings/*.bin"))
        assert len(files) == 1 and file_sha256(files[0]) == room["sha256"]
    finally:
        await store.close()


async def test_sync_once_over_a_stalled_link_ends_in_bounded_time_and_says_why(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=4_000_000))
    finally:
        await store.close()
    async with running_centre(tmp_path / "centre") as centre, StallProxy(centre.port, after=1_000_000) as link:
        token_file = tmp_path / "token"
        token_file.write_text(await add_token(centre, "Room 101") + "\n")
        token_file.chmod(0o600)
        args = ("--data-dir", str(tmp_path / "room"), "sync", "--once", "--centre", f"http://127.0.0.1:{link.port}",
                "--token-file", str(token_file), "--stall-timeout", "2")
        code, out, err, took = await cli(*args)
        assert code == 4, (out, err)
        assert took < 60, f"sync --once took {took:.1f} s over a stalled link"
        assert "nothing moved for too long" in err and "Traceback" not in err
        assert "uploaded 1, failed 0, still queued 1" in out
        link.release()
        code, out, err, _ = await cli(*args)
        assert code == 0, (out, err)
        assert "uploaded 1, failed 0, still queued 0" in out


async def test_a_recording_that_is_a_folder_is_set_aside_and_the_rest_go_on(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.mp4"
    folder.mkdir()
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=2))
        bad = await store.call(lambda s: s.add_recording(None, str(folder)))
        await store.call(lambda s: s.finish_recording(bad, duration_s=1.0, size_bytes=10, sha256=""))
    finally:
        await store.close()
    room = ("--data-dir", str(tmp_path / "room"))

    code, out, err, _ = await cli(*room, "sync", "--once", "--centre", "http://127.0.0.1:9", "--token", "t")
    assert code == 4 and "Traceback" not in err, err  # the centre away: nothing crashes, everything is kept

    async with running_centre(tmp_path / "centre") as centre:
        env = {"CLASSROOM_CONSOLE_TOKEN": await add_token(centre, "Room 101")}
        code, out, err, _ = await cli(*room, "sync", "--once", "--centre", centre.url, env=env)
        assert code == 5, (out, err)
        assert "uploaded 2, failed 1, still queued 0" in out
        assert "Traceback" not in err
        assert f"set aside: Recording {bad}: its path is not a file" in err and str(folder) not in err  # -v: path
        again = await cli(*room, "sync", "--once", "--centre", centre.url, env=env)
        assert again[0] == 0 and "uploaded 0, failed 0, still queued 0" in again[1]
        assert "1 item in all is set aside" in again[2]  # one item, said in the singular

    store = await AsyncStore.open(tmp_path / "room")
    try:
        assert await store.call(sync_items.counts) == {"done": 2, "failed": 1}
        [failed] = await store.call(sync_items.failed_items)
        assert failed["reason"] == "not_a_file" and failed["item_id"] == bad
    finally:
        await store.close()
    code, out, err, _ = await cli(*room, "usage")
    assert code == 0 and f"  Recording {bad}: its path is not a file" in out.splitlines(), (out, err)
    code, out, err, _ = await cli(*room, "-v", "usage")
    assert code == 0 and str(folder) in out, (out, err)

    await asyncio.to_thread(folder.rmdir)
    await asyncio.to_thread(folder.write_bytes, b"0123456789")  # the user puts the file where it belongs
    async with running_centre(tmp_path / "centre") as centre:
        fixed = await cli(*room, "sync", "--once", "--retry-failed", "--centre", centre.url, env=env)
    assert fixed[0] == 0 and "1 item set aside is queued again" in fixed[1], fixed
    assert "uploaded 1, failed 0, still queued 0" in fixed[1]


async def test_recording_paths_are_stored_absolute(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        rid = await store.add_recording(None, "lecture.mp4")
        row = await store.call(lambda s: s.recording(rid))
    finally:
        await store.close()
    assert row is not None and Path(row["path"]) == Path.cwd() / "lecture.mp4"


async def test_continuous_sync_says_what_it_is_doing(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=2))
    finally:
        await store.close()
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path / "room"), "sync",
        "--centre", f"http://127.0.0.1:{port}", "--token-file", str(tmp_path / "token"), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    token = issue_token()
    (tmp_path / "token").write_text(token)
    lines: list[str] = []

    async def until(prefix: str) -> str:
        assert proc.stdout is not None
        async with asyncio.timeout(90):
            while True:
                line = (await proc.stdout.readline()).decode()
                assert line, f"sync ended before saying {prefix!r}: {lines}"
                lines.append(line.rstrip("\n"))
                if line.startswith(prefix):
                    return line

    try:
        assert "the centre cannot be reached" in await until("offline: ")
        retry = await until("retrying at ")
        assert time.strptime(retry.split()[2], "%H:%M:%S")
        async with running_centre(tmp_path / "centre", port=port) as centre:
            assert centre.db is not None
            await centre.db.add_token(token_hash(token), "Room 101", ROOM, folder_for("Room 101"))
            await until("sending 1 of 2")
            await until("up to date")
            proc.send_signal(2)  # Ctrl+C
            async with asyncio.timeout(60):
                out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 130 and "stopped; 0 still queued" in out.decode(), (lines, out, err)
    assert all(a != b for a, b in itertools.pairwise(lines)), lines  # a line only when the state changes


async def test_help_says_how_to_keep_the_token_out_of_ps() -> None:
    code, out, _, _ = await cli("sync", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "--token-file" in text and "CLASSROOM_CONSOLE_TOKEN" in text and "'ps'" in text
