"""The last English in a Russian run (E3's list): `record`'s stats block, the names `chapters` gives, the session
log's notices. Real commands under a Russian locale, on a real recording and a real damaged store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args: str, lang: str = "ru_RU.UTF-8") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "classroom_console", *args], capture_output=True, text=True,
                          timeout=120, env={**base, "LANG": lang}, check=False)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("rec") / "lecture.mp4"
    done = cli("record", "--source", "test-pattern", "--duration", "1", "--fast", "--no-store", str(out))
    assert done.returncode == 0, done.stderr
    return out, done


def test_records_stats_block_is_russian(recording: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, done = recording
    lines = done.stdout.splitlines()
    assert lines[0].startswith("записано ") and lines[0].endswith("(время вышло)"), done.stdout
    assert lines[1].startswith("длительность") and "кадр" in lines[1], done.stdout
    assert any(line.startswith("свободно на диске") and " ГБ " in line for line in lines), done.stdout
    for english in ("duration", "dropped at capture", "kbit/s", "free disk", "frames"):
        assert english not in done.stdout, done.stdout


def test_chapters_are_named_in_russian(recording: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    path, _ = recording
    done = cli("chapters", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("  Глава 1"), done.stdout
    assert cli("chapters", str(path), lang="en_GB.UTF-8").stdout.splitlines()[0].endswith("  Chapter 1")


def test_chapters_of_a_file_that_is_not_a_video_is_one_russian_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a video", encoding="utf-8")
    done = cli("chapters", str(tmp_path / "notes.txt"))
    assert done.returncode == 1
    assert done.stderr.endswith("notes.txt: это не медиафайл, который может прочитать FFmpeg\n"), done.stderr


def test_a_damaged_session_log_is_said_in_russian(tmp_path: Path) -> None:
    (tmp_path / "console.db").write_bytes(b"not a database at all" * 500)
    done = cli("--data-dir", str(tmp_path), "usage")
    assert done.returncode == 0, done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("classroom-console usage:")]
    assert len(ours) == 1, done.stderr
    assert f"журнал занятий в {tmp_path} был повреждён: он перенесён в {tmp_path}/console.db.corrupt-" in ours[0]
    assert "ничего не удалено" in ours[0] and "was damaged" not in ours[0]


def test_records_refusals_of_its_input_are_russian(tmp_path: Path) -> None:
    """`record --source nosuch` said "unknown source 'nosuch' (…)" in English."""
    done = cli("record", "--no-store", "--source", "nosuch", str(tmp_path / "a.mp4"))
    assert done.returncode == 2
    assert done.stderr.startswith("classroom-console record: --source 'nosuch' не подходит: "), done.stderr
    size = cli("record", "--no-store", "--size", "big", str(tmp_path / "a.mp4"))
    assert size.returncode == 2 and "--size: " in size.stderr and "unknown" not in size.stderr.lower(), size.stderr
