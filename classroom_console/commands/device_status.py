"""`device ADDRESS|ID status` without an event loop, when that reads and keeps exactly what the full path would.

The full path (``device.act``) opens the store, joins the running session, and drives the device through
``RoomDevices`` on asyncio: for one read of a device, all of that comes to one PJLink read, one ``device_readings``
row for a device the console remembers, and in a running session (the console window's) one ``state`` event of
what changed; yet asyncio, the store and the room were two thirds of the command's start-up (issue 17 item 4).
Here the store is looked at with the standard library's sqlite3 (read-only, then one transaction through
``store.readings``), the device read on a blocking socket (``devices.registry.blocking_read_for``), and the event's
payload made as the room makes it (``device_news.state_event``, against the device as the room shows it when it
adopts it).

Whenever the full path would do more, this returns None and the caller takes it: a store of another schema
version, damaged, locked or unreadable (the full path migrates, salvages or explains it), a system keyring
(passwords live there), a family without a blocking read, an id the store does not remember (the full path looks
for it on the network), and a password given for a remembered device (the full path keeps it).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from classroom_console.commands.device import (
    DEFAULT_PROTOCOL,
    _as_address,
    device_from_row,
    remembered_row,
    status_text,
)
from devices.driver import DriverOptions
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.registry import blocking_read_for

if TYPE_CHECKING:
    import sqlite3

# As classroom_console.store.paths (importing the store package loads asyncio); tests/test_cli_status_fast.py
# checks the two agree.
APP_NAME = "classroom-console"
DB_FILENAME = "console.db"


def database_path(data_dir: str | os.PathLike[str] | None) -> Path:
    if data_dir is not None:
        return Path(data_dir).expanduser() / DB_FILENAME
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def _uid_for(host: str, port: int) -> str:
    from devices.discovery import device_uid  # lazy package: this loads only _classify

    return device_uid(None, "", "", host, port)


class _FullPathNeeded(Exception):
    """The store says the full path would do more than read (and keep the reading)."""


@dataclass
class _Target:
    info: DeviceInfo
    password: str | None
    remembered: bool  # its reading is kept, as the room keeps its devices' readings
    session_id: str | None = None  # the running session the reading's change is logged in


def _remembered_info(row: sqlite3.Row) -> DeviceInfo:
    """As ``device._locate`` builds it, the remembered state read from the row's JSON ``extra`` here."""
    try:
        extra = json.loads(row["extra"] or "null")
        return device_from_row(row, extra.get("state") if isinstance(extra, dict) else None)
    except ValueError:
        raise _FullPathNeeded from None  # a damaged row or an unknown kind: the full path's store explains it


def _find(path: Path, target: str, address: tuple[str, int] | None) -> _Target:
    """The device and its kept password, as the full path would find them; raises _FullPathNeeded where it must run.

    The full path runs for a store of another schema version (it migrates or refuses), an id it does not remember
    (it looks on the network), and a store it cannot read.
    """
    if not path.exists():
        if address is None:
            raise _FullPathNeeded  # an id, and nothing remembered: the full path looks for it
        return _Target(_fresh_info(target, *address), None, remembered=False)
    import sqlite3  # only where there is a store to look at

    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        raise _FullPathNeeded from None
    db.row_factory = sqlite3.Row
    try:
        running = db.execute("SELECT id FROM sessions WHERE ended_at IS NULL AND status = 'running' "
                             "ORDER BY started_at DESC LIMIT 1").fetchone()  # as Store.running_session
        row = remembered_row(db.execute("SELECT * FROM devices ORDER BY last_seen DESC"), target, address)
        if row is not None or running is not None:
            from classroom_console.store.migrations import LATEST_VERSION  # only where something is written

            if db.execute("PRAGMA user_version").fetchone()[0] != LATEST_VERSION:
                raise _FullPathNeeded
        if row is not None:
            info = _remembered_info(row)
        elif address is not None:
            info = _fresh_info(target, *address)
        else:
            raise _FullPathNeeded
        secret = db.execute("SELECT password FROM device_secrets WHERE device_uid = ?", (info.uid,)).fetchone()
    except sqlite3.Error:
        raise _FullPathNeeded from None
    finally:
        db.close()
    return _Target(info, str(secret[0]) if secret else None, remembered=row is not None,
                   session_id=str(running[0]) if running is not None else None)


def _fresh_info(target: str, host: str, port: int) -> DeviceInfo:
    return DeviceInfo(_uid_for(host, port), DeviceKind.PROJECTOR, target, host, port, DEFAULT_PROTOCOL)


def _keep(path: Path, found: _Target, device: DeviceInfo, adopted: DeviceInfo) -> None:
    """What the room keeps of this read: the reading, for its own devices (``RoomDevices._maybe_record_reading``),
    and in a running session the ``state`` event of what changed (``Room.update_device``). As there, what cannot be
    kept is not the command's failure."""
    reading = found.remembered and device.availability in (Availability.ONLINE, Availability.FAULT)
    event = None
    if found.session_id is not None:
        from classroom_console.device_news import changed_fields, state_event

        event = state_event(changed_fields(adopted, device), device)
    if not reading and event is None:
        return
    import sqlite3

    from classroom_console.store.readings import insert_event, insert_reading
    from classroom_console.store.records import Event

    state = device.state
    try:
        db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")
            if reading:
                insert_reading(db.execute, device.uid, power=state.get("power"),
                               lamp_hours=state.get("lamp_hours", ()), error_status=state.get("errors", {}))
            if event is not None:
                insert_event(db.execute, Event(found.session_id, device.uid, "state", event))
            db.execute("COMMIT")
        finally:
            db.close()
    except sqlite3.Error:
        pass


def read_without_loop(args: argparse.Namespace) -> str | None:
    """What `status` prints, read on a blocking socket; None where the full path must run instead.

    Raises ``DeviceNotFound`` (a bad port) and ``DeviceUnusable`` (the device is not answering, or refuses the
    password) with the full path's words.
    """
    if importlib.util.find_spec("keyring") is not None:
        return None  # passwords live in the system keyring: the full path's PasswordBook reads it
    address = _as_address(args.target)
    path = database_path(args.data_dir)
    try:
        found = _find(path, args.target, address)
    except _FullPathNeeded:
        return None
    blocking = blocking_read_for(found.info.protocol)
    if blocking is None:
        return None  # a family without a blocking read (a camera): the room drives it
    if found.remembered and args.password and found.info.uid.startswith(("mac:", "serial:")):
        return None  # the full path also keeps that password for the device
    options = DriverOptions(password=args.password or found.password, poll_interval_s=3600.0,
                            timeout_s=args.timeout)
    device = blocking.read_once(found.info, options)
    _keep(path, found, device, blocking.as_adopted(found.info))
    # raises for a device that cannot be used
    return status_text(found.info, device, args.json, getattr(args, "verbose", False))
