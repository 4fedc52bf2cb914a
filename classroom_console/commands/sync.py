"""``classroom-console sync``: upload this room's ended sessions and recordings to the centre."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from classroom_console.cli_reasons import with_detail
from classroom_console.cli_text import ntr, tr
from classroom_console.commands.token_option import TOKEN_ENV, token

if TYPE_CHECKING:
    from classroom_console.store import AsyncStore
    from classroom_console.sync import SyncEngine, SyncProgress

# The store and the sync engine (aiohttp) are imported when the command runs (see docs/architecture.md).
HELP = "upload this room's sessions and recordings to the centre (a durable queue; resumes where it stopped)"
REFUSED, OFFLINE, ITEMS_FAILED, INTERRUPTED = 3, 4, 5, 130


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--centre", metavar="URL", help=tr("the centre service, e.g. https://centre.example.edu:8765"))
    parser.add_argument("--token", help=tr(
        "this room's token from 'classroom-console centre add-room'. Other users "
        "can see it in 'ps': prefer --token-file or the {env} environment variable").format(env=TOKEN_ENV))
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help=tr("read the room's token from FILE (first line); ${env} works too").format(env=TOKEN_ENV))
    parser.add_argument("--once", action="store_true", help=tr("send what is queued now, then exit"))
    parser.add_argument("--bandwidth", type=float, default=0.0, metavar="KBIT/S", help=tr("upload cap (0: none)"))
    parser.add_argument("--stall-timeout", type=float, default=30.0, metavar="S",
                        help=tr("give up a try when no byte moved for S seconds; the next resumes (default 30)"))
    parser.add_argument("--delete-uploaded-media", action="store_true",
                        help=tr("delete a local recording once the centre has confirmed its SHA-256"))
    parser.add_argument("--cafile", help=tr("CA certificate to trust for the centre's TLS"))
    parser.add_argument("--retry-failed", action="store_true",
                        help=tr("try again the items set aside as failed (after fixing what their reason says)"))
    parser.add_argument("--publish-on-upload", choices=("yes", "no"),
                        help=tr("this room's default for the centre's library: publish each recording as soon as it "
                        "arrives (kept for later runs; staff may still unpublish)"))
    parser.add_argument("--language", metavar="CODE", help=tr("the language this room's lectures are given in, "
                        "shown in the library (e.g. ru, en, uz; kept for later runs)"))
    parser.add_argument("--save", action="store_true",
                        help=tr("remember the centre and the token (the token in the system keyring where there is "
                        "one, else in the room's database, readable only by this user)"))


class StatusPrinter:
    """One line on stdout each time the state changes; a recording's bytes on a terminal's stderr only."""

    def __init__(self, verbose: bool = False) -> None:
        self.last = ""
        self.verbose = verbose
        self.said_kept = False
        self._tty = sys.stderr.isatty()

    def __call__(self, p: SyncProgress) -> None:
        from classroom_console.commands.sync_words import status_words

        if p.kept_unproven and not self.said_kept:  # once a run: a centre that cannot prove one cannot prove any
            self.said_kept = True
            print(("\n" if self._tty else "") + "classroom-console sync: " + tr(_KEPT_UNPROVEN), file=sys.stderr,
                  flush=True)
        line = status_words(p, self.verbose)
        if line and line != self.last:
            self.last = line
            print(("\n" if self._tty else "") + line, flush=True)
        if self._tty and p.state == "sending" and p.bytes_total and p.item_kind == "recording":
            eta = tr(", {s:.0f} s left").format(s=p.eta_s) if p.eta_s is not None else ""
            print("\r" + tr("{id}: {done:.1f}/{total:.1f} MB at {rate:.1f} Mbit/s").format(
                id=p.item_id[:8], done=p.bytes_done / 1e6, total=p.bytes_total / 1e6, rate=p.rate_bps * 8 / 1e6)
                  + eta + "   ", end="", file=sys.stderr, flush=True)


async def _report_failed(store: AsyncStore, engine: SyncEngine, failed_now: int, verbose: bool) -> None:
    from classroom_console.commands.set_aside import aside_line
    from classroom_console.sync import items as sync_items

    for item in await store.call(lambda s: sync_items.failed_items(s, max(failed_now, 0))):
        print("classroom-console sync: " + tr("set aside: {item}").format(item=aside_line(
            item["item_kind"], item["item_id"], item["reason"] or "refused", item["last_error"], verbose)),
              file=sys.stderr)
    total = engine.progress.failed
    if total > failed_now:
        print("classroom-console sync: " + ntr(
            "{n} item in all is set aside as failed (see 'classroom-console usage')",
            "{n} items in all are set aside as failed (see 'classroom-console usage')", total),
              file=sys.stderr)


async def _once(store: AsyncStore, engine: SyncEngine, verbose: bool) -> int:
    result = await engine.run_once(force=True)
    print(tr("uploaded {uploaded}, failed {failed}, still queued {pending}").format(
        uploaded=result.uploaded, failed=result.failed, pending=result.pending), flush=True)
    await _report_failed(store, engine, result.failed, verbose)
    if result.offline:
        from classroom_console.commands.sync_words import reason_words

        why = with_detail(reason_words(engine.progress.reason or "offline", engine.progress.status), result.offline,
                          verbose)
        print("classroom-console sync: " + tr("{why}; the queue keeps everything for the next try").format(why=why),
              file=sys.stderr)
        return OFFLINE
    return ITEMS_FAILED if result.failed else 0


async def _forever(engine: SyncEngine) -> int:
    stop = asyncio.Event()
    signals: list[int] = []

    def heard(sig: int) -> None:
        signals.append(sig)
        stop.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, heard, sig)
    try:
        await engine.run_once(force=True)  # a wrong token is said at once, not after the first poll
        await engine.run_forever(stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    print(tr("stopped; {pending} still queued").format(pending=engine.progress.pending), flush=True)
    return INTERRUPTED if signal.SIGINT in signals else 0


_KEPT_UNPROVEN = ("--delete-uploaded-media: the centre did not prove it holds the recordings it has, so they are "
                  "kept on this PC (an older centre, or not this room's centre); the log names each")
_ASK_FOR_TOKEN = ("ask centre staff for the room's token ('classroom-console centre add-room') and give it with "
                  "--token-file FILE or the {env} environment variable")


async def _token_place(store: AsyncStore) -> str:
    from classroom_console.commands.sync_words import token_place
    from classroom_console.sync import items

    settings = await store.call(items.get_settings)
    return token_place(settings.get("token_in") == "keyring", await store.call(lambda s: s.path))


async def _run(args: argparse.Namespace) -> int:
    from classroom_console.cli_store import store_error_line, store_line
    from classroom_console.commands.sync_words import centre_url_problem
    from classroom_console.store import AsyncStore, StoreError
    from classroom_console.sync import AuthRefused, SyncConfig, SyncEngine
    from classroom_console.sync import items as sync_items
    from classroom_console.sync.room import load_settings, save_settings

    prog = "classroom-console sync"
    verbose = bool(getattr(args, "verbose", False))
    if not verbose:  # an item set aside is said below in words; the engine's English with -v
        logging.getLogger("classroom_console.sync.engine").setLevel(logging.ERROR)
    if args.centre is not None and centre_url_problem(args.centre):  # at once: before the store or the token
        print(f"{prog}: --centre: {centre_url_problem(args.centre)}", file=sys.stderr)
        return 2
    try:
        given = await asyncio.to_thread(token, args)  # a file read: off the loop
    except ValueError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    try:
        store = await AsyncStore.open(args.data_dir)
    except StoreError as exc:
        print(f"{prog}: {store_error_line(exc, args.data_dir, verbose)}", file=sys.stderr)
        return 1
    engine: SyncEngine | None = None
    try:
        if store.problem is not None:
            print(f"{prog}: {store_line(store.problem, verbose)}", file=sys.stderr)
        saved = await load_settings(store)
        url, key = args.centre or saved.get("centre_url"), given or saved.get("token")
        if not url or not key:
            print(f"{prog}: " + tr("give --centre URL and the room's token (--token-file FILE or ${env}), or save them "
                                   "once with --save").format(env=TOKEN_ENV), file=sys.stderr)
            return 2
        if centre_url_problem(url):
            print(f"{prog}: {centre_url_problem(url)}", file=sys.stderr)
            return 2
        if args.save:
            keep = saved.get("delete_uploaded_media") == "1" or args.delete_uploaded_media
            await save_settings(store, url, key, keep)
            print(tr("saved the centre's address; {where}").format(where=await _token_place(store)), flush=True)
        if args.publish_on_upload is not None or args.language is not None:
            from classroom_console.sync.meta import set_room_defaults

            publish = None if args.publish_on_upload is None else args.publish_on_upload == "yes"
            await store.call(lambda s: set_room_defaults(s, publish, args.language))
        config = SyncConfig(url, key, bandwidth_bps=args.bandwidth * 1000 / 8, cafile=args.cafile,
                            delete_uploaded_media=args.delete_uploaded_media, stall_timeout_s=args.stall_timeout)
        if args.retry_failed:
            again = await store.call(sync_items.retry_failed)
            print(ntr("{n} item set aside is queued again", "{n} items set aside are queued again", again), flush=True)
        engine = SyncEngine(store, config)
        engine.subscribe(StatusPrinter(verbose))
        if args.once:
            return await _once(store, engine, verbose)
        return await _forever(engine)
    except AuthRefused as exc:
        from classroom_console.commands.sync_words import failure

        print(f"{prog}: " + failure(exc, verbose) + "; " + tr(_ASK_FOR_TOKEN).format(env=TOKEN_ENV), file=sys.stderr)
        return REFUSED
    except StoreError as exc:
        print(f"{prog}: {store_error_line(exc, args.data_dir, verbose)}", file=sys.stderr)
        return 1
    finally:
        if engine is not None:
            await engine.close()
        await store.close()


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
