"""The ``classroom-console`` command: the GUI by default, headless subcommands for scripts."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import keyword
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from classroom_console import __version__
from classroom_console.cli_text import pick_language, speaking, tr

NOT_BUILT = 2

# Every subcommand, in the order --help lists them, with what it is for while it is still planned.
COMMANDS: dict[str, str] = {
    "gui": "the console window on the real network (default)",
    "demo": "the console window on a simulated room on loopback",
    "sim": "simulated devices on loopback",
    "discover": "finding the room's devices",
    "device": "controlling one device",
    "record": "recording lectures headless",
    "stream": "live streaming",
    "usage": "the usage report",
    "sync": "uploading to the centre",
    "centre": "the centre's receiving service",
    "class": "an active-learning session with student tablets, headless",
    "chapters": "chapters found in a recording",
}
GUI_COMMANDS = ("gui", "demo")


def module_name(name: str) -> str:
    # A subcommand named by a Python keyword ("class") lives in a module with a trailing underscore.
    return f"classroom_console.commands.{name}{'_' if keyword.iskeyword(name) else ''}"


def is_built(name: str) -> bool:
    """Whether a headless subcommand has its module, found without importing it."""
    return importlib.util.find_spec(module_name(name)) is not None


def command_module(name: str) -> ModuleType | None:
    """The module behind a headless subcommand, or None while it is planned."""
    return importlib.import_module(module_name(name)) if is_built(name) else None


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr and exit 2: the usage block buried the reason in a script's log."""

    _args: tuple[str, ...] = ()  # what this parser (or a subcommand's parser) was given, for error()'s hint

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._args = tuple(str(a) for a in (sys.argv[1:] if args is None else args))
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        missing = re.search(r"(--[\w-]+)", message) if message.endswith(tr("expected one argument")) else None
        if missing and self._value_looks_like_an_option(missing[1]):  # a token, a negative number
            message += "; " + tr("a value that begins with '-' is written {option}=VALUE").format(option=missing[1])
        self.exit(2, f"{self.prog}: {message} ({tr('see')} {self.prog} --help)\n")

    def _value_looks_like_an_option(self, option: str) -> bool:
        at = self._args.index(option) if option in self._args else -1
        return 0 <= at < len(self._args) - 1 and self._args[at + 1].startswith("-")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse builds a formatter for every add_argument (to check its metavar), and the formatter asks
        # shutil for the terminal's width: shutil (with bz2 and lzma) was ~10 ms of every command. The same
        # width, from os alone.
        return self.formatter_class(prog=self.prog, width=terminal_columns() - 2)  # type: ignore[call-arg]


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class LazySubcommands(argparse._SubParsersAction):
    """Fills in a subcommand's parser from its module only once that subcommand is chosen.

    Importing every command module to build the parser cost over a second (aiohttp, PyAV, the simulators):
    ``--help`` now lists the subcommands from ``COMMANDS`` and imports none of them.
    """

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        if isinstance(values, list | tuple) and values and values[0] in self._name_parser_map:
            configure_subcommand(values[0], self._name_parser_map[values[0]])
        super().__call__(parser, namespace, values, option_string)


def configure_subcommand(name: str, parser: argparse.ArgumentParser) -> None:
    """A subcommand's options, from its module (``HELP``, ``configure(parser)``); planned ones have none."""
    if getattr(parser, "configured", False):
        return
    parser.configured = True  # type: ignore[attr-defined]
    if name in GUI_COMMANDS:
        parser.add_argument("--screenshot", type=Path, metavar="DIR",
                            help=tr("save each workspace as PNG and exit"))
        parser.add_argument("--settle", type=float, default=1.0, help=argparse.SUPPRESS)
        return
    module = command_module(name)
    if module is not None:
        parser.description = tr(module.HELP)
        module.configure(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="classroom-console",
        description=tr("Run a smart classroom: find and control its devices, record lectures, log sessions."),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help=tr("show program's version number and exit"))
    parser.add_argument("--data-dir", type=Path, help=tr("where the session store lives (default: user data dir)"))
    parser.add_argument("--lang", choices=["en", "ru"], help=tr("interface language (default: the system's)"))
    parser.add_argument("-v", "--verbose", action="store_true", help=tr("log more"))
    sub = parser.add_subparsers(dest="command", metavar=tr("COMMAND"), action=LazySubcommands)
    for name, what in COMMANDS.items():
        sub.add_parser(name, help=tr(what) if name in GUI_COMMANDS or is_built(name)
                       else f"{tr(what)} ({tr('not built yet')})")
    return parser


def screenshot_folder_problem(folder: Path) -> str:
    """Why screenshots cannot go to ``folder`` (a file on the way, not writable), or ""."""
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                return tr("--screenshot {folder}: {part} is a file, not a folder").format(folder=folder, part=part)
            if not os.access(part, os.W_OK):
                return tr("--screenshot {folder}: {part} is not writable").format(folder=folder, part=part)
            return ""
    return ""


def has_display() -> bool:
    """Qt aborts with a cryptic xcb message when there is no screen: say it plainly instead."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc", "eglfs")))


def run_gui(args: argparse.Namespace) -> int:
    # The GUI lives in the ui layer, above the core; it is loaded by name so the core never imports Qt.
    app = importlib.import_module("ui.app")
    code: int = app.run(args)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader that left shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        # `discover --json | head -1`: the reader has what it wanted. Quietly, with no traceback at exit either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    with speaking(pick_language(given)):
        return _run(given)


def _run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command, args.screenshot, args.settle = "gui", None, 1.0
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if args.command not in GUI_COMMANDS else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command in GUI_COMMANDS:
        if args.screenshot:
            problem = screenshot_folder_problem(args.screenshot)
            if problem:
                print(f"classroom-console {args.command}: {problem}", file=sys.stderr)
                return 2
            if not has_display():
                os.environ["QT_QPA_PLATFORM"] = "offscreen"  # screenshots need no screen
            if args.command == "demo" and args.data_dir is None:
                # The same pictures every run: on the demo's own folder each run added its test patterns to the
                # last run's ("Test pattern 3", "4", …) and the Studio restored them all.
                import tempfile  # here: --help and the device commands start without it

                with tempfile.TemporaryDirectory(prefix="classroom-console-screenshots-") as fresh:
                    args.data_dir = Path(fresh)
                    return run_gui(args)
        if not args.screenshot and not has_display():
            print(f"classroom-console {args.command}: " + tr("no display found: run it on the desktop, or under "
                  "xvfb-run (scripts/demo.sh does that for you)"), file=sys.stderr)
            return 1
        return run_gui(args)
    module = command_module(args.command)
    if module is None:
        print(f"classroom-console {args.command}: " + tr("{what} is not built yet.").format(
            what=tr(COMMANDS[args.command])), file=sys.stderr)
        return NOT_BUILT
    code: int = module.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
