"""The session log's problem as a code and a folder: the core finds it on a real read-only or full disk, and the
window words it with the folder in the user's language (it said "a problem with the session log" and no more)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from classroom_console.store.problem import StoreProblem, StoreReason
from tests.test_store_disk import in_namespace, mount_ns
from ui import i18n
from ui.reasons import store_problem_text

__all__ = ["mount_ns"]  # the fixture, used by name below

DIAGNOSE = ("import sys; from pathlib import Path; from classroom_console.store.problem import diagnose; "
            "print('REASON', diagnose(Path(sys.argv[1]) / 'console.db').reason)")


def test_the_core_names_a_read_only_folder_and_a_full_disk(mount_ns: Path) -> None:
    python = f"{shlex.quote(sys.executable)} -c {shlex.quote(DIAGNOSE)}"
    script = ("mkdir \"$D/data\"\n"
              f"{python} \"$D/data\"\n"
              "dd if=/dev/zero of=\"$D/fill\" bs=64k 2>/dev/null\n"
              f"{python} \"$D/data\"\n"
              "rm \"$D/fill\"; mount -o remount,ro \"$D\"\n"
              f"{python} \"$D/data\"\n")
    ran = in_namespace(mount_ns, "2m", script)
    found = [line.split()[1] for line in ran.stdout.splitlines() if line.startswith("REASON ")]
    assert found == [StoreReason.UNKNOWN, StoreReason.DISK_FULL, StoreReason.READ_ONLY], (ran.stdout, ran.stderr)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", {StoreReason.READ_ONLY: "is read-only", StoreReason.DISK_FULL: "is full",
            StoreReason.DAMAGED: "was damaged"}),
    ("ru", {StoreReason.READ_ONLY: "только для чтения", StoreReason.DISK_FULL: "заполнен",
            StoreReason.DAMAGED: "повреждён"}),
])
def test_the_window_words_each_problem_with_its_folder(qapp: QCoreApplication, lang: str,
                                                       words: dict[str, str]) -> None:
    translators = i18n.install(qapp, lang)
    try:
        for reason, expected in words.items():
            text = store_problem_text(StoreProblem(reason, Path("/srv/console"), moved_to=Path("/srv/old.db")))
            assert "/srv/console" in text and expected in text, text
            assert (reason == StoreReason.DAMAGED) == ("/srv/old.db" in text), text
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


@pytest.mark.parametrize(("lang", "saved", "lost"), [
    ("en", "113 sessions that could be read", "2 sessions in it could not be read"),
    ("ru", "113 занятий", "2 занятия"),
])
def test_a_damaged_log_says_how_many_sessions_were_saved(qapp: QCoreApplication, lang: str, saved: str,
                                                         lost: str) -> None:
    """A lecturer told only "a new one started" thought the term's history was gone; 113 were carried over."""
    translators = i18n.install(qapp, lang)
    try:
        problem = StoreProblem(StoreReason.DAMAGED, Path("/srv/console"), moved_to=Path("/srv/old.db"),
                               saved_sessions=113, lost_sessions=2)
        text = store_problem_text(problem)
        assert saved in text and lost in text and "/srv/old.db" in text, text
        nothing = store_problem_text(StoreProblem(StoreReason.DAMAGED, Path("/srv/console"),
                                                  moved_to=Path("/srv/old.db")))
        assert "113" not in nothing and "%n" not in nothing, nothing
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
