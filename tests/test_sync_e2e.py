"""The room's sync against the real centre service on loopback: intact, idempotent, patient, resumable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from classroom_console.store import AsyncStore
from classroom_console.sync import AuthRefused
from classroom_console.sync import items as sync_items
from classroom_console.sync.progress import SyncProgress
from tests.test_sync_support import CutProxy, add_token, engine_for, file_sha256, fill_room, running_centre


def centre_rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "centre.db") as conn:
        return conn.execute(sql).fetchall()


async def test_sessions_and_a_recording_arrive_intact(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=3, events=7, recording_bytes=3_000_001))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token, chunk_bytes=1 << 20)
            try:
                result = await engine.run_once()
                again = await engine.run_once(force=True)
            finally:
                await engine.close()
        assert (result.uploaded, result.failed, result.pending) == (4, 0, 0), result.offline
        assert again.uploaded == 0
        files = list((tmp_path / "centre" / "rooms").glob("*/recordings/*.bin"))
        assert len(files) == 1 and file_sha256(files[0]) == room["sha256"]
        sessions = centre_rows(tmp_path / "centre", "SELECT room_id, id FROM sessions ORDER BY id")
        assert sessions == sorted(("Room 101", sid) for sid in room["sessions"])
        assert centre_rows(tmp_path / "centre", "SELECT count(*) FROM session_events") == [(21,)]
        assert centre_rows(tmp_path / "centre", "SELECT complete, sha256 FROM recordings") == [(1, room["sha256"])]
        assert room["path"].exists()  # not opted in: the local file stays
    finally:
        await store.close()


async def test_sent_twice_is_stored_once(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=2, events=4))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token)
            try:
                await engine.run_once()
                await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
                second = await engine.run_once(force=True)
            finally:
                await engine.close()
        assert second.uploaded == 2
        assert centre_rows(tmp_path / "centre", "SELECT count(*) FROM sessions") == [(2,)]
        assert centre_rows(tmp_path / "centre", "SELECT count(*) FROM session_events") == [(8,)]
    finally:
        await store.close()


async def test_centre_away_then_back_nothing_lost_nothing_doubled(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=5, events=3, recording_bytes=200_000))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            port = centre.port
        engine = engine_for(store, f"http://127.0.0.1:{port}", token)
        try:
            for _ in range(3):  # the centre is away: every try fails, the queue holds
                away = await engine.run_once(force=True)
                assert away.offline and away.uploaded == 0 and away.pending == 6
            queue = await store.call(sync_items.counts)
            assert queue == {"pending": 6}
            attempts = await store.call(lambda s: s.db.execute("SELECT max(attempts) FROM upload_queue").fetchone()[0])
            assert attempts >= 1
            async with running_centre(tmp_path / "centre", port=port):
                drained = await engine.run_once(force=True)
        finally:
            await engine.close()
        assert (drained.uploaded, drained.pending, drained.failed) == (6, 0, 0)
        assert centre_rows(tmp_path / "centre", "SELECT count(*) FROM sessions") == [(5,)]
        assert centre_rows(tmp_path / "centre", "SELECT count(*) FROM session_events") == [(15,)]
        files = list((tmp_path / "centre" / "rooms").glob("*/recordings/*.bin"))
        assert [file_sha256(f) for f in files] == [room["sha256"]]
    finally:
        await store.close()


async def test_cut_connection_resumes_from_the_acknowledged_byte(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=1, events=1, recording_bytes=2_500_000))
        await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'done'"))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            await store.call(sync_items.sweep)
            sql = "UPDATE upload_queue SET state = 'done' WHERE item_kind = 'session'"
            await store.call(lambda s: s.db.execute(sql))
            async with CutProxy(centre.port, after=1_200_000, cuts=2) as proxy:
                engine = engine_for(store, f"http://127.0.0.1:{proxy.port}", token, chunk_bytes=8 << 20)
                try:
                    result = await engine.run_once()
                finally:
                    await engine.close()
        assert result.uploaded == 1 and result.failed == 0
        assert proxy.connections >= 3  # two cut, then the resumed one
        files = list((tmp_path / "centre" / "rooms").glob("*/recordings/*.bin"))
        assert len(files) == 1 and file_sha256(files[0]) == room["sha256"]
    finally:
        await store.close()


async def test_wrong_token_is_refused_and_said_so(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1))
        async with running_centre(tmp_path / "centre") as centre:
            await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, "not-the-token")
            try:
                with pytest.raises(AuthRefused, match="refused this room's token") as refused:
                    await engine.run_once()
            finally:
                await engine.close()
        assert "--token" in str(refused.value)
        assert engine.progress.state == "refused"
        assert await store.call(sync_items.counts) == {"pending": 1}  # nothing dropped
    finally:
        await store.close()


async def test_local_media_deleted_only_when_opted_in_and_confirmed(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=50_000))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token, delete_uploaded_media=True)
            try:
                await engine.run_once()
            finally:
                await engine.close()
        assert not room["path"].exists()
        rec = await store.call(lambda s: s.recording(room["recording"]))
        assert rec is not None and rec["stats"]["local_file_deleted"] == 1 and rec["stats"]["centre_confirmed_at"]
    finally:
        await store.close()


async def test_bandwidth_cap_and_progress(tmp_path: Path) -> None:
    import time

    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=600_000))
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token, bandwidth_bps=1_000_000)
            seen: list[SyncProgress] = []
            engine.subscribe(seen.append)
            started = time.monotonic()
            try:
                await engine.run_once()
            finally:
                await engine.close()
            elapsed = time.monotonic() - started
        assert 0.25 <= elapsed < 5.0  # 600 kB at 1 MB/s after a half-second burst
        sending = [p for p in seen if p.item_kind == "recording" and p.bytes_total == 600_000]
        assert sending and max(p.bytes_done for p in sending) == 600_000
        assert any(p.rate_bps > 0 and p.eta_s is not None for p in sending)
    finally:
        await store.close()
