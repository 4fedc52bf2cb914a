"""Choosing the centre's database: PostgreSQL when given a URL, else SQLite in the data folder."""

from __future__ import annotations

from pathlib import Path

from classroom_console.centre.db import CentreDB
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.db_sqlite import SqliteCentreDB


async def open_centre_db(data_dir: Path, database_url: str | None = None) -> CentreDB:
    if database_url:
        return await PostgresCentreDB.open(database_url)
    return await SqliteCentreDB.open(data_dir / "centre.db")
