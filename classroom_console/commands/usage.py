"""``classroom-console usage``: the usage report from this room's store, or from the centre for all rooms."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from classroom_console.cli_text import tr
from classroom_console.commands.argtypes import iso_day, number_in
from classroom_console.commands.token_option import TOKEN_ENV, token
from classroom_console.usage_model import DEFAULT_LAMP_RATED_HOURS, UsageFilter, UsageReport

# The store, the report's SQL and the centre's client (aiohttp) are imported when the command runs.

_GIVE_TOKEN = ("give --centre a staff token (from 'classroom-console centre add-staff') with --token-file FILE or "
               "the {env} environment variable")
HELP = "the usage report: hours, sessions, lecturers, courses, recordings, lamp hours, faults"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=iso_day, metavar="YYYY-MM-DD", help=tr("first day (inclusive)"))
    parser.add_argument("--until", type=iso_day, metavar="YYYY-MM-DD", help=tr("last day (inclusive)"))
    parser.add_argument("--room", help=tr("only this room (its id here, its name at the centre)"))
    parser.add_argument("--lecturer", help=tr("only this lecturer's sessions"))
    parser.add_argument("--format", choices=["table", "csv", "sessions-csv", "json"], default="table",
                        help=tr("table, csv (every figure), sessions-csv (one row per session, for a manager), json"))
    parser.add_argument("--utc-offset", type=number_in(-12.0, 14.0),
                        help=tr("hours from UTC for weekday/hour, -12 to 14 (default: this PC's)"))
    parser.add_argument("--lamp-rated-hours", type=number_in(1, 1_000_000, integer=True),
                        default=DEFAULT_LAMP_RATED_HOURS, metavar="H",
                        help=tr("a lamp's rated life in hours: a warning near its end (default %(default)s)"))
    parser.add_argument("--centre", metavar="URL", help=tr("read every room's figures from the centre instead"))
    parser.add_argument("--token", help=tr(
        "a staff (or room) token for --centre; other users can see it in 'ps': prefer --token-file or the {env} "
        "environment variable").format(env=TOKEN_ENV))
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help=tr("read the token for --centre from FILE (first line); ${env} works too").format(
                            env=TOKEN_ENV))
    parser.add_argument("--cafile", help=tr("CA certificate to trust for the centre's TLS"))


async def _report(args: argparse.Namespace, f: UsageFilter, key: str | None) -> tuple[UsageReport, dict[str, str]]:
    """The report, and the rooms' names by id: a room's store keys its figures by the id ("room:vm"), the table
    shows the name (the centre's figures carry names already)."""
    from classroom_console.store import AsyncStore
    from classroom_console.usage import local_report
    from classroom_console.usage_remote import centre_report

    if args.centre:
        return await centre_report(args.centre, key or "", f, args.cafile), {}
    store = await AsyncStore.open(args.data_dir)
    if store.problem is not None:  # a damaged store was salvaged: say what was saved before the figures
        from classroom_console.cli_store import store_line

        why = store_line(store.problem, getattr(args, "verbose", False))
        print(f"classroom-console usage: {why}", file=sys.stderr)
    try:
        names = await store.call(lambda s: {str(r["id"]): str(r["name"] or r["id"])
                                            for r in s.db.query("SELECT id, name FROM rooms")})
        return await local_report(store, f), names
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    from classroom_console.cli_reasons import with_detail
    from classroom_console.commands.sync_words import centre_url_problem, failure
    from classroom_console.store import StoreError
    from classroom_console.sync import AuthRefused, SyncError
    from classroom_console.usage import local_utc_offset_h
    from classroom_console.usage_export import sessions_csv, to_csv, to_table

    verbose = bool(getattr(args, "verbose", False))
    if args.since and args.until and args.since > args.until:
        print("classroom-console usage: " + tr("--since {since} is after --until {until}").format(
            since=args.since, until=args.until), file=sys.stderr)
        return 2
    if (args.token or args.token_file) and not args.centre:
        print("classroom-console usage: " + tr("--token is for --centre URL (the local report needs none)"),
              file=sys.stderr)
        return 2
    try:
        key = token(args) if args.centre else None
    except ValueError as exc:
        print(f"classroom-console usage: {exc}", file=sys.stderr)
        return 2
    if args.centre and centre_url_problem(args.centre):
        print(f"classroom-console usage: --centre: {centre_url_problem(args.centre)}", file=sys.stderr)
        return 2
    if args.centre and not key:
        print("classroom-console usage: " + tr(_GIVE_TOKEN).format(env=TOKEN_ENV), file=sys.stderr)
        return 2
    f = UsageFilter(
        since=args.since, until=args.until, room=args.room, lecturer=args.lecturer,
        utc_offset_h=local_utc_offset_h() if args.utc_offset is None else args.utc_offset,
        lamp_rated_hours=args.lamp_rated_hours,
        session_rows=args.format == "sessions-csv",
    )
    try:
        report, room_names = asyncio.run(_report(args, f, key))
    except AuthRefused as exc:
        refused = with_detail(tr("the centre did not accept this token"), str(exc), verbose)
        print("classroom-console usage: " + refused + "; " + tr(_GIVE_TOKEN).format(env=TOKEN_ENV), file=sys.stderr)
        return 1
    except SyncError as exc:
        print("classroom-console usage: " + tr("cannot get the figures from the centre: {why}").format(
            why=failure(exc, verbose)), file=sys.stderr)
        return 1
    except StoreError as exc:
        from classroom_console.cli_store import store_error_line

        print(f"classroom-console usage: {store_error_line(exc, args.data_dir, verbose)}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(to_csv(report))
    elif args.format == "sessions-csv":
        sys.stdout.write(sessions_csv(report))
    else:
        from dataclasses import replace

        from classroom_console.commands.set_aside import reworded

        aside = tuple(reworded(line, verbose) for line in report.uploads_failed)
        print(to_table(replace(report, uploads_failed=aside), room_names))
    return 0
