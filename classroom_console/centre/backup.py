"""``centre backup`` and ``centre restore``: the database and every received file, with a manifest that proves them.

A backup is a folder: ``manifest.json`` (the back end, and each file with its size and SHA-256), the database
(``centre.db`` made with SQLite's online backup, so the service keeps running; or ``centre.pgdump`` from
``pg_dump -Fc``) and ``files/``, a copy of the file store. The database is taken first, then the files: every
recording the database calls complete is already whole on disk; it is written into a private sibling folder and
renamed when whole. A restore checks every file against the manifest before it writes anything, into a data folder
with no centre and (PostgreSQL) an empty database, and removes what it wrote if it fails: a retry finds no half-centre.
A command killed outright (kill -9, a power cut) cannot clean up after itself: the next backup to the same folder
removes the sibling its dead process left (never one whose process still runs: ``backup_lock``, a lock the kernel
drops with its holder, not a process id), and a restore refuses a sibling; pg_dump and pg_restore die with the
command; a restored file takes its name only when whole, so a restore's retry keeps what a killed one copied.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom_console import parent_death
from classroom_console.centre import backup_lock, backup_pg, sqlite_damage
from classroom_console.centre import config as centre_config
from classroom_console.centre.config import POSTGRESQL, SQLITE, CentreConfig, ConfigError
from classroom_console.store import utc_iso

MANIFEST = "manifest.json"
SQLITE_FILE = "centre.db"
PG_FILE = "centre.pgdump"
FILES = "files"
FORMAT = 1
BLOCK = 4 << 20
PARTIAL = ".partial-"  # OUT + this + the writing process's id: a backup being written, or left by a dead one
LOCK = ".lock"  # OUT.partial-PID + this: held by the backup writing OUT.partial-PID for its whole life
RESTORING = ".restore-"  # .NAME + this + the restoring process's id: a file (or centre.db) being restored
# In the file store while a restore copies into it, named by its process and locked by it: a restore killed outright
# leaves it unlocked, and only then may a retry keep the files already there (a store that merely holds the same
# files, a live centre's, is refused). A part-copy (RESTORING) is locked by its restore likewise until renamed.
RESTORE_MARK = ".centre-restore-"
_PARTIAL_NAME = re.compile(f"(.+){re.escape(PARTIAL)}([0-9]+)")
# Files of the data folder that are the database or the configuration, not the file store's.
_NOT_FILES = {"centre.db", "centre.db-wal", "centre.db-shm", "centre.db-journal", centre_config.FILE}


# Why a backup or restore refused, by reason code: the English sentence (the exception's text, for the log and
# for callers that print it) with its fields; the command line words the code in the user's language by the same
# sentence (commands/centre.py).
MESSAGES = {
    "tool-missing": "{tool} is not installed: apt-get install postgresql-client",
    "tool-cannot-run": "{tool} could not run: {why}",
    "tool-failed": "{tool} failed: {why}",
    "out-not-empty": "{out} already exists and is not an empty folder: give a new folder for the backup",
    "partial-other-user": "{path} belongs to {user} (a backup of theirs by a process of this number): remove it as "
                          "{user}, or give another folder for the backup",
    "partial-same-number": "{path} is being written by another process of the same number (on another host?): give "
                           "another folder for the backup",
    "partial-in-the-way": "{path} is in the way (left by an older version?): remove it, or give another folder",
    "no-database": "there is no centre database in {data}",
    "partial-not-finished": "{folder} is not a finished backup: restore a finished backup, or make one again with "
                            "centre backup",
    "partial-others": "{folder} is {user}'s backup, unfinished or still being written (process {pid}): restore {out} "
                      "once it is finished, or another finished backup",
    "partial-being-written": "{folder} is a backup still being written (process {pid}): restore {out} once it is "
                             "done",
    "partial-unfinished": "{folder} is an unfinished backup (process {pid} stopped before the end): restore a "
                          "finished backup, or make one again with centre backup",
    "not-a-backup": "{folder} is not a finished centre backup (no {manifest})",
    "manifest-unreadable": "cannot read {path}: {why}",
    "manifest-unknown": "{path} is not a backup this version can restore",
    "copy-being-written": "{path} is being written by another restore",
    "source-changed": "{path} changed while it was restored (SHA-256 {sha256})",
    "manifest-outside": "the manifest names a file outside the store: {name}",
    "file-differs": "{path} is missing or differs from the backup's manifest",
    "file-exists": "{path} already exists: restore into a new file store",
    "target-holds-centre": "{data} already holds a centre: restore into a new data folder",
    "backend-postgresql": "this backup is of a centre on PostgreSQL (give --database-url)",
    "backend-sqlite": "this backup is of a centre on SQLite (leave --database-url out)",
    "database-holds-centre": "{url} already holds a centre: restore into an empty database",
    "store-being-restored": "{path} is being restored into by another process: restore into a new file store",
    "drop-failed": "the restore failed after loading {url}, and what it loaded could not be dropped ({why}): drop that "
                   "database and make it anew before a retry",
}


class BackupError(ConfigError):
    """One line for the user (a ConfigError, so the centre command prints it the same way): ``reason`` a code of
    ``MESSAGES``, ``values`` its sentence's fields; ``str()`` the English sentence."""

    def __init__(self, reason: str, **values: object) -> None:
        self.reason = reason
        super().__init__(MESSAGES[reason], **values)


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
    """Every file of the file store, by path relative to it (upload locks, the running processes' usage sockets
    where the store is the data folder, and the backup itself left out)."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip)
        for name in sorted(names):
            rel = (here / name).relative_to(root)
            if name.endswith(".lock") or (len(rel.parts) == 1 and (
                    name in _NOT_FILES or name.startswith(".") or centre_config.is_usage_socket(name))):
                continue
            found.append(rel)
    return found


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError("tool-missing", tool=name)
    return found


def _pg_env(config: CentreConfig) -> dict[str, str]:
    env = dict(os.environ)
    password = config.password()
    if password is not None:
        env["PGPASSWORD"] = password
    return env


def _run_tool(cmd: list[str], env: dict[str, str]) -> None:
    """The tool dies with this process (``parent_death``), so a backup killed -9 leaves no pg_dump behind still
    holding its locks and writing into the folder, nor a pg_restore still loading."""
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=24 * 3600,
                              preexec_fn=parent_death.preexec())
    except OSError as exc:
        raise BackupError("tool-cannot-run", tool=cmd[0], why=exc.strerror) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError("tool-failed", tool=Path(cmd[0]).name, why=lines[0] if lines else f"exit {done.returncode}")


def _private(root: Path) -> None:
    """A backup holds every room's token hash and the recordings: readable by its owner alone, as centre.toml is."""
    for folder, _, names in os.walk(root):
        os.chmod(folder, 0o700)
        for name in names:
            os.chmod(Path(folder) / name, 0o600)


