"""``classroom-console centre``: run the centre's receiving service, and issue room and staff tokens."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from classroom_console.centre.backends import open_centre_db
from classroom_console.centre.server import CentreOptions, CentreServer
from classroom_console.centre.tokens import ROOM, STAFF, folder_for, issue_token, token_hash

HELP = "the centre's receiving service: serve, add-room, add-staff"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="centre_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="receive sessions and recordings from the rooms and serve usage")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--data", type=Path, required=True, help="folder for the database and received files")
    serve.add_argument("--database-url", help="postgresql://... to keep sessions in PostgreSQL instead of SQLite")
    serve.add_argument("--cert", type=Path, help="TLS certificate (PEM); serve HTTPS")
    serve.add_argument("--key", type=Path, help="TLS private key (PEM)")
    serve.add_argument("--max-file-gb", type=float, default=64.0, help="largest recording accepted")
    for name, what in (("add-room", "a room's console"), ("add-staff", "centre staff (reads every room)")):
        p = sub.add_parser(name, help=f"issue a token for {what}; printed once, on the last line")
        p.add_argument("name")
        p.add_argument("--data", type=Path, required=True)
        p.add_argument("--database-url")


async def _add(args: argparse.Namespace, role: str) -> str:
    token = issue_token()
    db = await open_centre_db(args.data, args.database_url)
    try:
        await db.add_token(token_hash(token), args.name, role, folder_for(args.name))
    finally:
        await db.close()
    return token


async def _serve(args: argparse.Namespace) -> None:
    options = CentreOptions(
        data_dir=args.data, host=args.host, port=args.port, database_url=args.database_url,
        cert=args.cert, key=args.key, max_file_bytes=int(args.max_file_gb * (1 << 30)),
    )
    server = CentreServer(options)
    url = await server.start()
    print(f"centre service on {url} (data in {args.data}); Ctrl+C stops it", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def run(args: argparse.Namespace) -> int:
    if args.centre_command == "serve" and args.cert is not None and args.key is None:
        print("classroom-console centre serve: --cert needs --key", file=sys.stderr)
        return 2
    if args.centre_command == "serve":
        asyncio.run(_serve(args))
        return 0
    role = STAFF if args.centre_command == "add-staff" else ROOM
    token = asyncio.run(_add(args, role))
    print(f"{role} {args.name!r} added to the centre in {args.data}. Its token (shown once, stored only as a hash):")
    print(token)
    return 0
