"""settings.json and scenes.json edited by hand: a typo costs the one bad entry, never the room's setup.

An attacker's walk (E3) found `null` in settings.json stopped the window and `class` (a traceback), one bad field
reset every setting, and one bad scene's type erased the room's own scenes at the next session start.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from classroom_console import scenes, settings
from classroom_console.console import ConsoleCore, ConsoleOptions

ROOM = "room:test"


@pytest.mark.parametrize("content", ["null", "[]", "1", '"x"', "[" * 100_000, "{not json"])
def test_settings_that_are_not_an_object_give_the_defaults_and_are_kept(tmp_path: Path, content: str) -> None:
    (tmp_path / "settings.json").write_text(content, encoding="utf-8")
    assert settings.load(tmp_path) == settings.RoomSettings()
    asides = list(tmp_path.glob("settings.json.unreadable-*"))
    assert len(asides) == 1 and asides[0].read_text(encoding="utf-8") == content
    settings.save(tmp_path, settings.RoomSettings(room_name="New"))
    settings.load(tmp_path)
    assert len(list(tmp_path.glob("settings.json.unreadable-*"))) == 1  # one copy per content, not one a start


def test_one_bad_setting_costs_only_itself(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({
        "manual_addresses": "127.0.95.1",  # the typo: a string, not a list
        "room_name": "Room 101", "live_destinations": ["YouTube"], "personal_data_days": 30,
        "studio": {"sources": [{"name": "Camera"}]},
    }), encoding="utf-8")
    got = settings.load(tmp_path)
    assert got.manual_addresses == []
    assert (got.room_name, got.live_destinations, got.personal_data_days) == ("Room 101", ["YouTube"], 30)
    assert got.studio == {"sources": [{"name": "Camera"}]}


def _scene(name: str, **values: object) -> dict[str, object]:
    return {"name": name, "projectors_on": True, **values}


def test_one_bad_scene_is_dropped_alone_and_kept_aside_before_a_save(tmp_path: Path) -> None:
    own = {"rooms": {ROOM: {
        "scenes": [_scene("My seminar", camera_preset=3), _scene("Exam", camera_preset="two")],
        "last_course": "Physics", "turn_off_at_end": "yes",
    }}}
    (tmp_path / "scenes.json").write_text(json.dumps(own), encoding="utf-8")
    room = scenes.load(tmp_path, ROOM)
    names = [s.name for s in room.scenes]
    assert "My seminar" in names and "Exam" not in names and "Lecture" in names
    assert room.find("My seminar") is not None and room.find("My seminar").camera_preset == 3  # type: ignore[union-attr]
    assert room.last_course == "Physics" and room.turn_off_at_end is True  # the bad choice alone took its default
    room.remember("Physics", "T2", "Lecture")
    scenes.save(tmp_path, ROOM, room)  # what a session's start does
    saved = json.loads((tmp_path / "scenes.json").read_text(encoding="utf-8"))
    assert "My seminar" in [s["name"] for s in saved["rooms"][ROOM]["scenes"]]  # the old code lost it here
    asides = list(tmp_path.glob("scenes.json.unreadable-*"))
    assert len(asides) == 1 and json.loads(asides[0].read_text(encoding="utf-8")) == own  # "Exam" can be mended


def test_scenes_json_that_is_not_an_object_gives_the_defaults_and_is_kept(tmp_path: Path) -> None:
    (tmp_path / "scenes.json").write_text("null", encoding="utf-8")
    assert [s.name for s in scenes.load(tmp_path, ROOM).scenes] == list(scenes.DEFAULT_NAMES)
    assert len(list(tmp_path.glob("scenes.json.unreadable-*"))) == 1


def test_the_copy_kept_aside_is_as_private_as_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("null", encoding="utf-8")
    path.chmod(0o600)
    settings.load(tmp_path)
    (aside,) = tmp_path.glob("settings.json.unreadable-*")
    assert aside.stat().st_mode & 0o777 == 0o600  # not the umask's 0644 (R7)


async def test_a_typo_in_manual_addresses_is_dropped_alone_and_the_console_starts(tmp_path: Path) -> None:
    """'bogus!!' among the addresses to sweep stopped the core's start: the window never opened (E3's test)."""
    text = json.dumps({"manual_addresses": ["bogus!!", "127.0.7.40"], "room_name": "Room 101"})
    await asyncio.to_thread((tmp_path / "settings.json").write_text, text)
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, rediscover_every_s=3600.0))
    try:
        await core.start()
        assert core.settings.manual_addresses == ["127.0.7.40"] and core.settings.room_name == "Room 101"
    finally:
        await core.stop()
    asides = await asyncio.to_thread(lambda: list(tmp_path.glob("settings.json.unreadable-*")))
    assert len(asides) == 1  # the typo is kept for a fix
