"""AsyncStore: writes on its own thread, batches events, never blocks the loop, leaves no thread behind."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from classroom_console.store import AsyncStore, Event, StoreClosedError, StoreTooNewError, open_store
from classroom_console.store.database import Store
from devices.model import DeviceInfo, DeviceKind


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "store-writer"]


async def test_events_are_batched_ordered_and_thread_is_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_sizes: list[int] = []
    original = Store.add_events

    def counting(self: Store, events: Iterable[Event]) -> list[int]:
        batch = list(events)
        batch_sizes.append(len(batch))
        return original(self, batch)

    monkeypatch.setattr(Store, "add_events", counting)

    store = await AsyncStore.open(tmp_path)
    assert store.notice is None and len(_writer_threads()) == 1
    sid = await store.start_session(lecturer="Dr. Nurmatova", course="Chemistry")
    ids = await asyncio.gather(*(store.add_event(sid, None, "state", {"n": n}) for n in range(300)))
    events = await store.events(sid)  # FIFO: sees every event queued before it
    await store.end_session(sid)
    await store.close()

    assert len(set(ids)) == 300
    assert [e["payload"]["n"] for e in events] == list(range(300))
    assert sum(batch_sizes) == 300 and max(batch_sizes) > 1  # fewer transactions than events
    assert _writer_threads() == []
    with pytest.raises(StoreClosedError):
        await store.add_event(sid, None, "state")


async def test_one_bad_event_does_not_sink_its_batch(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        sid = await store.start_session()
        results = await asyncio.gather(
            store.add_event(sid, None, "state", {"n": 1}),
            store.add_event("no-such-session", None, "state", {"n": 2}),  # foreign key violation
            store.add_event(sid, None, "state", {"n": 3}),
            return_exceptions=True,
        )
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert [e["payload"]["n"] for e in await store.events(sid)] == [1, 3]
    finally:
        await store.close()


async def test_the_loop_keeps_ticking_while_the_store_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write and read runs on the store's thread, and the loop keeps running while they do.

    Checked by where the work runs, not by how long the loop's longest gap was: a gap is a wall-clock figure that a busy
    machine stretches (0.275 s beside stress-ng with nothing on the loop), while a write on the loop's thread is wrong
    on any machine.
    """
    ran_on: list[tuple[str, str]] = []
    for name in ("start_session", "add_events", "upsert_device", "known_devices", "events"):
        original = getattr(Store, name)

        def recording(self: Store, *args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            ran_on.append((_name, threading.current_thread().name))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Store, name, recording)

    store = await AsyncStore.open(tmp_path)
    loop_thread = threading.current_thread().name
    ticks = 0
    stop = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(0.001)
            ticks += 1

    ticker = asyncio.create_task(heartbeat())
    try:
        await asyncio.sleep(0)  # the heartbeat starts before the first write
        sid = await store.start_session()
        ticks_before_writes = ticks
        for _ in range(20):
            await asyncio.gather(
                *(store.add_event(sid, None, "state", {"pad": "x" * 500}) for _ in range(100))
            )
        ticks_during_writes = ticks - ticks_before_writes
        device = DeviceInfo("serial:CAM-7", DeviceKind.CAMERA, "PTZ", "10.0.0.9", 52381, "visca")
        await store.upsert_device(device)
        await store.upsert_device(
            DeviceInfo("serial:CAM-7", DeviceKind.CAMERA, "PTZ", "10.0.0.44", 52381, "visca")
        )
        (known,) = await store.known_devices()
        assert known["last_address"] == "10.0.0.44"
        assert len(await store.events(sid)) == 2000
    finally:
        stop.set()
        await ticker
        await store.close()

    assert {name for name, _ in ran_on} == {"start_session", "add_events", "upsert_device", "known_devices", "events"}
    assert {thread for _, thread in ran_on} == {"store-writer"} != {loop_thread}
    assert ticks_during_writes > 0  # the loop ran other work between the batches it waited for


async def test_refused_open_raises_and_leaves_no_thread(tmp_path: Path, newer_store: Path) -> None:
    with pytest.raises(StoreTooNewError):
        await AsyncStore.open(newer_store)
    assert _writer_threads() == []


async def test_recovery_notice_reaches_the_async_caller(garbage_store: Path) -> None:
    store = await AsyncStore.open(garbage_store)
    try:
        assert store.notice is not None and "moved to" in store.notice
        assert await store.start_session()
    finally:
        await store.close()


@pytest.fixture
def newer_store(tmp_path: Path) -> Path:
    data = tmp_path / "newer"
    open_store(data).close()
    with sqlite3.connect(data / "console.db") as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    return data


@pytest.fixture
def garbage_store(tmp_path: Path) -> Path:
    data = tmp_path / "garbage"
    data.mkdir()
    (data / "console.db").write_bytes(b"\x00garbage" * 500)
    return data
