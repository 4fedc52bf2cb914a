"""The sync as the console window drives it: settings kept in the room's store, one pass on demand."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from classroom_console.passwords import KEYRING_SERVICE, usable_keyring
from classroom_console.store import AsyncStore
from classroom_console.sync import items
from classroom_console.sync.client import AuthRefused, SyncError
from classroom_console.sync.engine import SyncConfig, SyncEngine, SyncResult
from classroom_console.sync.progress import Listener

TOKEN_KEY = "centre-token"  # the keyring entry's user name under KEYRING_SERVICE
BAD_ADDRESS = "bad_address"  # reason: not an http(s)://HOST[:PORT] address, refused before anything is saved or sent
NOT_SET_UP = "not_set_up"  # reason: no centre address or no token saved


def is_centre_url(url: str) -> bool:
    """The one rule for a centre's address, http(s)://HOST[:PORT]: the window's and the command line's."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  # raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def address_problem(url: str) -> str:
    """BAD_ADDRESS when ``url`` is not a centre's address, "" when it is: the rule `sync --centre` applies, so the
    window saves no address the command line refuses (it saved "centre.local" and "ftp://…", then said nothing)."""
    return "" if is_centre_url(url) else BAD_ADDRESS


async def load_settings(store: AsyncStore | None) -> dict[str, str]:
    """``centre_url``, ``token`` and ``delete_uploaded_media`` ("1"/"0") as saved; empty when none."""
    if store is None:
        return {}
    settings = await store.call(items.get_settings)
    keyring = await asyncio.to_thread(usable_keyring)  # finding a backend reads files
    if settings.get("token_in") == "keyring" and keyring is not None:
        settings["token"] = await asyncio.to_thread(keyring.get_password, KEYRING_SERVICE, TOKEN_KEY) or ""
    return settings


async def save_settings(store: AsyncStore, centre_url: str, token: str, delete_uploaded_media: bool) -> str:
    """Save, the token in the system keyring where one is usable; returns one line saying where it is kept.

    Raises SyncError(BAD_ADDRESS) for an address that is not a centre's, saving nothing; an empty one turns sync off.
    """
    if centre_url.strip() and address_problem(centre_url):
        raise SyncError(f"{centre_url.strip()[:200]!r} is not a centre's address: give http(s)://HOST[:PORT]",
                        BAD_ADDRESS)
    values = {"centre_url": centre_url.strip(), "token": token.strip(), "token_in": "store",
              "delete_uploaded_media": "1" if delete_uploaded_media else "0"}
    keyring = await asyncio.to_thread(usable_keyring)  # finding a backend reads files
    if keyring is not None and values["token"]:
        await asyncio.to_thread(keyring.set_password, KEYRING_SERVICE, TOKEN_KEY, values["token"])
        values.update(token="", token_in="keyring")
    await store.call(lambda s: items.put_settings(s, values))
    return await token_location(store)


async def token_location(store: AsyncStore) -> str:
    """Where the saved token is: the keyring, or the room's database that only this user can read."""
    settings = await store.call(items.get_settings)
    if settings.get("token_in") == "keyring":
        return "the token is kept in the system keyring"
    path = await store.call(lambda s: s.path)
    return f"the token is kept in {path} (no system keyring here; the file is readable only by this user)"


async def queue_counts(store: AsyncStore | None) -> dict[str, int]:
    if store is None:
        return {}
    await store.call(items.sweep)
    return await store.call(items.counts)


async def sync_now(store: AsyncStore, listener: Listener | None = None, bandwidth_bps: float = 0.0) -> SyncResult:
    """One pass over everything queued, with the saved settings. Its outcome is the result, failures included:
    ``reason`` (NOT_SET_UP, BAD_ADDRESS, ``auth_refused``, ``offline``, ``internal``, …) and the centre's ``status``
    say why it stopped short, for the window to word."""
    settings = await load_settings(store)
    if not settings.get("centre_url") or not settings.get("token"):
        return SyncResult(pending=(await queue_counts(store)).get("pending", 0), reason=NOT_SET_UP)
    if address_problem(settings["centre_url"]):  # saved before the rule, or by hand
        return SyncResult(pending=(await queue_counts(store)).get("pending", 0), reason=BAD_ADDRESS)
    config = SyncConfig(settings["centre_url"], settings["token"], bandwidth_bps=bandwidth_bps,
                        delete_uploaded_media=settings.get("delete_uploaded_media") == "1")
    engine = SyncEngine(store, config)
    if listener is not None:
        engine.subscribe(listener)
    try:
        return await engine.run_once(force=True)
    except AuthRefused as exc:
        pending = (await store.call(items.counts)).get("pending", 0)
        return SyncResult(uploaded=engine.progress.uploaded, pending=pending, reason=exc.reason, status=exc.status)
    finally:
        await engine.close()
