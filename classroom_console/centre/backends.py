"""Choosing the centre's database: PostgreSQL when given a URL, else SQLite in the data folder."""

from __future__ import annotations

from pathlib import Path

from classroom_console.centre.config import POSTGRESQL, CentreConfig
from classroom_console.centre.db import CentreDB
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.db_sqlite import SqliteCentreDB


async def open_centre_db(data_dir: Path, database_url: str | None = None, password: str | None = None) -> CentreDB:
    if database_url:
        return await PostgresCentreDB.open(database_url, password)
    return await SqliteCentreDB.open(data_dir / "centre.db")


async def open_configured(config: CentreConfig) -> CentreDB:
    """The database a centre's configuration names (its password file read here, never kept on disk by us)."""
    if config.backend == POSTGRESQL:
        assert config.database_url is not None
        return await PostgresCentreDB.open(config.database_url, config.password())
    return await SqliteCentreDB.open(config.sqlite_path)