def _lock_of(work: Path) -> Path:
    return work.with_name(work.name + LOCK)


def _clear_dead_partials(out: Path) -> None:
    """Removes the siblings of ``out`` that backups to it began and left unlocked (their process is gone). A
    sibling without its lock file is no backup of this version's: left for a person to remove."""
    parent = out.absolute().parent
    for lock in parent.glob(f"{glob.escape(out.name)}{PARTIAL}*{LOCK}") if parent.is_dir() else []:
        named = _PARTIAL_NAME.fullmatch(lock.name.removesuffix(LOCK))
        if named is None or named[1] != out.name:
            continue
        dead = backup_lock.take(lock, create=False)
        if dead is None:
            continue  # still being written, on this host or another, or another user's to remove
        removed = False
        try:
            work = lock.with_name(lock.name.removesuffix(LOCK))
            if work.is_dir() and not work.is_symlink():
                shutil.rmtree(work)
            removed = True
        except PermissionError:
            pass  # a lock we could open beside another user's folder: both left for that user
        finally:
            dead.release(remove=removed)


def backup(config: CentreConfig, out: Path) -> Summary:
    """Write the centre's backup into ``out`` (a new or empty folder, outside the file store).

    It is written into a private sibling and renamed at the end, so a failed backup leaves no ``out`` to block a retry.
    """
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError("out-not-empty", out=out)
    _clear_dead_partials(out)
    out.absolute().parent.mkdir(parents=True, exist_ok=True)
    work = out.absolute().parent / f"{out.name}{PARTIAL}{os.getpid()}"
    lock = backup_lock.take(_lock_of(work))
    if lock is None:
        whose = backup_lock.owner(_lock_of(work))
        if whose is not None:
            raise BackupError("partial-other-user", path=_lock_of(work), user=whose)
        raise BackupError("partial-same-number", path=work)
    try:
        if work.exists():
            raise BackupError("partial-in-the-way", path=work)
        work.mkdir(mode=0o700)
        try:
            summary = _write_backup(config, work.resolve())
            _private(work)
            if out.exists():
                out.rmdir()  # the empty folder given: the finished backup takes its place
            os.rename(work, out)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        lock.release()
    return summary


