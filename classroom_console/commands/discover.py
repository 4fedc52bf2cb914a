"""``classroom-console discover``: find the room's devices, read their state, print them."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from classroom_console.cli_text import ntr, tr
from classroom_console.commands.argtypes import number_in

if TYPE_CHECKING:
    from devices.model import DeviceInfo

# The store and discovery (zeroconf, ONVIF, the sweep) are imported when the command runs (docs/architecture.md).
HELP = "find the room's devices (PJLink search, DNS-SD, address sweep) and print them with their state"
READ_CONCURRENCY = 32
SWEEP_GEN0 = 10_000  # the collector's first threshold while the command looks (Python's own: 700)
SCOPES = ("all", "lan", "loopback")  # discovery_scope.Scope's (test_startup_imports keeps them equal)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=number_in(0.0, 600.0, low_open=True), default=5.0, metavar="S",
                        help=tr("how long to look (default 5)"))
    parser.add_argument("--json", action="store_true", help=tr("print JSON instead of a table"))
    parser.add_argument("--password", help=tr("the password for the devices that ask for one and have none "
                                              "remembered; sent to those alone, each named in the output"))
    parser.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="ADDR|CIDR",
        type=sweep_spec,
        help=tr("also probe these addresses or ranges (multicast does not cross VLANs); repeatable"),
    )
    parser.add_argument(
        "--scope",
        choices=SCOPES,
        default="all",
        help=tr("where to look: the LAN, loopback (simulated rooms), or both (default)"),
    )


def sweep_spec(text: str) -> str:
    """A --sweep value checked as the sweep will read it, refused by argparse in the user's words before any look."""
    import ipaddress

    from devices.discovery.sweep import MAX_RANGE_HOSTS, RangeTooLargeError, expand_targets

    try:
        expand_targets([text])
    except RangeTooLargeError:
        net = ipaddress.ip_network(text.strip(), strict=False)
        hosts = net.num_addresses - (2 if net.version == 4 and net.prefixlen < 31 else 0)  # as the sweep counts
        raise argparse.ArgumentTypeError(tr(
            "{spec} is a range of {hosts} addresses; at most {most} per range (a /{prefix} for IPv4): split or narrow "
            "it").format(spec=text, hosts=hosts, most=MAX_RANGE_HOSTS,
                         prefix=32 - (MAX_RANGE_HOSTS - 1).bit_length())) from None
    except ValueError:
        raise argparse.ArgumentTypeError(tr(
            "{spec!r} is not an address: give an IP address, IP:PORT or a range such as 10.0.5.0/24").format(
            spec=text)) from None
    return text


def asks_for_password(device: DeviceInfo) -> bool:
    """The look found it asking for a password, and not at an address claiming another device's id (a copy of
    a projector would take the password's digest home)."""
    from devices.driver import ID_CONFLICT

    return device.state.get("needs_password") is True and "claims" not in device.state and (
        device.reason != ID_CONFLICT)


async def discover(args: argparse.Namespace) -> tuple[list[DeviceInfo], set[str]]:
    """The devices found and read, and the ids of those sent ``--password``: only those that asked for one
    (the look asks each without it first: ``FinderConfig.default_password``)."""
    from classroom_console.discovery_scope import Scope, finder_config
    from classroom_console.passwords import PasswordBook
    from classroom_console.room_choice import chose, named_addresses
    from classroom_console.room_devices import poll_once
    from classroom_console.store import AsyncStore, StoreError
    from devices.discovery import DeviceFinder

    store: AsyncStore | None
    try:
        store = await AsyncStore.open(args.data_dir)
    except StoreError as exc:
        from classroom_console.cli_store import store_error_line

        why = store_error_line(exc, args.data_dir, getattr(args, "verbose", False))
        print("classroom-console discover: " + tr("not remembering devices: {why}").format(why=why), file=sys.stderr)
        store = None
    try:
        book = PasswordBook(store)
        rows = {str(row["uid"]): row for row in await store.known_devices()} if store else {}
        known = await book.load(list(rows))
        config = finder_config(Scope(args.scope), args.sweep, known, default_password=args.password)
        finder = DeviceFinder(config)  # loads every device family: the last of the command's imports
        sent: set[str] = set()
        with sweep_collector():
            found = await finder.discover(args.timeout)
            limit = asyncio.Semaphore(READ_CONCURRENCY)

            async def read(info: DeviceInfo) -> DeviceInfo:
                password = known.get(info.uid)
                if password is None and args.password is not None and asks_for_password(info):
                    password = args.password
                    sent.add(info.uid)
                async with limit:
                    read = await poll_once(info, password)
                # A device that asked for a password says its class only once let in (PJLink's CLSS): the look,
                # which asked it without the password first, had none.
                read.protocol_class = read.protocol_class or str(read.state.get("class") or "")
                return read

            devices = list(await asyncio.gather(*(read(info) for info in found)))
            named = named_addresses(config.sweep, config.wsd_targets)  # a range's hosts are no evidence (R11 F5)
            room_chose = chose(row.get("room_choice") for row in rows.values())  # then a newcomer is asked (F7)
            for device in devices:
                judge_room(device, rows.get(device.uid), device.uid in known, device.address in named, room_chose)
            if store is not None:
                for device in devices:
                    await store.upsert_device(device)
        return devices, sent
    finally:
        if store is not None:
            await store.close()


