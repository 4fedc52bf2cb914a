"""``classroom-console device``: control one device by its id or address, from a script.

It goes through the same Room and driver as the console window, so a command typed here is logged in the
session the window is running, and a refusal reads the same.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from classroom_console.cli_text import ptr, tr
from classroom_console.commands.argtypes import positive_seconds
from devices.driver import Capability, Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind

if TYPE_CHECKING:
    from classroom_console.room import Room
    from classroom_console.store import AsyncStore

# The store, the room and discovery are imported when the command runs (see docs/architecture.md): `--help`
# and a parse error need none of them. Reading one device by its address goes without asyncio where it can
# (`device_status.py`).

HELP = ("control one device: power on|off|status, input NAME, mute on|off; a camera: ptz …, snapshot FILE; "
        "room yes|no|unset: whether scenes switch it")
PJLINK_PORT = 4352
DEFAULT_PROTOCOL = "pjlink"


class DeviceNotFound(Exception):
    """Neither an address nor an id the store or discovery knows."""


class DeviceUnusable(Exception):
    """The device is there but cannot be driven now; the message says why, in one line."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="ID|ADDRESS", help=tr("a device id (mac:…) or an address[:port]"))
    parser.add_argument("action", choices=["power", "input", "mute", "status", "ptz", "snapshot", "room"],
                        help=tr("what to do"))
    parser.add_argument(
        "value", nargs="*",
        help=tr("on|off|status for power, a name or code for input, on|off for mute; for ptz: move, home, position, "
        "preset set N, preset recall N; for snapshot: the PNG file to write; for room: yes, no or unset"),
    )
    parser.add_argument("--pan", type=_unit(-1.0, 1.0), metavar="P", help=tr("ptz move: pan, -1 (left) to 1 (right)"))
    parser.add_argument("--tilt", type=_unit(-1.0, 1.0), metavar="T", help=tr("ptz move: tilt, -1 (down) to 1 (up)"))
    parser.add_argument("--zoom", type=_unit(0.0, 1.0), metavar="Z", help=tr("ptz move: zoom, 0 (wide) to 1 (tele)"))
    parser.add_argument("--password", help=tr("the device's password (remembered for this device when it works)"))
    parser.add_argument("--timeout", type=positive_seconds, default=3.0, metavar="S",
                        help=tr("per-step timeout (default 3)"))
    parser.add_argument("--json", action="store_true", help=tr("print status as JSON"))


