"""Scenes: a room's saved sets of device states, kept per room in scenes.json beside settings.json.

A scene says what each kind of device should do when a session starts or the lecturer switches; ``None``
means "leave it as it is", so a scene can touch only what it cares about. Four scenes ship with every
room; a lecturer edits, copies and saves their own. Written like settings.json: a temporary file renamed
into place, so a power cut leaves the old or the new file, never half.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from classroom_console import hand_edited
from classroom_console.cli_text import in_every_language

log = logging.getLogger(__name__)
FILE_NAME = "scenes.json"
MAX_NAME = 60
MAX_SCENES = 40
RECENT_KEPT = 20

DEFAULT_NAMES = ("Lecture", "Discussion", "Group work", "Recording only")


@dataclass(frozen=True, slots=True)
class Scene:
    """What the room should look like; each field ``None`` is left alone when the scene is applied."""

    name: str
    projectors_on: bool | None = None  # projectors and flat displays
    projector_input: str = ""  # an input's name ("HDMI 1") or code; "" leaves the input alone
    screen_blank: bool | None = None  # picture blanked (True) or shown (False) once the projector is on
    boards_on: bool | None = None
    camera_preset: int | None = None  # recalled on every camera that has presets
    recording: bool | None = None
    streaming: bool | None = None  # to every live destination the Studio keeps
    tablets_open: bool | None = None  # students may join from their tablets
    builtin: bool = False  # one of the four that ship: can be edited (saved as the room's own), not deleted

    def validated(self) -> Scene:
        """The same scene with a clean name and sane values; ValueError (one line) when it cannot be."""
        name = " ".join(self.name.split())[:MAX_NAME]
        if not name:
            raise ValueError("a scene needs a name")
        preset = self.camera_preset
        if preset is not None and not 0 <= preset <= 255:
            raise ValueError(f"camera preset {preset} is out of range (0-255)")
        return replace(self, name=name, projector_input=self.projector_input.strip()[:40])


def name_key(name: str) -> str:
    """What two scene names are told apart by: not case, not spacing ("lecture " is "Lecture")."""
    return " ".join(name.split()).casefold()


def default_scenes() -> list[Scene]:
    """The four every room starts with (names in English: the UI shows them translated)."""
    return [
        Scene("Lecture", projectors_on=True, projector_input="HDMI 1", screen_blank=False, boards_on=True,
              camera_preset=1, recording=True, tablets_open=True, builtin=True),
        Scene("Discussion", projectors_on=True, screen_blank=True, boards_on=True, camera_preset=2,
              recording=True, tablets_open=True, builtin=True),
        Scene("Group work", projectors_on=True, screen_blank=False, boards_on=True, camera_preset=2,
              recording=False, streaming=False, tablets_open=True, builtin=True),
        Scene("Recording only", camera_preset=1, recording=True, tablets_open=False, builtin=True),
    ]


def scene_from_json(raw: Any) -> Scene:
    """A scene as saved; unknown keys are ignored (an older or newer console wrote them), bad types refused."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ValueError("a scene must be an object with a name")
    values: dict[str, Any] = {}
    for f in fields(Scene):
        if f.name not in raw:
            continue
        value = raw[f.name]
        if f.name in ("name", "projector_input"):
            ok = isinstance(value, str)
        elif f.name == "camera_preset":
            ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
        elif f.name == "builtin":
            ok = isinstance(value, bool)
        else:
            ok = value is None or isinstance(value, bool)
        if not ok:
            raise ValueError(f"scene field {f.name} has a value of the wrong type")
        values[f.name] = value
    return Scene(**values).validated()


@dataclass(slots=True)
class RoomScenes:
    """One room's scenes and what its lecturers last typed, so the next start is one press."""

    scenes: list[Scene] = field(default_factory=default_scenes)
    last_scene: str = "Lecture"
    last_course: str = ""
    last_title: str = ""
    recent_titles: list[str] = field(default_factory=list)
    turn_off_at_end: bool = True

    def find(self, name: str) -> Scene | None:
        key = name_key(name)
        return next((s for s in self.scenes if name_key(s.name) == key), None)

    def clash(self, name: str, replacing: str | None = None, shown: Mapping[str, str] | None = None) -> Scene | None:
        """The other scene a scene named ``name`` would be taken for, case and spacing aside: by its own name, a
        shipped one by its name in either language too, and by ``shown`` (name -> the name the window shows it
        by). Renamed "Discussion" to «Лекция», the picker listed «Лекция» twice (the shipped one's key is English).
        A scene that keeps its name clashes with nothing: an old file's twins must not stop its edits."""
        key = name_key(name)
        if replacing is not None and key == name_key(replacing):
            return None
        for scene in self.scenes:
            if replacing is not None and name_key(scene.name) == name_key(replacing):
                continue
            names = in_every_language(scene.name) if scene.builtin else {scene.name}
            if shown and scene.name in shown:
                names = {*names, shown[scene.name]}
            if key in {name_key(n) for n in names}:
                return scene
        return None

    def save_scene(self, scene: Scene, replacing: str | None = None) -> Scene:
        """Add or replace (by ``replacing``'s name, else by its own); a copy gets a free name first."""
        scene = scene.validated()
        old = self.find(replacing or scene.name)
        clash = self.clash(scene.name, None if old is None else old.name)
        if clash is not None and clash is not old:
            raise ValueError(f"there is already a scene called {scene.name!r}")
        # A shipped scene renamed is the room's own beside it: the shipped one cannot go (a room's file without it
        # gets it back at the next start), and replacing it hid it from the picker until then.
        if old is None or (old.builtin and name_key(scene.name) != name_key(old.name)):
            if len(self.scenes) >= MAX_SCENES:
                raise ValueError(f"a room keeps at most {MAX_SCENES} scenes")
            scene = replace(scene, builtin=False)
            self.scenes.append(scene)
        else:
            scene = replace(scene, builtin=old.builtin and scene.name == old.name)
            self.scenes[self.scenes.index(old)] = scene
            if self.last_scene == old.name:
                self.last_scene = scene.name
        return scene

    def copy_name(self, name: str, shown: Mapping[str, str] | None = None) -> str:
        """ "Lecture (2)": the first name not taken (``clash``), for a copy."""
        n = 2
        while self.clash(f"{name} ({n})", shown=shown) is not None:
            n += 1
        return f"{name} ({n})"

    def delete(self, name: str) -> None:
        scene = self.find(name)
        if scene is None:
            return
        if scene.builtin:
            raise ValueError(f"{scene.name!r} ships with the room and cannot be deleted")
        self.scenes.remove(scene)

    def remember(self, course: str, title: str, scene: str) -> None:
        self.last_course, self.last_title, self.last_scene = course, title, scene
        if title:
            self.recent_titles = [title, *[t for t in self.recent_titles if t != title]][:RECENT_KEPT]


