"""Test-wide guards: no screen, no blocking inside the event loop, no leaked threads, loopback only."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: CI has no display
os.environ["CLASSROOM_CONSOLE_SCOPE"] = "loopback"  # discovery in subprocesses stays on this machine too

import asyncio
import concurrent.futures
import gc
import inspect
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import qasync
from blockbuster import blockbuster_ctx
from PySide6.QtWidgets import QApplication

OUR_PACKAGES = ["classroom_console", "devices", "ui"]
# Resolved now, not lazily inside a test's loop, where PySide's import hook would stat files.
concurrent.futures.ThreadPoolExecutor  # noqa: B018
THREAD_GRACE_S = 3.0


def _loopback_only(sock: socket.socket, address: object) -> None:
    """Tests may talk to this machine only; multicast counts as local when pinned to loopback."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return
    host = str(address[0])
    if host == "localhost":
        return
    ip = ipaddress.ip_address(host.split("%")[0])
    if ip.is_loopback:
        return
    if ip.is_multicast and sock.family == socket.AF_INET:
        pinned = ipaddress.IPv4Address(sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4))
        if pinned.is_loopback:
            return
    raise AssertionError(f"a test sent traffic to {host}: tests may only use loopback")


def _guarded(name: str) -> None:
    real = getattr(socket.socket, name)

    def guarded(self: socket.socket, *args: object) -> object:
        _loopback_only(self, args[-1] if name == "sendto" else args[0])
        return real(self, *args)

    setattr(socket.socket, name, guarded)


for _method in ("connect", "connect_ex", "sendto"):
    _guarded(_method)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (every test module, its imports, the test items) lives for the whole run, so the
    collections after each test skip it (``gc.freeze``), as the app does once it is up (ui/main_thread_gc.py):
    a full collection over those ~165,000 objects took 0.2-0.4 s after every test, minutes of a CI run."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_main_thread() -> Iterator[None]:
    """As in the app (ui/main_thread_gc.py): a collection set off by a worker thread (the store's writer, a
    preview, an encoder) would free a test's widgets there, and Qt crashes later in its event processing. So no
    automatic collection runs during a test; its garbage is collected here, on the main thread, once it is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if not gc.get_freeze_count():  # unfrozen (a centre that stopped, centre/server.py): frozen again
            gc.freeze()
        if was_enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def _no_blocking_in_the_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    """An async test fails if our code makes a blocking call (file, socket, sleep) on the loop."""
    if not inspect.iscoroutinefunction(getattr(request.node, "obj", None)):
        yield
        return
    with blockbuster_ctx(OUR_PACKAGES):
        yield


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """A test must stop every thread it started; a leftover worker is a freeze waiting to happen."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and _running(t)]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"test left threads running: {[t.name for t in leaked]}"


def _running(thread: threading.Thread) -> bool:
    """A thread Python did not start (a QThread of qasync's executor that logged a line) stays listed as alive
    after it ends (Python 3.11's ``_DummyThread``): the kernel's list of this process's threads says whether it
    still runs."""
    if isinstance(thread, threading._DummyThread):
        return os.path.exists(f"/proc/self/task/{thread.native_id}")
    return thread.is_alive()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The asyncio loop running inside Qt, the app's own (ui/event_loop.py); tests drive it with run_until_complete."""
    from ui.event_loop import ConsoleEventLoop  # here: the core's tests import no Qt of ours

    loop = ConsoleEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    asyncio.set_event_loop(None)
