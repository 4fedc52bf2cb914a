"""Rows still readable in a damaged database, copied into the fresh one and queued, so the centre still gets them.

SQLite's own ``.recover`` (the sqlite3 command-line shell) reads around damaged pages best; where the shell is
not installed, each table is copied row by row, stepping over rows whose pages cannot be read. Either way the
work happens on a copy: the damaged file that was moved aside keeps every byte.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .records import utc_iso
from .sqlite_db import Database

log = logging.getLogger(__name__)

# Kept by triggers from the tables copied (rebuilt as rows arrive), or rebuilt by the sync's sweep.
_DERIVED = {"session_spans", "session_hours", "device_spans", "hour_steps", "session_devices", "upload_queue"}
_FIRST = ("rooms", "devices", "sessions", "recordings")  # parents first: the rollup triggers look them up
_PROBE_MISSES = 4096  # unreadable rowids stepped over one by one before a table is left as it is
RECOVER_TIMEOUT_S = 600.0


@dataclass(frozen=True, slots=True)
class Salvaged:
    sessions: int = 0
    events: int = 0
    recordings: int = 0
    sessions_lost: int = 0  # known to have existed (from events, rollups, the queue) but unreadable
    method: str = ""

    def sentence(self) -> str:
        if not (self.sessions or self.events or self.recordings or self.sessions_lost):
            return "no session in it could be read"
        lost = f"; {self.sessions_lost} could not be read" if self.sessions_lost else "; none was lost"
        return (f"{self.sessions} sessions ({self.events} events, {self.recordings} recordings) were saved from it "
                f"into the new database and queued for the centre{lost}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _recover_with_shell(damaged: Path, out: Path) -> bool:
    """``sqlite3 damaged .recover | sqlite3 out``; False when the shell is missing or fails."""
    shell = shutil.which("sqlite3")
    if shell is None:
        return False
    try:
        with subprocess.Popen([shell, str(damaged), ".recover"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) as dump:
            loaded = subprocess.run([shell, str(out)], stdin=dump.stdout, capture_output=True,
                                    timeout=RECOVER_TIMEOUT_S, check=False)
            dump.wait(timeout=RECOVER_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("sqlite3 .recover failed: %s", exc)
        return False
    if dump.returncode != 0 or loaded.returncode != 0:  # usual on a damaged file; the notice says what was saved
        log.info("sqlite3 .recover ended %s/%s: %s", dump.returncode, loaded.returncode,
                    loaded.stderr.decode(errors="replace")[:300])
    return out.exists() and out.stat().st_size > 0


def _readable_rows(conn: sqlite3.Connection, table: str) -> Iterator[tuple[object, ...]]:
    """Every row that can be read, by rowid; a damaged stretch is stepped over one rowid at a time."""
    after = -(1 << 63)
    misses = 0
    while misses < _PROBE_MISSES:
        try:
            for row in conn.execute(f"SELECT rowid, * FROM {_q(table)} WHERE rowid > ? ORDER BY rowid", (after,)):
                after, misses = int(row[0]), 0
                yield row
            return
        except sqlite3.DatabaseError:
            pass
        while misses < _PROBE_MISSES:  # step over the damage until a row reads again, then scan on from there
            after += 1
            misses += 1
            try:
                row = conn.execute(f"SELECT rowid, * FROM {_q(table)} WHERE rowid = ?", (after,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row is not None:
                misses = 0
                yield row
                break


def _scanned_rows(conn: sqlite3.Connection, table: str) -> Iterator[tuple[object, ...]]:
    """A WITHOUT ROWID table cannot be probed by rowid: its rows up to the first damaged page."""
    try:
        yield from conn.execute(f"SELECT NULL, * FROM {_q(table)}")
    except sqlite3.DatabaseError:
        return


def _copy_row_by_row(damaged: Path, out: Path) -> bool:
    """The fallback without the shell: the damaged file's tables into ``out``, each row that reads."""
    src = sqlite3.connect(damaged.resolve().as_uri() + "?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        try:
            tables = src.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite_%'").fetchall()
        except sqlite3.DatabaseError as exc:
            log.warning("the damaged file's schema cannot be read: %s", exc)
            return False
        for name, sql in tables:
            try:
                dst.execute(sql)
                columns = [c[1] for c in src.execute(f"PRAGMA table_info({_q(name)})")]
            except sqlite3.DatabaseError:
                continue
            marks = ",".join("?" * len(columns))
            insert = f"INSERT OR IGNORE INTO {_q(name)} ({','.join(map(_q, columns))}) VALUES ({marks})"
            rows = _scanned_rows(src, name) if "WITHOUT ROWID" in sql.upper() else _readable_rows(src, name)
            dst.executemany(insert, (row[1:] for row in rows))
        dst.commit()
        return True
    finally:
        src.close()
        dst.close()


def _tables(db: Database | sqlite3.Connection, schema: str) -> list[str]:
    rows = db.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [str(r[0]) for r in rows]


def _ids(db: Database, sql: str) -> set[str]:
    try:
        return {str(r[0]) for r in db.execute(sql) if r[0] is not None}
    except sqlite3.DatabaseError:
        return set()


def _rebuild_sessions(db: Database, theirs: set[str]) -> None:
    """Sessions whose own rows were on a damaged page come back from the usage rollup that mirrors them.

    They get status 'recovered' and end where the rollup says (or when it was copied, for one still running).
    """
    if "session_spans" not in theirs:
        return
    try:
        spans = db.execute("SELECT id, room_id, lecturer, course, started_at, dur_s FROM salvage.session_spans "
                           "WHERE id NOT IN (SELECT id FROM main.sessions)").fetchall()
    except sqlite3.DatabaseError:
        return
    for sid, room_id, lecturer, course, started_at, dur_s in spans:
        try:
            start = datetime.fromisoformat(str(started_at).replace("Z", "+00:00"))
        except ValueError:
            continue
        ended = utc_iso(start + timedelta(seconds=float(dur_s or 0.0)))
        db.execute("INSERT OR IGNORE INTO main.sessions (id, room_id, lecturer, course, started_at, ended_at, "
                   "status) VALUES (?, ?, ?, ?, ?, ?, 'recovered')",
                   (sid, room_id or None, lecturer or "", course or "", started_at, ended))


def _adopt_orphans(db: Database) -> None:
    """A room whose row was lost gets a plain one back (sessions keep their room); other lost parents unlink."""
    now = utc_iso()
    for table in ("sessions", "devices"):
        db.execute("INSERT OR IGNORE INTO main.rooms (id, name, building, created_at) "
                   f"SELECT DISTINCT room_id, room_id, '', ? FROM main.{table} WHERE room_id IS NOT NULL "
                   "AND room_id NOT IN (SELECT id FROM main.rooms)", (now,))
    for table in ("recordings", "markers"):
        db.execute(f"UPDATE main.{table} SET session_id = NULL WHERE session_id IS NOT NULL "
                   "AND session_id NOT IN (SELECT id FROM main.sessions)")


def _copy_into(db: Database, source: Path) -> Salvaged:
    """Rows of ``source`` into the fresh store: matching columns, orphans dropped, then queued for the centre."""
    db.execute("ATTACH DATABASE ? AS salvage", (source.resolve().as_uri() + "?mode=ro",))
    try:
        theirs = set(_tables(db, "salvage"))
        ours = [t for t in _tables(db, "main") if t not in _DERIVED and t in theirs]
        ours.sort(key=lambda t: (_FIRST.index(t) if t in _FIRST else len(_FIRST), t))
        db.execute("PRAGMA foreign_keys = OFF")  # orphans are weeded out below, row by row, not refused in bulk
        try:
            with db.atomic():
                for table in ours:
                    mine = [c[1] for c in db.execute(f"PRAGMA main.table_info({_q(table)})")]
                    cols = [c[1] for c in db.execute(f"PRAGMA salvage.table_info({_q(table)})") if c[1] in mine]
                    names = ",".join(map(_q, cols))
                    db.execute(f"INSERT OR IGNORE INTO main.{_q(table)} ({names}) "
                               f"SELECT {names} FROM salvage.{_q(table)}")
                    if table == "sessions":  # before their events, whose triggers look the session up
                        _rebuild_sessions(db, theirs)
                _adopt_orphans(db)
                for table, rowid, _parent, _fk in list(db.execute("PRAGMA main.foreign_key_check")):
                    db.execute(f"DELETE FROM main.{_q(table)} WHERE rowid = ?", (rowid,))
                now = utc_iso()
                db.execute("INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
                           "SELECT 'session', id, ?, ? FROM sessions WHERE ended_at IS NOT NULL", (now, now))
                db.execute("INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
                           "SELECT 'recording', id, ?, ? FROM recordings WHERE stopped_at IS NOT NULL", (now, now))
        finally:
            db.execute("PRAGMA foreign_keys = ON")
        saved = _ids(db, "SELECT id FROM main.sessions")
        known = set(saved)
        for sql in ("SELECT id FROM salvage.sessions", "SELECT id FROM salvage.session_spans",
                    "SELECT DISTINCT session_id FROM salvage.session_events",
                    "SELECT DISTINCT session_id FROM salvage.device_spans",
                    "SELECT DISTINCT session_id FROM salvage.recordings",
                    "SELECT item_id FROM salvage.upload_queue WHERE item_kind = 'session'"):
            known |= _ids(db, sql)
        events = int(db.execute("SELECT count(*) FROM main.session_events").fetchone()[0])
        recordings = int(db.execute("SELECT count(*) FROM main.recordings").fetchone()[0])
        return Salvaged(len(saved), events, recordings, len(known - saved))
    finally:
        db.execute("DETACH DATABASE salvage")


def salvage(damaged: Path, db: Database, *, use_shell: bool = True) -> Salvaged:
    """Copy what reads from ``damaged`` (and its -wal) into ``db``; never touches ``damaged`` itself. Blocking."""
    with tempfile.TemporaryDirectory(prefix="classroom-console-salvage-") as work:  # private: mode 0700
        copy = Path(work) / "damaged.db"
        shutil.copyfile(damaged, copy)
        wal = damaged.with_name(damaged.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        recovered = Path(work) / "recovered.db"
        method = "recover"
        if not (use_shell and _recover_with_shell(copy, recovered)):
            recovered.unlink(missing_ok=True)
            method = "row-by-row"
            if not _copy_row_by_row(copy, recovered):
                return Salvaged(method=method)
        result = _copy_into(db, recovered)
    return Salvaged(result.sessions, result.events, result.recordings, result.sessions_lost, method)
