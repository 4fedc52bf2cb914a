"""A PostgreSQL centre's usage socket (``usage_site``) served by a child process, with a GIL of its own.

Why: served on the reports' thread of the centre's own process, a usage request's report shared one GIL with the
service's loop, which 300 syncing rooms keep busy: the interpreter handed the GIL to the reports' thread for a
millisecond at a time, so a report's 7 ms of Python (its rows made parts and JSON) took 25 ms at p50 and up to
200 ms, and its rows' reading (asyncpg's decoding, each wake-up) 39 ms for some 16 ms of the server's work
(bench/sync_rooms.py --rooms 300 --processes 2, timed inside the process, load 5.8). A request waits for the report on
its way and then for the next one: twice that. In a process of its own the report waits for a core only, and the
kernel gives one soon to a process that sleeps between reports. Usage p99 against a4a538c (bench/sync_rooms.py
--rooms 300 --no-sqlite --compare, old and new alternated in each run), two processes in six runs: 209/278/246/148/
215/285 -> 170/102/192/131/190/287 ms (load 2.1-6.0; with 7f987e2's cheaper charts' statement from the third on),
one process 169/92/91/136 -> 102/83/130/121; not yet steadily under 250 ms (one run in six over, against two).
Four processes stay over (460/331 -> 488/214, and 275/331 at 8ade1a8 alone): timed inside this process their
requests took 110 ms at p99 where the staff's screens saw 214, the rest outside it (nginx relaying the 220 KB answer
beside 300 rooms' uploads, the hand-overs between processes on two busy cores). nginx buffering the usage answer
whole (proxy_buffering on, 1 MiB) was tried: 233/323 against 275/331 at four processes, 146/267 against 127/161 at
two, alternated: no gain shown, not kept. The answer gzipped (``gzipped``, 210 KB -> 12 KB) cut that: four processes'
usage p99 at 590bec1 and after, alternated in four runs of --compare (load 0.9-5.0), 357/446/319/310/125/185/234/213
-> 149/219/130/167/172/133/96/262 ms (medians 272 -> 158; over 250 ms in 4 of 8 -> 1 of 8), two 139/147/162/113/
225/113/82 -> 81/96/188/133/216/137/116 (no change shown; under 250 in all). What is left is nginx's, mostly:
``--usage-direct`` (the staff asking the socket themselves) 121/122 ms against 185/158 through nginx. Tried here and
not kept (no gain shown, alternated, load 2-5): the reports' thread on a 0.3 ms kernel slice (media/kernel_slice;
four processes 278/348/197/256 against 150/216/273/251 ms), the rows made a report on a thread of their own so the
loop answers meanwhile (78/102, 176/131 against 85/151, 130/133), and in nginx (bench/sync_rooms.py's, alternated one
run at a time, load 1.7-4.3): its worker at nice -5 (worker_priority) 176/191/111 against 200/126/132 ms, two workers
(Debian's ``auto`` here) 140/166/211 against 287/165/116.

The child opens only what usage requests need (``PostgresCentreDB.open_reports``: the reports' thread and its
connections, one connection to note tokens' use) and listens on ``DATA-run/usage-PORT.sock`` as ``usage_site`` did in
the service's process. The service starts it after its own database is open (the schema made), and waits for its
"ready" before it says it serves; it reads its settings (the database password among them) from its stdin, never from
its command line, and ends when that pipe closes (the service stopped, or killed). Where it cannot start at all the
service serves the socket on its reports' thread as before. One that dies is started again after ``RESTART_S``, then
twice as long after each try that fails or dies within ``STEADY_S`` of its start, up to ``RESTART_MAX_S`` (R F12:
every 5 s forever, a warning each time, for a child that cannot run, e.g. its database refusing it); the outage is
logged once, and meanwhile the service serves the socket itself (``here``), so the socket answers rather than
refusing nginx, whose backup port then took every usage request; a child that starts renames its socket onto the
path while the service's still listens there (``usage_site``), and the service's site then closes.

The child is started when a usage request first reaches the socket (``lazy``, as the service starts it): until then
the service serves the socket on its reports' thread, and the first request it answers there starts the child, which
takes the socket over as above. nginx sends usage requests to the first process's socket alone, the others' ports
being its backups (``config_nginx``), so the other processes of a centre start none. An idle child held 47 MB
(33 MB PSS) and 3 PostgreSQL connections (their backends 17-20 MB PSS) beside its service's 48 MB, and used no CPU,
idle or while 300 rooms synced (a backup's, sampled every second: 0.0 %), only ~0.5 s of CPU to start (read from
/proc and pg_stat_activity by scripts kept out of the tree, beside bench/sync_rooms.py --rooms 300 --processes 2,
load 5.6): ~50 MB for each process but the first. The first request's report is made on the service's reports'
thread, as where no child could start.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from classroom_console.centre.limits import Limits

log = logging.getLogger(__name__)
START_S = 30.0  # the child's "ready" (its imports, its connections, its socket), at most
STOP_S = 10.0  # the child's own clean end after its stdin closes, before it is killed
RESTART_S = 5.0  # a child that died is started again after this, then after twice as long each try it fails
RESTART_MAX_S = 320.0  # ... up to this
STEADY_S = 60.0  # a child that served this long and dies begins a new outage (logged, tried again after RESTART_S)
READY = b"ready"
# (not ``-m``: the package's __init__ imports this module before runpy would run it, and Python warns)
_CHILD = "import sys; from classroom_console.centre.usage_process import main; sys.exit(main())"
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding this package: the child imports this code


class Site(Protocol):
    async def stop(self) -> None: ...


Asked = Callable[[], None]  # called on the reports' thread at each request the service's own site answers
Here = Callable[[Asked], Awaitable[Site | None]]  # the socket served in the service's own process (None: it could not)


class UsageProcess:
    """``start()`` starts the child and waits until it serves the socket (False: it could not); ``stop()`` ends it.

    ``here``: serves the socket in the service's process while a child that died is not back (``usage_site.start``).
    ``lazy``: ``start()`` serves the socket here and the child is started only when a request reaches that socket
    (see the module's docstring)."""

    def __init__(self, url: str, password: str | None, data_dir: Path, port: int, limits: Limits,
                 here: Here | None = None, lazy: bool = False) -> None:
        self._spec = json.dumps({"url": url, "password": password, "data": str(Path(data_dir).absolute()),
                                 "port": port, "limits": dataclasses.asdict(limits)}).encode() + b"\n"
        self._here = here
        self._lazy = lazy and here is not None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wanted = False  # (set on the reports' thread) a request reached the site served here
        self._proc: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None
        self._site: Site | None = None  # the socket served here meanwhile
        self._whole_steps: set[asyncio.Task[None]] = set()  # a site's start or stop that runs to its end (_whole)
        self._closing = False
        self._ready_at = 0.0  # (monotonic) when the child on its way said it serves
        self.spawned = 0  # children started (tests: how often a failing one is tried)

    async def start(self) -> bool:
        self._loop = asyncio.get_running_loop()
        if self._lazy:
            await self._serve_here()
            return self._site is not None  # the child waits for the first request there (``_asked``)
        if not await self._spawn():
            return False
        self._watch = asyncio.ensure_future(self._watched())
        return True

    def _asked(self) -> None:
        """On the reports' thread, at each request the site served here answers: the first starts the child (a
        lazy start; later ones find it wanted already)."""
        if not self._wanted and self._loop is not None:
            self._wanted = True
            self._loop.call_soon_threadsafe(self._want)

    def _want(self) -> None:
        if self._watch is None and not self._closing:
            self._watch = asyncio.ensure_future(self._watched())

    async def _spawn(self, quiet: bool = False) -> bool:
        self.spawned += 1
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}
        # A session of its own: a Ctrl-C at the service's terminal is the service's to handle; the child ends with
        # its stdin.
        proc = self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-P", "-c", _CHILD, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env, start_new_session=True)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(self._spec)
            await proc.stdin.drain()
            async with asyncio.timeout(START_S):
                said = (await proc.stdout.readline()).strip()
        except (OSError, TimeoutError) as exc:
            said = f"{type(exc).__name__}: {exc}".encode()
        if said == READY:
            self._ready_at = time.monotonic()
            return True
        (log.debug if quiet else log.warning)(
            "usage requests are answered in the service's process: its usage process said %r",
            said.decode(errors="replace")[:200])
        await self._end(proc)
        self._proc = None
        return False

    async def _watched(self) -> None:
        """A child that died is started again (its socket, left behind, is removed by the new one), less often while
        it keeps failing; the socket is served here meanwhile. Started lazily, the first child takes the socket
        from the site served here; one that cannot start leaves it there for good (as where none could start)."""
        delay, since = RESTART_S, 0.0
        if self._proc is None:  # a lazy start: a request reached the site served here
            if not await self._take_over(quiet=False):
                return
            log.info("usage requests reached this process: its usage process serves them")
        while not self._closing:
            proc = self._proc
            if proc is not None:
                code = await proc.wait()
                self._proc = None
                if self._closing:
                    return
                if not since or time.monotonic() - self._ready_at >= STEADY_S:  # served a while: a new outage
                    delay, since = RESTART_S, time.monotonic()
                    log.warning("the usage process ended (%s): usage requests are answered in the service's process "
                                "until one starts again (tried after %.0f s, then less often while it fails)",
                                _ended(code), delay)
            await self._serve_here()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_MAX_S)
            if self._closing:
                return
            if await self._take_over(quiet=True):
                log.info("the usage process serves again (%.0f s after it ended)", time.monotonic() - since)

    async def _take_over(self, quiet: bool) -> bool:
        """A child started while the socket is still served here: its start renames its own socket onto the path
        (no moment without one there, which nginx would take for a process down until its fail_timeout), and this
        process's site then closes, leaving the child's socket (``usage_site``). One that could not start: the
        socket is served here again (the path may hold its dead socket)."""
        took = await self._spawn(quiet)
        await self._leave_here()
        if not took:
            await self._serve_here()
        return took

    async def _serve_here(self) -> None:
        if self._here is not None and self._site is None:
            await self._whole(self._make_here())

    async def _make_here(self) -> None:
        assert self._here is not None
        try:
            self._site = await self._here(self._asked)
        except Exception:
            log.exception("usage requests could not be served in the service's process either")

    async def _leave_here(self) -> None:
        site, self._site = self._site, None
        if site is not None:
            await self._whole(site.stop())

    async def _whole(self, step: Awaitable[None]) -> None:
        """A site's start or stop run to its end though its caller is cancelled (``stop()`` cancelling the watch):
        it runs on the reports' thread, where a cancel arriving after the socket was made lost the site, which then
        listened until the process ended; ``stop()`` waits for these and closes what they made."""
        task = asyncio.ensure_future(step)
        self._whole_steps.add(task)
        task.add_done_callback(self._whole_steps.discard)
        await asyncio.shield(task)

    async def stop(self) -> None:
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self._whole_steps:
            await asyncio.wait(set(self._whole_steps))
        proc, self._proc = self._proc, None
        if proc is not None:
            await self._end(proc)
        await self._leave_here()

    @staticmethod
    async def _end(proc: asyncio.subprocess.Process) -> None:
        """Its stdin closed (it stops its socket and its connections), then killed if it has not ended by then."""
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            async with asyncio.timeout(STOP_S):
                await proc.communicate()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


