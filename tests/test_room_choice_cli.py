"""The command line's side of "this room's device": `discover --json` says it per device ("room": true, false or
null), and `device ID room yes|no|unset` keeps the word in the device's row, as the window's tick does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from classroom_console.store import open_store
from tests.test_cli_room import cli, sim_room  # noqa: F401  # the module's `sim room`, in a process of its own

PROJECTOR = "mac:02:cc:80:00:00:02"  # one the other module's control test leaves alone
ADDRESS = "127.0.80.2"  # its address


def rooms(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    return {str(d["id"]): d["room"] for d in json.loads(done.stdout) if str(d["id"]).startswith("mac:02:cc:80:00:00:0")}


def test_discover_says_which_devices_are_the_rooms_and_device_room_no_refuses_one(
    sim_room: subprocess.Popen[str], tmp_path: Path  # noqa: F811
) -> None:
    look = ("discover", "--json", "--scope", "loopback", "--timeout", "3", "--password", "secret")
    first = rooms(cli(tmp_path, *look))
    # The loopback look asks each address of the simulated range, standing for a broadcast search: no evidence
    assert len(first) == 4 and set(first.values()) == {None}, first
    # An address named one by one is (the projector's, 127.0.80.2); a range's hosts are not (R11 F5: a room's VLAN
    # holds the neighbours' projectors too)
    named = rooms(cli(tmp_path, *look, "--sweep", ADDRESS))
    assert named[PROJECTOR] is True and [v for k, v in named.items() if k != PROJECTOR] == [None] * 3, named
    ranged = rooms(cli(tmp_path, *look, "--sweep", "127.0.80.0/29"))
    assert set(ranged.values()) == {None}, ranged

    said = cli(tmp_path, "device", PROJECTOR, "room", "no")
    assert said.returncode == 0, said.stderr
    assert "is not this room's" in said.stdout
    again = rooms(cli(tmp_path, *look, "--sweep", ADDRESS))  # the look rewrites the rows: the word stays
    assert again[PROJECTOR] is False and [v for k, v in again.items() if k != PROJECTOR] == [None] * 3

    store = open_store(tmp_path)
    try:
        store.forget_device(PROJECTOR)  # a stranger leaving: a row with the lecturer's word on it stays
        assert {r["uid"]: r["room_choice"] for r in store.known_devices()}[PROJECTOR] == 0
    finally:
        store.close()

    assert cli(tmp_path, "device", PROJECTOR, "room", "unset").returncode == 0
    assert rooms(cli(tmp_path, *look, "--sweep", ADDRESS))[PROJECTOR] is True  # named: the room's by evidence
    wrong = cli(tmp_path, "device", PROJECTOR, "room", "maybe")
    assert wrong.returncode == 1 and "yes, no or unset" in wrong.stderr
    unknown = cli(tmp_path, "device", "mac:02:00:00:00:00:98", "room", "yes")
    assert unknown.returncode == 1 and "discover first" in unknown.stderr
