"""The usage SQL with every filter gives the same report on PostgreSQL as on SQLite, recordings made outside a
session included (they are counted by their room, not through a session)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from classroom_console.store import AsyncStore, Store
from classroom_console.usage_model import UsageFilter
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_sync_support import add_token, engine_for, fill_room, running_centre


def _outside_recording(s: Store, folder: Path) -> str:
    path = folder / "outside.mp4"
    data = os.urandom(50_000)
    path.write_bytes(data)
    rid = s.add_recording(None, str(path))
    s.finish_recording(rid, duration_s=37.0, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    return rid


async def test_filtered_reports_agree_on_postgres_and_sqlite(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    filters = (
        UsageFilter(), UsageFilter(room="Room 101"), UsageFilter(lecturer="Lecturer 0"),
        UsageFilter(room="Room 101", lecturer="Lecturer 1", session_rows=True), UsageFilter(session_rows=True),
    )
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=4, events=2, recording_bytes=100_000))
        await store.call(lambda s: _outside_recording(s, tmp_path))
        reports = []
        for backend, url in (("pg", postgres_url), ("sqlite", None)):
            await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
            async with running_centre(tmp_path / backend, database_url=url) as centre:
                token = await add_token(centre, "Room 101")
                engine = engine_for(store, centre.url, token)
                try:
                    sent = await engine.run_once(force=True)
                finally:
                    await engine.close()
                assert sent.failed == 0
                assert centre.db is not None
                reports.append([await centre.db.usage(f) for f in filters])
        pg, lite = reports
        assert [r.as_json() for r in pg] == [r.as_json() for r in lite]
        assert [r.recordings.count for r in pg] == [2, 2, 1, 0, 2]
        assert [(s.room, s.lecturer) for s in pg[3].session_rows] == [("Room 101", "Lecturer 1")] * 2
        assert len(pg[4].session_rows) == 4 and sum(s.recordings for s in pg[4].session_rows) == 1
    finally:
        await store.close()
