"""Chapters found by themselves: generated lectures with slides switched at known instants, a mouse pointer that
never stops, a small video playing inside the slide and camera noise; written as MP4 chapter atoms (read back by
ffprobe), as the .chapters.vtt, and into the store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from classroom_console.media.artifacts import Marker, chapters_path
from classroom_console.media.chapters import Chapter, merge, read_atoms
from classroom_console.media.chapters_detect import NotAVideo, detect
from classroom_console.media.chapters_job import find, write_files
from classroom_console.media.chapters_synthetic import SlideDeck, write_deck

CHANGES = (3.0, 6.4, 10.2)


@pytest.fixture(scope="module")
def deck_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """14 s at 480x270, a keyframe each second, as the recorder writes."""
    path = tmp_path_factory.mktemp("deck") / "lecture.mp4"
    return write_deck(path, SlideDeck(size=(480, 270), duration_s=14.0, changes=CHANGES))


def ffprobe_chapters(path: Path) -> list[tuple[float, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [(float(c["start_time"]), c["tags"]["title"]) for c in json.loads(out)["chapters"]]


def ffprobe_streams(path: Path) -> list[str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [s["codec_type"] for s in json.loads(out)["streams"]]


def video_packets_hash(path: Path) -> str:
    """A hash of the video packets as stored (stream copy: no decoding, so re-encoding would change it)."""
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "hash",
                           "-"], capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def assert_found(found: list[float], expected: tuple[float, ...]) -> None:
    assert found[0] == 0.0, "the recording opens a chapter"
    assert len(found) == len(expected) + 1, f"one chapter per slide change, no more: {found}"
    for got, want in zip(found[1:], expected, strict=True):
        assert abs(got - want) <= 1.0, f"change at {want} s found at {got} s"


def test_every_slide_change_is_found_within_a_second_and_nothing_else(deck_file: Path) -> None:
    detection = detect(deck_file)
    assert detection.mode == "keyframes"
    assert_found([c.start_s for c in detection.changes], CHANGES)
    assert all(abs(got.start_s - want) <= 0.2 for got, want in zip(detection.changes[1:], CHANGES,
                                                                                strict=True)), \
        "placed within a few frames by decoding the GOP where it happened"
    assert all(c.thumbnail is not None and c.thumbnail.shape[1] == 320 for c in detection.changes)


def test_a_recording_with_keyframes_far_apart_is_sampled_sparsely_and_still_found_within_a_second(
        tmp_path: Path) -> None:
    path = write_deck(tmp_path / "long_gop.mp4", SlideDeck(size=(320, 180), duration_s=11.0, changes=(2.6, 7.1),
                                                           gop_s=5.0))
    detection = detect(path)
    assert detection.mode == "sparse"
    assert_found([c.start_s for c in detection.changes], (2.6, 7.1))


def test_the_pointer_the_video_in_the_slide_and_camera_noise_make_no_chapter(tmp_path: Path) -> None:
    """A camera filming the board: noise, and its exposure jumping at 5 s (the whole picture 25 levels darker)."""
    path = write_deck(tmp_path / "still.mp4", SlideDeck(size=(480, 270), duration_s=10.0, changes=(), noise=3.0,
                                                        exposure_step=(5.0, -25)))
    assert [c.start_s for c in detect(path).changes] == [0.0]


def test_slides_flicked_past_make_one_chapter_where_the_deck_settles(tmp_path: Path) -> None:
    path = write_deck(tmp_path / "flick.mp4", SlideDeck(size=(320, 180), duration_s=9.0, changes=(3.0, 3.3, 3.6)))
    found = [c.start_s for c in detect(path).changes]
    assert len(found) == 2 and abs(found[1] - 3.6) <= 1.0, found


def test_markers_name_the_changes_near_them_and_add_their_own() -> None:
    found = [Chapter(0.0, ""), Chapter(3.0, "", thumbnail=b"a"), Chapter(6.4, "", thumbnail=b"b")]
    merged = merge(found, [Marker(6.0, "Proof  of\nthe theorem"), Marker(9.0, "Questions")], 12.0)
    assert [(c.start_s, c.title, c.origin) for c in merged] == [
        (0.0, "Chapter 1", "auto"), (3.0, "Chapter 2", "auto"), (6.0, "Proof of the theorem", "marker"),
        (9.0, "Questions", "marker")]
    assert merged[2].thumbnail == b"b", "the marker keeps the picture of the slide it names"


def test_chapters_are_written_as_atoms_ffprobe_lists_and_a_vtt_without_re_encoding(deck_file: Path,
                                                                                   tmp_path: Path) -> None:
    path = tmp_path / "lecture.mp4"
    path.write_bytes(deck_file.read_bytes())
    before = video_packets_hash(path)
    found = find(path, [Marker(6.0, "Proof")])
    size, sha = write_files(path, found.chapters, found.duration_s)
    listed = ffprobe_chapters(path)
    assert [t for _, t in listed] == ["Chapter 1", "Chapter 2", "Proof", "Chapter 4"]
    assert listed[2][0] == pytest.approx(6.0) and abs(listed[3][0] - 10.2) <= 1.0
    assert video_packets_hash(path) == before, "every packet copied, nothing re-encoded"
    assert size == path.stat().st_size and len(sha) == 64
    vtt = chapters_path(path).read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "00:00:06.000 --> " in vtt and "\nProof\n" in vtt
    # Edited again: the old atoms are replaced, not doubled; the chapter track is not copied as a stream.
    write_files(path, [Chapter(0.0, "Введение"), Chapter(5.0, "Second")], found.duration_s)
    assert ffprobe_chapters(path) == [(0.0, "Введение"), (5.0, "Second")]
    assert [c.title for c in read_atoms(path)] == ["Введение", "Second"]
    assert ffprobe_streams(path) == ["video", "data"] and ffprobe_streams(deck_file) == ["video"]
    assert video_packets_hash(path) == before


def test_a_file_that_is_not_a_video_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(NotAVideo, match="not a media file"):
        detect(bad)
    with pytest.raises(NotAVideo, match="no such file"):
        detect(tmp_path / "missing.mp4")


def test_detection_stops_when_asked(deck_file: Path) -> None:
    import threading

    from classroom_console.media.chapters_detect import Stopped

    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        detect(deck_file, stop=stop)


def vlc_chapters(path: Path) -> list[tuple[float, str]]:
    """What libVLC (the Studio's player) lists: the chapters come with the file's opening."""
    import time

    import vlc

    instance = vlc.Instance("--no-xlib", "--vout=dummy", "--aout=dummy", "--quiet")
    player = instance.media_player_new()
    try:
        player.set_media(instance.media_new(str(path)))
        player.play()
        deadline = time.monotonic() + 30
        while player.get_chapter_count() <= 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        return [(d.time_offset / 1000, d.name.decode()) for d in player.get_full_chapter_descriptions(-1)]
    finally:
        player.stop()
        player.release()
        instance.release()


def test_vlc_lists_the_chapters_of_the_recorders_fragmented_file(deck_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "lecture.mp4"
    path.write_bytes(deck_file.read_bytes())
    write_files(path, [Chapter(0.0, "Intro"), Chapter(3.0, "Теорема"), Chapter(6.4, "Proof")], 14.0)
    assert vlc_chapters(path) == [(0.0, "Intro"), (3.0, "Теорема"), (6.4, "Proof")]
