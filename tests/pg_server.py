"""A real PostgreSQL server on loopback that asks for a password (as a centre's would), and can be stopped and started.

The server of ``test_centre_postgres`` trusts everyone; the centre's configuration tests need one that refuses a
wrong password, and the outage test needs to stop and start it under a running centre.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_centre_postgres import _as_user, _free_port


@dataclass
class PgServer:
    bindir: Path
    folder: Path
    port: int
    password: str
    user: str | None

    @property
    def url(self) -> str:
        """Without the password: the centre takes it from PGPASSWORD, ~/.pgpass or its password file."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_user([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-o", opts,
                                 "-l", str(self.folder / "log"), "-w", "-t", "30", "start"], self.user),
                       check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        subprocess.run(_as_user([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                                 "-w", "stop"], self.user), capture_output=True, timeout=60)

    def password_file(self, where: Path) -> Path:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.password + "\n")
        return where


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    """initdb with scram-sha-256 on TCP (trust on its private socket), started as the postgres user when root."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="cc-pgpw-"))
    folder.chmod(0o755)
    password = secrets.token_hex(12)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n")
    if user:
        shutil.chown(folder, user)
        shutil.chown(pwfile, user)
    server = PgServer(Path(bins[-1]).parent, folder, _free_port(), password, user)
    try:
        subprocess.run(_as_user([str(server.bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                                 "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                                 "--no-sync"], user), check=True, capture_output=True, timeout=60)
        pwfile.unlink()
        server.start()
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server on loopback: {exc}")
    try:
        yield server
    finally:
        subprocess.run(_as_user([str(server.bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate",
                                 "-w", "stop"], user), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
