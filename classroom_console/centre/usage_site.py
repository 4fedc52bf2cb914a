"""Usage requests served on the reports' own loop (PostgreSQL), from a Unix socket beside the service's port.

Why: under 300 syncing rooms a staff screen's request waited for the service's loop three times besides its
report: for its head to be read, to be handed to the reports' thread, and for its answer to come back and be
written (some 200 KB through nginx, each part a turn of a loop running hundreds of uploads' callbacks): 30-45 ms at
p99 for the two hand-overs alone and ~100 ms more outside the handler (bench/sync_rooms.py --rooms 300 --processes
2, timed inside the process). Here the request is read, its token and report found, and its answer written on the
loop that makes the reports, which runs nothing else: two processes' usage p99 629/424/273/165 -> 245/168/129/116 ms
(bench/sync_rooms.py --rooms 300 --processes 1,2 --no-sqlite --compare <old>, four pairs alternated, load 2.6-6.8;
at load 5.6 with others using 0.5-0.75 cores, 241/232/358). nginx sends usage requests here (``config_nginx``), the
service's port being the backup; the socket is ``DATA-run/usage-PORT.sock`` (``config.run_dir``: beside the data
folder, which stays 0700; PORT: the process's TCP port), so nginx's configuration can name it for every process of a
centre without asking them. The site runs in a child process of the service (``usage_process``: the reports' loop
then shares no GIL with the uploads' handlers), or in the service's own process until a request first reaches it
(which starts that child), where that child cannot start, and while one that died is not back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from classroom_console.centre.app import build_usage_app
from classroom_console.centre.auth import TokenUse
from classroom_console.centre.config import USAGE_SOCKET, run_dir
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.limits import Limits
from classroom_console.http_guard import ConnectionGuard, close_listening

log = logging.getLogger(__name__)
MAX_PATH = 100  # a Unix socket's path must fit in sun_path (108 bytes on Linux)
SOCKET_MODE = 0o660
NEW = ".new"  # the socket is made at its path and this, then renamed onto its path (fits: MAX_PATH + 4 < 108)
RUN_MODE = 0o750  # the sockets' folder where the centre makes it (README: made by the admin, setgid, nginx's group)


def socket_path(data_dir: Path, port: int) -> Path | None:
    """Where a centre process on ``port`` serves usage requests; None where the path would not fit."""
    path = run_dir(data_dir) / USAGE_SOCKET.format(port=port)
    return path if len(os.fsencode(path)) <= MAX_PATH else None


@dataclass(frozen=True, slots=True)
class _NginxOnly:
    """Only nginx connects here (a local socket): no cap per address, the head's deadline as on the port."""

    header_timeout_s: float
    connections_per_client: int = 0


class UsageSite:
    """``start()`` listens on ``path`` on the reports' loop; ``stop()`` closes it and removes its socket (its own
    only: a usage process that took the path meanwhile keeps its socket there, ``usage_process``).

    ``asked``: called on the reports' thread at each request this site answers (the service's site starts its usage
    process at the first, ``usage_process``)."""

    def __init__(self, db: PostgresCentreDB, uses: TokenUse, limits: Limits, path: Path,
                 asked: Callable[[], None] | None = None) -> None:
        self.db, self.uses, self.limits, self.path = db, uses, limits, path
        self._asked = asked
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._made: tuple[int, int] | None = None  # (device, inode) of the socket it made at ``path``

    async def start(self) -> None:
        await self.db.reports.run(self._start())

    async def stop(self) -> None:
        await self.db.reports.run(self._stop())

    async def _start(self) -> None:
        limits = self.limits
        runner = self._runner = web.AppRunner(
            build_usage_app(self.db, self.uses, self._asked), access_log=None, shutdown_timeout=5.0,
            keepalive_timeout=limits.keepalive_s, lingering_time=limits.lingering_s,
        )
        await runner.setup()
        assert runner.server is not None
        guard = ConnectionGuard(_NginxOnly(limits.header_timeout_s), runner.server)
        # Made beside its path, then renamed onto it: a socket there (a process killed on this port before, or the
        # service's own while its usage process takes the path over) is replaced at once, with no moment when
        # nginx finds none there.
        new = self.path.with_name(self.path.name + NEW)
        await asyncio.to_thread(_clear, self.path, new)
        self._listener = await asyncio.get_running_loop().create_unix_server(guard, str(new), backlog=1024)
        self._made = await asyncio.to_thread(_placed, new, self.path)

    async def _stop(self) -> None:
        made, self._made = self._made, None
        await close_listening(self._listener, self._runner)
        self._listener = self._runner = None
        if made is not None:
            await asyncio.to_thread(_remove_own, self.path, made)


