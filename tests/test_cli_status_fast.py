"""`device ADDRESS status` read on a blocking socket prints what the room's full path prints (issue 17 item 4).

The loop-free read (`commands/device_status.py`) runs in a fresh interpreter, as a user runs it, against real
simulated projectors (well, locked, wrong password, garbage, a closed port); the full path (`device.act`: store,
room, RoomDevices on asyncio) reads the same device in this process. Output, error line and exit code must match.
A remembered device is read loop-free too and keeps the same reading row; in a running session the read logs the
same event as the room; a store of a newer console still takes the full path.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import classroom_console.passwords
import classroom_console.room
import classroom_console.room_devices  # noqa: F401
from classroom_console import cli
from classroom_console.commands import device, device_status
from classroom_console.commands.device import DeviceNotFound, DeviceUnusable
from classroom_console.store import LATEST_VERSION, open_store, paths
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.sim.pjlink_projector import Fault, SimProjectorConfig, SimulatedProjector

RUN_AND_REPORT = """
import contextlib, io, json, sys
from classroom_console import cli
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        code = cli.main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(), "asyncio": "asyncio" in sys.modules}))
"""


def run_cli(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_REPORT, *args], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return report


def full_path(data: Path, *args: str) -> dict[str, object]:
    """The same command through the room on asyncio, in this process, reported the way the CLI prints it."""
    parsed = cli.build_parser().parse_args(["--data-dir", str(data), *args])
    try:
        return {"code": 0, "out": asyncio.run(device.act(parsed)) + "\n", "err": ""}
    except (DeviceNotFound, DeviceUnusable) as exc:
        return {"code": 1, "out": "", "err": f"{parsed.target}: {exc}\n"}


@contextmanager
def projector(fault: Fault | None = None, password: str | None = None, host: str = "127.0.0.1",
              port: int = 0) -> Iterator[SimulatedProjector]:
    """A simulated projector on a loop of its own (the commands under test block: they may not share it)."""
    config = SimProjectorConfig(host=host, port=port, udp_port=None, fault=fault, password=password,
                                mac="02:00:00:00:17:04", idle_timeout_s=60)
    sim = SimulatedProjector(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sim-projector")
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(sim.start(), loop).result(30)
        yield sim
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


CASES: list[tuple[str, Fault | None, str | None, list[str]]] = [
    ("well", None, None, []),
    ("well, as JSON", None, None, ["--json"]),
    ("power status", None, None, []),
    ("locked, no password", None, "secret", []),
    ("locked, right password", None, "secret", ["--password", "secret"]),
    ("locked, wrong password", None, "secret", ["--password", "guess"]),
    ("refuses every password", "wrong_password", None, ["--password", "secret"]),
    ("answers garbage", "garbage", None, []),
]


@pytest.mark.parametrize(("case", "fault", "password", "extra"), CASES, ids=[c[0] for c in CASES])
def test_the_loop_free_read_prints_what_the_room_prints(
    tmp_path: Path, case: str, fault: Fault | None, password: str | None, extra: list[str]
) -> None:
    with projector(fault, password) as sim:
        action = ["power", "status"] if case == "power status" else ["status"]
        args = ["device", f"127.0.0.1:{sim.tcp_port}", *action, "--timeout", "2", *extra]
        fast = run_cli("--data-dir", str(tmp_path / "fast"), *args)
        full = full_path(tmp_path / "full", *args)
    assert fast["asyncio"] is False, f"{case}: the loop-free read was not taken"
    assert {k: fast[k] for k in ("code", "out", "err")} == full, case


def test_a_closed_port_reads_the_same_on_both(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        args = ["device", f"127.0.0.1:{port}", "status", "--timeout", "2"]
        fast = run_cli("--data-dir", str(tmp_path / "fast"), *args)
        full = full_path(tmp_path / "full", *args)
    assert fast["asyncio"] is False
    assert fast["code"] == 1 and "Cannot connect to it" in str(fast["err"])
    assert {k: fast[k] for k in ("code", "out", "err")} == full


def remembering(folder: Path, port: int) -> None:
    store = open_store(folder)
    try:
        store.upsert_device(DeviceInfo(
            "mac:02:00:00:00:17:04", DeviceKind.PROJECTOR, "Front", "127.0.0.1", port, "pjlink",
            availability=Availability.ONLINE, state={"manufacturer": "Kept from before"}))
    finally:
        store.close()


def kept_readings(folder: Path) -> list[tuple[object, ...]]:
    store = open_store(folder)
    try:
        return [(r["device_uid"], r["power"], r["lamp_hours"], r["error_status"])
                for r in store.device_readings("mac:02:00:00:00:17:04")]
    finally:
        store.close()


@pytest.mark.parametrize("by", ["address", "id"])
def test_a_remembered_device_reads_without_the_loop_and_keeps_the_reading_the_room_keeps(
    tmp_path: Path, by: str
) -> None:
    """A console that knows its projector (the usual case) reads it loop-free too, and keeps the same reading row."""
    with projector() as sim:
        target = f"127.0.0.1:{sim.tcp_port}" if by == "address" else "mac:02:00:00:00:17:04"
        for name in ("fast", "full"):
            remembering(tmp_path / name, sim.tcp_port)
        fast = run_cli("--data-dir", str(tmp_path / "fast"), "device", target, "status", "--timeout", "2")
        full = full_path(tmp_path / "full", "device", target, "status", "--timeout", "2")
    assert fast["asyncio"] is False, "the loop-free read was not taken"
    assert {k: fast[k] for k in ("code", "out", "err")} == full
    assert str(fast["out"]).startswith("mac:02:00:00:00:17:04 at ")
    assert kept_readings(tmp_path / "fast") == kept_readings(tmp_path / "full")
    assert len(kept_readings(tmp_path / "fast")) == 1


def in_session(folder: Path) -> None:
    store = open_store(folder)
    try:
        store.start_session(lecturer="L", course="C", kind="lecture")
    finally:
        store.close()


def logged(folder: Path) -> list[tuple[Any, Any, Any]]:
    """The running session's events as the centre will get them (their times, and the garbage a projector
    answered, which differs per read, aside)."""
    store = open_store(folder)
    try:
        running = store.running_session()
        assert running is not None
        events = [(e["device_uid"], e["kind"], e["payload"]) for e in store.events(running["id"])]
    finally:
        store.close()
    for _, _, payload in events:
        detail = payload.get("state", {}).get("detail", "")
        if "not a PJLink reply" in detail:
            payload["state"]["detail"] = detail.split(":", 1)[0]
    return events


SESSION_CASES: list[tuple[str, Fault | None, str | None, bool]] = [
    ("well, remembered", None, None, True),
    ("well, by address only", None, None, False),
    ("locked, no password", None, "secret", True),
    ("answers garbage", "garbage", None, True),
]


@pytest.mark.parametrize(("case", "fault", "password", "remember"), SESSION_CASES, ids=[c[0] for c in SESSION_CASES])
def test_in_a_running_session_the_loop_free_read_logs_what_the_room_logs(
    tmp_path: Path, case: str, fault: Fault | None, password: str | None, remember: bool
) -> None:
    """The console window runs a session; a technician reads a projector from a terminal: the change is logged in
    that session, one `state` event with the room's payload, beside the same reading row."""
    with projector(fault, password) as sim:
        for name in ("fast", "full"):
            if remember:
                remembering(tmp_path / name, sim.tcp_port)
            in_session(tmp_path / name)
        args = ["device", f"127.0.0.1:{sim.tcp_port}", "status", "--timeout", "2"]
        fast = run_cli("--data-dir", str(tmp_path / "fast"), *args)
        full = full_path(tmp_path / "full", *args)
    assert fast["asyncio"] is False, f"{case}: the loop-free read was not taken"
    assert {k: fast[k] for k in ("code", "out", "err")} == full, case
    assert logged(tmp_path / "fast") == logged(tmp_path / "full"), case
    assert len(logged(tmp_path / "fast")) == 1 and logged(tmp_path / "fast")[0][1] == "state", case
    if remember:
        assert kept_readings(tmp_path / "fast") == kept_readings(tmp_path / "full"), case


