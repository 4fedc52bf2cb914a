"""`usage`'s "Uploads set aside" lines in words (E2): they read "recording 7 [file_missing]: recording file
/x.mp4 is missing" in a Russian run. Now the item and its reason code are worded; the technical line only with -v."""

from __future__ import annotations

import re
from pathlib import Path

from classroom_console import cli_text_ru
from classroom_console.centre.failures import REASONS
from classroom_console.commands import set_aside
from classroom_console.store import open_store
from classroom_console.sync import items
from tests.test_cli_words import cli


def test_every_kind_and_reason_the_queue_can_hold_has_its_russian() -> None:
    kinds, reasons = set_aside.worded()
    assert set(kinds) == {items.SESSION, items.RECORDING, "meta", "track"}
    # PermanentError's codes in classroom_console/sync (engine, tracks, items.file_problem), its default, a bug's
    sync_codes = {"not_in_store", "file_missing", "unreadable", "not_a_file", "file_changed", "checksum_mismatch",
                  "unknown_kind", "refused", "internal", "auth_refused"}
    transient = {"busy", "stalled", "too_many_connections"}  # retried, never set aside
    assert not (sync_codes | set(REASONS.values())) - transient - set(reasons), "a code the queue holds has no words"
    assert not [e for e in [*kinds.values(), *reasons.values()] if e not in cli_text_ru.MESSAGES]


def test_usage_words_the_uploads_set_aside_in_russian(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        store.upsert_room("room:vm", "Аудитория 101")
        for kind, item_id, reason, error in (
            ("recording", "7", "file_missing", "recording file /nowhere/x.mp4 is missing"),
            ("meta", "7@3", "too_large", "HTTP 413: body too large"),
            ("session", "s1", "something-new", "HTTP 418: teapot"),
        ):
            queued = store.enqueue_upload(kind, item_id)
            items.fail(store, queued, error, reason)
    finally:
        store.close()
    done = cli("--data-dir", str(tmp_path), "usage")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    aside = lines[lines.index("Отложенные отправки (не переданы в центр)") + 1:][:3]
    assert sorted(aside) == sorted([
        "  Запись 7: файл не найден",
        "  Описание записи 7: он больше, чем принимает центр",
        "  Занятие s1: что-то пошло не так; подробности в журнале"]), done.stdout
    assert not re.search(r"[A-Za-z]{2,}", " ".join(aside)), aside
    loud = cli("--data-dir", str(tmp_path), "-v", "usage")
    assert "  Запись 7: файл не найден (recording file /nowhere/x.mp4 is missing)" in loud.stdout.splitlines()