def judge_room(device: DeviceInfo, row: dict[str, Any] | None, own_password: bool, named: bool,
               room_chose: bool) -> None:
    """Whether ``device`` is this room's, by the window's rule (``room_choice.weigh``) on what its row keeps: the word,
    void on a device known by its address alone when another answers there now, else the evidence (a password of its
    own, an address listed one by one with --sweep before the room chose, marked the room's own). The marks its row
    keeps (``ROOM_KNOWN``, ``ROOM_USED``, and ``ROOM_SAID_AS`` with a word) go back into its state, or the look's write
    of its row would erase them."""
    from classroom_console.room_choice import ROOM, ROOM_SAID_AS, weigh
    from classroom_console.room_devices import ROOM_KNOWN, ROOM_USED, remembered_state

    kept = remembered_state(row) if row is not None else {}
    for mark in (ROOM_KNOWN, ROOM_USED):
        if kept.get(mark) is True:
            device.state[mark] = True
    said = row.get("room_choice") if row is not None else None
    said_as = kept.get(ROOM_SAID_AS)
    judged = weigh(None if said is None else bool(said), said_as, device, own_password=own_password,
                   marked_known=device.state.get(ROOM_KNOWN) is True, named=named, room_chose=room_chose)
    if said is not None and isinstance(said_as, dict):
        device.state[ROOM_SAID_AS] = said_as  # who answered there when the word was given, kept for the window
    device.state[ROOM] = str(judged)


@contextlib.contextmanager
def sweep_collector() -> Iterator[None]:
    """The cycle collector during the look, as the window runs it (ui/main_thread_gc.py): what the command has
    loaded by now lives until it exits, so collections skip it (``gc.freeze``), and they come every 10,000 new
    objects instead of 700, as a look at 1,000 devices makes and frees a great many, nearly all by reference
    counting. Measured whole-process on 1,000 simulated devices (--timeout 5): 0.88x the CPU quiet, 0.92x beside
    stress-ng --cpu 2. Undone afterwards, for a caller that goes on in the same process."""
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.freeze()
    if thresholds[0]:  # 0: collection switched off by whoever runs us, and left so
        gc.set_threshold(max(SWEEP_GEN0, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen:  # a caller's own freeze is kept (Python cannot undo only ours)
            gc.unfreeze()


def table(devices: list[DeviceInfo], verbose: bool = False) -> str:
    from classroom_console.cli_reasons import state_word

    rows = [(tr("KIND"), "ID", tr("NAME"), tr("ADDRESS"), tr("PROTOCOL"), tr("CLASS"), tr("STATE"))]
    for d in devices:
        rows.append((state_word(str(d.kind)), d.uid, d.name, f"{d.address}:{d.port}", d.protocol, d.protocol_class,
                     summary(d, verbose)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows
    )


def as_json(device: DeviceInfo) -> dict[str, Any]:
    """A device for scripts; a camera also says where its picture is and how it is aimed, at the top level."""
    from classroom_console.room_choice import answer

    out = device.as_json()
    out["room"] = answer(device)  # True this room's, False not, None undecided
    if "stream" in device.capabilities or device.kind == "camera":
        state = device.state
        out["stream_url"] = state.get("stream_url") or None
        out["onvif"] = state.get("onvif") or None
        out["ptz"] = state.get("ptz") or {"protocol": None, "port": None}
    return out


def summary(device: DeviceInfo, verbose: bool = False) -> str:
    """The state column in the user's words; why a device is out, by its reason code (the device's own words with
    --verbose, and in --json)."""
    from classroom_console.cli_reasons import reason_text, state_word, with_detail

    state: dict[str, Any] = device.state
    words = [state_word(str(device.availability))]
    if "power" in state:
        words.append(state_word(str(state["power"])))
    if "input_name" in state:
        words.append(state["input_name"])
    if state.get("lamp_hours"):
        words.append(tr("lamp {hours} h").format(hours=max(state["lamp_hours"])))
    words += [f"{state_word(part)} {state_word(level)}" for part, level in state.get("errors", {}).items()]
    if state.get("stream_url"):
        words.append(state["stream_url"])
    if (state.get("ptz") or {}).get("protocol"):
        words.append(f"PTZ {state['ptz']['protocol']}")
    if device.availability.value in ("offline", "auth_failed", "fault") and device.reason:
        words.append(with_detail(reason_text(device.reason, str(state.get("id_conflict") or "")),
                                 str(state.get("detail") or ""), verbose))
    return ", ".join(w for w in words if w)


def run(args: argparse.Namespace) -> int:
    from devices.discovery import RangeTooLargeError

    try:
        devices, sent = asyncio.run(discover(args))
    except RangeTooLargeError:
        from devices.discovery.sweep import MAX_TOTAL_HOSTS

        print("classroom-console discover: " + tr("--sweep covers more than {most} addresses in all: narrow the "
                                                  "ranges").format(most=MAX_TOTAL_HOSTS), file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"classroom-console discover: {exc}", file=sys.stderr)
        return 2
    devices.sort(key=lambda d: (str(d.kind), d.name, d.uid))
    if args.json:
        said = [as_json(d) | ({"password_sent": d.uid in sent} if args.password is not None else {})
                for d in devices]
        print(json.dumps(said, indent=2, ensure_ascii=False))
        return 0
    if devices:
        print(table(devices, getattr(args, "verbose", False)))
    else:
        print(tr("No devices found. Try --sweep with the room's address range (multicast may not cross VLANs)."))
    if args.password is not None:
        print(sent_line([d for d in devices if d.uid in sent]))
    return 0


def sent_line(sent: list[DeviceInfo]) -> str:
    """Whom --password went to, by name and address: the user gave it for this look, and sees where it went."""
    if not sent:
        return tr("The password was sent to no device: none asked for one.")
    names = ", ".join(f"{d.name or d.uid} ({d.address})" for d in sent)  # a camera's faces are one device
    return ntr("The password was sent to {n} device that asked for one: {names}",
               "The password was sent to {n} devices that asked for one: {names}", len(sent)).replace(
        "{names}", names)
