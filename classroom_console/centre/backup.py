"""``centre backup`` and ``centre restore``: the database and every received file, with a manifest that proves them.

A backup is a folder: ``manifest.json`` (the back end, and each file with its size and SHA-256), the database
(``centre.db`` made with SQLite's online backup, so the service keeps running; or ``centre.pgdump`` from
``pg_dump -Fc``) and ``files/``, a copy of the file store. The database is taken first, then the files: every
recording the database calls complete is already whole on disk. A restore checks each file against the
manifest as it copies it, into a data folder with no centre and (PostgreSQL) an empty database.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom_console.centre import config as centre_config
from classroom_console.centre.config import POSTGRESQL, SQLITE, CentreConfig, ConfigError
from classroom_console.store import utc_iso

MANIFEST = "manifest.json"
SQLITE_FILE = "centre.db"
PG_FILE = "centre.pgdump"
FILES = "files"
FORMAT = 1
BLOCK = 4 << 20
# Files of the data folder that are the database or the configuration, not the file store's.
_NOT_FILES = {"centre.db", "centre.db-wal", "centre.db-shm", "centre.db-journal", centre_config.FILE}


class BackupError(ConfigError):
    """One line for the user (a ConfigError, so the centre command prints it the same way)."""


@dataclass(frozen=True, slots=True)
class Summary:
    backend: str
    files: int
    bytes: int


def _copy_hashing(src: Path, dst: Path) -> tuple[int, str]:
    dst.parent.mkdir(parents=True, exist_ok=True)
    hasher = hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while block := fin.read(BLOCK):
            fout.write(block)
            hasher.update(block)
            size += len(block)
        fout.flush()
        os.fsync(fout.fileno())
    return size, hasher.hexdigest()


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            hasher.update(block)
    return hasher.hexdigest()


def _store_files(root: Path, skip: Path) -> list[Path]:
    """Every file of the file store, by path relative to it (upload locks and the backup itself left out)."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip)
        for name in sorted(names):
            rel = (here / name).relative_to(root)
            if name.endswith(".lock") or (len(rel.parts) == 1 and (name in _NOT_FILES or name.startswith("."))):
                continue
            found.append(rel)
    return found


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client")
    return found


def _pg_env(config: CentreConfig) -> dict[str, str]:
    env = dict(os.environ)
    password = config.password()
    if password is not None:
        env["PGPASSWORD"] = password
    return env


def _run_tool(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=24 * 3600)
    except OSError as exc:
        raise BackupError(f"{cmd[0]} could not run: {exc.strerror}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(cmd[0]).name} failed: {lines[0] if lines else f'exit {done.returncode}'}")


def backup(config: CentreConfig, out: Path) -> Summary:
    """Write the centre's backup into ``out`` (a new or empty folder, outside the file store)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} already exists and is not an empty folder: give a new folder for the backup")
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    manifest: dict[str, Any] = {"format": FORMAT, "backend": config.backend, "created_at": utc_iso()}
    if config.backend == SQLITE:
        if not config.sqlite_path.exists():
            raise BackupError(f"there is no centre database in {config.data}")
        src = sqlite3.connect(config.sqlite_path)
        dst = sqlite3.connect(out / SQLITE_FILE)
        try:
            with dst:
                src.backup(dst, pages=4096)  # online: the service writes on between steps
        finally:
            dst.close()
            src.close()
        manifest["database"] = {"path": SQLITE_FILE, "sha256": _sha256(out / SQLITE_FILE)}
    else:
        assert config.database_url is not None
        _run_tool([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                   f"--file={out / PG_FILE}", f"--dbname={config.database_url}"], _pg_env(config))
        manifest["database"] = {"path": PG_FILE, "sha256": _sha256(out / PG_FILE),
                                "source": config.database_url}
    entries = []
    total = 0
    store = config.files_dir
    for rel in _store_files(store, out) if store.exists() else []:
        size, sha = _copy_hashing(store / rel, out / FILES / rel)
        entries.append({"path": rel.as_posix(), "size": size, "sha256": sha})
        total += size
    manifest["files"] = entries
    text = json.dumps(manifest, indent=1)
    tmp = out / f".{MANIFEST}"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out / MANIFEST)  # last: a backup without its manifest is an unfinished one
    return Summary(config.backend, len(entries), total)


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a finished centre backup (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"cannot read {folder / MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("backend") not in (SQLITE, POSTGRESQL):
        raise BackupError(f"{folder / MANIFEST} is not a backup this version can restore")
    return manifest


async def _pg_is_empty(url: str, password: str | None) -> bool:
    from classroom_console.centre.db_postgres import DatabaseUnavailable, asyncpg, unavailable

    if asyncpg is None:
        raise BackupError("a PostgreSQL centre needs the asyncpg package: pip install asyncpg")
    try:
        conn = await asyncpg.connect(url, password=password)
    except Exception as exc:
        line = unavailable(exc, url)
        if line is None:
            raise
        raise DatabaseUnavailable(line) from None
    try:
        return not await conn.fetchval("SELECT to_regclass('public.tokens') IS NOT NULL")
    finally:
        await conn.close()


def restore(folder: Path, target: CentreConfig) -> Summary:
    """Restore ``folder`` into the (new) centre ``target`` describes; every file is checked against the manifest."""
    manifest = read_manifest(folder)
    backend = manifest["backend"]
    if centre_config.path(target.data).exists() or target.sqlite_path.exists():
        raise BackupError(f"{target.data} already holds a centre: restore into a new data folder")
    if backend != target.backend:
        what = "PostgreSQL (give --database-url)" if backend == POSTGRESQL else "SQLite (leave --database-url out)"
        raise BackupError(f"this backup is of a centre on {what}")
    database = manifest["database"]
    dump = folder / database["path"]
    if not dump.exists() or _sha256(dump) != database["sha256"]:
        raise BackupError(f"{dump} is missing or differs from the backup's manifest")
    target.data.mkdir(parents=True, exist_ok=True)
    if backend == SQLITE:
        _, sha = _copy_hashing(dump, target.sqlite_path)
        if sha != database["sha256"]:
            target.sqlite_path.unlink()
            raise BackupError(f"the database copy differs from {dump}")
    else:
        assert target.database_url is not None
        if not asyncio.run(_pg_is_empty(target.database_url, target.password())):
            raise BackupError(f"{target.database_url} already holds a centre: restore into an empty database")
        _run_tool([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                   f"--dbname={target.database_url}", str(dump)], _pg_env(target))
    total = 0
    store = target.files_dir
    for entry in manifest["files"]:
        rel = Path(entry["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise BackupError(f"the manifest names a file outside the store: {entry['path']!r}")
        size, sha = _copy_hashing(folder / FILES / rel, store / rel)
        if (size, sha) != (entry["size"], entry["sha256"]):
            raise BackupError(f"{folder / FILES / rel} differs from the backup's manifest (SHA-256 {sha})")
        total += size
    centre_config.save(target)
    return Summary(backend, len(manifest["files"]), total)