def _clear(path: Path, new: Path) -> None:
    """Where a socket may be made and renamed onto ``path``: anything but a socket there is left (OSError, saying
    where), as is a socket at ``new`` left by a process killed before (removed). The sockets' folder is made where
    it is not yet (the admin's, where there is one, is left as it is: its group is nginx's), and used only where no
    other user could have made or changed it (``_check_folder``)."""
    path.parent.mkdir(mode=RUN_MODE, parents=True, exist_ok=True)
    _check_folder(path.parent)
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise OSError(f"{path} is there and is not a socket: it is left as it is")
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(new.lstat().st_mode):
            new.unlink()


def _placed(new: Path, path: Path) -> tuple[int, int]:
    """The socket made at ``new`` given nginx's group (its workers run as a user of their own, README: nginx in that
    group), then moved onto ``path``; its (device, inode), for ``_remove_own``."""
    os.chmod(new, SOCKET_MODE)
    made = new.lstat()
    os.rename(new, path)
    return made.st_dev, made.st_ino


def _remove_own(path: Path, made: tuple[int, int]) -> None:
    """The socket this site made, if it is still the one at ``path``: a usage process that took the path while this
    site still listened (its start renames its own socket onto the path) keeps its socket."""
    with contextlib.suppress(FileNotFoundError):
        st = path.lstat()
        if (st.st_dev, st.st_ino) == made:
            path.unlink()


def _check_folder(folder: Path) -> None:
    """Refuse a sockets' folder another user made or may write in (OSError, naming it: usage is then answered on the
    port alone).

    Why (R11 F3): the folder sits beside the data folder, whose parent may be writable by all (/tmp, a shared
    folder); a local user who made it first could replace the centre's socket with one of theirs at the path nginx
    sends the staff's requests to, their tokens with them. Only a real folder (not a link) owned by this user or
    root, with no write for its group or others, is used; the README's (2750, group classroom-centre) is one."""
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise OSError(f"the usage sockets' folder {folder} is not a folder (a link?)")
    if st.st_uid not in (os.geteuid(), 0):
        raise OSError(f"the usage sockets' folder {folder} belongs to another user (uid {st.st_uid})")
    if st.st_mode & 0o022:
        raise OSError(f"the usage sockets' folder {folder} may be written by its group or others "
                      f"(mode {stat.S_IMODE(st.st_mode):o})")


async def start(db: object, uses: TokenUse, limits: Limits, data_dir: Path, port: int,
                asked: Callable[[], None] | None = None) -> UsageSite | None:
    """The site of a PostgreSQL centre whose reports run on a thread of their own; None for any other, or where
    the socket cannot be made (usage requests are then answered on the port, as nginx's backup). ``asked``: see
    ``UsageSite``."""
    if not isinstance(db, PostgresCentreDB) or not db.reports.serving_apart():
        return None
    path = socket_path(data_dir, port)
    if path is None:
        log.info("usage requests are answered on port %d only: the socket's path under %s is too long", port,
                 data_dir)
        return None
    site = UsageSite(db, uses, limits, path, asked)
    try:
        await site.start()
    except OSError as exc:
        log.warning("usage requests are answered on port %d only: %s", port, exc)
        await site.stop()
        return None
    return site