def _room_from_json(raw: Any, path: Path) -> tuple[RoomScenes, list[str]]:
    """The room's scenes and choices; a bad scene or field is dropped alone and named in the problems returned."""
    if not isinstance(raw, dict):
        raise ValueError("a room's scenes must be an object")
    problems: list[str] = []
    scenes: list[Scene] = []
    listed = raw.get("scenes", [])
    for n, one in enumerate(listed if isinstance(listed, list) else []):
        try:
            scenes.append(scene_from_json(one))
        except ValueError as exc:
            name = one.get("name") if isinstance(one, dict) else None
            problems.append(f"scene {name if isinstance(name, str) else n + 1!r}: {exc}")
    if not isinstance(listed, list):
        problems.append("scenes must be a list")
    # Scenes that ship are always there, even if a hand edit lost one.
    names = {s.name.casefold() for s in scenes}
    scenes += [s for s in default_scenes() if s.name.casefold() not in names]
    room = RoomScenes(scenes=scenes)
    for key in ("last_scene", "last_course", "last_title"):
        value = raw.get(key, getattr(room, key))
        setattr(room, key, hand_edited.field(raw, key, getattr(room, key), isinstance(value, str), path, "text"))
    titles = raw.get("recent_titles", [])
    ok = isinstance(titles, list) and all(isinstance(t, str) for t in titles)
    room.recent_titles = hand_edited.field(raw, "recent_titles", [], ok, path, "a list of text")[:RECENT_KEPT]
    turn_off = raw.get("turn_off_at_end", True)
    room.turn_off_at_end = hand_edited.field(raw, "turn_off_at_end", True, isinstance(turn_off, bool), path,
                                             "true or false")
    return room, problems


def load(data_dir: Path, room_id: str) -> RoomScenes:
    """This room's scenes. A bad scene is dropped alone and the file kept aside (its copy holds it for a fix);
    the defaults when there are none or the file is unreadable (said in the log)."""
    path = data_dir / FILE_NAME
    try:
        raw = hand_edited.read_object(path)
        rooms = raw.get("rooms", {})
        if not isinstance(rooms, dict):
            raise ValueError("rooms must be an object")
        if room_id not in rooms:
            return RoomScenes()
        room, problems = _room_from_json(rooms[room_id], path)
    except FileNotFoundError:
        return RoomScenes()
    except (OSError, ValueError) as exc:
        hand_edited.keep_aside(path, exc)
        return RoomScenes()
    if problems:
        hand_edited.keep_aside(path, ValueError("; ".join(problems)))
    return room


def save(data_dir: Path, room_id: str, room: RoomScenes) -> None:
    """This room's part of the file replaced; other rooms' parts (a PC that moved rooms) kept."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        rooms = raw.get("rooms") if isinstance(raw, dict) else None
        if not isinstance(rooms, dict):
            rooms = {}
    except (OSError, ValueError):
        rooms = {}
    rooms[room_id] = asdict(room)
    temporary = path.with_suffix(".json.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump({"rooms": rooms}, out, indent=2, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)


async def apply_by_name(core: Any, name: str) -> tuple[Any, ...]:
    """For ``classroom-console class --scene NAME``: walk the room to the named scene in the session already open.

    ``core`` is a started ``ConsoleCore``; an unknown name is a ValueError naming the room's scenes. The tablets
    are the command's own, so the scene leaves them alone. Returns the parts that failed (``SceneStep``).
    """
    from classroom_console.scenes_apply import apply_scene  # here: scenes_apply builds on this module

    scene = core.scenes.scene(name)
    failed = await apply_scene(core, scene, tablets=None)
    core.room.log_event(None, "scene", {"scene": scene.name, "failed": [
        {"device": f.target, "name": f.name, "step": f.step, "reason": f.reason} for f in failed]})
    return failed