def _write_backup(config: CentreConfig, out: Path) -> Summary:
    manifest: dict[str, Any] = {"format": FORMAT, "backend": config.backend, "created_at": utc_iso()}
    if config.backend == SQLITE:
        if not config.sqlite_path.exists():
            raise BackupError("no-database", data=config.data)
        src = sqlite3.connect(config.sqlite_path)
        dst = sqlite3.connect(out / SQLITE_FILE)
        try:
            with dst:
                src.backup(dst, pages=4096)  # online: the service writes on between steps
        except sqlite3.DatabaseError as exc:
            damage = sqlite_damage.as_damage(config.sqlite_path, exc)
            if damage is not None:
                raise damage from None
            raise
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


def _refuse_partial(folder: Path) -> None:
    named = _PARTIAL_NAME.fullmatch(folder.absolute().name)
    if named is None:
        return
    pid, out = named[2], named[1]
    writing = backup_lock.held(_lock_of(folder.absolute()))
    if writing is None:
        raise BackupError("partial-not-finished", folder=folder)
    whose = backup_lock.owner(_lock_of(folder.absolute()))
    if writing and whose is not None:
        raise BackupError("partial-others", folder=folder, user=whose, pid=pid, out=out)
    if writing:
        raise BackupError("partial-being-written", folder=folder, pid=pid, out=out)
    raise BackupError("partial-unfinished", folder=folder, pid=pid)


def read_manifest(folder: Path) -> dict[str, Any]:
    _refuse_partial(folder)
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError("not-a-backup", folder=folder, manifest=MANIFEST) from None
    except (OSError, ValueError) as exc:
        raise BackupError("manifest-unreadable", path=folder / MANIFEST, why=exc) from None
    if manifest.get("format") != FORMAT or manifest.get("backend") not in (SQLITE, POSTGRESQL):
        raise BackupError("manifest-unknown", path=folder / MANIFEST)
    return manifest


def _restoring(dst: Path) -> Path:
    """Where a file is copied before it takes its name: a restore killed mid-copy leaves no part under the name."""
    return dst.with_name(f".{dst.name}{RESTORING}{os.getpid()}")


def _clear_dead_copies(dst: Path) -> None:
    """The part-copies of ``dst`` left by restores whose process is gone (kill -9): no longer locked."""
    if not dst.parent.is_dir():
        return
    for left in dst.parent.glob(f".{glob.escape(dst.name)}{RESTORING}*"):
        dead = backup_lock.take(left, create=False) if left.is_file() and not left.is_symlink() else None
        if dead is not None:
            dead.release()


def _killed_restore_in(store: Path) -> bool:
    """Whether a restore into ``store`` was killed outright (its mark is there, no longer locked)."""
    marks = store.glob(f"{RESTORE_MARK}*") if store.is_dir() else []
    return any(backup_lock.held(mark) is False for mark in marks)


def _restore_file(src: Path, dst: Path, size: int, sha256: str, undo: _Undo) -> None:
    """``src`` copied beside ``dst`` and renamed when whole and as the manifest says; the copy is locked meanwhile,
    so another restore takes it for a dead one's only once this process is gone."""
    tmp = _restoring(dst)
    lock = backup_lock.take(tmp)
    if lock is None:
        raise BackupError("copy-being-written", path=tmp)
    try:
        undo.paths.append(tmp)
        copied = _copy_hashing(src, tmp)
        if copied != (size, sha256):
            raise BackupError("source-changed", path=src, sha256=copied[1])
        os.rename(tmp, dst)
        undo.paths.append(dst)
    finally:
        lock.release()  # a copy not renamed is removed; a renamed one is not ours to remove