def _ended(code: int | None) -> str:
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"


async def _serve(spec: dict[str, Any]) -> int:
    """The child: the site up, "ready" said, then served until stdin closes."""
    from classroom_console.centre import usage_site
    from classroom_console.centre.auth import TokenUse
    from classroom_console.centre.db_postgres import DatabaseUnavailable, PostgresCentreDB

    try:
        db = await PostgresCentreDB.open_reports(spec["url"], spec["password"])
    except DatabaseUnavailable as exc:
        _say(f"failed: {exc}")
        return 1
    uses = TokenUse(db)
    site = None
    try:
        uses.start()
        site = await usage_site.start(db, uses, Limits(**spec["limits"]), Path(spec["data"]), int(spec["port"]))
        if site is None:
            _say("failed: the usage socket could not be made (logged)")
            return 1
        db.serving()  # the reports' connections warmed before the first staff screen asks
        gc.freeze()  # what serving holds for good: the collector need not walk it after each report's garbage
        _say(READY.decode())
        await asyncio.to_thread(sys.stdin.buffer.read)  # until the service closes the pipe (or is gone)
        return 0
    finally:
        if site is not None:
            await site.stop()
        await uses.stop()
        await db.close()


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    line = sys.stdin.buffer.readline()
    if not line:
        return 1
    try:
        return asyncio.run(_serve(json.loads(line)))
    except KeyboardInterrupt:
        return 1


if __name__ == "__main__":
    sys.exit(main())
