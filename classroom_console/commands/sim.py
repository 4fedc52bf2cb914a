"""``classroom-console sim room``: a simulated classroom on loopback, until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING, get_args

from classroom_console.cli_text import ntr, tr
from devices.sim.pjlink_projector import Fault

if TYPE_CHECKING:
    from devices.sim.room import SimRoomConfig

# The simulators (cameras: OpenCV, aiohttp) are imported when the command runs (see docs/architecture.md).

HELP = "simulated devices on loopback, for demos and tests"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=["room"], help=tr("what to simulate"))
    parser.add_argument("--projectors", type=int, default=3, metavar="N", help=tr("projectors (default 3)"))
    parser.add_argument("--boards", type=int, default=1, metavar="N", help=tr("interactive boards (default 1)"))
    parser.add_argument("--displays", type=int, default=0, metavar="N", help=tr("flat panel displays (default 0)"))
    parser.add_argument("--cameras", type=int, default=0, metavar="N",
                        help=tr("PTZ cameras: VISCA over IP, ONVIF and an MJPEG stream (default 0)"))
    parser.add_argument("--fixed-cameras", type=int, default=0, metavar="N",
                        help=tr("fixed cameras: ONVIF and a stream, no PTZ (default 0)"))
    parser.add_argument("--tablets", type=int, default=0, metavar="N",
                        help=tr("managed tablets advertising their name and battery over DNS-SD (default 0)"))
    parser.add_argument("--password", help=tr("the password every device asks for (PJLink; ONVIF user admin)"))
    parser.add_argument(
        "--faults",
        default="",
        metavar="MODE[,MODE]",
        help=tr("add one misbehaving projector per mode: {modes}").format(modes=", ".join(get_args(Fault))),
    )
    parser.add_argument("--warmup", type=float, default=8.0, metavar="S", help=tr("warm-up seconds (default 8)"))
    parser.add_argument("--cooling", type=float, default=5.0, metavar="S", help=tr("cooling seconds (default 5)"))
    parser.add_argument("--no-dnssd", action="store_true", help=tr("do not announce the devices over DNS-SD"))


def room_problem(args: argparse.Namespace) -> str:
    """Why the room asked for cannot be simulated, in the user's words ("" when it can); the checks are
    ``SimRoomConfig``'s, said before it says them in English."""
    from devices.sim.loopback import LOOPBACK_ROOM
    from devices.sim.room import MAX_TABLETS

    faults = [f.strip() for f in args.faults.split(",") if f.strip()]
    modes = get_args(Fault)
    unknown = [f for f in faults if f not in modes]
    if unknown:
        return tr("--faults: no fault mode {unknown}; the modes are {modes}").format(
            unknown=", ".join(unknown), modes=", ".join(modes))
    counts = {"--projectors": args.projectors, "--boards": args.boards, "--displays": args.displays,
              "--cameras": args.cameras, "--fixed-cameras": args.fixed_cameras, "--tablets": args.tablets}
    for option, n in counts.items():
        if n < 0:
            return tr("{option} {n}: a count cannot be negative").format(option=option, n=n)
    if args.tablets > MAX_TABLETS:
        return tr("--tablets {n}: at most {most} simulated tablets").format(n=args.tablets, most=MAX_TABLETS)
    room = LOOPBACK_ROOM.num_addresses - 2
    asked = sum(n for option, n in counts.items() if option != "--tablets") + len(faults) + (1 if args.tablets else 0)
    if asked > room:
        return tr("{asked} simulated devices asked for (tablets count as one, each fault as a projector); at most "
                  "{most} fit in {network}").format(asked=asked, most=room, network=LOOPBACK_ROOM)
    return ""


def config_from(args: argparse.Namespace) -> SimRoomConfig:
    from devices.sim.room import SimRoomConfig

    faults = [f.strip() for f in args.faults.split(",") if f.strip()]
    return SimRoomConfig(
        projectors=args.projectors,
        boards=args.boards,
        displays=args.displays,
        cameras=args.cameras,
        fixed_cameras=args.fixed_cameras,
        tablets=args.tablets,
        password=args.password,
        faults=faults,
        warmup_s=args.warmup,
        cooling_s=args.cooling,
        advertise=not args.no_dnssd,
    )


async def serve(config: SimRoomConfig) -> None:
    from devices.sim.room import SimRoom

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SimRoom(config) as room:
        for line in room.describe():
            print(line)
        count = len(room.devices) + len(room.cameras) + len(room.tablets)
        print(ntr("Simulated room running: {n} device on loopback. Ctrl+C stops it.",
                  "Simulated room running: {n} devices on loopback. Ctrl+C stops it.", count), flush=True)
        await stop.wait()
    print(tr("Simulated room stopped."))


def run(args: argparse.Namespace) -> int:
    problem = room_problem(args)
    if problem:
        print(f"classroom-console sim: {problem}", file=sys.stderr)
        return 2
    try:
        config = config_from(args)
    except ValueError as exc:
        print(f"classroom-console sim: {exc}", file=sys.stderr)
        return 2
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(config))
    except OSError as exc:
        print("classroom-console sim: " + tr("cannot start the simulated room: {why}").format(why=exc), file=sys.stderr)
        return 1
    return 0
