"""The acceptance path of the room commands: `sim room` in one process, `discover` and `device` in others."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.store import open_store

CLI = [sys.executable, "-m", "classroom_console"]


@pytest.fixture(scope="module")
def sim_room() -> Iterator[subprocess.Popen[str]]:
    """One room for the module (a start is some 3 s): the discover tests only read it, and the one test that
    changes a device (test_device_control_by_id_and_address) comes last."""
    proc = subprocess.Popen(
        [
            *CLI,
            "sim",
            "room",
            "--projectors",
            "3",
            "--boards",
            "1",
            "--password",
            "secret",
            "--warmup",
            "0.5",
            "--cooling",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Simulated room running"):
            break
    else:
        proc.kill()
    assert lines and lines[-1].startswith("Simulated room running"), (lines, proc.stderr and proc.stderr.read())
    assert len(lines) == 5  # four devices and the summary
    yield proc
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0 and "stopped" in out


def cli(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--data-dir", str(data_dir), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def by_kind(devices: list[dict[str, object]]) -> list[str]:
    return sorted(str(d["kind"]) for d in devices if str(d["id"]).startswith("mac:02:cc:80:00:00:0"))


def test_discover_lists_the_simulated_room(sim_room: subprocess.Popen[str], tmp_path: Path) -> None:
    # Tests stay on loopback (--scope loopback); the plain command also looks on the LAN.
    done = cli(tmp_path, "discover", "--json", "--scope", "loopback", "--timeout", "3", "--password", "secret")
    assert done.returncode == 0, done.stderr
    devices = [d for d in json.loads(done.stdout) if str(d["id"]).startswith("mac:02:cc:80:00:00:0")]
    assert by_kind(devices) == ["board", "projector", "projector", "projector"]
    for device in devices:
        assert device["availability"] == "online"
        assert device["protocol"] == "pjlink" and device["class"] == "2"
        state = device["state"]
        assert isinstance(state, dict) and state["lamp_hours"]
        # the room is the module's: the one projector test_device_control_by_id_and_address turns on may be on
        # already where tests run in another order (-p randomly, --ff); every other device is as the room began
        assert state["power"] == "off" or device["id"] == CONTROLLED, device
    assert len({d["id"] for d in devices}) == 4


def test_discover_without_the_password_says_so(sim_room: subprocess.Popen[str], tmp_path: Path) -> None:
    done = cli(tmp_path, "discover", "--scope", "loopback", "--timeout", "3")
    assert done.returncode == 0, done.stderr
    ours = [line for line in done.stdout.splitlines() if "mac:02:cc:80:00:00:0" in line]
    assert len(ours) == 4 and all("auth_failed" in line for line in ours)
    # NAME is behind the password, so the name the device announced over DNS-SD stands in for it.
    assert sorted(line.split()[2] for line in ours) == ["Board", "Projector", "Projector", "Projector"]


CONTROLLED = "mac:02:cc:80:00:00:01"  # the projector test_device_control_by_id_and_address turns on


def test_device_control_by_id_and_address(sim_room: subprocess.Popen[str], tmp_path: Path) -> None:
    uid = CONTROLLED
    assert cli(tmp_path, "discover", "--scope", "loopback", "--timeout", "3").returncode == 0  # remembers ids
    # An id neither remembered nor found: the command looks on the network for 5 s first, beside the rest.
    unknown = subprocess.Popen([*CLI, "--data-dir", str(tmp_path), "device", "mac:02:00:00:00:00:99", "status"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        control_the_projector(tmp_path, uid)
        _, err = unknown.communicate(timeout=90)
    finally:
        if unknown.poll() is None:
            unknown.kill()
            unknown.communicate()
    assert unknown.returncode == 1 and "no device" in err


def control_the_projector(tmp_path: Path, uid: str) -> None:
    wrong = cli(tmp_path, "device", uid, "power", "on")
    assert wrong.returncode == 1 and "password" in wrong.stderr
    store = open_store(tmp_path)  # the console window on this PC is running a session
    session_id = store.start_session(lecturer="Aliya", course="Physics")
    on = cli(tmp_path, "device", uid, "power", "on", "--password", "secret")
    assert on.returncode == 0 and "power on accepted" in on.stdout, on.stderr
    logged = [(e["device_uid"], e["payload"]) for e in store.events(session_id) if e["kind"] == "command"]
    store.end_session(session_id)
    store.close()
    assert logged == [(uid, {"command": "power on"})]  # the command went through the room, into the session
    busy = cli(tmp_path, "device", "127.0.80.1", "input", "HDMI 2")  # password remembered; still warming
    assert busy.returncode in (0, 1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = cli(tmp_path, "device", uid, "status", "--json")
        if json.loads(status.stdout)["state"]["power"] == "on":
            break
        time.sleep(0.3)
    else:
        pytest.fail("projector never finished warming up")
    assert cli(tmp_path, "device", "127.0.80.1", "input", "HDMI 2").returncode == 0
    assert cli(tmp_path, "device", uid, "mute", "on").returncode == 0
    state = json.loads(cli(tmp_path, "device", uid, "status", "--json").stdout)["state"]
    assert state["input_name"] == "HDMI 2" and state["video_mute"] and state["audio_mute"]
    bad = cli(tmp_path, "device", uid, "input", "HDMI 9")
    assert bad.returncode == 1 and "no input called" in bad.stderr
