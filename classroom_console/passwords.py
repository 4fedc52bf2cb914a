"""Device passwords, kept per device: the system keyring where there is one, else the local store.

Passwords are never logged and never leave the PC: the store keeps them in their own table, which
sync does not upload, in a database file only this user can read (0600). ``location`` says which.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any

from classroom_console.store import AsyncStore, Store, utc_iso

log = logging.getLogger(__name__)
KEYRING_SERVICE = "classroom-console"


def usable_keyring() -> Any | None:
    """The keyring module if a real backend is configured (not the 'fail' or 'null' ones)."""
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return None
    backend = type(keyring.get_keyring()).__module__
    if backend.startswith(("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer")):
        return None
    return keyring


class PasswordBook:
    def __init__(self, store: AsyncStore | None, use_keyring: bool = True) -> None:
        self._store = store
        self._keyring = usable_keyring() if use_keyring else None
        self._cache: dict[str, str] = {}
        self._moved = False

    @property
    def where(self) -> str:
        """``keyring``, ``store`` or ``memory``: the UI says which, so nobody is surprised where it went."""
        if self._keyring is not None:
            return "keyring"
        if self._store is not None:
            return "store"
        return "memory"

    async def location(self) -> str:
        """One line for the user: where their device passwords are kept, and who can read them."""
        if self._keyring is not None:
            return "Device passwords are kept in the system keyring."
        if self._store is not None:
            path = await self._store.call(lambda s: s.path)
            return (f"Device passwords are kept in {path}, readable only by this user account "
                    "(no system keyring was found).")
        return "Device passwords are kept in memory only and are forgotten when the console closes."

    async def load(self, uids: list[str]) -> dict[str, str]:
        """Passwords known for these devices."""
        if self._keyring is not None:
            keyring = self._keyring
            await self._move_to_keyring()
            for uid in uids:
                if uid not in self._cache:
                    found = await asyncio.to_thread(keyring.get_password, KEYRING_SERVICE, uid)
                    if found:
                        self._cache[uid] = found
        elif self._store is not None:
            self._cache.update(await self._store.call(_read_all))
        return {uid: self._cache[uid] for uid in uids if uid in self._cache}

    async def save(self, uid: str, password: str) -> None:
        self._cache[uid] = password
        if self._keyring is not None:
            await asyncio.to_thread(self._keyring.set_password, KEYRING_SERVICE, uid, password)
        elif self._store is not None:
            await self._store.call(lambda s: _write(s, uid, password))

    async def _move_to_keyring(self) -> None:
        """Passwords an earlier run kept in the database (no keyring then) go to the keyring and leave the file."""
        if self._store is None or self._keyring is None or self._moved:
            return
        self._moved = True
        kept = await self._store.call(_read_all)
        for uid, password in kept.items():
            await asyncio.to_thread(self._keyring.set_password, KEYRING_SERVICE, uid, password)
            self._cache.setdefault(uid, password)
        if kept:
            await self._store.call(lambda s: _forget(s, list(kept)))

    def get(self, uid: str) -> str | None:
        return self._cache.get(uid)


def _read_all(store: Store) -> dict[str, str]:
    return {row[0]: row[1] for row in store.db.execute("SELECT device_uid, password FROM device_secrets")}


def _forget(store: Store, uids: list[str]) -> None:
    with store.db.atomic():
        store.db.conn.executemany("DELETE FROM device_secrets WHERE device_uid = ?", [(uid,) for uid in uids])


def _write(store: Store, uid: str, password: str) -> None:
    with store.db.atomic():
        store.db.execute(
            "INSERT INTO device_secrets (device_uid, password, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(device_uid) DO UPDATE SET password = excluded.password, updated_at = excluded.updated_at",
            (uid, password, utc_iso()),
        )