def test_a_store_too_new_takes_the_full_path_and_is_refused_in_one_line(tmp_path: Path) -> None:
    """A store of a newer console is refused by the room's path, and nothing is written to it."""
    with projector() as sim:
        target = f"127.0.0.1:{sim.tcp_port}"
        remembering(tmp_path / "newer", sim.tcp_port)
        with sqlite3.connect(paths.database_path(tmp_path / "newer")) as db:
            db.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
        newer = run_cli("--data-dir", str(tmp_path / "newer"), "device", target, "status")
        fresh = run_cli("--data-dir", str(tmp_path / "fresh"), "device", target, "status")
    assert newer["code"] == 1 and newer["asyncio"] is True and newer["out"] == ""
    assert f"schema version {LATEST_VERSION + 1}" in str(newer["err"]) and "Traceback" not in str(newer["err"])
    with sqlite3.connect(paths.database_path(tmp_path / "newer")) as db:
        assert db.execute("SELECT count(*) FROM device_readings").fetchone() == (0,)
    assert fresh["code"] == 0 and fresh["asyncio"] is False


def test_the_store_is_looked_for_where_the_store_keeps_it(tmp_path: Path) -> None:
    assert device_status.database_path(None) == paths.database_path(None)
    assert device_status.database_path(tmp_path) == paths.database_path(tmp_path)


@pytest.mark.parametrize("timeout", ["-1", "0", "nan"])
def test_a_timeout_that_is_not_a_positive_number_is_refused_before_anything_is_read(
    tmp_path: Path, timeout: str
) -> None:
    refused = run_cli("--data-dir", str(tmp_path), "device", "127.0.0.1:9", "status", "--timeout", timeout)
    assert refused["code"] == 2 and "--timeout" in str(refused["err"]) and refused["out"] == ""
    assert not (tmp_path / "console.db").exists()


def test_a_projector_answering_garbage_is_said_so_and_fails(tmp_path: Path) -> None:
    """It printed only its id and exited 0 (E3): a technician took a device that speaks no PJLink for a good one."""
    with projector("garbage", None) as sim:
        done = run_cli("--data-dir", str(tmp_path), "device", f"127.0.0.1:{sim.tcp_port}", "status", "--timeout", "2")
    assert done["code"] == 1 and "does not understand" in str(done["err"]) and not done["out"]