def _checked_files(folder: Path, manifest: dict[str, Any], store: Path,
                   resuming: bool) -> list[tuple[Path, dict[str, Any], bool]]:
    """Every file of the backup as its manifest says, checked before the target is touched, so a bad one stops nothing
    half-way; and whether it is in the store already, whole (a restore killed after copying it: ``resuming``)."""
    checked = []
    for entry in manifest["files"]:
        rel = Path(entry["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise BackupError("manifest-outside", name=repr(entry["path"]))
        src = folder / FILES / rel
        if not src.is_file() or src.stat().st_size != entry["size"] or _sha256(src) != entry["sha256"]:
            raise BackupError("file-differs", path=src)
        dst = store / rel
        _clear_dead_copies(dst)
        there = dst.exists()
        if there and (not resuming or not dst.is_file() or dst.stat().st_size != entry["size"]
                      or _sha256(dst) != entry["sha256"]):
            raise BackupError("file-exists", path=dst)
        checked.append((rel, entry, there))
    return checked


class _Undo:
    """What this restore made, removed again if it fails, so that a retry finds the target as it was."""

    def __init__(self) -> None:
        self.paths: list[Path] = []  # in the order made: removed in reverse

    def mkdirs(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for made in reversed(missing):
            made.mkdir()
            self.paths.append(made)

    def run(self) -> None:
        for made in reversed(self.paths):
            try:
                if made.is_dir() and not made.is_symlink():
                    made.rmdir()
                else:
                    made.unlink(missing_ok=True)
            except OSError:
                pass  # a folder someone else wrote into meanwhile is theirs to keep


def _load_sqlite(dump: Path, target: CentreConfig, sha256: str, undo: _Undo) -> None:
    """Copied under a temporary name and renamed: a centre.db is there whole or not at all."""
    _clear_dead_copies(target.sqlite_path)
    _restore_file(dump, target.sqlite_path, dump.stat().st_size, sha256, undo)


def restore(folder: Path, target: CentreConfig) -> Summary:
    """Restore ``folder`` into the (new) centre ``target`` describes; every file is checked against the manifest.

    All is checked before anything is written; then the files, the database and centre.toml last of all (it is what
    makes the folder a centre). A failure removes what the restore made (on PostgreSQL, the objects it loaded).
    """
    manifest = read_manifest(folder)
    backend = manifest["backend"]
    if centre_config.path(target.data).exists() or target.sqlite_path.exists():
        raise BackupError("target-holds-centre", data=target.data)
    if backend != target.backend:
        raise BackupError("backend-postgresql" if backend == POSTGRESQL else "backend-sqlite")
    database = manifest["database"]
    dump = folder / database["path"]
    if not dump.is_file() or _sha256(dump) != database["sha256"]:
        raise BackupError("file-differs", path=dump)
    store = target.files_dir
    checked = _checked_files(folder, manifest, store, _killed_restore_in(store))
    pg_before: set[tuple[str, str]] | None = None
    if backend == POSTGRESQL:
        assert target.database_url is not None
        pg_before = asyncio.run(backup_pg.objects_unless_centre(target.database_url, target.password()))
        if pg_before is None:
            raise BackupError("database-holds-centre", url=target.database_url)
    undo = _Undo()
    loaded = False
    mark: backup_lock.Held | None = None
    try:
        total = 0
        if checked:
            undo.mkdirs(store)
            mark = backup_lock.take(store / f"{RESTORE_MARK}{os.getpid()}")
            if mark is None:
                raise BackupError("store-being-restored", path=store)
            undo.paths.append(mark.path)
        for rel, entry, there in checked:
            total += entry["size"]
            if there:  # whole, from a restore killed later on: it stays whatever this one does
                continue
            undo.mkdirs((store / rel).parent)
            _restore_file(folder / FILES / rel, store / rel, entry["size"], entry["sha256"], undo)
        undo.mkdirs(target.data)
        if backend == SQLITE:
            _load_sqlite(dump, target, database["sha256"], undo)
        else:
            # --single-transaction: a failed pg_restore leaves nothing loaded.
            _run_tool([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                       f"--dbname={target.database_url}", str(dump)], _pg_env(target))
            loaded = True
        undo.paths.append(centre_config.path(target.data))
        centre_config.save(target)
        for left in store.glob(f"{RESTORE_MARK}*") if store.is_dir() else []:
            dead = backup_lock.take(left, create=False) if mark is None or left != mark.path else None
            if dead is not None:
                dead.release()  # a killed one's: what it began is done
    except BaseException:
        undo.run()
        if loaded and pg_before is not None:
            assert target.database_url is not None
            try:
                asyncio.run(backup_pg.drop_new(target.database_url, target.password(), pg_before))
            except Exception as exc:
                raise BackupError("drop-failed", url=target.database_url, why=exc) from None
        raise
    finally:
        if mark is not None:
            mark.release()  # ours: done, or undone
    return Summary(backend, len(checked), total)
