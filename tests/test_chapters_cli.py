"""``classroom-console chapters FILE.mp4 [--write] [--json]`` as a user runs it (its own process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classroom_console.media.artifacts import chapters_path
from classroom_console.media.chapters_synthetic import SlideDeck, write_deck


def cli(*args: str | Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "classroom_console", "--data-dir", str(data), "chapters",
                           *map(str, args)], capture_output=True, text=True, timeout=120)


def ffprobe_titles(path: Path) -> list[str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [c["tags"]["title"] for c in json.loads(out)["chapters"]]


@pytest.fixture(scope="module")
def lecture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_deck(tmp_path_factory.mktemp("cli") / "lecture.mp4",
                      SlideDeck(size=(320, 180), duration_s=8.0, changes=(3.0, 5.5)))


def test_it_prints_the_chapters_found_and_writes_them_only_when_asked(lecture: Path, tmp_path: Path) -> None:
    printed = cli(lecture, data=tmp_path)
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == "00:00:00.000  Chapter 1" and len(lines) == 3
    assert lines[1].startswith("00:00:0") and lines[1].endswith("Chapter 2")
    assert ffprobe_titles(lecture) == [] and not chapters_path(lecture).exists(), "nothing written without --write"

    written = cli(lecture, "--write", "--json", data=tmp_path)
    assert written.returncode == 0, written.stderr
    report = json.loads(written.stdout)
    assert report["written"] is True and report["duration_s"] == pytest.approx(8.0, abs=0.1)
    starts = [c["start_s"] for c in report["chapters"]]
    assert starts[0] == 0.0 and abs(starts[1] - 3.0) <= 1.0 and abs(starts[2] - 5.5) <= 1.0
    assert ffprobe_titles(lecture) == ["Chapter 1", "Chapter 2", "Chapter 3"]
    # A title edited in the .vtt is kept when the chapters are found again.
    vtt = chapters_path(lecture)
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("Chapter 2", "Фурье"), encoding="utf-8")
    again = cli(lecture, "--write", data=tmp_path)
    assert again.returncode == 0 and "Фурье" in again.stdout
    assert ffprobe_titles(lecture) == ["Chapter 1", "Фурье", "Chapter 3"]


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: p.write_text("hello"), "not a media file FFmpeg can read"),
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "not a file"),
])
def test_a_bad_file_is_one_clear_line(tmp_path: Path, make: object, says: str) -> None:
    path = tmp_path / "bad.mp4"
    make(path)  # type: ignore[operator]
    done = cli(path, "--write", data=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr and "Traceback" not in done.stderr


def test_write_on_one_of_this_rooms_recordings_updates_its_row_and_is_refused_once_uploading(
        lecture: Path, tmp_path: Path) -> None:
    from classroom_console.media import chapters_store
    from classroom_console.media.artifacts import sha256_file
    from classroom_console.store import open_store

    path = tmp_path / "mine.mp4"
    path.write_bytes(lecture.read_bytes())
    store = open_store(tmp_path)
    try:
        rid = store.add_recording(None, str(path))
        store.finish_recording(rid, duration_s=8.0, size_bytes=path.stat().st_size, sha256=sha256_file(path))
    finally:
        store.close()
    assert cli(path, "--write", data=tmp_path).returncode == 0
    store = open_store(tmp_path)
    try:
        row = store.recording(rid)
        assert row is not None and row["sha256"] == sha256_file(path) and row["size_bytes"] == path.stat().st_size
        assert len(chapters_store.load(store, rid)) == 3 and row["chapters_state"] == chapters_store.DONE
        store.db.execute("INSERT INTO upload_queue (item_kind, item_id, created_at, next_attempt_at, attempts) "
                         "VALUES ('recording', ?, '2000-01-01', '2000-01-01', 1)", (rid,))
    finally:
        store.close()
    before = sha256_file(path)
    refused = cli(path, "--write", data=tmp_path)
    assert refused.returncode == 3 and "left as it is" in refused.stderr and sha256_file(path) == before
