"""``classroom-console centre recordings|publish|unpublish|add-reader|readers|library-access``: the library
from a script, on the centre's own data folder (SQLite, or PostgreSQL with ``--database-url``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from classroom_console.centre import validate
from classroom_console.centre.db import CentreDB
from classroom_console.centre.library_access import ACCESS, OPEN, TOKEN
from classroom_console.centre.library_db import LibraryData, StaffRow
from classroom_console.centre.tokens import issue_token, token_hash
from classroom_console.store import utc_iso

COMMANDS = ("recordings", "publish", "unpublish", "add-reader", "readers", "revoke-reader", "library-access")
T = TypeVar("T")


def configure(sub: Any, _data: Callable[[argparse.ArgumentParser], None]) -> None:
    """Adds the library's actions to ``centre``'s subparsers; ``_data`` adds the centre's --data options."""
    rec = sub.add_parser("recordings", help="list the recordings the centre holds (id, room, course, title, published)")
    rec.add_argument("--json", action="store_true", help="one JSON object per line")
    rec.add_argument("--room", default="", help="only this room's")
    _data(rec)
    for name, what in (("publish", "show a recording in the library"), ("unpublish", "take it out of the library")):
        p = sub.add_parser(name, help=what)
        p.add_argument("id", metavar="ID", help="the recording's id (ROOM/ID when two rooms share an id)")
        _data(p)
    reader = sub.add_parser("add-reader", help="issue a library reader token for a partner institution")
    reader.add_argument("name")
    _data(reader)
    readers = sub.add_parser("readers", help="list the library's reader tokens")
    _data(readers)
    revoke = sub.add_parser("revoke-reader", help="stop a reader token (by its id) or every token of an institution")
    revoke.add_argument("target", metavar="NAME|TOKEN-ID")
    _data(revoke)
    access = sub.add_parser("library-access", help="who may read the library: 'open' (anyone on the centre's "
                            "network, the default) or 'token' (a reader token); no argument: say which")
    access.add_argument("mode", nargs="?", choices=(OPEN, TOKEN))
    _data(access)


OpenDB = Callable[[argparse.Namespace], Coroutine[Any, Any, CentreDB]]
_open: list[OpenDB] = []


async def _with(args: argparse.Namespace, job: Callable[[LibraryData], Coroutine[Any, Any, T]]) -> T:
    db = await _open[0](args)
    try:
        return await job(LibraryData(db))
    finally:
        await db.close()


def _fail(message: str, code: int = 1) -> int:
    print(f"classroom-console centre: {message}", file=sys.stderr)
    return code


def _state(r: StaffRow) -> str:
    return "yes" if r.published else ("no" if r.complete else "no (arriving)")


def _print_recordings(rows: list[StaffRow], as_json: bool) -> None:
    if as_json:
        for r in rows:
            print(json.dumps({"id": r.id, "room": r.room, "course": r.course, "title": r.title,
                              "published": r.published, "complete": r.complete, "views": r.views,
                              "chapters": r.chapters, "size_bytes": r.size_bytes}, ensure_ascii=False))
        return
    if not rows:
        print("the centre holds no recordings yet")
        return
    header = ("id", "room", "course", "title", "published")
    table: list[tuple[str, ...]] = [header, *((r.id, r.room, r.course, r.title, _state(r)) for r in rows)]
    widths = [min(40, max(len(line[i]) for line in table)) for i in range(len(header))]
    for line in table:
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


async def _publish(data: LibraryData, target: str, published: bool) -> tuple[str, str] | str:
    found = await data.find(target)
    if not found:
        return f"no recording {target!r} (see 'centre recordings --data DIR')"
    if len(found) > 1:
        return f"{target!r} names recordings of several rooms; give ROOM/ID"
    room, rid = found[0]
    await data.set_published(room, rid, published, utc_iso())
    return room, rid


def run(args: argparse.Namespace, open_db: OpenDB) -> int:
    """``open_db``: how ``centre`` opens the database its configuration names."""
    _open[:] = [open_db]
    command = args.centre_command
    if command == "recordings":
        _print_recordings(asyncio.run(_with(args, lambda d: d.staff_list(args.room))), args.json)
        return 0
    if command in ("publish", "unpublish"):
        published = command == "publish"
        answer = asyncio.run(_with(args, lambda d: _publish(d, args.id, published)))
        if isinstance(answer, str):
            return _fail(answer)
        room, rid = answer
        print(f"{rid} of {room!r} is {'published: it shows in the library' if published else 'no longer published'}")
        return 0
    if command == "add-reader":
        try:
            validate.name(args.name, "the name")
        except validate.Invalid as exc:
            return _fail(str(exc), 2)
        token = issue_token()
        asyncio.run(_with(args, lambda d: d.add_reader(token_hash(token), args.name, utc_iso())))
        print(f"reader {args.name!r} may read the library when it asks for a token "
              "('centre library-access token'). Its token (shown once, stored only as a hash):")
        print(token)
        return 0
    if command == "readers":
        rows = asyncio.run(_with(args, lambda d: d.readers()))
        if not rows:
            print("no reader tokens yet: issue one with 'classroom-console centre add-reader NAME --data DIR'")
        for name, token_id, created, gone in rows:
            print(f"{name}  {token_id}  created {created[:19]}" + (f"  revoked {gone[:19]}" if gone else ""))
        return 0
    if command == "revoke-reader":
        revoked = asyncio.run(_with(args, lambda d: d.revoke_reader(args.target, utc_iso())))
        if not revoked:
            return _fail(f"no active reader token or institution called {args.target!r}")
        for name, token_id in revoked:
            print(f"revoked reader token {token_id} of {name!r}")
        return 0
    # library-access
    if args.mode is None:
        mode = asyncio.run(_with(args, lambda d: d.setting(ACCESS, OPEN)))
    else:
        mode = args.mode
        asyncio.run(_with(args, lambda d: d.put_setting(ACCESS, mode)))
    print("the library is open to anyone who reaches the centre" if mode == OPEN
          else "the library asks for a reader token ('centre add-reader NAME' issues one)")
    return 0
