"""``classroom-console sync``: upload this room's ended sessions and recordings to the centre."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from classroom_console.store import AsyncStore, StoreError
from classroom_console.sync import AuthRefused, SyncConfig, SyncEngine, SyncProgress
from classroom_console.sync import items as sync_items

HELP = "upload this room's sessions and recordings to the centre (a durable queue; resumes where it stopped)"
REFUSED, OFFLINE = 3, 4


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--centre", metavar="URL", help="the centre service, e.g. https://centre.example.edu:8765")
    parser.add_argument("--token", help="this room's token from 'classroom-console centre add-room'")
    parser.add_argument("--once", action="store_true", help="send what is queued now, then exit")
    parser.add_argument("--bandwidth", type=float, default=0.0, metavar="KBIT/S", help="upload cap (0: none)")
    parser.add_argument("--delete-uploaded-media", action="store_true",
                        help="delete a local recording once the centre has confirmed its SHA-256")
    parser.add_argument("--cafile", help="CA certificate to trust for the centre's TLS")
    parser.add_argument("--save", action="store_true", help="remember --centre and --token in the room's store")


def _print_progress(p: SyncProgress) -> None:
    if p.state == "sending" and p.bytes_total and p.item_kind == "recording":
        eta = f", ETA {p.eta_s:.0f} s" if p.eta_s is not None else ""
        print(f"\r{p.item_id[:8]}: {p.bytes_done / 1e6:.1f}/{p.bytes_total / 1e6:.1f} MB "
              f"at {p.rate_bps * 8 / 1e6:.1f} Mbit/s{eta}   ", end="", file=sys.stderr, flush=True)


async def _run(args: argparse.Namespace) -> int:
    try:
        store = await AsyncStore.open(args.data_dir)
    except StoreError as exc:
        print(f"classroom-console sync: {exc}", file=sys.stderr)
        return 1
    engine: SyncEngine | None = None
    try:
        saved = await store.call(sync_items.get_settings)
        url, token = args.centre or saved.get("centre_url"), args.token or saved.get("token")
        if not url or not token:
            print("classroom-console sync: give --centre URL and --token T (or save them once with --save)",
                  file=sys.stderr)
            return 2
        if args.save:
            await store.call(lambda s: sync_items.put_settings(s, {"centre_url": url, "token": token}))
        config = SyncConfig(url, token, bandwidth_bps=args.bandwidth * 1000 / 8,
                            delete_uploaded_media=args.delete_uploaded_media, cafile=args.cafile)
        engine = SyncEngine(store, config)
        engine.subscribe(_print_progress)
        if args.once:
            result = await engine.run_once(force=True)
            print(f"\nuploaded {result.uploaded}, failed {result.failed}, still queued {result.pending}")
            if result.offline:
                print(f"classroom-console sync: {result.offline}; the queue keeps everything for the next try",
                      file=sys.stderr)
                return OFFLINE
            return 0
        await engine.run_once(force=True)  # a wrong token is said at once, not after the first poll
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await engine.run_forever(stop)
        return 0
    except AuthRefused as exc:
        print(f"\nclassroom-console sync: {exc}", file=sys.stderr)
        return REFUSED
    finally:
        if engine is not None:
            await engine.close()
        await store.close()


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
