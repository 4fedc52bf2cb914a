"""Debian's PostgreSQL in a throwaway cluster on loopback, for the centre's benches (trust, fsync off as in the
tests: the benches measure the centre, not the disk). Kept apart so every bench starts it the same way."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def as_postgres(cmd: list[str]) -> list[str]:
    """As root, run ``cmd`` as the postgres user (the server refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its live children so far (from /proc: no extra package).

    PostgreSQL's backends and nginx's workers are children: the benches print their cost beside the centre's.
    """
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postmaster_pid(tmp: Path) -> int | None:
    """The pid of the cluster ``postgres(tmp)`` runs, or None when none runs there."""
    try:
        return int((tmp / "pg" / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres(tmp: Path, settings: str = "") -> Iterator[str]:
    """A cluster under ``tmp/pg`` (kept data is reused), started with ``settings`` (``-c name=value ...``).

    Yields the URL of its ``postgres`` database; stopped at once (``-m immediate``) on leaving.
    """
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    bindir = Path(bins[-1]).parent
    folder = tmp / "pg"
    folder.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    if not data.exists():
        subprocess.run(as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                    "--no-sync"]), check=True, capture_output=True, timeout=120)
    port = free_port()
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off {settings}".strip()
    subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "log"),
                                "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=120)
