"""The ``classroom-console`` command: the GUI by default, headless subcommands for scripts."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from classroom_console import __version__

NOT_BUILT = 2

# Subcommands whose capability is still to come: they say so and exit 2, never fake output.
PLANNED: dict[str, str] = {
    "record": "recording lectures headless",
    "stream": "live streaming",
    "usage": "the usage report",
    "sync": "uploading to the centre",
    "centre": "the centre's receiving service",
}

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="classroom-console",
        description="Run a smart classroom: find and control its devices, record lectures, log sessions.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, help="where the session store lives (default: user data dir)"
    )
    parser.add_argument("--lang", choices=["en", "ru"], help="interface language (default: the system's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="the console window on the real network (default)")
    demo = sub.add_parser("demo", help="the console window on a simulated room on loopback")
    for p in (gui, demo):
        p.add_argument("--screenshot", type=Path, metavar="DIR", help="save each workspace as PNG and exit")

    sim = sub.add_parser("sim", help="simulated devices on loopback, for demos and tests")
    sim.add_argument("what", choices=["room"], help="what to simulate")

    sub.add_parser("discover", help="find the room's devices and print them")
    sub.add_parser("device", help="control one device")
    for name, what in PLANNED.items():
        sub.add_parser(name, help=f"{what} (not built yet)")
    return parser


def _not_built(args: argparse.Namespace) -> int:
    what = PLANNED.get(args.command, args.command)
    print(f"classroom-console {args.command}: {what} is not built yet.", file=sys.stderr)
    return NOT_BUILT


def _gui(args: argparse.Namespace) -> int:
    # The GUI lives in the ui layer, above the core; it is loaded by name so the core never imports Qt.
    app = importlib.import_module("ui.app")
    run: Handler = app.run
    return run(args)


def handlers() -> dict[str, Handler]:
    table: dict[str, Handler] = {"gui": _gui, "demo": _gui}
    for name in (*PLANNED, "sim", "discover", "device"):
        table.setdefault(name, _not_built)
    return table


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command = "gui"
        args.screenshot = None
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return handlers()[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
