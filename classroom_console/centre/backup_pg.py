"""What a restore into PostgreSQL needs beyond pg_restore: is the database empty, and undoing what it loaded.

pg_restore --single-transaction loads all or nothing; these cover a failure after it (centre.toml not written), so
that the database is left as the restore found it and a retry is not refused.
"""

from __future__ import annotations

from typing import Any

from classroom_console.centre.config import ConfigError

Objects = set[tuple[str, str]]

# The public schema's objects a centre's dump makes (tables, a sequence, functions, procedures), as DROP names them.
_OBJECTS = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
       c.oid::regclass::text
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
UNION ALL SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure::text
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
"""
# Views before the tables they read, tables before the sequences and routines they use.
_ORDER = {"MATERIALIZED VIEW": 0, "VIEW": 1, "TABLE": 2, "SEQUENCE": 3, "AGGREGATE": 4, "ROUTINE": 5}


async def _connect(url: str, password: str | None) -> Any:
    from classroom_console.centre.db_postgres import DatabaseUnavailable, asyncpg, unavailable

    if asyncpg is None:
        raise ConfigError("a PostgreSQL centre needs the asyncpg package: pip install asyncpg")
    try:
        return await asyncpg.connect(url, password=password)
    except Exception as exc:
        line = unavailable(exc, url)
        if line is None:
            raise
        raise DatabaseUnavailable(line) from None


async def objects_unless_centre(url: str, password: str | None) -> Objects | None:
    """The public schema's objects before the restore, or None when the database already holds a centre."""
    conn = await _connect(url, password)
    try:
        if await conn.fetchval("SELECT to_regclass('public.tokens') IS NOT NULL"):
            return None
        return {(kind, name) for kind, name in await conn.fetch(_OBJECTS)}
    finally:
        await conn.close()


async def drop_new(url: str, password: str | None, before: Objects) -> None:
    """Drop, in one transaction, every object of the public schema that was not there ``before``."""
    conn = await _connect(url, password)
    try:
        async with conn.transaction():
            new = {(kind, name) for kind, name in await conn.fetch(_OBJECTS)} - before
            for kind, name in sorted(new, key=lambda o: (_ORDER[o[0]], o[1])):
                await conn.execute(f"DROP {kind} IF EXISTS {name} CASCADE")
    finally:
        await conn.close()
