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
from classroom_console.cli_text import tr
from classroom_console.store import utc_iso

COMMANDS = ("recordings", "publish", "unpublish", "add-reader", "readers", "revoke-reader", "library-access")
T = TypeVar("T")


def configure(sub: Any, _data: Callable[[argparse.ArgumentParser], None]) -> None:
    """Adds the library's actions to ``centre``'s subparsers; ``_data`` adds the centre's --data options."""
    rec = sub.add_parser("recordings",
                         help=tr("list the recordings the centre holds (id, room, course, title, published)"))
    rec.add_argument("--json", action="store_true", help=tr("one JSON object per line"))
    rec.add_argument("--room", default="", help=tr("only this room's"))
    _data(rec)
    for name, what in (("publish", tr("show a recording in the library")),
                       ("unpublish", tr("take it out of the library"))):
        p = sub.add_parser(name, help=what)
        p.add_argument("id", metavar="ID", help=tr("the recording's id (ROOM/ID when two rooms share an id)"))
        _data(p)
    reader = sub.add_parser("add-reader", help=tr("issue a library reader token for a partner institution"))
    reader.add_argument("name", metavar=tr("NAME"), help=tr("the partner institution's name"))
    _data(reader)
    readers = sub.add_parser("readers", help=tr("list the library's reader tokens"))
    _data(readers)
    revoke = sub.add_parser("revoke-reader",
                            help=tr("stop a reader token (by its id) or every token of an institution"))
    revoke.add_argument("target", metavar=tr("NAME|TOKEN-ID"),
                        help=tr("a reader token's id (see 'centre readers'), or an institution's name: all its tokens"))
    _data(revoke)
    access = sub.add_parser("library-access", help=tr("who may read the library: 'open' (anyone on the centre's "
                                                      "network, the default) or 'token' (a reader token); no "
                                                      "argument: say which"))
    access.add_argument("mode", nargs="?", choices=(OPEN, TOKEN),
                        help=tr("open: anyone on the centre's network (the default); token: only with a reader token; "
                                "left out: say which it is now"))
    _data(access)


# centre.validate's codes for a name given to add-room, add-staff and add-reader
_NAME_PROBLEMS = {
    validate.EMPTY: "the name must not be empty",
    validate.NOT_ONE_LINE: "the name must be one line without control characters",
    validate.CONTROL_CHARS: "the name must be one line without control characters",
    validate.TOO_LONG: "the name is longer than {n} characters",
}


def name_problem(name: str) -> str:
    """Why ``name`` cannot be a room's, staff member's or reader's name, in words ("" when it can)."""
    try:
        validate.name(name, "the name")
    except validate.Invalid as exc:
        sentence = _NAME_PROBLEMS.get(exc.reason)
        return tr(sentence).format(n=exc.limit) if sentence else str(exc)
    return ""


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
    return tr("yes") if r.published else (tr("no") if r.complete else tr("no (arriving)"))


def _print_recordings(rows: list[StaffRow], as_json: bool) -> None:
    if as_json:
        for r in rows:
            print(json.dumps({"id": r.id, "room": r.room, "course": r.course, "title": r.title,
                              "published": r.published, "complete": r.complete, "views": r.views,
                              "chapters": r.chapters, "size_bytes": r.size_bytes}, ensure_ascii=False))
        return
    if not rows:
        print(tr("the centre holds no recordings yet"))
        return
    header = (tr("id"), tr("room"), tr("course"), tr("title"), tr("published"))
    table: list[tuple[str, ...]] = [header, *((r.id, r.room, r.course, r.title, _state(r)) for r in rows)]
    widths = [min(40, max(len(line[i]) for line in table)) for i in range(len(header))]
    for line in table:
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


async def _publish(data: LibraryData, target: str, published: bool) -> tuple[str, str] | str:
    found = await data.find(target)
    if not found:
        return tr("no recording {target} (see 'centre recordings --data DIR')").format(target=repr(target))
    if len(found) > 1:
        return tr("{target} names recordings of several rooms; give ROOM/ID").format(target=repr(target))
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
        said = (tr("{id} of {room} is published: it shows in the library") if published
                else tr("{id} of {room} is no longer published"))
        print(said.format(id=rid, room=repr(room)))
        return 0
    if command == "add-reader":
        problem = name_problem(args.name)
        if problem:
            return _fail(problem, 2)
        token = issue_token()
        asyncio.run(_with(args, lambda d: d.add_reader(token_hash(token), args.name, utc_iso())))
        print(tr("reader {name} may read the library when it asks for a token ('centre library-access token'). "
                 "Its token (shown once, stored only as a hash):").format(name=repr(args.name)))
        print(token)
        return 0
    if command == "readers":
        rows = asyncio.run(_with(args, lambda d: d.readers()))
        if not rows:
            print(tr("no reader tokens yet: issue one with 'classroom-console centre add-reader NAME --data DIR'"))
        for name, token_id, created, gone in rows:
            print(tr("{name}  {id}  created {at}").format(name=name, id=token_id, at=created[:19])
                  + (tr("  revoked {at}").format(at=gone[:19]) if gone else ""))
        return 0
    if command == "revoke-reader":
        revoked = asyncio.run(_with(args, lambda d: d.revoke_reader(args.target, utc_iso())))
        if not revoked:
            return _fail(tr("no active reader token or institution called {target}").format(target=repr(args.target)))
        for name, token_id in revoked:
            print(tr("revoked reader token {id} of {name}").format(id=token_id, name=repr(name)))
        return 0
    # library-access
    if args.mode is None:
        mode = asyncio.run(_with(args, lambda d: d.setting(ACCESS, OPEN)))
    else:
        mode = args.mode
        asyncio.run(_with(args, lambda d: d.put_setting(ACCESS, mode)))
    print(tr("the library is open to anyone who reaches the centre") if mode == OPEN
          else tr("the library asks for a reader token ('centre add-reader NAME' issues one)"))
    return 0
