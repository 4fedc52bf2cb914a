"""``classroom-console device``: control one device by its id or address, from a script."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys

from classroom_console.device_state import projector_state
from classroom_console.discovery_scope import Scope, finder_config
from classroom_console.passwords import PasswordBook
from classroom_console.store import AsyncStore
from devices.discovery import DeviceFinder
from devices.pjlink import PJLinkClient, PJLinkError
from devices.pjlink.errors import PJLinkAuthError, PJLinkParamError
from devices.pjlink.values import parse_input

HELP = "control one device: power on|off|status, input NAME, mute on|off"
PJLINK_PORT = 4352


class DeviceNotFound(Exception):
    """Neither an address nor an id the store or discovery knows."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="ID|ADDRESS", help="a device id (mac:…) or an address[:port]")
    parser.add_argument("action", choices=["power", "input", "mute", "status"], help="what to do")
    parser.add_argument("value", nargs="?", help="on|off|status for power, a name or code for input, on|off for mute")
    parser.add_argument("--password", help="PJLink password (remembered for this device when it works)")
    parser.add_argument("--timeout", type=float, default=3.0, metavar="S", help="per-step timeout (default 3)")
    parser.add_argument("--json", action="store_true", help="print status as JSON")


def _as_address(target: str) -> tuple[str, int] | None:
    host, _, port = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host, int(port) if port else PJLINK_PORT


async def _locate(target: str, store: AsyncStore, step_timeout: float) -> tuple[str, int, str]:
    """Address, port and uid for the target; a remembered id first, discovery as the fallback."""
    address = _as_address(target)
    known = await store.known_devices()
    if address is not None:
        uid = next((r["uid"] for r in known if (r["last_address"], r["last_port"]) == address), target)
        return address[0], address[1], uid
    row = next((r for r in known if r["uid"] == target), None)
    if row is not None and row["last_address"]:
        return row["last_address"], int(row["last_port"] or PJLINK_PORT), target
    for info in await DeviceFinder(finder_config(Scope.ALL, step_timeout=step_timeout)).discover(5.0):
        if info.uid == target:
            return info.address, info.port, info.uid
    raise DeviceNotFound(f"no device {target!r}: not remembered and not found on the network")


async def _resolve_input(client: PJLinkClient, name: str) -> str:
    try:
        return parse_input(name).code
    except PJLinkParamError:
        names = await client.input_names()
        for code, label in names.items():
            if label.casefold() == name.casefold():
                return code
        raise PJLinkParamError(f"no input called {name!r}; this device has: {', '.join(names.values())}") from None


async def act(args: argparse.Namespace) -> str:
    value = (args.value or "").lower()
    store = await AsyncStore.open(args.data_dir)
    try:
        host, port, uid = await _locate(args.target, store, args.timeout)
        book = PasswordBook(store)
        password = args.password or (await book.load([uid])).get(uid)
        async with PJLinkClient(host, port, password=password, timeout=args.timeout) as client:
            if args.action == "power" and value in ("on", "off"):
                await (client.power_on() if value == "on" else client.power_off())
                result = f"{uid}: power {value} accepted (now {(await client.power()).label})"
            elif args.action == "input" and args.value:
                code = await _resolve_input(client, args.value)
                await client.set_input(code)
                result = f"{uid}: input {args.value} selected"
            elif args.action == "mute" and value in ("on", "off"):
                await client.set_mute(True, True, value == "on")
                result = f"{uid}: audio and video mute {value}"
            elif args.action == "status" or (args.action == "power" and value in ("", "status")):
                state = projector_state(await client.read_state(), "")
                state.pop("detail", None)
                if args.json:
                    return json.dumps({"id": uid, "address": host, "port": port, "state": state}, indent=2)
                return "\n".join([f"{uid} at {host}:{port}"] + [f"  {k}: {v}" for k, v in state.items()])
            else:
                raise PJLinkParamError(f"{args.action} needs a value: see classroom-console device --help")
        if args.password and uid.startswith(("mac:", "serial:")):
            await book.save(uid, args.password)
        return result
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    try:
        print(asyncio.run(act(args)))
    except PJLinkAuthError:
        print(f"{args.target}: wrong or missing password (use --password)", file=sys.stderr)
        return 1
    except (PJLinkError, DeviceNotFound) as exc:
        print(f"{args.target}: {exc}", file=sys.stderr)
        return 1
    return 0
