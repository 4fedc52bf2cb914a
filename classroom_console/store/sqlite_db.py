"""The store's SQLite connection: the few calls the store makes, on the standard library alone.

The store used sqlite_utils' ``Database`` for exactly these calls; importing that library (and the click, pluggy,
numpy and dateutil it pulls in) cost more than half of every short command's start (``device … status``). The
transaction rules are the ones the store was written against: a write outside a transaction is committed at once, a
failed one leaves no transaction open, ``atomic()`` nests with savepoints, and a script inside a transaction stays
inside it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Params = Sequence[Any] | dict[str, Any] | None

_CONTROL = ("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE")
_savepoints = itertools.count()


def first_keyword(sql: str) -> str:
    """The statement's first word, upper case, past blanks and ``--`` / ``/* */`` comments."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in ";\ufeff":
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            j = i
            while j < n and (sql[j].isalpha() or sql[j] == "_"):
                j += 1
            return sql[i:j].upper()
    return ""


def statements(script: str) -> Iterator[str]:
    """A script's statements one by one (``sqlite3.complete_statement`` knows where each ends)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                yield pending
            pending = ""
    if pending.strip():
        yield pending


class Database:
    """One ``sqlite3.Connection`` (``conn``) and the store's calls on it."""

    def __init__(self, target: sqlite3.Connection | str | Path) -> None:
        self.conn = target if isinstance(target, sqlite3.Connection) else sqlite3.connect(str(target))

    def execute(self, sql: str, parameters: Params = None) -> sqlite3.Cursor:
        """Run one statement; a write outside a transaction is committed, a failed one rolled back."""
        conn = self.conn
        was_open = conn.in_transaction
        try:
            cursor = conn.execute(sql) if parameters is None else conn.execute(sql, parameters)
        except Exception:
            if not was_open and conn.in_transaction:
                conn.execute("ROLLBACK")  # else the half-open transaction would swallow every later write
            raise
        if not was_open and conn.in_transaction and cursor.description is None \
                and first_keyword(sql) not in _CONTROL:
            conn.execute("COMMIT")
        return cursor

    def executescript(self, sql: str) -> sqlite3.Cursor:
        """Run a script; inside a transaction it stays there (``sqlite3``'s own would commit first)."""
        if not self.conn.in_transaction:
            return self.conn.executescript(sql)
        cursor = self.conn.cursor()
        for statement in statements(sql):
            cursor.execute(statement)
        return cursor

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Rows as dicts (column name to value), read as they are iterated."""
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() is for statements that return rows")
        keys = [d[0] for d in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """All or nothing: a transaction, or a savepoint inside one already open."""
        conn = self.conn
        if conn.in_transaction:
            name = f"store_{next(_savepoints)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:  # a RAISE(ROLLBACK) may have ended the whole transaction already
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def enable_wal(self) -> None:
        if str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            if self.conn.in_transaction:
                raise sqlite3.OperationalError("the journal mode cannot change inside a transaction")
            self.conn.execute("PRAGMA journal_mode=wal")

    def table_names(self) -> list[str]:
        return [str(r[0]) for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def close(self) -> None:
        self.conn.close()
