"""The sync as the console window drives it: settings kept in the room's store, one pass on demand."""

from __future__ import annotations

from classroom_console.store import AsyncStore
from classroom_console.sync import items
from classroom_console.sync.engine import SyncConfig, SyncEngine, SyncResult
from classroom_console.sync.progress import Listener


async def load_settings(store: AsyncStore | None) -> dict[str, str]:
    """``centre_url``, ``token`` and ``delete_uploaded_media`` ("1"/"0") as saved; empty when none."""
    if store is None:
        return {}
    return await store.call(items.get_settings)


async def save_settings(store: AsyncStore, centre_url: str, token: str, delete_uploaded_media: bool) -> None:
    values = {"centre_url": centre_url.strip(), "token": token.strip(),
              "delete_uploaded_media": "1" if delete_uploaded_media else "0"}
    await store.call(lambda s: items.put_settings(s, values))


async def queue_counts(store: AsyncStore | None) -> dict[str, int]:
    if store is None:
        return {}
    await store.call(items.sweep)
    return await store.call(items.counts)


async def sync_now(store: AsyncStore, listener: Listener | None = None, bandwidth_bps: float = 0.0) -> SyncResult:
    """One pass over everything queued, with the saved settings; AuthRefused and offline are reported, not lost."""
    settings = await load_settings(store)
    if not settings.get("centre_url") or not settings.get("token"):
        raise ValueError("no centre is set up: enter the centre's address and this room's token")
    config = SyncConfig(settings["centre_url"], settings["token"], bandwidth_bps=bandwidth_bps,
                        delete_uploaded_media=settings.get("delete_uploaded_media") == "1")
    engine = SyncEngine(store, config)
    if listener is not None:
        engine.subscribe(listener)
    try:
        return await engine.run_once(force=True)
    finally:
        await engine.close()
