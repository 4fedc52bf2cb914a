"""``classroom-console centre``: run the centre's receiving service, and issue, list and revoke tokens."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from classroom_console.centre import backup, sqlite_damage
from classroom_console.centre import config as centre_config
from classroom_console.centre.backends import open_configured
from classroom_console.centre.db import CentreDB, TokenRow
from classroom_console.centre.db_postgres import DatabaseUnavailable
from classroom_console.centre.limits import Limits
from classroom_console.centre.server import CentreOptions, CentreServer
from classroom_console.centre.tokens import ROOM, STAFF, folder_for, issue_token, token_hash
from classroom_console.cli_text import ntr, ptr, tr
from classroom_console.commands import centre_library
from classroom_console.store import utc_iso

# The commands that may make a centre in an empty folder; every other one refuses a folder that holds none.
CREATORS = ("serve", "add-room", "add-staff", "restore")
HELP = ("the centre's receiving service and its library: serve, add-room, add-staff, tokens, revoke, backup, restore, "
        "recordings, publish, unpublish, add-reader, readers, revoke-reader, library-access")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("{text} is not a port number").format(text=repr(text))) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(tr("{port} is not a port number (0..65535)").format(port=port))
    return port


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(tr("{text} is not a number").format(text=repr(text))) from None
        if not value > 0:
            raise argparse.ArgumentTypeError(tr("{text} must be more than 0").format(text=text))
        return value

    return parse


_URL_HELP = ("postgresql://USER@HOST:PORT/DB to keep the centre's data in PostgreSQL; given once, when the centre "
             "is created (kept in DATA/centre.toml); no password in it: PGPASSWORD, ~/.pgpass or --password-file")


def _where(p: argparse.ArgumentParser) -> None:
    """Options that the first command writes into DATA/centre.toml; later ones may repeat but not contradict them."""
    p.add_argument("--database-url", help=tr(_URL_HELP))
    p.add_argument("--files", type=Path, metavar="DIR",
                   help=tr("the recordings' store, shared by every centre process (default: the data folder)"))
    p.add_argument("--password-file", type=Path, metavar="FILE",
                   help=tr("a file (mode 600) holding the PostgreSQL password, named in the configuration"))


def _data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, required=True, help=tr("the centre's data folder (holds centre.toml)"))
    _where(p)


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="centre_command", metavar=tr("ACTION"), required=True)
    serve = sub.add_parser("serve", help=tr("receive sessions and recordings from the rooms and serve usage"))
    serve.add_argument("--port", type=_port, default=8765,
                       help=tr("port to listen on (default %(default)s; 0: any free one)"))
    serve.add_argument("--host", default="127.0.0.1", help=tr("address to listen on (default: loopback only)"))
    serve.add_argument("--data", type=Path, required=True, help=tr("the centre's data folder (holds centre.toml)"))
    _where(serve)
    serve.add_argument("--cert", type=Path, help=tr("TLS certificate (PEM); serve HTTPS"))
    serve.add_argument("--key", type=Path, help=tr("TLS private key (PEM)"))
    serve.add_argument("--max-file-gb", type=_positive(float), default=64.0, metavar="GB",
                       help=tr("largest recording accepted, GB (default %(default)g)"))
    d = Limits()
    serve.add_argument("--max-session-mb", type=_positive(float), metavar="MB",
                       help=tr("largest session upload accepted (default {n})").format(n=d.session_bytes >> 20))
    serve.add_argument("--max-connections-per-client", type=int, metavar="N",
                       help=tr("connections one address may hold at once; 0: no cap (default {n})").format(
                           n=d.connections_per_client))
    serve.add_argument("--header-timeout", type=_positive(float), metavar="S",
                       help=tr("seconds for a request's head to arrive (default {s})").format(
                           s=f"{d.header_timeout_s:g}"))
    serve.add_argument("--body-timeout", type=_positive(float), metavar="S",
                       help=tr("seconds without a byte of a body before it is given up (default {s})").format(
                           s=f"{d.body_idle_s:g}"))
    for name, what in (("add-room", tr("issue a token for a room's console; printed once, on the last line")),
                       ("add-staff", tr("issue a token for centre staff (reads every room); printed once, on the "
                                        "last line"))):
        p = sub.add_parser(name, help=what)
        p.add_argument("name", metavar=tr("NAME"), help=tr("the room's name, as the usage report shows it") if
                       name == "add-room" else tr("the staff member's name"))
        p.add_argument("--rotate", action="store_true", help=tr("revoke its old tokens; the new one replaces them"))
        _data(p)
    tokens = sub.add_parser("tokens", help=tr("list rooms and staff with their token ids, created and last used"))
    _data(tokens)
    revoke = sub.add_parser("revoke", help=tr("stop a token (by its id) or every token of a room (by name) at once"))
    revoke.add_argument("target", metavar=tr("ROOM|TOKEN-ID"),
                        help=tr("a token's id (see 'centre tokens'), or a room's or staff member's name: all its "
                                "tokens"))
    _data(revoke)
    back = sub.add_parser("backup", help=tr("copy the database (online) and every received file into a new folder "
                                            "OUT, with a manifest of their SHA-256"))
    back.add_argument("out", type=Path, metavar="OUT",
                      help=tr("the new folder for the backup (missing or empty; outside the centre's files)"))
    _data(back)
    restore = sub.add_parser("restore", help=tr("make a new centre in --data from a backup folder, every file checked"))
    restore.add_argument("backup", type=Path, metavar="BACKUP",
                         help=tr("the folder 'centre backup' wrote (holding manifest.json)"))
    _data(restore)
    centre_library.configure(sub, _data)  # recordings, publish, unpublish, readers (the library)


def _config(args: argparse.Namespace) -> tuple[centre_config.CentreConfig, bool]:
    return centre_config.resolve(args.data, args.database_url, args.files, args.password_file)


def _created(args: argparse.Namespace, config: centre_config.CentreConfig, new: bool) -> None:
    """The commands that make a centre write its configuration the first time, once its database opened.

    (``restore`` writes its own; the others refuse a folder that holds no centre before opening anything.)
    """
    if new and args.centre_command in ("serve", "add-room", "add-staff"):
        centre_config.save(config)
        # One line on stderr: a mistyped --data beside a real centre is seen at once, not after rooms fail.
        said = (tr("created a new PostgreSQL centre in {data} (its data in {url})")
                if config.backend == centre_config.POSTGRESQL else tr("created a new SQLite centre in {data}"))
        print(said.format(data=args.data, url=config.database_url), file=sys.stderr, flush=True)


async def _with_db(args: argparse.Namespace) -> CentreDB:
    config, new = _config(args)
    db = await open_configured(config)
    _created(args, config, new)
    return db


async def _add(args: argparse.Namespace, role: str) -> tuple[str, list[TokenRow], list[tuple[str, str]]]:
    token = issue_token()
    db = await _with_db(args)
    try:
        existing = [t for t in await db.tokens() if t.name == args.name and t.revoked_at is None]
        revoked = await db.revoke(args.name, utc_iso()) if args.rotate and existing else []
        await db.add_token(token_hash(token), args.name, role, folder_for(args.name))
    finally:
        await db.close()
    return token, existing, revoked


async def _tokens(args: argparse.Namespace) -> list[TokenRow]:
    db = await _with_db(args)
    try:
        return await db.tokens()
    finally:
        await db.close()


async def _revoke(args: argparse.Namespace) -> list[tuple[str, str]]:
    db = await _with_db(args)
    try:
        return await db.revoke(args.target, utc_iso())
    finally:
        await db.close()


async def _serve(args: argparse.Namespace) -> None:
    limits = Limits().with_overrides(
        session_bytes=None if args.max_session_mb is None else int(args.max_session_mb * (1 << 20)),
        connections_per_client=args.max_connections_per_client,
        header_timeout_s=args.header_timeout, body_idle_s=args.body_timeout,
    )
    config, new = _config(args)
    options = CentreOptions(
        data_dir=args.data, host=args.host, port=args.port, database_url=config.database_url,
        cert=args.cert, key=args.key, max_file_bytes=int(args.max_file_gb * (1 << 30)), limits=limits,
        files_dir=config.files, database_password=config.password(),
    )
    server = CentreServer(options)
    try:
        url = await server.start()
    except OSError as exc:
        if exc.errno is None:
            raise
        raise centre_config.ConfigError(tr("cannot listen on {host}:{port}: {why}").format(
            host=args.host, port=args.port, why=exc.strerror)) from None
    # Before the lines that say it is serving: a supervisor that stops it as soon as it has read them gets an orderly
    # stop (the store's processes ended, the database closed), not death by the signal.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    _created(args, config, new)
    print(tr("centre service on {url} (data in {data}); Ctrl+C stops it").format(url=url, data=args.data), flush=True)
    print(tr("the library: {url}").format(url=f"{url}/library/"), flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def _print_tokens(rows: list[TokenRow]) -> None:
    if not rows:
        print(tr("no tokens yet: issue one with 'classroom-console centre add-room NAME --data DIR'"))
        return
    header = (tr("name"), tr("role"), tr("token id"), tr("created"), tr("last used"), tr("revoked"))
    table = [header] + [(r.name, role_word(r.role), r.id, r.created_at[:19], (r.last_used_at or tr("never"))[:19],
                         (r.revoked_at or "")[:19]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(tr("(last used is noted every 10 s while the service runs)"))


def role_word(role: str) -> str:
    """A token's role (``tokens.ROOM``, ``STAFF``) in the user's words; another stays as stored."""
    return {ROOM: ptr("role", "room"), STAFF: ptr("role", "staff")}.get(role, role)


def config_words(exc: centre_config.ConfigError) -> str:
    """A configuration's, a backup's or a restore's refusal in the user's words (a BackupError's sentence is its
    code's in ``backup.MESSAGES``): its English sentence translated, then its fields filled."""
    return tr(exc.template).format(**exc.values) if exc.values else tr(exc.template)


def _backup(args: argparse.Namespace) -> int:
    config, _ = _config(args)
    try:
        summary = backup.backup(config, args.out)
    except OSError as exc:
        return _fail(tr("the backup to {out} failed: {why} ({file})").format(
            out=args.out, why=exc.strerror or exc, file=exc.filename or ""))
    print(ntr("backed up the centre in {data} ({backend}) and {n} file ({mib} MiB) to {out}; {manifest} lists "
              "its SHA-256", "backed up the centre in {data} ({backend}) and {n} files ({mib} MiB) to {out}; "
              "{manifest} lists their SHA-256", summary.files).format(
        data=args.data, backend=summary.backend, mib=f"{summary.bytes / (1 << 20):.1f}", out=args.out,
        manifest=args.out / backup.MANIFEST))
    return 0


def _restore(args: argparse.Namespace) -> int:
    target, _ = _config(args)
    try:
        summary = backup.restore(args.backup, target)
    except OSError as exc:
        return _fail(tr("the restore from {backup} failed: {why} ({file})").format(
            backup=args.backup, why=exc.strerror or exc, file=exc.filename or ""))
    print(ntr("restored {backup} into the centre in {data} ({backend}); {n} file ({mib} MiB), its SHA-256 as in "
              "the manifest", "restored {backup} into the centre in {data} ({backend}); {n} files ({mib} MiB), each "
              "SHA-256 as in the manifest", summary.files).format(
        backup=args.backup, data=args.data, backend=summary.backend, mib=f"{summary.bytes / (1 << 20):.1f}"))
    return 0


def _fail(message: str, code: int = 1) -> int:
    print(f"classroom-console centre: {message}", file=sys.stderr)  # message: already in the user's language
    return code


def run(args: argparse.Namespace) -> int:
    """Every failure of the configuration or the database is one line and a non-zero exit, never a traceback."""
    try:
        return _run(args)
    except centre_config.ConfigError as exc:  # a BackupError too
        return _fail(config_words(exc))
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    except sqlite_damage.Damaged as exc:
        return _fail(tr("{file} is damaged ({why}): restore the latest backup into a new data folder with "
                        "'classroom-console centre restore BACKUP --data NEW' (the damaged file is left as it is)")
                     .format(file=exc.path, why=exc.why))


def _run(args: argparse.Namespace) -> int:
    command = args.centre_command
    data = getattr(args, "data", None)
    if isinstance(data, Path) and data.exists() and not data.is_dir():
        return _fail(tr("--data {data} is a file: give the centre's data folder").format(data=data), 2)
    if command not in CREATORS and not centre_config.holds_a_centre(args.data, args.database_url):
        return _fail(tr("{data} holds no centre (a centre is made by 'centre serve' or 'centre add-room')")
                     .format(data=args.data))
    if command in centre_library.COMMANDS:
        return centre_library.run(args, _with_db)
    if command == "serve":
        if args.cert is not None and args.key is None:
            return _fail(tr("--cert needs --key"), 2)
        if args.max_connections_per_client is not None and args.max_connections_per_client < 0:
            return _fail(tr("--max-connections-per-client must be 0 (no cap) or more"), 2)
        asyncio.run(_serve(args))
        return 0
    if command == "backup":
        return _backup(args)
    if command == "restore":
        return _restore(args)
    if command == "tokens":
        _print_tokens(asyncio.run(_tokens(args)))
        return 0
    if command == "revoke":
        revoked = asyncio.run(_revoke(args))
        if not revoked:
            return _fail(tr("no active token or room called {target} (see 'centre tokens --data DIR')").format(
                target=repr(args.target)))
        for name, token_id in revoked:
            print(tr("revoked token {id} of {name}: it stops working at the next request").format(
                id=token_id, name=repr(name)))
        return 0
    problem = centre_library.name_problem(args.name)
    if problem:
        return _fail(problem, 2)
    role = STAFF if command == "add-staff" else ROOM
    token, existing, revoked = asyncio.run(_add(args, role))
    for name, token_id in revoked:
        print(tr("revoked the old token {id} of {name}").format(id=token_id, name=repr(name)))
    if existing and not revoked:
        ids = ", ".join(t.id for t in existing)
        print(tr("warning: {name} already has a token ({ids}) that keeps working; use --rotate to replace it, or "
                 "'centre revoke' to stop it").format(name=repr(args.name), ids=ids), file=sys.stderr)
    added = (tr("staff {name} added to the centre in {data}. Its token (shown once, stored only as a hash):")
             if role == STAFF else
             tr("room {name} added to the centre in {data}. Its token (shown once, stored only as a hash):"))
    print(added.format(name=repr(args.name), data=args.data))
    print(token)
    return 0
