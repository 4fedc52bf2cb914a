"""The centre's configuration, kept in its data folder: which database, which file store, where the password is.

The first ``centre`` command that creates a centre writes ``centre.toml``; every later one reads it, so
``add-room`` can no longer put a token into a SQLite file beside a centre that serves from PostgreSQL.
A ``--database-url`` that says otherwise is refused. The database password is never part of it (nor of
the command line, where ``ps`` shows it): it comes from ``PGPASSWORD``, ``~/.pgpass`` or a password file.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FILE = "centre.toml"
USAGE_SOCKET = "usage-{port}.sock"  # a PostgreSQL process's usage requests (usage_site), in ``run_dir``
RUN_SUFFIX = "-run"


def run_dir(data: Path) -> Path:
    """The folder of a centre's usage sockets: beside its data folder (``/srv/centre-run`` for ``/srv/centre``), not
    in it.

    Why (R F7): nginx's workers, another user, must reach the socket, so every folder on its path must let them
    through; in the data folder that meant a data folder nginx's group could traverse (setgid, group
    classroom-centre), where every file whose name is known (centre.toml, centre.db, umask 022's 0644) was theirs to
    read. Beside it, the data folder stays 0700 and nginx's group is given this folder alone (README)."""
    data = Path(data).absolute()
    return data.parent / (data.name + RUN_SUFFIX)


def is_usage_socket(name: str) -> bool:
    """A name that is a process's usage socket, not a file of the centre's (``backup``: one an older centre left in
    its data folder)."""
    return name.startswith("usage-") and name.endswith(".sock") and name[6:-5].isdigit()
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_SCHEMES = ("postgresql", "postgres")


class ConfigError(Exception):
    """One line for the user: what is wrong and what to do. ``template`` is the English sentence with ``{fields}``
    and ``values`` its fields, so the command line words it in the user's language (commands/centre.py); ``str()``
    is the English line, for the log and for callers that print it."""

    def __init__(self, template: str = "", /, **values: object) -> None:
        self.template = template
        self.values = {key: str(value) for key, value in values.items()}
        super().__init__(template.format(**self.values) if self.values else template)


@dataclass(frozen=True, slots=True)
class CentreConfig:
    data: Path
    backend: str = SQLITE
    database_url: str | None = None  # never with a password in it
    files: Path | None = None  # the recordings' store; the data folder unless shared elsewhere
    password_file: Path | None = None

    @property
    def files_dir(self) -> Path:
        return self.files or self.data

    @property
    def sqlite_path(self) -> Path:
        return self.data / "centre.db"

    def password(self) -> str | None:
        """From the password file named here; None leaves it to PGPASSWORD or ~/.pgpass."""
        if self.password_file is None:
            return None
        try:
            mode = self.password_file.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigError("the password file {file} is readable by others: chmod 600 it",
                                  file=self.password_file)
            return self.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError("cannot read the password file {file}: {why}", file=self.password_file,
                              why=exc.strerror) from None

    def text(self) -> str:
        lines = ["# The centre's configuration: written when the centre was created, read by every 'centre' command.",
                 "# The database password is not kept here: PGPASSWORD, ~/.pgpass, or the password_file below.",
                 f"backend = {json.dumps(self.backend)}"]
        if self.database_url:
            lines.append(f"database_url = {json.dumps(self.database_url)}")
        if self.files is not None:
            lines.append(f"files = {json.dumps(str(self.files))}")
        if self.password_file is not None:
            lines.append(f"password_file = {json.dumps(str(self.password_file))}")
        return "\n".join(lines) + "\n"


def check_url(url: str) -> str:
    """A PostgreSQL URL without a password; anything else is one clear line."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        shown = parts.scheme or url[:40]
        raise ConfigError("unsupported database URL scheme {scheme}: give postgresql://USER@HOST:PORT/DB, "
                          "or leave --database-url out for SQLite in the data folder", scheme=repr(shown))
    if parts.password is not None:
        raise ConfigError("the database URL carries a password, which every user sees in 'ps': put it in "
                          "PGPASSWORD, ~/.pgpass or a file named by --password-file, and give the URL without it")
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError("the database URL {url} names no server: postgresql://USER@HOST:PORT/DB", url=repr(url))
    return urlunsplit(parts)


def path(data: Path) -> Path:
    return data / FILE


def holds_a_centre(data: Path, database_url: str | None = None) -> bool:
    """Whether ``data`` was made a centre; a named database counts (a PostgreSQL centre from before centre.toml).

    Opening a folder that holds none would make an empty SQLite centre there: a mistyped --data.
    """
    return bool(database_url) or any((data / name).exists() for name in (FILE, "centre.db"))


def load(data: Path) -> CentreConfig | None:
    file = path(data)
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError("cannot read {file}: {why}", file=file, why=exc.strerror) from None
    try:
        values = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("{file} is not valid TOML: {why}", file=file, why=exc) from None
    backend = values.get("backend", SQLITE)
    if backend not in (SQLITE, POSTGRESQL):
        raise ConfigError("{file}: backend must be 'sqlite' or 'postgresql', not {backend}", file=file,
                          backend=repr(backend))
    url = values.get("database_url")
    if backend == POSTGRESQL:
        if not isinstance(url, str):
            raise ConfigError("{file}: a PostgreSQL centre needs database_url", file=file)
        url = check_url(url)
    files, pw = values.get("files"), values.get("password_file")
    return CentreConfig(data, backend, url if backend == POSTGRESQL else None,
                        Path(files) if files else None, Path(pw) if pw else None)


def save(config: CentreConfig) -> None:
    """Written to a temporary name and renamed, private to the user: two commands at once never see half a file."""
    config.data.mkdir(parents=True, exist_ok=True)
    tmp = config.data / f".{FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config.text())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path(config.data))


def resolve(
    data: Path, database_url: str | None = None, files: Path | None = None, password_file: Path | None = None,
) -> tuple[CentreConfig, bool]:
    """The folder's configuration, and whether it is new (made from the options given, not yet saved).

    The caller saves a new one once its database opened, so a mistyped URL is not written down for good.
    Options that contradict a written configuration are refused, never silently applied or ignored.
    """
    url = check_url(database_url) if database_url else None
    found = load(data)
    if found is None:
        if password_file is not None and url is None:  # else it would be written into a SQLite centre's file
            raise ConfigError("--password-file is for a PostgreSQL centre: give --database-url")
        config = CentreConfig(
            data, POSTGRESQL if url else SQLITE, url,
            files.absolute() if files is not None else None,
            password_file.absolute() if password_file is not None else None,
        )
        return config, True
    if url is not None and url != found.database_url:
        if found.database_url is None:
            raise ConfigError("the centre in {data} keeps its data in SQLite in {db} ({file}); --database-url {url} "
                              "contradicts it", data=data, db=found.sqlite_path, file=path(data), url=url)
        raise ConfigError("the centre in {data} keeps its data in {where} ({file}); --database-url {url} contradicts "
                          "it", data=data, where=found.database_url, file=path(data), url=url)
    if files is not None and files.absolute() != found.files_dir.absolute():
        raise ConfigError("the centre in {data} keeps its files in {kept} ({file}); --files {files} contradicts it",
                          data=data, kept=found.files_dir, file=path(data), files=files)
    if password_file is not None and found.backend == SQLITE:
        raise ConfigError("--password-file is for a PostgreSQL centre: the centre in {data} keeps its data in SQLite",
                          data=data)
    if password_file is not None and password_file.absolute() != found.password_file:
        raise ConfigError("the centre in {data} names its password file in {file}; --password-file {given} contradicts "
                          "it", data=data, file=path(data), given=password_file)
    return found, False
