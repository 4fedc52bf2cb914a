"""`device ADDRESS status` without an event loop, when that reads exactly what the full path would.

The full path (``device.act``) opens the store, joins the running session, and drives the device through
``RoomDevices`` on asyncio: for one read of a device the console does not remember, outside a session, all
of that comes to one PJLink read and nothing written, yet asyncio, the store and the room were two thirds of
the command's start-up (issue 17 item 4). Here the store is only looked at, read-only with the standard
library's sqlite3, and the device read on a blocking socket (``devices.registry.read_once_for``).

Whenever the full path would do more than read, this returns None and the caller takes it: a remembered
device (its reading is kept, its remembered state shown), a running session (the reading is logged in it),
a store that is damaged, locked or unreadable (the full path salvages or explains it), a system keyring
(passwords live there), or a target that is an id rather than an address.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path

from classroom_console.commands.device import DEFAULT_PROTOCOL, _as_address, status_text
from devices.driver import DriverOptions
from devices.model import DeviceInfo, DeviceKind
from devices.registry import read_once_for

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
    """The store says the full path would do more than read."""


def _stored_password(path: Path, host: str, port: int, port_given: bool, uid: str) -> str | None:
    """The password kept for ``uid``; raises _FullPathNeeded for a remembered device or a running session."""
    if not path.exists():
        return None  # no store yet: nothing remembered, no session, no password
    import sqlite3  # only where there is a store to look at

    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        raise _FullPathNeeded from None
    try:
        ports = [row[0] for row in db.execute("SELECT last_port FROM devices WHERE last_address = ?", (host,))]
        if any(not port_given or last_port == port for last_port in ports):
            raise _FullPathNeeded
        if db.execute("SELECT 1 FROM sessions WHERE ended_at IS NULL AND status = 'running' LIMIT 1").fetchone():
            raise _FullPathNeeded
        row = db.execute("SELECT password FROM device_secrets WHERE device_uid = ?", (uid,)).fetchone()
    except sqlite3.Error:
        raise _FullPathNeeded from None
    finally:
        db.close()
    return str(row[0]) if row else None


def read_without_loop(args: argparse.Namespace) -> str | None:
    """What `status` prints, read on a blocking socket; None where the full path must run instead.

    Raises ``DeviceNotFound`` (a bad port) and ``DeviceUnusable`` (the device is not answering, or refuses the
    password) with the full path's words.
    """
    address = _as_address(args.target)
    read_once = read_once_for(DEFAULT_PROTOCOL)
    if address is None or read_once is None or importlib.util.find_spec("keyring") is not None:
        return None
    host, port = address
    uid = _uid_for(host, port)
    port_given = ":" in args.target and args.target.count(":") == 1
    try:
        stored = _stored_password(database_path(args.data_dir), host, port, port_given, uid)
    except _FullPathNeeded:
        return None
    info = DeviceInfo(uid, DeviceKind.PROJECTOR, args.target, host, port, DEFAULT_PROTOCOL)
    options = DriverOptions(password=args.password or stored, poll_interval_s=3600.0, timeout_s=args.timeout)
    return status_text(info, read_once(info, options), args.json)