def _unit(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(tr("{text!r} is not a number").format(text=text)) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(tr("{text} is outside {low:g}..{high:g}").format(
                text=text, low=low, high=high))
        return value

    return parse


def _as_address(target: str) -> tuple[str, int] | None:
    host, _, port = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    if not port:
        return host, PJLINK_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise DeviceNotFound(tr("{port!r} is not a port number (1-65535)").format(port=port))
    return host, int(port)


async def _locate(target: str, store: AsyncStore, step_timeout: float) -> DeviceInfo:
    """The device as the store remembers it, else as found at that address or by discovery."""
    from classroom_console.room_devices import remembered_state
    from devices.discovery import device_uid

    address = _as_address(target)
    row = remembered_row(await store.known_devices(), target, address)
    if row is not None:
        return device_from_row(row, remembered_state(row))
    if address is not None:
        uid = device_uid(None, "", "", *address)
        return DeviceInfo(uid, DeviceKind.PROJECTOR, target, address[0], address[1], DEFAULT_PROTOCOL)
    from classroom_console.discovery_scope import Scope, finder_config  # looking: only when not remembered
    from devices.discovery import DeviceFinder

    for info in await DeviceFinder(finder_config(Scope.ALL, step_timeout=step_timeout)).discover(5.0):
        if info.uid == target:
            return info
    raise DeviceNotFound(tr("no device {target!r}: not remembered and not found on the network").format(target=target))


class StoredRow(Protocol):
    """A row of the store's ``devices`` table: a dict from the store, or an ``sqlite3.Row`` read directly."""

    def __getitem__(self, key: str) -> Any: ...


RowT = TypeVar("RowT", bound=StoredRow)


def remembered_row(rows: Iterable[RowT], target: str, address: tuple[str, int] | None) -> RowT | None:
    """The remembered device a target names (rows most recently seen first): by address, and by port only where
    the target gives one; else by id, where it has an address to reach it at."""
    if address is not None:
        given_port = ":" in target and target.count(":") == 1
        return next((r for r in rows if r["last_address"] == address[0]
                     and (not given_port or r["last_port"] == address[1])), None)
    return next((r for r in rows if r["uid"] == target and r["last_address"]), None)


def device_from_row(row: StoredRow, state: object) -> DeviceInfo:
    """A remembered device as the commands drive it, with the state it last reported (if a dict); raises
    ValueError for a kind this console does not know."""
    return DeviceInfo(
        row["uid"], DeviceKind(row["kind"]), row["name"] or row["uid"], row["last_address"],
        int(row["last_port"] or PJLINK_PORT), row["protocol"] or DEFAULT_PROTOCOL,
        state=dict(state) if isinstance(state, dict) else {},
    )


def _command(args: argparse.Namespace) -> Command | None:
    """None for reading (status, ptz position, snapshot); a bad value is a one-line usage error."""
    words = [str(w) for w in args.value]
    value = words[0].lower() if words else ""
    if args.action in ("status", "snapshot") or (args.action == "power" and value in ("", "status")):
        return None
    if args.action in ("power", "mute") and value in ("on", "off") and len(words) == 1:
        return Command(Capability.POWER if args.action == "power" else Capability.BLANK, value == "on")
    if args.action == "input" and words:
        return Command(Capability.INPUT, " ".join(words))
    if args.action == "ptz":
        return _ptz_command(args, [w.lower() for w in words])
    if args.action in ("power", "mute"):
        raise DeviceUnusable(tr("{action} takes on or off, not {value!r}").format(
            action=args.action, value=" ".join(words)) if words else tr(
            "{action} needs a value: see classroom-console device --help").format(action=args.action))
    raise DeviceUnusable(tr("{action} needs a value: see classroom-console device --help").format(action=args.action))


def _ptz_command(args: argparse.Namespace, words: list[str]) -> Command | None:
    if words == ["position"]:
        return None
    if words == ["home"]:
        return Command("ptz-home")
    if words == ["move"]:
        if args.pan is None or args.tilt is None:
            raise DeviceUnusable(tr("ptz move needs --pan and --tilt (and optionally --zoom)"))
        return Command("ptz-goto", (args.pan, args.tilt, -1.0 if args.zoom is None else args.zoom))
    if len(words) == 3 and words[0] == "preset" and words[1] in ("set", "recall"):
        if not words[2].isdigit() or int(words[2]) > 255:
            raise DeviceUnusable(tr("{value!r} is not a preset number (0-255)").format(value=words[2]))
        return Command("preset-store" if words[1] == "set" else "preset-recall", int(words[2]))
    raise DeviceUnusable(tr("ptz wants: move --pan P --tilt T [--zoom Z], home, position, preset set|recall N"))


async def _joined_room(store: AsyncStore) -> Room:
    from classroom_console.room import Room, Session

    room = Room("CLI", log_store=store, remember_devices=False)
    running = await store.running_session()
    if running is not None:
        room.join_session(Session(running["id"], running["lecturer"] or "", running["course"] or "", running["kind"]))
    return room


async def act(args: argparse.Namespace) -> str:
    from classroom_console.passwords import PasswordBook
    from classroom_console.room_devices import DeviceCommandError, RoomDevices
    from classroom_console.store import AsyncStore

    command = _command(args)
    store = await AsyncStore.open(args.data_dir)
    try:
        info = await _locate(args.target, store, args.timeout)
        book = PasswordBook(store)
        password = args.password or (await book.load([info.uid])).get(info.uid)
        room = await _joined_room(store)
        # Readings (lamp hours, power) are kept for the room's own devices; one reached only by its address here is
        # not in the store, and writing its reading failed ("FOREIGN KEY constraint failed" on every status).
        remembered = any(row["uid"] == info.uid for row in await store.known_devices())
        controls = RoomDevices(
            room, None, store=store if remembered else None,
            passwords={info.uid: password} if password else {}, poll_interval_s=3600.0, timeout_s=args.timeout,
        )
        try:
            await controls.adopt(info)
            await controls.refresh(info.uid)
            device = room.devices[info.uid]
            if device.availability in (Availability.OFFLINE, Availability.AUTH_FAILED, Availability.UNKNOWN):
                raise DeviceUnusable(_unusable(device, getattr(args, "verbose", False)))
            if args.action == "snapshot":
                return await _snapshot(info.uid, device, args.value)
            if args.action == "ptz" and command is None:
                return _position(info.uid, device, args.json)
            if command is None:
                return status_text(info, device, args.json, getattr(args, "verbose", False))
            if command.name == "ptz-goto" and isinstance(command.value, tuple) and command.value[2] < 0:
                zoom = (device.state.get("position") or {}).get("zoom", 0.0)  # --zoom left out: keep the zoom
                command = Command("ptz-goto", (command.value[0], command.value[1], float(zoom)))
            try:
                await controls.command(info.uid, command)
            except DeviceCommandError as exc:
                inputs = room.devices[info.uid].state.get("inputs")
                if exc.reason is Reason.BAD_VALUE and command.name == Capability.INPUT and isinstance(inputs, dict):
                    raise DeviceUnusable(tr("no input called {name!r}; this device has: {inputs}").format(
                        name=command.value, inputs=", ".join(map(str, inputs.values())))) from None
                raise
            result = _done(info.uid, command, room.devices[info.uid].state)
        finally:
            await controls.stop()
            await room.flush()
        if args.password and info.uid.startswith(("mac:", "serial:")):
            await book.save(info.uid, args.password)
        return result
    finally:
        await store.close()


ROOM_WORDS = {"yes": True, "no": False, "unset": None}


async def room_word(args: argparse.Namespace) -> str:
    """``device ID room yes|no|unset``: the lecturer's word on whether a remembered device is this room's, kept in its
    row as the window's tick keeps it (``room_choice.py``); no device is asked, so it works on one that is off."""
    from classroom_console.store import AsyncStore

    words = [str(w).lower() for w in args.value]
    if len(words) != 1 or words[0] not in ROOM_WORDS:
        raise DeviceUnusable(tr("room takes yes, no or unset"))
    choice = ROOM_WORDS[words[0]]
    store = await AsyncStore.open(args.data_dir)
    try:
        row = remembered_row(await store.known_devices(), args.target, _as_address(args.target))
        if row is None or not await store.set_room_choice(str(row["uid"]), choice):
            raise DeviceNotFound(tr("no device {target!r} remembered: run classroom-console discover first").format(
                target=args.target))
    finally:
        await store.close()
    said = {True: tr("{name} ({uid}) is this room's: scenes, All on/off and the session's end switch it"),
            False: tr("{name} ({uid}) is not this room's: scenes, All on/off and the session's end leave it alone"),
            None: tr("{name} ({uid}): this room's or not is undecided again")}[choice]
    return said.format(name=row["name"] or row["uid"], uid=row["uid"]) + "\n" + tr(
        "A console window already open takes it within a few seconds.")


def is_status_read(args: argparse.Namespace) -> bool:
    """`status`, `power` or `power status`: reading the device, nothing sent to it."""
    words = [str(w).lower() for w in args.value]
    return args.action == "status" or (args.action == "power" and words in ([], ["status"]))


def status_text(info: DeviceInfo, device: DeviceInfo, as_json: bool, verbose: bool = False) -> str:
    """What `status` prints of a device read (``info`` as it was found, ``device`` as it was read)."""
    if device.availability in (Availability.OFFLINE, Availability.AUTH_FAILED, Availability.UNKNOWN):
        raise DeviceUnusable(_unusable(device, verbose))
    from classroom_console.room_choice import JUDGEMENT_KEYS

    state = {k: v for k, v in device.state.items() if k != "detail" and k not in JUDGEMENT_KEYS}
    if device.availability is Availability.FAULT and not state:  # it answered, but nothing could be read of it
        raise DeviceUnusable(_unusable(device, verbose))  # (a projector answering garbage printed its id, exit 0)
    if as_json:
        return json.dumps({"id": info.uid, "address": info.address, "port": info.port, "state": state}, indent=2)
    from classroom_console.cli_reasons import state_label

    lines = [tr("{uid} at {address}:{port}").format(uid=info.uid, address=info.address, port=info.port)]
    for key, value in state.items():
        shown = _fields(value) if key in ("unavailable", "failed") and isinstance(value, list) else _plain(value)
        if shown:  # no faults reported ("errors": {}) is no line, not an empty one
            lines.append(f"  {state_label(key)}: {shown}")
    return "\n".join(lines)


# The fields a projector reads (devices/pjlink/reader.py), as the "unavailable" and "failed" lines name them.
_FIELDS = {
    "power": "power", "input": "input", "mute": "mute", "freeze": "freeze", "input_resolution": "input resolution",
    "recommended_resolution": "recommended resolution", "lamps": "lamp hours", "errors": "faults",
    "filter_hours": "filter hours", "inputs": "inputs", "input_names": "input names",
    "serial_number": "serial number", "software_version": "software version", "lamp_model": "lamp model",
    "filter_model": "filter model", "pjlink_class": "PJLink class", "name": "name", "manufacturer": "manufacturer",
    "product": "model", "info": "information",
}


def _fields(names: list[object]) -> str:
    """Fields of a device's state by name ("input_resolution") in words; one not known stays as named."""
    return ", ".join(ptr("field", _FIELDS[str(n)]) if str(n) in _FIELDS else str(n) for n in names)


def _unusable(device: DeviceInfo, verbose: bool = False) -> str:
    """Why the device cannot be used, one plain sentence for its reason code; the protocol's own words (a socket
    error, "UDP error: ConnectionRefusedError(…)") only with --verbose."""
    from classroom_console.cli_reasons import reason_text, with_detail

    if device.reason in (Reason.PASSWORD_NEEDED, Reason.PASSWORD_WRONG):
        return tr("wrong or missing password (use --password)")
    reason = device.reason or (Reason.DEVICE_FAULT if device.availability is Availability.FAULT else Reason.NO_ANSWER)
    return with_detail(reason_text(reason, str(device.state.get("id_conflict") or "")),
                       str(device.state.get("detail") or ""), verbose)


def _position(uid: str, device: DeviceInfo, as_json: bool) -> str:
    position = device.state.get("position")
    if not isinstance(position, dict):
        raise DeviceUnusable(tr("this device has no PTZ position to tell"))
    if as_json:
        return json.dumps({"id": uid, **position})
    return tr("pan {pan:+.3f}  tilt {tilt:+.3f}  zoom {zoom:.3f}").format(**position)


async def _snapshot(uid: str, device: DeviceInfo, words: list[str]) -> str:
    if len(words) != 1:
        raise DeviceUnusable(tr("snapshot needs the file to write, e.g. snapshot out.png"))
    url = device.state.get("snapshot_url") or device.state.get("stream_url")
    if not url:
        raise DeviceUnusable(tr("this device has no picture to take"))
    import asyncio

    from classroom_console.media.snapshot import PictureError, save_picture  # OpenCV and PyAV: only here

    path = Path(words[0])
    try:
        size = await asyncio.to_thread(save_picture, str(url), path)
    except PictureError as exc:
        raise DeviceUnusable(str(exc)) from None
    return tr("{uid}: snapshot {width}x{height} saved to {file}").format(
        uid=uid, width=size[0], height=size[1], file=words[0])


def _done(uid: str, command: Command, state: dict[str, object]) -> str:
    from classroom_console.cli_reasons import command_text, state_word

    if command.name.startswith(("ptz", "preset")):
        position = state.get("position")
        where = (tr(" (now pan {pan:+.2f}, tilt {tilt:+.2f}, zoom {zoom:.2f})").format(**position)
                 if isinstance(position, dict) else "")
        return tr("{uid}: done: {what}").format(uid=uid, what=command_text(command.name, command.value)) + where
    if command.name == Capability.POWER:
        return (tr("{uid}: power on accepted (now {state})") if command.value else tr(
            "{uid}: power off accepted (now {state})")).format(uid=uid, state=state_word(str(state.get("power",
                                                                                                       "unknown"))))
    if command.name == Capability.INPUT:
        return tr("{uid}: input {input} selected").format(uid=uid, input=command.value)
    return (tr("{uid}: audio and video mute on") if command.value else tr("{uid}: audio and video mute off")).format(
        uid=uid)


def _plain(value: object) -> str:
    """A state value as a person reads it: lists and maps without Python's brackets and quotes, codes in words."""
    from classroom_console.cli_reasons import state_word

    if isinstance(value, dict):
        return ", ".join(f"{state_word(str(k))} {state_word(str(v))}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return tr("True") if value else tr("False")
    return state_word(str(value))


def run(args: argparse.Namespace) -> int:
    try:
        if is_status_read(args):
            from classroom_console.commands.device_status import read_without_loop

            text = read_without_loop(args)
            if text is not None:
                print(text)
                return 0
    except (DeviceNotFound, DeviceUnusable) as exc:
        print(f"{args.target}: {exc}", file=sys.stderr)
        return 1
    import asyncio

    from classroom_console.room_devices import DeviceCommandError
    from classroom_console.store import StoreError

    try:
        print(asyncio.run(room_word(args) if args.action == "room" else act(args)))
    except StoreError as exc:  # a store of a newer console, a damaged or locked one: one line
        from classroom_console.cli_store import store_error_line

        why = store_error_line(exc, args.data_dir, getattr(args, "verbose", False))
        print(f"classroom-console device: {why}", file=sys.stderr)
        return 1
    except DeviceCommandError as exc:
        if exc.reason in (Reason.PASSWORD_NEEDED, Reason.PASSWORD_WRONG):
            print(f"{args.target}: " + tr("wrong or missing password (use --password)"), file=sys.stderr)
        elif exc.reason is Reason.UNSUPPORTED and exc.command.name.startswith(("ptz", "preset")):
            print(f"{args.target}: " + tr("this device cannot be aimed (it has no PTZ)"), file=sys.stderr)
        elif exc.reason is Reason.UNSUPPORTED:
            print(f"{args.target}: " + tr("this device cannot do that ({command})").format(
                command=exc.command.label()), file=sys.stderr)
        else:
            from classroom_console.cli_reasons import refusal

            print(f"{args.target}: " + refusal(exc, getattr(args, "verbose", False)), file=sys.stderr)
        return 1
    except (DeviceNotFound, DeviceUnusable) as exc:
        print(f"{args.target}: {exc}", file=sys.stderr)
        return 1
    return 0
