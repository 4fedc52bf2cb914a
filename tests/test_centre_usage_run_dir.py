"""A centre's usage sockets are in a folder of their own beside its data folder (``config.run_dir``, R F7), so the
data folder stays 0700 while nginx's workers, another user in that folder's group, reach the socket: the test runs
as root (as CI does) and asks as ``nobody`` in the group of the sockets' folder, who may not read the data folder.
Real PostgreSQL centre, real socket, a real other user."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre import config as centre_config
from classroom_console.centre import usage_site
from classroom_console.centre.tokens import STAFF
from tests.test_centre_api import auth
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_usage_site import _ask
from tests.test_sync_support import add_token, running_centre

NOBODY = NOGROUP = 65534
BOUND_S = 30.0
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="asking as another user needs root (CI runs as root)")



def _ask_as_nobody(path: Path, token: str, toml: Path) -> list[str]:
    """A forked child, ``nobody`` in the group nogroup only: the usage request on the socket, then a try to read the
    centre's configuration; what it found, one line each (the interpreter may not be nobody's to run: forked)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        lines = []
        try:
            os.setgroups([])
            os.setgid(NOGROUP)
            os.setuid(NOBODY)
            answers: list[bytes] = []
            _ask(path, token, answers)
            lines.append(answers[0].split(b"\r\n", 1)[0].decode())
            try:
                toml.read_bytes()
                lines.append("read the data folder")
            except PermissionError:
                lines.append("kept out of the data folder")
        except BaseException as exc:
            lines.append(f"child raised {exc!r}")
        finally:
            os.write(write_end, "\n".join(lines).encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as said:
        out = said.read().decode()
    os.waitpid(pid, 0)
    return out.splitlines()


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder every user may pass through (pytest's own tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="centre-run-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_the_sockets_folder_is_beside_the_data_folder() -> None:
    path = usage_site.socket_path(Path("/srv/centre"), 8766)
    assert path is not None
    assert path == Path("/srv/centre-run/usage-8766.sock") == centre_config.run_dir(Path("/srv/centre")) / path.name


async def test_nginx_in_the_sockets_group_asks_while_the_data_folder_is_0700(
        postgres_url: str, base: Path) -> None:  # noqa: F811 (fixture)
    data = base / "centre"
    data.mkdir(mode=0o700)
    run = centre_config.run_dir(data)
    run.mkdir()
    os.chown(run, 0, NOGROUP)
    run.chmod(0o2750)  # as the README makes it: the centre's, nginx's group may pass, the sockets take its group
    async with running_centre(data, database_url=postgres_url) as centre:
        staff = await add_token(centre, "Run staff", STAFF)
        path = usage_site.socket_path(data, centre.port)
        assert path is not None and path.parent == run and path.stat().st_gid == NOGROUP
        assert (data.stat().st_mode & 0o7777) == 0o700
        said = await asyncio.to_thread(_ask_as_nobody, path, staff, data / "centre.toml")
    assert said == ["HTTP/1.1 200 OK", "kept out of the data folder"]


async def test_a_sockets_folder_another_user_made_first_is_not_used(postgres_url: str, base: Path) -> None:  # noqa: F811
    """R11 F3: a local user who made the sockets' folder first (the data folder's parent writable by all) would
    receive the staff's requests, tokens and all, at the path nginx asks. The centre makes no socket there and
    answers usage on its port (nginx's backup)."""
    data = base / "centre"
    data.mkdir(mode=0o700)
    run = centre_config.run_dir(data)
    run.mkdir()
    os.chown(run, NOBODY, NOGROUP)
    run.chmod(0o777)
    async with running_centre(data, database_url=postgres_url) as centre:
        staff = await add_token(centre, "Squatted staff", STAFF)
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{centre.port}/api/v1/usage", headers=auth(staff)) as answer:
            assert answer.status == 200
        assert list(run.iterdir()) == []


def test_the_sockets_folder_is_used_only_when_no_other_user_may_change_it(base: Path) -> None:
    """Which folders ``usage_site`` takes: its own or root's, without write for group or others; a link never."""
    folder = base / "run"
    folder.mkdir()
    folder.chmod(0o2750)
    usage_site._check_folder(folder)
    for mode in (0o770, 0o1777):
        folder.chmod(mode)
        with pytest.raises(OSError, match="written by its group or others"):
            usage_site._check_folder(folder)
    folder.chmod(0o750)
    os.chown(folder, NOBODY, NOGROUP)
    with pytest.raises(OSError, match="another user"):
        usage_site._check_folder(folder)
    link = base / "link"
    link.symlink_to(folder)
    with pytest.raises(OSError, match="not a folder"):
        usage_site._check_folder(link)
