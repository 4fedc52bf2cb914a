"""A data folder whose path is wrong is named by the part that is wrong, in English and Russian, in the command's
line and the window's: a file in the path (``--data-dir /tmp/afile/x`` said "the disk holding /tmp/afile/x failed to
read or write the session log", no disk fault), a folder this user may not write, a read-only disk. The commands'
exit codes are as they were.

Real files and folders. Root ignores mode bits, so the user who may not write is ``nobody`` (setpriv), and a
read-only disk is a tmpfs remounted read-only in a private mount namespace (``tests/test_store_disk.py``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from tests.qt_helpers import run, wait_for
from tests.test_store_disk import in_namespace, mount_ns, outcomes, step
from ui import i18n
from ui.bridge import RoomBridge
from ui.main_window import MainWindow

__all__ = ["mount_ns"]  # the fixture, used by name below
CLI = f"{shlex.quote(sys.executable)} -m classroom_console"
SYNC = ("sync", "--once", "--centre", "http://127.0.0.1:9", "--token", "t")


def cli(*args: str | Path, lang: str = "en", user: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, in ``lang`` by the locale, as ``user`` if given (setpriv)."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env = {**base, "LANG": "ru_RU.UTF-8" if lang == "ru" else "en_GB.UTF-8", "CLASSROOM_CONSOLE_SCOPE": "loopback",
           "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "classroom_console", *map(str, args)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
        env["HOME"] = "/nonexistent"
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False,
                          cwd=Path(__file__).resolve().parent.parent)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


WORDS = {
    "en": {"file": "{part} is a file, not a folder: the data folder {folder} cannot be made in it; choose another "
                   "folder with --data-dir",
           "file itself": "the data folder {folder} is a file, not a folder: the session log cannot be kept there",
           "not allowed": "this user may not write to {part}: the session log cannot be kept in {folder}; change its "
                          "permissions or choose another folder with --data-dir",
           "not allowed itself": "this user may not write to the data folder {folder}: the session log cannot be "
                                 "kept there",
           "read-only": "{part} is read-only: the data folder {folder} cannot be made there; make it writable or "
                        "choose another folder with --data-dir"},
    "ru": {"file": "{part} — это файл, а не папка: папку данных {folder} в нём не создать; выберите другую папку "
                   "параметром --data-dir",
           "file itself": "папка данных {folder} — это файл, а не папка: журнал занятий там не записать",
           "not allowed": "у этого пользователя нет права записи в {part}: журнал занятий в {folder} не записать; "
                          "измените права или выберите другую папку параметром --data-dir",
           "not allowed itself": "у этого пользователя нет права записи в папку данных {folder}: журнал занятий там "
                                 "не записать",
           "read-only": "{part} только для чтения: папку данных {folder} там не создать; разрешите запись или "
                        "выберите другую папку параметром --data-dir"},
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_file_in_the_data_folders_path_is_named_and_no_disk_is_blamed(tmp_path: Path, lang: str) -> None:
    afile = tmp_path / "afile"
    afile.write_text("a file, not a folder")
    words = WORDS[lang]
    under = cli("--data-dir", afile / "x", "usage", lang=lang)
    line = one_line(under)
    assert under.returncode == 1, under.stderr  # as before
    assert line.endswith(words["file"].format(part=afile, folder=afile / "x")), line
    assert "disk" not in line and "диск" not in line, line
    deeper = cli("--data-dir", afile / "x" / "y", *SYNC, lang=lang)
    assert deeper.returncode == 1 and words["file"].format(part=afile, folder=afile / "x" / "y") in one_line(deeper)
    itself = cli("--data-dir", afile, "usage", lang=lang)
    assert itself.returncode == 1 and words["file itself"].format(folder=afile) in one_line(itself)
    # discover goes on without remembering, and says why in the same words
    found = cli("--data-dir", afile / "x", "discover", "--timeout", "0.3", lang=lang)
    assert found.returncode == 0, found.stderr
    assert words["file"].format(part=afile, folder=afile / "x") in found.stderr, found.stderr


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder anyone may enter (pytest's own is root's alone, which would be the part named)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run the command as another user")
    base = Path(tempfile.mkdtemp(prefix="store-path-words-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_folder_this_user_may_not_write_is_named(shared_tmp: Path, lang: str) -> None:
    words = WORDS[lang]
    locked = shared_tmp / "locked"  # root's, 0755: nobody may enter it but not write
    (locked / "kept").mkdir(parents=True)
    locked.chmod(0o755)
    (locked / "kept").chmod(0o755)
    closed = shared_tmp / "closed"  # root's, 0700: nobody may not even enter it
    closed.mkdir(mode=0o700)
    new = cli("--data-dir", locked / "data", "usage", lang=lang, user="nobody")
    assert new.returncode == 1, new.stderr
    assert one_line(new).endswith(words["not allowed"].format(part=locked, folder=locked / "data")), new.stderr
    kept = cli("--data-dir", locked / "kept", *SYNC, lang=lang, user="nobody")
    assert kept.returncode == 1 and words["not allowed itself"].format(folder=locked / "kept") in one_line(kept)
    inside = cli("--data-dir", closed / "data", "usage", lang=lang, user="nobody")
    assert inside.returncode == 1, inside.stderr
    assert one_line(inside).endswith(words["not allowed"].format(part=closed, folder=closed / "data"))


def test_a_data_folder_not_yet_made_on_a_read_only_disk_names_the_disks_folder(mount_ns: Path) -> None:
    script = ("mount -o remount,ro \"$D\"\n"
              + step("en", f"{CLI} --data-dir \"$D/data\" usage")
              + step("ru", f"LANG=ru_RU.UTF-8 {CLI} --data-dir \"$D/data\" usage"))
    ran = in_namespace(mount_ns, "1m", script)
    found = outcomes(ran.stdout)
    assert set(found) == {"en", "ru"}, (ran.stdout, ran.stderr)
    for lang, outcome in found.items():
        assert outcome["rc"] == 1, outcome
        lines = [line for line in str(outcome["stderr"]).splitlines() if line.strip()]
        assert len(lines) == 1, outcome
        assert lines[0].endswith(WORDS[lang]["read-only"].format(part=mount_ns, folder=mount_ns / "data")), lines


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "{part} is a file, not a folder: the data folder {folder} cannot be made in it, so sessions are not "
           "being saved."),
    ("ru", "{part} — это файл, а не папка: папку данных {folder} в нём не создать, поэтому занятия не "
           "сохраняются."),
])
def test_the_window_names_the_file_in_the_data_folders_path(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str, said: str
) -> None:
    """The status bar and the dialog, as the window starts on a data folder under a file (it said "There is a
    problem with the session log in ...")."""
    afile = tmp_path / "afile"
    afile.write_text("a file, not a folder")
    translators = i18n.install(qapp, lang)
    expected = said.format(part=afile, folder=afile / "x")

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=afile / "x", discover=False))
        window = MainWindow(RoomBridge(core))  # as in the app: the window exists before the core starts
        qtbot.addWidget(window)
        window.show()
        try:
            await core.start()
            await wait_for(lambda: window._last_dialog is not None, what="the notice dialog")
            dialog = window._last_dialog
            assert dialog is not None
            await wait_for(lambda: expected in dialog.text(), what="the dialog naming the file in the path")
            assert expected in window.statusBar().currentMessage()
        finally:
            window.bridge.detach()
            await core.stop()

    try:
        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
